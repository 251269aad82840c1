/* Spans of the kinds written row by row (BTF objects, links, attachments, owners; schema 4):
 * the open spans a snapshot compares against, kept or ended. Internal to store/. */
#ifndef BPFSCOPE_SPAN_SET_H
#define BPFSCOPE_SPAN_SET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

struct span_open {
	uint64_t digest;
	int64_t row;
	bool seen;		/* this snapshot found the same row: the span goes on */
};

struct span_set {
	const char *table;	/* a constant of store/ ("btf_rows" ...), never input */
	struct span_open *v;	/* sorted by digest */
	size_t n;
	uint64_t seed;		/* the snapshot's boot: ids name other objects after a reboot */
	bool loaded;		/* else every row starts a span (a live view filling its one snapshot) */
	sqlite3_stmt *end;
};

/* The open spans of table, as of snapshot snap_id (being written). */
int span_set_load(struct db *db, struct span_set *s, const char *table, int64_t snap_id,
		  struct err *e);
/* One row of snapshot snap_id: ins is an INSERT into the set's table with every column bound
 * but ?1 (first_snap) and ?2 (digest). The digest is taken over what is bound; an unseen open
 * span with the same one goes on and nothing is written, else ins runs as a new span. *row
 * (when row is not NULL): the span's row. */
int span_set_write(struct db *db, struct span_set *s, sqlite3_stmt *ins, int64_t snap_id,
		   const char *what, int64_t *row, struct err *e);
/* The order of a snapshot's rows of a kind (rows: their row numbers, in order) as one row of
 * s's table (row, first_snap, last_snap, digest, rows: a JSON array), through span_set_write:
 * kept while the list is the same. */
int span_set_write_order(struct db *db, struct span_set *s, const int64_t *rows, size_t n,
			 int64_t snap_id, const char *what, struct err *e);
/* End the open spans this snapshot did not see (at the snapshot before snap_id): the objects
 * gone or changed, and every one of a kind the snapshot did not capture. */
int span_set_end(struct db *db, struct span_set *s, int64_t snap_id, struct err *e);
void span_set_free(struct span_set *s);
#endif
