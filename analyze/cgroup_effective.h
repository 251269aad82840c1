/* Cgroup effective sets, computed from a snapshot's per-cgroup attachment rows as the
 * kernel computes them (compute_effective_progs), and the path arithmetic around them. */
#ifndef BPFSCOPE_CGROUP_EFFECTIVE_H
#define BPFSCOPE_CGROUP_EFFECTIVE_H
#include <stdbool.h>
#include <stddef.h>
#include "lib/attach_row.h"

#define CG_ATTACH_FLAG_OVERRIDE 1u	/* BPF_F_ALLOW_OVERRIDE */
#define CG_ATTACH_FLAG_MULTI 2u		/* BPF_F_ALLOW_MULTI */

/* a is path, or one of its ancestors */
bool cg_is_ancestor_or_self(const char *a, const char *path);
/* path is root, or (unless exact) below it: /a/b is below /a, /a/bc is not */
bool cg_at_or_below(const char *root, const char *path, bool exact);
/* how many path components path has below root */
int cg_level_below(const char *root, const char *path);

struct cg_effective {
	const struct attach_row **c;	/* the cgroup rows whose program the snapshot has */
	size_t n;
	const struct attach_row **eff;	/* one cgroup's effective set (room for n) */
	const char **levels;		/* scratch (room for n) */
};
/* Borrows rows (they must outlive s). */
int cg_effective_init(struct cg_effective *s, const struct attach_rows *rows);
void cg_effective_free(struct cg_effective *s);
/* path's effective set into s->eff, in the kernel's order; returns its size */
size_t cg_effective_set(struct cg_effective *s, const char *path);
#endif
