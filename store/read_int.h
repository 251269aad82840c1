/* Helpers the row readers share (store/ only). */
#ifndef BPFSCOPE_READ_INT_H
#define BPFSCOPE_READ_INT_H
#include "store/read.h"

/* db_cached for a reader: also checks the statement yields ncols columns, so a column list
 * and the enum naming its positions cannot drift apart unnoticed. */
int read_cached(struct db *db, const char *sql, int ncols, sqlite3_stmt **st, struct err *e);
/* Step st to its end (then reset it), calling row for each row; row returning nonzero stops
 * the walk and is returned. */
int read_each(struct db *db, sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *arg),
	      void *arg, struct err *e);
/* read_cached(sql), bound to ?1 snap and ?2 id, through read_each. */
int read_rows(struct db *db, const char *sql, int ncols, int64_t snap, int64_t id,
	      int (*row)(sqlite3_stmt *st, void *arg), void *arg, struct err *e);
/* Step st to its end (then reset it), appending column 0 of every row to out (emptied first). */
int read_ids(struct db *db, sqlite3_stmt *st, struct id_list *out, struct err *e);
/* (key, number[, text]) rows of st (bound) into out, emptied first. */
int read_id_rows_all(struct db *db, sqlite3_stmt *st, struct id_rows *out, struct err *e);
/* Column 0 of sql's rows (?1 snap, ?2 id; cached) into out. */
int read_id_rows(struct db *db, const char *sql, int64_t snap, int64_t id, struct id_list *out,
		 struct err *e);
/* The error of a step that returned rc (neither SQLITE_ROW nor SQLITE_DONE). */
int read_step_err(struct db *db, int rc, struct err *e);
/* Text of a column, "" for NULL (a reader's strings are never NULL unless it says so). */
const char *read_text(sqlite3_stmt *st, int col);
/* Run the lookup sqls[key] of a reader's table (?1 snapshot, ?2 text or id), which is
 * prepared and finalized: it runs once per command and must not crowd db_cached's slots. */
int read_find(struct db *db, const char *const *sqls, size_t nsql, int64_t snap,
	      enum find_key key, const char *text, uint32_t id, struct id_list *out,
	      struct err *e);
#endif
