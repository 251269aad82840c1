/* What store/db.c and store/db_new.c share: making a database file that does not exist. */
#ifndef BPFSCOPE_DB_INT_H
#define BPFSCOPE_DB_INT_H
#include <stdbool.h>
#include <stddef.h>
#include "lib/err.h"

/* A new database file, private, with the build's empty database in it, linked into place
 * whole; one another writer made at once is left as it is. */
int db_create_file(const char *path, struct err *e);
/* Whether this user may make files beside path (its -wal and -shm, or a new file). */
bool db_dir_writable(const char *path);
/* A copy of an empty database's bytes (store/schema_image.h) as db's main database, in
 * memory (db->sql open on ":memory:"); a file image's WAL mark becomes a journal's. */
struct db;
int db_memory_image(struct db *db, const void *image, size_t len, struct err *e);
#endif
