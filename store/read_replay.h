/* The rows of a stored snapshot that replay reads: programs, maps, pins, links,
 * attachments, which programs use which maps, who held a program, and map contents.
 * Each reader calls fn once per row; text points into the row and lives for that call
 * only (never NULL: a NULL column reads as ""). A nonzero return from fn stops the
 * walk and is returned. */
#ifndef BPFSCOPE_READ_REPLAY_H
#define BPFSCOPE_READ_REPLAY_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct rr_prog {
	uint32_t id, type;
	const char *name, *tag;
};
int rr_progs(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_prog *r),
	     void *arg, struct err *e);

struct rr_map {
	uint32_t id, type, key_size, value_size;
	bool frozen, has_contents;
	const char *name;
};
int rr_maps(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_map *r),
	    void *arg, struct err *e);

struct rr_pin {
	const char *path, *kind;	/* kind: "prog", "map", "link" */
	uint32_t id;
};
int rr_pins(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_pin *r),
	    void *arg, struct err *e);

struct rr_link {
	uint32_t id, type, prog_id, attach_type, ifindex;
	uint32_t flags;			/* perf_event links: the kind of event */
	uint64_t offset, cookie;
	const char *target;
};
int rr_links(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_link *r),
	     void *arg, struct err *e);

/* Every attachment of the snapshot, of every kind, by kind (then as captured). */
struct rr_att {
	const char *kind, *mode, *devname;
	uint32_t prog_id, ifindex, link_id;
};
int rr_attachments(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_att *r),
		   void *arg, struct err *e);

int rr_prog_maps(struct db *db, int64_t snap,
		 int (*fn)(void *arg, uint32_t prog_id, uint32_t map_id), void *arg,
		 struct err *e);

/* A process that held program prog_id (the first one recorded): 1 found, 0 none. */
int rr_prog_owner(struct db *db, int64_t snap, uint32_t prog_id, int64_t *pid, char *comm,
		  size_t len, struct err *e);

/* The stored contents blob of map_id (at most max bytes): -ENODATA when none was stored. */
int rr_map_contents(struct db *db, int64_t snap, uint32_t map_id, size_t max, struct buf *b,
		    struct err *e);
/* The same, but contents stored in chunks stay a list (b holds it, l->nr_chunks > 0), to be
 * read a chunk at a time (map_contents_chunk, store/db.h). */
struct map_chunk_list;
int rr_map_contents_list(struct db *db, int64_t snap, uint32_t map_id, size_t max,
			 struct buf *b, struct map_chunk_list *l, struct err *e);

/* Maps of the snapshot with stored contents and the given type and sizes, the candidates
 * for an ELF object's map. pins: its pin paths, one per line ("" if none); lasting: it,
 * a program using it or a link of such a program is pinned (the snapshot's lasting state,
 * as opposed to what a process held for a while). */
struct rr_map_cand {
	uint32_t id;
	const char *name, *pins;
	bool lasting;
};
int rr_maps_like(struct db *db, int64_t snap, uint32_t type, uint32_t key_size,
		 uint32_t value_size, int (*fn)(void *arg, const struct rr_map_cand *r),
		 void *arg, struct err *e);
#endif
