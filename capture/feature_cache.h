/* The feature probe's answer for the rest of the boot (capture/feature_cache.c). */
#ifndef BPFSCOPE_FEATURE_CACHE_H
#define BPFSCOPE_FEATURE_CACHE_H
#include <stddef.h>
#include "lib/util.h"

/* The encoded features (analyze/features.h) this boot's probe found, or -errno (none, not
 * this boot's, not trustworthy, not decodable). */
int feature_cache_read(const char *boot_id, struct buf *out);
void feature_cache_write(const char *boot_id, const void *data, size_t len);
#endif
