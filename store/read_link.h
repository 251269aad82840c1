/* Links of a snapshot as typed rows: what link show prints. */
#ifndef BPFSCOPE_READ_LINK_H
#define BPFSCOPE_READ_LINK_H
#include "store/read.h"

struct link_row {
	uint32_t id, type, prog_id, attach_type, ifindex;
	const char *target;	/* tracepoint, iterator target, perf file or func; may be NULL */
	uint64_t target_obj_id, target_btf_id, cgroup_id, netns_ino, offset, cookie;
	uint64_t flags;		/* perf_event links: the event kind; netfilter: its flags */
	const void *info_raw;	/* the raw struct bpf_link_info as captured (pointers wiped), */
	size_t info_len;	/* valid during the callback; NULL in a file without it */
};

/* Calls fn for each link of snapshot snap, by id: only id, or all (id < 0). fn returning
 * nonzero stops the walk and is returned. */
int link_rows(struct db *db, int64_t snap, int64_t id,
	      int (*fn)(const struct link_row *r, void *arg), void *arg, struct err *e);
/* The ids of the links key names (FIND_ALL, FIND_ID, FIND_PINNED: a path a link is pinned
 * at, as the pin walk recorded it) into out. */
int link_find(struct db *db, int64_t snap, enum find_key key, const char *text, uint32_t id,
	      struct id_list *out, struct err *e);
#endif
