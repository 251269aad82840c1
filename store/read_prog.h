/* Programs of a snapshot as typed rows: what prog show prints and how PROG selects. */
#ifndef BPFSCOPE_READ_PROG_H
#define BPFSCOPE_READ_PROG_H
#include <stdbool.h>
#include "store/read.h"

struct prog_row {
	uint32_t id, type, uid, btf_id, ifindex;
	const char *name;	/* the full name BTF gives, else the kernel's (16 bytes); never NULL */
	const char *tag;	/* hex; never NULL */
	bool gpl_compatible, jited;
	uint64_t load_time;	/* boot-relative ns; 0: unknown */
	int64_t loaded_at;	/* unix seconds */
	uint64_t bytes_xlated, bytes_jited, bytes_memlock, verified_insns;
	uint64_t run_time_ns, run_cnt, recursion_misses;	/* 0 without stats */
};

/* Calls fn for each program of snapshot snap, by id: only id, or all (id < 0). fn returning
 * nonzero stops the walk and is returned. Prepared once per connection. */
int prog_rows(struct db *db, int64_t snap, int64_t id,
	      int (*fn)(const struct prog_row *r, void *arg), void *arg, struct err *e);
/* The maps program id uses, in the kernel's order. */
int prog_map_ids(struct db *db, int64_t snap, uint32_t id, struct id_list *out, struct err *e);
/* Every program's map ids (id_rows: program id, map id), each program's in the kernel's
 * order. */
int prog_map_ids_all(struct db *db, int64_t snap, struct id_rows *out, struct err *e);
/* The programs key names (text for name, tag and pinned, id for FIND_ID), by id. */
int prog_find(struct db *db, int64_t snap, enum find_key key, const char *text, uint32_t id,
	      struct id_list *out, struct err *e);
#endif
