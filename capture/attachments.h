/* Attachments made without links (XDP and tc by netlink, cgroup queries, flow dissector,
 * perf events) and the netfilter links, written into the attachments table of a snapshot
 * through store/write_attach.h. */
#ifndef BPFSCOPE_ATTACH_H
#define BPFSCOPE_ATTACH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

/* The finer mask bits SNAP_ATTACH_NO_* (a live view that needs one part only) are the
 * store's, in store/snap_mask.h. */
#include "store/snap_mask.h"

/* A link as the attachment capture needs it, from its struct bpf_link_info. */
struct att_link {
	uint32_t id, type, prog_id, attach_type, ifindex;	/* attach_type, ifindex: 0 if none */
	uint64_t cgroup_id;
	uint32_t nf_pf, nf_hooknum, nf_flags;
	int32_t nf_prio;
};

/* What the snapshot captured before the attachments, kept in memory as it went (the
 * capture reads nothing back from the database it writes): the links, and which program
 * types are loaded (a walk that can only find absent types is skipped). */
struct att_seen {
	struct att_link *links;
	size_t nr_links, cap_links;
	uint64_t prog_types;	/* bit t: a program of type t (t < 64) */
	size_t nr_progs;
	bool odd_prog_type;	/* a type >= 64: don't gate */
};
/* Called for each program the snapshot writes. */
void att_seen_prog(struct att_seen *s, uint32_t prog_type);
/* Called for each link, with the struct bpf_link_info bytes the kernel filled in. */
int att_seen_link(struct att_seen *s, const void *info, size_t len);
void att_seen_free(struct att_seen *s);

/* Called inside snapshot_take's transaction, after programs and links are captured. */
int attach_capture(struct db *db, int64_t snap_id, unsigned mask, const struct att_seen *seen,
		   uint32_t *count, struct err *e);
/* Whether a stored snapshot captured a part (no_bit: one of SNAP_ATTACH_NO_*, or 0 for
 * any attachments at all): 1 yes, 0 no, negative errno when the snapshot can't be read. */
int attach_captured(struct db *db, int64_t snap_id, unsigned no_bit, struct err *e);
#endif
