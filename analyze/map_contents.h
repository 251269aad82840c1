/* The map contents blob: what `snapshot take maps-data` stores for each map.
 * Layout (little endian, the capturing machine's byte order for keys/values):
 *   char magic[8] = "BPFSMAP1"; u32 key_size; u32 value_size; u32 nr_cpus (0: not per-cpu);
 *   u32 value_stride (bytes of one entry's value block: value_size, or
 *   round_up(value_size, 8) * nr_cpus for per-cpu maps); u64 count;
 *   then count keys of key_size bytes, then count value blocks of value_stride bytes
 *   (columnar: batch lookups fill both arrays in place, no copy).
 * Magic "BPFSMAP2" adds what a per-key walk met, as bpftool prints it: after the values,
 *   u32 end_errno (the walk's get_next_key failure, 0: it ended normally); u32 nr_errs;
 *   then nr_errs records: u32 errno, u32 pos (the entry it came before), key_size bytes.
 * A map read without such failures is written as BPFSMAP1, so its blob does not change. */
#ifndef BPFSCOPE_MAP_CONTENTS_H
#define BPFSCOPE_MAP_CONTENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"
#include "lib/util.h"

#define MAP_CONTENTS_MAGIC "BPFSMAP1"
#define MAP_CONTENTS_MAGIC2 "BPFSMAP2"
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
	uint32_t end_errno, nr_errs;	/* BPFSMAP2; 0 for BPFSMAP1 */
	const uint8_t *errs;		/* nr_errs records of 8 + key_size bytes */
};

/* Error record i: its errno, the entry it came before, its key. */
struct map_contents_err {
	uint32_t err, pos;
	const uint8_t *key;
};
struct map_contents_err map_contents_error(const struct map_contents *mc, uint32_t i);

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
/* Write the header at the start of b (b->data must hold MAP_CONTENTS_HDR_LEN bytes); v2:
 * the BPFSMAP2 magic, the trailer to follow the values. */
void map_contents_header(uint8_t *hdr, uint32_t key_size, uint32_t value_size, uint32_t nr_cpus,
			 uint64_t count, bool v2);
#endif
