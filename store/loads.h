/* The load_events table: objects the loads recorder saw made (lib/load_event.h), written
 * here and claimed by the snapshot taken after them (store/write_loads.c). */
#ifndef BPFSCOPE_STORE_LOADS_H
#define BPFSCOPE_STORE_LOADS_H
#include <stdint.h>
#include "lib/load_event.h"
#include "store/db.h"

/* One row for ev (its code as an "xlated" blob); boot_id: the boot it happened in. The
 * caller holds the transaction. */
int store_load_event(struct db *db, const struct load_event *ev, const char *boot_id,
		     struct err *e);
/* The rows no snapshot claimed yet get snapshot_id, the snapshot just taken after them;
 * *n (may be NULL): how many. */
int store_load_events_claim(struct db *db, int64_t snapshot_id, int64_t *n, struct err *e);
#endif
