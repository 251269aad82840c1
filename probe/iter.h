/* The iterator path: a BPF iterator over maps lists in one read() what can change in a
 * map the database already holds (frozen), so a repeat snapshot opens only the maps that
 * are new, changed, or of a type whose fdinfo changes (memlock, owner). The syscall walk
 * stays the reference: everything stored comes from it or from an earlier snapshot.
 *
 * Programs are not iterated: what changes in them (run-time counters) is per cpu, and
 * reaching another cpu's copy from BPF needs a per-cpu type tag in vmlinux BTF or a
 * kallsyms with data symbols, which kernels like this one's lack.
 *
 * The iterator is assembled here (no clang, no CO-RE at run time) from offsets read out
 * of vmlinux BTF once per boot and kept in the boots table. */
#ifndef BPFSCOPE_ITER_H
#define BPFSCOPE_ITER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"

#define ITER_LAYOUT_VERSION 1

/* Where the fields are in this kernel: offsets in bytes, BTF ids of vmlinux. */
struct iter_layout {
	uint32_t version, size;			/* ITER_LAYOUT_VERSION, sizeof(struct iter_layout) */
	uint32_t map_func_id;			/* FUNC bpf_iter_bpf_map */
	uint32_t ctx_meta, ctx_obj;		/* the context: the function's arguments */
	uint32_t meta_seq;			/* struct bpf_iter_meta: seq */
	uint32_t map_id, map_frozen;		/* struct bpf_map */
};

struct iter_map {
	uint32_t id, frozen;
};

struct iter_scan {
	struct iter_map *maps;
	size_t nr_maps;
};

/* From vmlinux BTF (slow: 20 ms; a background thread runs it once per boot). 0 or a
 * negative errno. */
int iter_layout_read(struct iter_layout *l);
/* A layout from the database is checked before it is used. */
bool iter_layout_sane(const struct iter_layout *l, size_t len);
/* Run the map iterator. */
int iter_scan(const struct iter_layout *l, struct iter_scan *out, struct err *e);
void iter_scan_free(struct iter_scan *s);
#endif
