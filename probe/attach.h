/* Attachments made without links: XDP and tc per device (netlink), cgroup programs,
 * flow dissector, perf events; written into the attachments table of a snapshot. */
#ifndef BPFSCOPE_ATTACH_H
#define BPFSCOPE_ATTACH_H
#include <stdint.h>
#include "db/db.h"

/* Called inside snapshot_take's transaction, after links are written. */
int attach_capture(struct db *db, int64_t snap_id, unsigned mask, uint32_t *count,
		   struct err *e);
#endif
