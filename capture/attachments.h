/* Attachments made without links: XDP and tc per device (netlink), cgroup programs,
 * flow dissector, perf events; written into the attachments table of a snapshot. */
#ifndef BPFSCOPE_ATTACH_H
#define BPFSCOPE_ATTACH_H
#include <stdint.h>
#include "store/db.h"

/* Finer mask bits (above probe/snapshot.h's) for a live view that needs one part only:
 * `net show` skips the cgroup walk and the perf-event fd walk. Stored snapshots take all. */
#define SNAP_ATTACH_NO_NET	(1u << 20)	/* XDP, tc, tcx, netkit, flow dissector */
#define SNAP_ATTACH_NO_CGROUP	(1u << 21)
#define SNAP_ATTACH_NO_PERF	(1u << 22)

/* Called inside snapshot_take's transaction, after links are written. */
int attach_capture(struct db *db, int64_t snap_id, unsigned mask, uint32_t *count,
		   struct err *e);
/* Whether a stored snapshot captured a part (no_bit: one of SNAP_ATTACH_NO_*, or 0 for
 * any attachments at all): 1 yes, 0 no, negative errno when the snapshot can't be read. */
int attach_captured(struct db *db, int64_t snap_id, unsigned no_bit, struct err *e);
#endif
