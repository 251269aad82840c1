/* BPF iterators (capture/iter.bpf.c, built into the binary, loaded by capture/iter_load.c):
 * - over maps: lists in one read() what can change in a map the database already holds
 *   (frozen), so a repeat snapshot opens only the maps that are new, changed, or of a type
 *   whose fdinfo changes (memlock, owner). The syscall walk stays the reference: everything
 *   stored comes from it or from an earlier snapshot.
 * - over every process's open files: which processes hold which programs, maps, links and
 *   BTF objects (bpftool's "pids"), found by the anonymous inode's name ("bpf-prog", ...).
 *
 * - over programs: each one's id, tag and name, a view of its own for the audit
 *   (hidden.object): a program a rootkit filters out of BPF_PROG_GET_NEXT_ID is still
 *   iterated; and what of a program's stored row can change while it stays (bound maps,
 *   target program, device, the run-time counters summed over every cpu), so that a
 *   repeat snapshot opens only the programs that are new or changed (capture/prog_fast.c,
 *   docs/probe.md). The id walk still lists every program.
 *
 * Each program is loaded and linked for the length of its one read, never pinned. */
#ifndef BPFSCOPE_ITER_H
#define BPFSCOPE_ITER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/iter_load.h"	/* struct iter_kit: both programs, prepared once */
#include "capture/iter_rec.h"	/* struct iter_map, iter_owner, iter_prog_rec */
#include "lib/err.h"

struct iter_scan {
	struct iter_map *maps;
	size_t nr_maps;
};

/* Each of the three tells its program's id in *prog_id (unless NULL): a program of ours,
 * loaded while it ran, that a concurrent walk of program ids may have listed. */

/* Run the map iterator (k prepared with ITER_WANT(ITER_MAPS)). */
int iter_scan(const struct iter_kit *k, struct iter_scan *out, uint32_t *prog_id, struct err *e);
void iter_scan_free(struct iter_scan *s);
/* Every (process, object) pair but this process's own, sorted by kind, id and pid (k
 * prepared with ITER_WANT(ITER_OWNERS)). */
int iter_owners(const struct iter_kit *k, struct iter_owner **out, size_t *n, uint32_t *prog_id,
		struct err *e);
/* Every program but the iterator itself, sorted by id (k prepared with
 * ITER_WANT(ITER_PROGS)); with ITER_WANT_PROG_REST and rest, each one's rest in *rest, in
 * the same order (NULL when there were none). Both are the caller's to free. */
int iter_progs(const struct iter_kit *k, struct iter_prog_rec **out, size_t *n,
	       struct iter_prog_rest **rest, uint32_t *prog_id, struct err *e);
/* The record of program id in r (n, sorted), NULL if none. */
const struct iter_prog_rec *iter_prog_find(const struct iter_prog_rec *r, size_t n, uint32_t id);
#endif
