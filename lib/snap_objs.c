/* Freeing and looking up the plain snapshot objects of lib/snap_objs.h. */
#include <stdlib.h>
#include <string.h>
#include "lib/snap_objs.h"

void snap_objs_free(struct snap_objs *s)
{
	buf_free(&s->view_iter);
	buf_free(&s->view_ksyms);
	buf_free(&s->view_deleted_exe);
	for (size_t i = 0; i < s->nprogs; i++) {
		struct so_prog *p = &s->progs[i];

		free(p->name); free(p->tag); free(p->pin); free(p->link_pin);
		free(p->attach); free(p->link_target); free(p->xlated); free(p->map_ids);
	}
	for (size_t i = 0; i < s->nmaps; i++) {
		free(s->maps[i].name); free(s->maps[i].pin); free(s->maps[i].contents);
	}
	for (size_t i = 0; i < s->nlinks; i++) {
		free(s->links[i].target); free(s->links[i].pin);
	}
	for (size_t i = 0; i < s->natts; i++) {
		free(s->atts[i].kind); free(s->atts[i].target); free(s->atts[i].mode);
	}
	for (size_t i = 0; i < s->npins; i++) {
		free(s->pins[i].path); free(s->pins[i].obj_type);
	}
	for (size_t i = 0; i < s->nbtfs; i++) {
		free(s->btfs[i].name); free(s->btfs[i].data);
	}
	for (size_t i = 0; i < s->nowners; i++) {
		free(s->owners[i].obj_type); free(s->owners[i].comm);
	}
	for (size_t i = 0; i < s->nsocks; i++) {
		free(s->socks[i].comm); free(s->socks[i].devname); free(s->socks[i].filter);
		free(s->socks[i].insns);
	}
	free(s->owners); free(s->socks);
	for (size_t i = 0; i < s->nloads; i++) {
		free(s->loads[i].kind); free(s->loads[i].name); free(s->loads[i].comm);
		free(s->loads[i].tag);
	}
	free(s->loads);
	free(s->progs); free(s->maps); free(s->links); free(s->atts); free(s->pins); free(s->btfs);
	memset(s, 0, sizeof(*s));
}

/* The readers order programs, maps and links by id: a binary search. */
#define FIND_BY_ID(arr, n, want) do {						\
	size_t lo = 0, hi = (n);						\
	while (lo < hi) {							\
		size_t mid = lo + (hi - lo) / 2;				\
		if ((arr)[mid].id == (want)) return (long)mid;			\
		if ((arr)[mid].id < (want)) lo = mid + 1; else hi = mid;	\
	}									\
	return -1;								\
} while (0)

long snap_objs_prog(const struct snap_objs *s, uint32_t id)
{
	FIND_BY_ID(s->progs, s->nprogs, id);
}

long snap_objs_map(const struct snap_objs *s, uint32_t id)
{
	FIND_BY_ID(s->maps, s->nmaps, id);
}

long snap_objs_link(const struct snap_objs *s, uint32_t id)
{
	FIND_BY_ID(s->links, s->nlinks, id);
}
