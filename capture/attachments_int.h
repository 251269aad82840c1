/* Internal to the attachment capture (probe/attach*.c): one row writer, the gate that
 * says which walks can find anything, and the raw BPF_PROG_QUERY the installed uapi
 * headers are too old to spell (link ids and revisions came with tcx in 6.6). */
#ifndef BPFSCOPE_ATTACH_INT_H
#define BPFSCOPE_ATTACH_INT_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

/* the kernel's enum values, spelled here since linux-libc-dev may predate them */
enum {
	ATT_BPF_FLOW_DISSECTOR = 17,
	ATT_BPF_XDP = 37,
	ATT_BPF_LSM_CGROUP = 43,
	ATT_BPF_NETFILTER = 45,
	ATT_BPF_TCX_INGRESS = 46,
	ATT_BPF_TCX_EGRESS = 47,
	ATT_BPF_NETKIT_PRIMARY = 54,
	ATT_BPF_NETKIT_PEER = 55,
	ATT_BPF_MAX_KNOWN = 64,		/* cgroup queries stop below this without a gate */
	ATT_LINK_TYPE_CGROUP = 3,
	ATT_LINK_TYPE_NETNS = 5,
	ATT_LINK_TYPE_XDP = 6,
	ATT_LINK_TYPE_NETFILTER = 10,
};

#define ATT_NULL INT64_MIN	/* an integer column left NULL */

struct att_row {
	const char *kind;
	uint32_t prog_id, link_id;	/* 0: NULL */
	int32_t ifindex;		/* 0: NULL */
	const char *devname, *mode, *cgroup_path, *target, *detail;
	int64_t attach_type, flags, priority, handle;	/* ATT_NULL: NULL */
};
#define ATT_ROW(k) { .kind = (k), .attach_type = ATT_NULL, .flags = ATT_NULL, \
		     .priority = ATT_NULL, .handle = ATT_NULL }

struct att_ctx {
	struct db *db;
	int64_t snap_id;
	sqlite3_stmt *ins;
	uint32_t count;
	uint64_t prog_types;	/* bit t: a program of type t is loaded (t < 64) */
	bool gated;		/* false: prog_types unknown, walk everything */
	struct err *e;
};

static inline bool att_have(const struct att_ctx *c, unsigned prog_type)
{
	return !c->gated || (prog_type < 64 && (c->prog_types >> prog_type & 1));
}

int att_insert(struct att_ctx *c, const struct att_row *r);

/* BPF_PROG_QUERY, as 6.6+ lays it out. ids/flags/link arrays may be NULL. On return
 * *cnt holds how many the kernel has (it may exceed what fit: -ENOSPC). */
struct att_query {
	uint32_t target;	/* fd or ifindex */
	uint32_t attach_type;
	uint32_t query_flags;
	uint32_t attach_flags;	/* out */
	uint32_t *prog_ids, *prog_flags, *link_ids, *link_flags;
	uint32_t cnt;		/* in: room; out: how many */
	uint64_t revision;	/* out (mprog targets) */
};
int att_prog_query(struct att_query *q);
/* The same with growing buffers (malloc'ed into *q's arrays; caller frees all four). */
int att_prog_query_all(struct att_query *q, bool want_links);
void att_query_free(struct att_query *q);

int attach_net(struct att_ctx *c);
int attach_cgroups(struct att_ctx *c);
int attach_perf(struct att_ctx *c);
#endif
