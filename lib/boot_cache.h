/* Files kept for the rest of the boot in /run/bpfscope (a tmpfs a reboot empties), each
 * headed by the boot id it holds for (lib/boot_cache.c). */
#ifndef BPFSCOPE_BOOT_CACHE_H
#define BPFSCOPE_BOOT_CACHE_H
#include <stddef.h>
#include "lib/util.h"

#define BOOT_CACHE_DIR "/run/bpfscope"

/* NAME's bytes, if it is this boot's and only this user could have written it; -errno
 * otherwise. The caller still checks what the bytes say. */
int boot_cache_read(const char *name, const char *boot_id, size_t max, struct buf *out);
/* Best effort: a /run we may not write only costs the next caller the work again. */
void boot_cache_write(const char *name, const char *boot_id, const void *data, size_t len);
/* Remove NAME (what it said proved wrong). */
void boot_cache_drop(const char *name);
#endif
