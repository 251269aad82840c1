/* Internal to the writer's files in store/. */
#ifndef BPFSCOPE_WRITER_INT_H
#define BPFSCOPE_WRITER_INT_H
#include "store/writer.h"

/* Step a statement that returns no rows, and reset it. */
int writer_step(struct writer *w, sqlite3_stmt *st, const char *what);
/* Store data as a blob and bind its hash at col (nothing bound when len == 0). */
int writer_bind_blob(struct writer *w, sqlite3_stmt *st, int col, const char *kind,
		     const void *data, size_t len);
/* A statement the writer holds: prepared on first use, then reset and cleared. */
int writer_stmt(struct writer *w, sqlite3_stmt **st, const char *sql);
#endif
