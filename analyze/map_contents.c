/* The map contents blob: writer helpers for the probe, a validating reader for the rest. */
#include <errno.h>
#include <string.h>
#include "analyze/map_contents.h"
#include "lib/map_chunks.h"

uint32_t map_contents_stride(uint32_t value_size, uint32_t nr_cpus)
{
	return nr_cpus ? ((value_size + 7) & ~7u) * nr_cpus : value_size;
}

void map_contents_header(uint8_t *hdr, uint32_t key_size, uint32_t value_size, uint32_t nr_cpus,
			 uint64_t count, bool v2)
{
	struct map_contents_sizes s = { key_size, value_size, nr_cpus,
					map_contents_stride(value_size, nr_cpus), count };

	memset(hdr, 0, MAP_CONTENTS_HDR_LEN);
	memcpy(hdr, v2 ? MAP_CONTENTS_MAGIC2 : MAP_CONTENTS_MAGIC, 8);
	map_contents_sizes_write(hdr, &s);
}

struct map_contents_err map_contents_error(const struct map_contents *mc, uint32_t i)
{
	const uint8_t *r = mc->errs + (uint64_t)i * (8 + mc->key_size);
	struct map_contents_err me = { .key = r + 8 };

	memcpy(&me.err, r, 4);
	memcpy(&me.pos, r + 4, 4);
	return me;
}

/* The BPFSMAP2 trailer at p[0..len): exactly nr_errs records. */
static int parse_trailer(const uint8_t *p, size_t len, struct map_contents *mc, struct err *e)
{
	if (len < 8)
		return err_set(e, EBADMSG, "map contents blob: truncated error trailer");
	memcpy(&mc->end_errno, p, 4);
	memcpy(&mc->nr_errs, p + 4, 4);
	if ((uint64_t)mc->nr_errs * (8 + (uint64_t)mc->key_size) != len - 8)
		return err_set(e, EBADMSG, "map contents blob: %u error records do not fit %zu bytes",
			       mc->nr_errs, len - 8);
	mc->errs = p + 8;
	return 0;
}

int map_contents_parse(const uint8_t *p, size_t len, struct map_contents *mc, struct err *e)
{
	struct map_contents_sizes s;
	uint64_t entry, body;
	bool v2;

	memset(mc, 0, sizeof(*mc));
	v2 = len >= MAP_CONTENTS_HDR_LEN && !memcmp(p, MAP_CONTENTS_MAGIC2, 8);
	if (len < MAP_CONTENTS_HDR_LEN || (!v2 && memcmp(p, MAP_CONTENTS_MAGIC, 8)))
		return err_set(e, EBADMSG, "map contents blob has no %s header", MAP_CONTENTS_MAGIC);
	map_contents_sizes_read(p, &s);
	*mc = (struct map_contents){ .key_size = s.key_size, .value_size = s.value_size,
		.nr_cpus = s.nr_cpus, .value_stride = s.value_stride, .count = s.count };
	if (mc->nr_cpus > 65536 || mc->value_stride != map_contents_stride(mc->value_size, mc->nr_cpus))
		return err_set(e, EBADMSG, "map contents blob has an inconsistent header");
	entry = (uint64_t)mc->key_size + mc->value_stride;
	if (mc->count && (entry == 0 || mc->count > (len - MAP_CONTENTS_HDR_LEN) / entry ||
			  (!v2 && mc->count * entry != len - MAP_CONTENTS_HDR_LEN)))
		return err_set(e, EBADMSG, "map contents blob: %llu entries of %llu bytes do not fit %zu bytes",
			       (unsigned long long)mc->count, (unsigned long long)entry, len);
	body = mc->count * entry;
	if (!v2 && body != len - MAP_CONTENTS_HDR_LEN)
		return err_set(e, EBADMSG, "map contents blob: trailing bytes");
	mc->keys = p + MAP_CONTENTS_HDR_LEN;
	mc->values = mc->keys + mc->count * mc->key_size;
	if (v2)
		return parse_trailer(mc->keys + body, len - MAP_CONTENTS_HDR_LEN - body, mc, e);
	return 0;
}
