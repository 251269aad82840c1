/* Inside the fleet store: the connection, and the local tables as the server mirrors them
 * (read from the SQLite schema itself, so a column added locally is mirrored too). */
#ifndef BPFSCOPE_PG_INT_H
#define BPFSCOPE_PG_INT_H
#include <libpq-fe.h>
#include "store/pg.h"

/* libpq's functions bpfscope calls, found by dlopen when a fleet command connects: linked,
 * libpq and the two dozen libraries it needs (TLS, Kerberos, LDAP) cost every command
 * ~30 ms of relocations at start. Called as PQ(PQexec)(...) with a struct pg *pg in scope. */
struct pq_api {
	__typeof__(PQclear) *PQclear;
	__typeof__(PQconnectdbParams) *PQconnectdbParams;
	__typeof__(PQerrorMessage) *PQerrorMessage;
	__typeof__(PQexec) *PQexec;
	__typeof__(PQexecParams) *PQexecParams;
	__typeof__(PQfinish) *PQfinish;
	__typeof__(PQfname) *PQfname;
	__typeof__(PQftype) *PQftype;
	__typeof__(PQgetResult) *PQgetResult;
	__typeof__(PQgetisnull) *PQgetisnull;
	__typeof__(PQgetlength) *PQgetlength;
	__typeof__(PQgetvalue) *PQgetvalue;
	__typeof__(PQnfields) *PQnfields;
	__typeof__(PQntuples) *PQntuples;
	__typeof__(PQputCopyData) *PQputCopyData;
	__typeof__(PQputCopyEnd) *PQputCopyEnd;
	__typeof__(PQresultErrorField) *PQresultErrorField;
	__typeof__(PQresultStatus) *PQresultStatus;
	__typeof__(PQsetNoticeProcessor) *PQsetNoticeProcessor;
	__typeof__(PQstatus) *PQstatus;
	__typeof__(PQtransactionStatus) *PQtransactionStatus;
};
#define PQ(f) (pg->pq.f)

struct pg {
	PGconn *c;
	struct pq_api pq;
};
/* fill api from libpq.so.5 */
int pq_api_load(struct pq_api *api, struct err *e);

enum pg_ctype { PGC_INT, PGC_REAL, PGC_TEXT, PGC_BLOB };

/* How a local table is shipped, in the order a pull inserts them (parents first). */
enum pg_tkind {
	TK_BLOBS,	/* global, by hash: the blobs a host's rows name */
	TK_LOOKUP,	/* global: prog_types ... (id, name) */
	TK_BOOTS,	/* per host: boots named by the snapshots shipped */
	TK_ENVS,	/* per host: snapshot_envs named by the snapshots shipped */
	TK_SNAPS,	/* per host: snapshot_rows, the id range of a batch */
	TK_PER_SNAP,	/* per host: rows of one snapshot each (sockets), new with it */
	TK_SPAN,	/* per host: *_rows spans, new in the range or ended in it */
	TK_PROG_MAPS,	/* per host: prog_row_maps of the new prog_rows */
	TK_EVENTS,	/* per host: load_events claimed in the range, or not yet claimed */
	TK_ALL,		/* per host: every row every time (objects: few) */
	TK_SKIP,	/* meta, sqlite_sequence */
};

#define PG_MAX_COLS 64
#define PG_MAX_TABLES 40
#define PG_NAME 64

struct pg_col {
	char name[PG_NAME];
	enum pg_ctype t;
	int pk;			/* place in the primary key (1-based), 0 if not in it */
};

struct pg_table {
	char name[PG_NAME];
	enum pg_tkind kind;
	struct pg_col cols[PG_MAX_COLS];
	int ncols;
};

struct pg_tables {
	struct pg_table t[PG_MAX_TABLES];
	int n;
};

/* The tables of a local database (sorted by kind), as the server mirrors them. */
int pg_tables_read(struct db *db, struct pg_tables *ts, struct err *e);
/* The server's error in one line, prefixed (what, e.g. "push"); sets e, returns -code. */
int pg_fail(struct pg *pg, const PGresult *res, const char *what, struct err *e);
/* Run SQL with no rows expected (COMMAND_OK or TUPLES_OK). */
int pg_exec(struct pg *pg, const char *sql, const char *what, struct err *e);
/* The version verdict: 0 when v is this binary's, else an error in one line (ENOENT: no
 * schema or an older one, fleet init makes it; EPROTO: newer). */
int pg_version_check(int v, struct err *e);
/* append "host, c1, c2 ..." (host left out for global tables) */
void pg_col_list(const struct pg_table *t, const char *prefix, char *out, size_t len);
/* the advisory locks: fleet init's (two hosts initializing at once take turns), and + 1
 * the shared rows' (store/pg_shared.c) */
#define FLEET_LOCK "1651533427"
/* the server's type of a local column type */
const char *pg_type(enum pg_ctype t);
/* ALTER TABLE name ADD COLUMN for each local column of t it lacks (none if it is not there) */
int pg_add_columns(struct pg *pg, const struct pg_table *t, const char *name, struct err *e);
/* Shared rows (store/pg_shared.c): span tables and prog_row_maps are stored once for the
 * hosts that have the same row (<t>_c), each host names its rows by id ranges (<t>_m), and
 * the view <t> gives them per host. Create (and migrate from schema 1), view, upsert from
 * the staging table fx_<t>. */
int pg_shared_create(struct pg *pg, const struct pg_table *t, struct err *e);
int pg_shared_view(struct pg *pg, const struct pg_table *t, struct err *e);
/* (the upsert: statements for one string, malloc'ed; NULL when out of memory) */
char *pg_shared_upsert_sql(const struct pg_table *t);
static inline int pg_table_shared(const struct pg_table *t)
{
	return t->kind == TK_SPAN || t->kind == TK_PROG_MAPS;
}
static inline int pg_table_global(const struct pg_table *t)
{
	return t->kind == TK_BLOBS || t->kind == TK_LOOKUP;
}
#endif
