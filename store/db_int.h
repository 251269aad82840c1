/* What store/db.c and store/db_new.c share: making a database file that does not exist. */
#ifndef BPFSCOPE_DB_INT_H
#define BPFSCOPE_DB_INT_H
#include "lib/err.h"

/* A new database file, private, with the build's empty database in it, linked into place
 * whole; one another writer made at once is left as it is. */
int db_create_file(const char *path, struct err *e);
#endif
