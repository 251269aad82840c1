/* Typed readers of the attachments table (schema 3): struct attach_row (lib/attach_row.h),
 * written by store/write_attach.c and read back here for net, perf and cgroup show. */
#ifndef BPFSCOPE_READ_ATTACH_H
#define BPFSCOPE_READ_ATTACH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"
#include "lib/attach_row.h"

/* the name stored in the kind column; NULL for ATTACH_OTHER */
const char *attach_kind_name(enum attach_kind k);

/* A snapshot's attachments of the kinds in kinds (ATTACH_BIT()s), in capture order; with
 * devname, only that device's rows and rows of no device. Strings are owned by rows. */
int attach_rows_read(struct db *db, int64_t snap_id, unsigned kinds, const char *devname,
		     struct attach_rows *rows, struct err *e);
void attach_rows_free(struct attach_rows *rows);

/* The cgroups a snapshot's walk visited, in its order (paths owned by the caller's
 * cgroup_paths_free). */
struct cgroup_paths {
	char **v;
	size_t n;
};
int cgroup_paths_read(struct db *db, int64_t snap_id, struct cgroup_paths *out, struct err *e);
void cgroup_paths_free(struct cgroup_paths *p);

/* The mask a snapshot was taken with: 1 and *mask set, 0 when it does not say (NULL),
 * negative errno on error. */
int snapshot_mask_read(struct db *db, int64_t snap_id, int64_t *mask, struct err *e);
#endif
