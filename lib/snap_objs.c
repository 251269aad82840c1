/* Freeing and looking up the plain snapshot objects of lib/snap_objs.h, and the storage of
 * their strings. */
#include <stdlib.h>
#include <string.h>
#include "lib/snap_objs.h"

/* A block of the string storage: strings one after the other, never freed alone. */
struct so_chunk {
	struct so_chunk *next;
	size_t used, cap;
	char data[];
};

#define SO_CHUNK (64u << 10)

char *snap_objs_alloc(struct snap_objs *s, size_t n)
{
	struct so_chunk *c = s->strs;

	if (!c || c->cap - c->used < n) {
		/* a long string (a hostile name) gets a block of its own, behind the current one */
		size_t cap = n > SO_CHUNK / 4 ? n : SO_CHUNK;

		if (n > SIZE_MAX - sizeof(*c) || !(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->used = 0;
		c->cap = cap;
		if (cap == n && s->strs) {
			c->next = s->strs->next;
			s->strs->next = c;
		} else {
			c->next = s->strs;
			s->strs = c;
		}
	}
	c->used += n;
	return c->data + c->used - n;
}

char *snap_objs_str(struct snap_objs *s, const char *p, size_t n)
{
	char *d = n < SIZE_MAX ? snap_objs_alloc(s, n + 1) : NULL;

	if (!d)
		return NULL;
	memcpy(d, p, n);
	d[n] = 0;
	return d;
}

void snap_objs_free(struct snap_objs *s)
{
	buf_free(&s->view_iter);
	buf_free(&s->view_ksyms);
	buf_free(&s->view_deleted_exe);
	for (size_t i = 0; i < s->nprogs; i++)
		free(s->progs[i].map_ids);
	for (size_t i = 0; i < s->nsocks; i++)
		free(s->socks[i].insns);
	free(s->owners); free(s->socks);
	for (size_t i = 0; i < s->nloads; i++) {
		free(s->loads[i].kind); free(s->loads[i].name); free(s->loads[i].comm);
		free(s->loads[i].tag);
	}
	free(s->loads);
	free(s->progs); free(s->maps); free(s->links); free(s->atts); free(s->pins); free(s->btfs);
	while (s->strs) {
		struct so_chunk *next = s->strs->next;

		free(s->strs);
		s->strs = next;
	}
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
