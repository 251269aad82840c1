/* Opening, checking and migrating the snapshot database; content-addressed blobs;
 * resolving snapshot references. */
#ifndef BPFSCOPE_DB_H
#define BPFSCOPE_DB_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/err.h"
#include "lib/sha256.h"
#include "lib/util.h"

#define DB_DEFAULT_PATH "/var/lib/bpfscope/history.db"
/* No blob may inflate beyond this: a hostile raw_size must not make us allocate 1 TB. */
#define BLOB_MAX_SIZE (1ull << 31)

enum db_mode {
	DB_READ,		/* an existing database, read-only */
	DB_WRITE,		/* create if missing, migrate if older */
	DB_MEMORY,		/* a private in-memory database (live commands) */
};

struct db {
	sqlite3 *sql;
	char path[4096];
	bool readonly;
	bool memory;		/* DB_MEMORY: ours for one command, blobs kept raw and trusted */
	bool unpublished;	/* db_open_new's: in memory, no file at path until db_publish */
	bool publish_lost;	/* db_publish found path made meanwhile, or no links there */
	int64_t seed_snap;	/* store/span_set.c: the snapshot whose boot seed is seed */
	uint64_t seed;
	sqlite3_stmt *blob_has, *blob_ins, *blob_get;
	void *zs;		/* a deflate stream kept for all blobs: init costs more than small blobs */
	struct buf zbuf;
	struct {		/* statements run once per object (db_cached) */
		const char *sql;
		sqlite3_stmt *st;
	} cache[8];
};

/* Process-wide SQLite settings, once, before any database is opened (cli/main.c). */
void db_lib_init(void);
int db_open(struct db *db, const char *path, enum db_mode mode, struct err *e);
/* A snapshot writer's database: as db_open DB_WRITE, but where path does not exist yet
 * the new database is made in memory (store/db_new.c) and written to path by db_publish
 * after its commit. */
int db_open_new(struct db *db, const char *path, struct err *e);
/* A new database's file, written whole and linked into place (nothing when the database is
 * not a new one): -EEXIST when another writer made path meanwhile, -EXDEV where the file
 * system has no links, both without a message and with publish_lost set: take the snapshot
 * again, opening path with db_open. Else 0 or an error. */
int db_publish(struct db *db, struct err *e);
/* A read-only database from bytes in memory (copied), checked as a file is. */
int db_open_image(struct db *db, const void *image, size_t len, struct err *e);
void db_close(struct db *db);
/* Drop the views only users' queries read (store/schema.h db_query_only_views). */
int db_drop_query_views(struct db *db, struct err *e);
/* The database's bytes (SQLite's serialize), appended to out. */
int db_image(struct db *db, struct buf *out, struct err *e);
/* Execute SQL with no result rows. */
int db_exec(struct db *db, const char *sql, struct err *e);
int db_prepare(struct db *db, const char *sql, sqlite3_stmt **st, struct err *e);
/* A statement prepared once per connection for a static SQL string (compiling a query over
 * the views costs more than running it): reset, no bindings. Not to be finalized; one user
 * at a time. */
int db_cached(struct db *db, const char *sql, sqlite3_stmt **st, struct err *e);
int db_begin(struct db *db, struct err *e);
/* Read the file through read() from here on, not mapped: a read that goes through more than
 * memory should hold once (a map's contents in chunks) would otherwise keep every page it
 * touched mapped, and in the process's RSS, until it ends. */
int db_unmap(struct db *db, struct err *e);
/* One read transaction for all of a reader's statements (ended by db_close): one lock, not
 * a lock and a file check per statement (20,000 fcntl calls for a 5,000-program report), and
 * every statement sees the same state of the file while a writer goes on beside it. */
int db_read_begin(struct db *db, struct err *e);
/* Rows this connection has inserted, updated or deleted since it opened: a snapshot that
 * wrote one (its own row) found everything as the one before left it. */
int64_t db_total_changes(struct db *db);
int db_commit(struct db *db, struct err *e);
void db_rollback(struct db *db);

/* Store bytes as a blob (once per content) and return its hash. */
int blob_put(struct db *db, const char *kind, const void *data, size_t len,
	     uint8_t hash[SHA256_LEN], struct err *e);
/* Store a blob hashed and compressed elsewhere (a probe's background thread). codec: 1 zlib,
 * 0 raw. */
int blob_put_prepared(struct db *db, const char *kind, const uint8_t hash[SHA256_LEN],
		      size_t raw_size, int codec, const void *z, size_t zlen, struct err *e);
/* A blob made ready on another thread than the connection's (a walker's): hashed, and
 * compressed as blob_put would (z: into the packer's buffer, or the raw bytes themselves),
 * for blob_put_prepared. A packer is one thread's, its output good until its next pack. */
struct blob_packer {
	void *zs;		/* its own deflate stream, made on first use */
	struct buf zbuf;
};
struct blob_packed {
	uint8_t hash[SHA256_LEN];
	size_t raw_size, zlen;
	const void *z;
	int codec;
};
int blob_pack(struct blob_packer *pk, const void *data, size_t len, struct blob_packed *out);
void blob_packer_free(struct blob_packer *pk);
/* Read a blob into out (replacing its contents); checks size bound and hash. */
int blob_get(struct db *db, const void *hash, size_t hash_len, size_t max, struct buf *out,
	     struct err *e);
/* Read the blob a column of the current row refers to (NULL column: empty buffer). */
int blob_get_col(struct db *db, sqlite3_stmt *st, int col, size_t max, struct buf *out,
		 struct err *e);
/* A map's contents blob a column refers to, its chunks joined when it is a chunk list
 * (lib/map_chunks.h): one contents blob of at most max bytes (store/read_chunks.c). */
int map_contents_get_col(struct db *db, sqlite3_stmt *st, int col, size_t max, struct buf *out,
			 struct err *e);
/* The same, but a chunk list stays a list: out holds it and l (nr_chunks > 0) points into it,
 * its chunks checked to be stored at their sizes; a contents blob not in chunks is read
 * whole (l->nr_chunks 0). Then map_contents_chunk reads one chunk at a time: chunk i as a
 * contents blob of its own (the list's sizes, its count; the last may carry the walk's error
 * trailer, its positions counted over the whole map). */
struct map_chunk_list;
int map_contents_list_col(struct db *db, sqlite3_stmt *st, int col, size_t max, struct buf *out,
			  struct map_chunk_list *l, struct err *e);
int map_contents_chunk(struct db *db, const struct map_chunk_list *l, uint32_t i,
		       struct buf *out, struct err *e);

/* REF: an id, "latest", "latest~N", or a label (its most recent snapshot). */
int snapshot_resolve(struct db *db, const char *ref, int64_t *id, struct err *e);
#endif
