/* The fields identity needs (analyze/match.h), read from a snapshot: per program its type,
 * full name, tag, load time and the four attach points, each as stored. */
#ifndef BPFSCOPE_READ_IDENT_H
#define BPFSCOPE_READ_IDENT_H
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

struct prog_ident_row {
	uint32_t id, type;
	uint64_t load_time;
	char *name, *tag, *pin, *link_pin, *attach, *link_target;	/* NULL: none */
};

struct prog_ident_rows {
	struct prog_ident_row *rows;
	size_t n;
};

/* Every program of snapshot snap_id (prog_id 0), or program prog_id alone. */
int prog_ident_rows_read(struct db *db, int64_t snap_id, uint32_t prog_id,
			 struct prog_ident_rows *out, struct err *e);
void prog_ident_rows_free(struct prog_ident_rows *r);
#endif
