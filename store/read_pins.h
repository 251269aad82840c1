/* Pins and owners of a snapshot's objects: bpftool's -f paths and "pids". */
#ifndef BPFSCOPE_READ_PINS_H
#define BPFSCOPE_READ_PINS_H
#include "store/read.h"

/* Calls fn for each path the object (type: "prog", "map", "link", "btf"; id) is pinned at,
 * in path order. fn returning nonzero stops and is returned. */
int pin_paths(struct db *db, int64_t snap, const char *type, uint32_t id,
	      int (*fn)(const char *path, void *arg), void *arg, struct err *e);
/* Whether any object of type is pinned in the snapshot (bpftool then lists "pinned" for
 * every object of that type, an empty list for the unpinned). */
int pins_any(struct db *db, int64_t snap, const char *type, bool *any, struct err *e);

struct owner_row {
	int64_t pid;
	const char *comm;	/* never NULL */
};
/* Calls fn for each process holding the object, by pid. */
int owner_rows(struct db *db, int64_t snap, const char *type, uint32_t id,
	       int (*fn)(const struct owner_row *r, void *arg), void *arg, struct err *e);
/* The holders of every object of type (id_rows: object id, pid, comm), by id then pid. */
int owner_rows_all(struct db *db, int64_t snap, const char *type, struct id_rows *out,
		   struct err *e);
#endif
