/* The fleet server: many hosts' snapshot histories in one PostgreSQL database (libpq is
 * called in store/pg*.c only). docs/fleet.md describes the server schema. */
#ifndef BPFSCOPE_PG_H
#define BPFSCOPE_PG_H
#include <stdint.h>
#include "lib/err.h"
#include "store/db.h"
#include "store/read_snapshot.h"

/* The server schema's own version (table fleet_schema); a server with a newer one is
 * refused. It mirrors the local tables of DB_SCHEMA_VERSION with a host column. */
#define FLEET_SCHEMA_VERSION 3
/* A text value the server's UTF8 text cannot hold (invalid UTF-8, NUL), or one beginning
 * with this byte, goes as this byte and its bytes in hex (store/pg_push.c put_text). */
#define PG_TEXT_ESCAPE 0x01

struct pg;	/* a connection (opaque: only store/pg*.c knows libpq) */

/* Connect; errors are one line: "server unreachable: ...", "authentication failed: ...",
 * "permission denied: ...". */
int pg_connect(const char *conninfo, struct pg **out, struct err *e);
void pg_close(struct pg *pg);

/* Create or migrate the server schema (tables, indexes, views) from this binary's local
 * schema; refuses a server whose schema is newer. *created: the schema was new. */
int pg_schema_init(struct pg *pg, int *from_version, struct err *e);
/* Check the server's schema is there and not newer (readers). */
int pg_schema_check(struct pg *pg, struct err *e);

struct pg_push_result {
	int64_t snapshots;	/* snapshots shipped */
	int64_t rows;		/* rows shipped (spans, snapshot rows, events ...) */
	int64_t blobs;		/* blobs the server lacked and got */
	int64_t blobs_skipped;	/* referenced blobs the server had already */
	int64_t server_had;	/* the host's latest snapshot id on the server before */
};
/* Ship the local snapshots the server does not hold for host (NULL: the latest snapshot's
 * host name): one server transaction per snapshot, rows through COPY, blobs the server
 * lacks only. A re-run after a kill ships what is missing, nothing twice. */
int pg_push(struct pg *pg, struct db *local, const char *host, struct pg_push_result *r,
	    struct err *e);
/* The host name a push of local defaults to (the latest snapshot's); out: at least 256. */
int pg_push_default_host(struct db *local, char *out, size_t len, struct err *e);

/* Resolve REF (ID, latest, latest~N, LABEL) among host's snapshots on the server. */
int pg_snapshot_resolve(struct pg *pg, const char *host, const char *ref, int64_t *id,
			struct err *e);
/* Copy host's snapshots (all, or only snap_id when >= 0) into local, an empty snapshot
 * database open for writing (or in memory), ids as the host had them. *n: snapshots. */
int pg_pull(struct pg *pg, const char *host, int64_t snap_id, struct db *local, int64_t *n,
	    struct err *e);

/* One statement in a read-only transaction; rows as query_run hands them. */
int pg_query(struct pg *pg, const char *sql, query_row_fn fn, void *arg, struct err *e);
/* Each host: name, snapshots, first and last taken_at (ns); fn as pg_query's. */
int pg_hosts(struct pg *pg, query_row_fn fn, void *arg, struct err *e);
#endif
