/* The chunk list of large map contents (schema 9): its layout, built by the probe and
 * checked before any reader trusts a count or a size in it. */
#include <errno.h>
#include <string.h>
#include "lib/map_chunks.h"

void map_contents_sizes_read(const uint8_t *p, struct map_contents_sizes *s)
{
	memcpy(&s->key_size, p + 8, 4);
	memcpy(&s->value_size, p + 12, 4);
	memcpy(&s->nr_cpus, p + 16, 4);
	memcpy(&s->value_stride, p + 20, 4);
	memcpy(&s->count, p + 24, 8);
}

void map_contents_sizes_write(uint8_t *p, const struct map_contents_sizes *s)
{
	memcpy(p + 8, &s->key_size, 4);
	memcpy(p + 12, &s->value_size, 4);
	memcpy(p + 16, &s->nr_cpus, 4);
	memcpy(p + 20, &s->value_stride, 4);
	memcpy(p + 24, &s->count, 8);
}

/* (the list's first fields are the sizes' own, in their order) */
static struct map_contents_sizes list_sizes(const struct map_chunk_list *l)
{
	return (struct map_contents_sizes){ l->key_size, l->value_size, l->nr_cpus,
					    l->value_stride, l->count };
}

bool map_chunk_list_is(const uint8_t *p, size_t len)
{
	return len >= 8 && !memcmp(p, MAP_CHUNK_LIST_MAGIC, 8);
}

void map_chunk_list_header(uint8_t *hdr, const struct map_chunk_list *l)
{
	struct map_contents_sizes s = list_sizes(l);

	memset(hdr, 0, MAP_CHUNK_LIST_HDR);
	memcpy(hdr, MAP_CHUNK_LIST_MAGIC, 8);
	map_contents_sizes_write(hdr, &s);
	memcpy(hdr + 32, &l->nr_chunks, 4);
}

const uint8_t *map_chunk_list_rec(const struct map_chunk_list *l, uint32_t i, uint64_t *count)
{
	const uint8_t *r = l->recs + (size_t)i * MAP_CHUNK_REC;

	memcpy(count, r + 32, 8);
	return r;
}

int map_chunk_list_parse(const uint8_t *p, size_t len, struct map_chunk_list *l, struct err *e)
{
	struct map_contents_sizes s;
	uint64_t sum = 0;

	memset(l, 0, sizeof(*l));
	if (len < MAP_CHUNK_LIST_HDR || !map_chunk_list_is(p, len))
		return err_set(e, EBADMSG, "map contents chunk list: no %s header", MAP_CHUNK_LIST_MAGIC);
	map_contents_sizes_read(p, &s);
	*l = (struct map_chunk_list){ .key_size = s.key_size, .value_size = s.value_size,
		.nr_cpus = s.nr_cpus, .value_stride = s.value_stride, .count = s.count };
	memcpy(&l->nr_chunks, p + 32, 4);
	if ((uint64_t)l->nr_chunks * MAP_CHUNK_REC != len - MAP_CHUNK_LIST_HDR)
		return err_set(e, EBADMSG, "map contents chunk list: %u chunks do not fit %zu bytes",
			       l->nr_chunks, len);
	l->recs = p + MAP_CHUNK_LIST_HDR;
	for (uint32_t i = 0; i < l->nr_chunks; i++) {
		uint64_t n;

		map_chunk_list_rec(l, i, &n);
		if (n > l->count - sum)
			return err_set(e, EBADMSG, "map contents chunk list: chunk %u's %llu entries"
				       " pass the list's %llu", i, (unsigned long long)n,
				       (unsigned long long)l->count);
		sum += n;
	}
	if (sum != l->count)
		return err_set(e, EBADMSG, "map contents chunk list: its chunks hold %llu entries,"
			       " not %llu", (unsigned long long)sum, (unsigned long long)l->count);
	return 0;
}
