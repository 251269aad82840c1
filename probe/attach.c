/* Attachments: stub until netlink/cgroup capture lands. */
#include "probe/attach.h"

int attach_capture(struct db *db, int64_t snap_id, unsigned mask, uint32_t *count,
		   struct err *e)
{
	(void)db; (void)snap_id; (void)mask; (void)e;
	*count = 0;
	return 0;
}
