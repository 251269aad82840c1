/* BTF objects of a snapshot as typed rows: what btf show prints. */
#ifndef BPFSCOPE_READ_BTF_H
#define BPFSCOPE_READ_BTF_H
#include <stdbool.h>
#include "store/read.h"

struct btf_row {
	uint32_t id;
	const char *name;	/* never NULL; "" for an anonymous (program's) BTF */
	uint64_t size;
	bool kernel;		/* vmlinux or a module's */
};

/* Calls fn for each BTF object of snapshot snap, by id: only id, or all (id < 0). fn
 * returning nonzero stops the walk and is returned. */
int btf_rows(struct db *db, int64_t snap, int64_t id,
	     int (*fn)(const struct btf_row *r, void *arg), void *arg, struct err *e);
/* The programs / maps whose BTF is btf_id, by id. */
int btf_prog_ids(struct db *db, int64_t snap, uint32_t btf_id, struct id_list *out,
		 struct err *e);
int btf_map_ids(struct db *db, int64_t snap, uint32_t btf_id, struct id_list *out,
		struct err *e);
#endif
