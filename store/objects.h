/* The objects table: ELF objects loaded through bpfscope (prog load, loadall), kept so
 * that replay can load them again. */
#ifndef BPFSCOPE_STORE_OBJECTS_H
#define BPFSCOPE_STORE_OBJECTS_H
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

struct object_rec {
	int64_t loaded_at;		/* ns, CLOCK_REALTIME */
	const char *path;		/* where it was loaded from (resolved) */
	const void *elf;		/* its bytes, stored as an "elf" blob */
	size_t elf_len;
	const char *boot_id;
	const char *prog_ids, *map_ids;	/* the kernel ids it got, comma-separated */
	const char *pin_dir;		/* loadall's directory, NULL if none */
};
/* *id (may be NULL): the new row's id. */
int objects_add(struct db *db, const struct object_rec *r, int64_t *id, struct err *e);

/* Each stored object, newest first, with its ELF bytes (at most max). fn may take the
 * bytes over (leaving *elf zeroed); a nonzero return stops the walk and is returned. A row
 * whose blob can't be read is skipped: one damaged row must not hide the others. */
int objects_each(struct db *db, size_t max,
		 int (*fn)(void *arg, const char *path, struct buf *elf), void *arg,
		 struct err *e);
#endif
