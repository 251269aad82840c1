/* The map contents blob: what `snapshot take maps-data` stores for each map.
 * Layout (little endian, the capturing machine's byte order for keys/values):
 *   char magic[8] = "BPFSMAP1"; u32 key_size; u32 value_size; u32 nr_cpus (0: not per-cpu);
 *   u32 value_stride (bytes of one entry's value block: value_size, or
 *   round_up(value_size, 8) * nr_cpus for per-cpu maps); u64 count;
 *   then count keys of key_size bytes, then count value blocks of value_stride bytes
 *   (columnar: batch lookups fill both arrays in place, no copy). */
#ifndef BPFSCOPE_MAP_CONTENTS_H
#define BPFSCOPE_MAP_CONTENTS_H
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"
#include "lib/util.h"

#define MAP_CONTENTS_MAGIC "BPFSMAP1"
#define MAP_CONTENTS_HDR_LEN 32
/* The largest contents blob a snapshot stores: under SQLite's bound for one blob
 * (SQLITE_MAX_LENGTH, 1,000,000,000 bytes) with room for zlib's growth of random bytes.
 * A map with more is recorded with a contents error, not stored, and not read further. */
#define MAP_CONTENTS_MAX 900000000u

struct map_contents {
	uint32_t key_size, value_size, nr_cpus, value_stride;
	uint64_t count;
	const uint8_t *keys;		/* count * key_size bytes */
	const uint8_t *values;		/* count * value_stride bytes */
};

/* Validate and index a blob (no copy: mc points into p). */
int map_contents_parse(const uint8_t *p, size_t len, struct map_contents *mc, struct err *e);
static inline const uint8_t *map_contents_key(const struct map_contents *mc, uint64_t i)
{
	return mc->keys + i * mc->key_size;
}
static inline const uint8_t *map_contents_value(const struct map_contents *mc, uint64_t i)
{
	return mc->values + i * mc->value_stride;
}
/* Value block size of one entry. */
uint32_t map_contents_stride(uint32_t value_size, uint32_t nr_cpus);
/* Write the header at the start of b (b->data must hold MAP_CONTENTS_HDR_LEN bytes). */
void map_contents_header(uint8_t *hdr, uint32_t key_size, uint32_t value_size, uint32_t nr_cpus,
			 uint64_t count);
#endif
