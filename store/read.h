/* What the typed row readers share: id lists and how an object is looked for. The readers
 * (read_prog.h, read_map.h, ...) are the SQL behind show and select; strings in a row point
 * into the statement and are valid only during the callback that receives the row. */
#ifndef BPFSCOPE_READ_H
#define BPFSCOPE_READ_H
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

/* A growable list of object ids; readers empty it (n = 0) and refill it, so one list serves
 * every object of a command without an allocation each. */
struct id_list {
	uint32_t *v;
	size_t n, cap;
};
void id_list_free(struct id_list *l);

/* One detail of many objects read at once, by object id (a show of every program reads each
 * kind once, not once per program: 1,000 statements over a view cost a live `prog show -j`
 * of 1,000 programs a fifth of its time): a row is object key's number (a map id, a pid)
 * and, for a detail with one, the string at texts + text (a comm). */
struct id_rows {
	struct id_row {
		uint32_t key;	/* ascending, as the reader's ORDER BY */
		int64_t num;
		size_t text;
	} *v;
	size_t n, cap;
	struct buf texts;
};
/* The rows of object key: how many, from *from on. */
size_t id_rows_find(const struct id_rows *r, uint32_t key, size_t *from);
/* The numbers of object key's rows, in their order, into out (emptied first). */
int id_rows_ids(const struct id_rows *r, uint32_t key, struct id_list *out, struct err *e);
void id_rows_free(struct id_rows *r);

/* How a PROG or MAP argument names objects (bpftool's id, name, tag, pinned; all). */
enum find_key {
	FIND_ALL,
	FIND_ID,
	FIND_NAME,	/* progs: the kernel's name or the full name BTF gives */
	FIND_TAG,	/* progs only; any case */
	FIND_PINNED,	/* a pin path; for progs a pinned link stands for its program */
};
#endif
