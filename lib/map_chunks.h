/* Map contents in chunks (schema 8): contents larger than one chunk are stored as a list
 * blob naming chunk blobs, each an ordinary contents blob (analyze/map_contents.h) of its run.
 * Layout of the list (little endian):
 *   char magic[8] = "BPFSMAPC"; u32 key_size; u32 value_size; u32 nr_cpus; u32 value_stride;
 *   u64 count (all chunks' entries); u32 nr_chunks; u32 zero;
 *   then nr_chunks records: u8 sha256[32] (the chunk blob), u64 count (its entries).
 * Each chunk is "BPFSMAP1" with the list's sizes; only the last may be "BPFSMAP2" (the walk's
 * error trailer, its positions counted over the whole map). Readers join the chunks into one
 * contents blob; a chunk list from a database is untrusted like any blob. */
#ifndef BPFSCOPE_MAP_CHUNKS_H
#define BPFSCOPE_MAP_CHUNKS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"

#define MAP_CHUNK_LIST_MAGIC "BPFSMAPC"
#define MAP_CHUNK_LIST_HDR 40
#define MAP_CHUNK_REC 40
/* the raw bytes of one chunk a snapshot aims at: a few MiB compressed, far under SQLite's
 * 1 GB bound for a blob, and what bounds the probe's memory for one map */
#define MAP_CHUNK_BYTES (4u << 20)
/* the most a reader inflates for one chunk (a writer's chunk is at most MAP_CHUNK_BYTES plus
 * one batch): a hostile one claiming more is refused before inflating */
#define MAP_CHUNK_READ_MAX (256u << 20)
/* the header every contents blob (chunk or whole) starts with */
#define MAP_CHUNK_HDR 32

/* What every contents header (whole or chunk) and chunk list carries at bytes 8..32. */
struct map_contents_sizes {
	uint32_t key_size, value_size, nr_cpus, value_stride;
	uint64_t count;
};
void map_contents_sizes_read(const uint8_t *p, struct map_contents_sizes *s);
void map_contents_sizes_write(uint8_t *p, const struct map_contents_sizes *s);

struct map_chunk_list {
	uint32_t key_size, value_size, nr_cpus, value_stride;
	uint64_t count;
	uint32_t nr_chunks;
	const uint8_t *recs;		/* nr_chunks records of MAP_CHUNK_REC bytes */
};

/* Does the blob start like a chunk list? */
bool map_chunk_list_is(const uint8_t *p, size_t len);
/* Validate a list (no copy: l points into p): its size, and that the chunks' counts add up
 * to its count. */
int map_chunk_list_parse(const uint8_t *p, size_t len, struct map_chunk_list *l, struct err *e);
/* Record i: the chunk's hash and entry count. */
const uint8_t *map_chunk_list_rec(const struct map_chunk_list *l, uint32_t i, uint64_t *count);
/* The list's header into hdr (MAP_CHUNK_LIST_HDR bytes). */
void map_chunk_list_header(uint8_t *hdr, const struct map_chunk_list *l);
#endif
