/* A whole snapshot read into the plain objects of lib/snap_objs.h: what diff, history and
 * watch compare. */
#ifndef BPFSCOPE_READ_OBJS_H
#define BPFSCOPE_READ_OBJS_H
#include "lib/snap_objs.h"
#include "store/db.h"

/* Read snapshot snap of db into out (kinds: SO_* to read; the others stay empty and out of
 * out->have). Programs and maps come sorted by id, pins by path; each program's attach
 * points (pin, link pin, attachment, link target: the least of each) and each map's pin
 * and owning program are filled in. The views beside the id walk (view_*) only with
 * SO_VIEWS in kinds. */
int snap_objs_read(struct db *db, int64_t snap, unsigned kinds, struct snap_objs *out,
		   struct err *e);
/* The objects the loads recorder saw made between snapshot after (excluded) and upto: the
 * load_events those snapshots claimed, in time order, into out->loads (replaced). */
int snap_loads_read(struct db *db, int64_t after, int64_t upto, struct snap_objs *out,
		    struct err *e);
#endif
