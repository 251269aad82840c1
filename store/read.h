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

/* How a PROG or MAP argument names objects (bpftool's id, name, tag, pinned; all). */
enum find_key {
	FIND_ALL,
	FIND_ID,
	FIND_NAME,	/* progs: the kernel's name or the full name BTF gives */
	FIND_TAG,	/* progs only; any case */
	FIND_PINNED,	/* a pin path; for progs a pinned link stands for its program */
};
#endif
