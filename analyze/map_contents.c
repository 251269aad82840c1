/* The map contents blob: writer helpers for the probe, a validating reader for the rest. */
#include <errno.h>
#include <string.h>
#include "analyze/map_contents.h"

uint32_t map_contents_stride(uint32_t value_size, uint32_t nr_cpus)
{
	return nr_cpus ? ((value_size + 7) & ~7u) * nr_cpus : value_size;
}

void map_contents_header(uint8_t *hdr, uint32_t key_size, uint32_t value_size, uint32_t nr_cpus,
			 uint64_t count)
{
	uint32_t stride = map_contents_stride(value_size, nr_cpus);

	memset(hdr, 0, MAP_CONTENTS_HDR_LEN);
	memcpy(hdr, MAP_CONTENTS_MAGIC, 8);
	memcpy(hdr + 8, &key_size, 4);
	memcpy(hdr + 12, &value_size, 4);
	memcpy(hdr + 16, &nr_cpus, 4);
	memcpy(hdr + 20, &stride, 4);
	memcpy(hdr + 24, &count, 8);
}

int map_contents_parse(const uint8_t *p, size_t len, struct map_contents *mc, struct err *e)
{
	uint64_t entry;

	memset(mc, 0, sizeof(*mc));
	if (len < MAP_CONTENTS_HDR_LEN || memcmp(p, MAP_CONTENTS_MAGIC, 8))
		return err_set(e, EBADMSG, "map contents blob has no %s header", MAP_CONTENTS_MAGIC);
	memcpy(&mc->key_size, p + 8, 4);
	memcpy(&mc->value_size, p + 12, 4);
	memcpy(&mc->nr_cpus, p + 16, 4);
	memcpy(&mc->value_stride, p + 20, 4);
	memcpy(&mc->count, p + 24, 8);
	if (mc->nr_cpus > 65536 || mc->value_stride != map_contents_stride(mc->value_size, mc->nr_cpus))
		return err_set(e, EBADMSG, "map contents blob has an inconsistent header");
	entry = (uint64_t)mc->key_size + mc->value_stride;
	if (mc->count && (entry == 0 || mc->count > (len - MAP_CONTENTS_HDR_LEN) / entry ||
			  mc->count * entry != len - MAP_CONTENTS_HDR_LEN))
		return err_set(e, EBADMSG, "map contents blob: %llu entries of %llu bytes do not fit %zu bytes",
			       (unsigned long long)mc->count, (unsigned long long)entry, len);
	mc->keys = p + MAP_CONTENTS_HDR_LEN;
	mc->values = mc->keys + mc->count * mc->key_size;
	return 0;
}
