/* Effective sets of cgroup programs from stored rows: per attach type, from the cgroup up
 * to the root, a cgroup's programs count while none were found below, or when it lets more
 * run (BPF_F_ALLOW_MULTI), as the kernel's compute_effective_progs. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/cgroup_effective.h"

bool cg_is_ancestor_or_self(const char *a, const char *path)
{
	size_t n = strlen(a);

	return !strncmp(a, path, n) && (path[n] == 0 || path[n] == '/');
}

bool cg_at_or_below(const char *root, const char *path, bool exact)
{
	size_t n = strlen(root);

	if (!strcmp(root, path))
		return true;
	return !exact && !strncmp(root, path, n) && path[n] == '/';
}

int cg_level_below(const char *root, const char *path)
{
	size_t rlen = strlen(root);
	int level = 0;

	if (strncmp(root, path, rlen))
		return 0;
	for (const char *p = path + rlen; *p; p++)
		if (*p == '/' && p[1])
			level++;
	return level;
}

int cg_effective_init(struct cg_effective *s, const struct attach_rows *rows)
{
	memset(s, 0, sizeof(*s));
	s->c = calloc(rows->n + 1, sizeof(*s->c));
	s->eff = calloc(rows->n + 1, sizeof(*s->eff));
	s->levels = calloc(rows->n + 1, sizeof(*s->levels));
	if (!s->c || !s->eff || !s->levels) {
		cg_effective_free(s);
		return -ENOMEM;
	}
	/* programs that vanished before their row was joined are left out, as bpftool does */
	for (size_t i = 0; i < rows->n; i++)
		if (rows->v[i].kind == ATTACH_CGROUP && rows->v[i].prog_found && rows->v[i].cgroup_path)
			s->c[s->n++] = &rows->v[i];
	return 0;
}

void cg_effective_free(struct cg_effective *s)
{
	free(s->c);
	free(s->eff);
	free(s->levels);
	memset(s, 0, sizeof(*s));
}

static int by_depth(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;	/* deepest first */
}

/* the distinct paths of path's rows' cgroups (itself and ancestors), deepest first */
static size_t levels_of(struct cg_effective *s, const char *path)
{
	size_t nl = 0;

	for (size_t i = 0; i < s->n; i++) {
		size_t k = 0;

		if (!cg_is_ancestor_or_self(s->c[i]->cgroup_path, path))
			continue;
		while (k < nl && strcmp(s->levels[k], s->c[i]->cgroup_path))
			k++;
		if (k == nl)
			s->levels[nl++] = s->c[i]->cgroup_path;
	}
	if (nl)	/* (qsort takes no NULL base, even for no elements) */
		qsort(s->levels, nl, sizeof(*s->levels), by_depth);
	return nl;
}

size_t cg_effective_set(struct cg_effective *s, const char *path)
{
	size_t nl = levels_of(s, path), ne = 0;

	for (uint64_t type = 0, next; ; type = next + 1) {
		uint32_t cnt = 0;

		next = UINT64_MAX;	/* the smallest attach type >= type present */
		for (size_t i = 0; i < s->n; i++)
			if (s->c[i]->attach_type >= type && s->c[i]->attach_type < next &&
			    cg_is_ancestor_or_self(s->c[i]->cgroup_path, path))
				next = s->c[i]->attach_type;
		if (next == UINT64_MAX)
			break;
		for (size_t k = 0; k < nl; k++) {
			uint32_t flags = 0;

			for (size_t i = 0; i < s->n; i++)
				if (s->c[i]->attach_type == next && !strcmp(s->c[i]->cgroup_path, s->levels[k]))
					flags = s->c[i]->u.cgroup.attach_flags;
			if (cnt && !(flags & CG_ATTACH_FLAG_MULTI))
				continue;
			for (size_t i = 0; i < s->n; i++) {
				if (s->c[i]->attach_type != next || strcmp(s->c[i]->cgroup_path, s->levels[k]))
					continue;
				s->eff[ne++] = s->c[i];
				cnt++;
			}
		}
	}
	return ne;
}
