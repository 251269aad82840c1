/* The feature probe's stored form: one row per boot (boot_features), since a kernel's
 * features change only with a reboot; a snapshot finds its probe through its boot. */
#ifndef BPFSCOPE_STORE_FEATURES_H
#define BPFSCOPE_STORE_FEATURES_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

#define FEATURES_BLOB_MAX (1u << 20)

/* Has this boot's probe been stored? */
bool store_boot_has_features(struct db *db, const char *boot_id);
/* Store the probe's bytes (analyze/features.h's text) for this boot. */
int store_boot_features(struct db *db, const char *boot_id, const void *data, size_t len,
			struct err *e);
/* The probe stored for snapshot snap_id's boot into out; -ENOENT (e untouched) when none
 * (a snapshot of an older bpfscope, or of a boot that was not probed). */
int features_read(struct db *db, int64_t snap_id, struct buf *out, struct err *e);
#endif
