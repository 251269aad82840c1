/* Internal to the attachment capture (capture/attachments*.c): the row writer with link
 * matching, the gate that says which walks can find anything, and the raw BPF_PROG_QUERY
 * the installed uapi headers are too old to spell (link ids and revisions came with tcx in
 * 6.6). */
#ifndef BPFSCOPE_ATTACH_INT_H
#define BPFSCOPE_ATTACH_INT_H
#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "lib/bpf_kinds.h"
#include "store/write_attach.h"
#include "capture/attachments.h"

struct att_ctx {
	struct attach_writer w;
	const struct att_seen *seen;
	uint64_t prog_types;	/* bit t: a program of type t is loaded (t < 64) */
	bool gated;		/* false: prog_types unknown, walk everything */
	struct err *e;
};

static inline bool att_have(const struct att_ctx *c, unsigned prog_type)
{
	return !c->gated || (prog_type < 64 && (c->prog_types >> prog_type & 1));
}

/* Writes r, naming the link it came from when it has none yet. */
int att_insert(struct att_ctx *c, struct attach_row *r);

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
