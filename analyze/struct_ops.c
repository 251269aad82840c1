/* struct_ops kernel names from vmlinux BTF (analyze/struct_ops.h): bpftool's
 * get_kern_struct_ops_name, bounds-checked for stored BTF; bpf_map_info rebuilt for dump. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "analyze/struct_ops.h"

#define VALUE_PREFIX "bpf_struct_ops_"

struct btf *struct_ops_btf_load(const void *data, size_t len, bool live)
{
	struct btf *btf = NULL;

	if (data && len)
		btf = btf__new(data, len);
	else if (live)
		btf = btf__load_vmlinux_btf();
	return libbpf_get_error(btf) ? NULL : btf;
}

void struct_ops_btf_free(struct btf *btf)
{
	btf__free(btf);
}

const char *struct_ops_kernel_name(const struct btf *btf, uint32_t value_type_id)
{
	const struct btf_type *t;
	const char *name;

	if (!btf)
		return "<btf_vmlinux_not_found>";
	t = value_type_id < btf__type_cnt(btf) ? btf__type_by_id(btf, value_type_id) : NULL;
	name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	if (!name || strncmp(name, VALUE_PREFIX, strlen(VALUE_PREFIX)))
		return "";
	return name + strlen(VALUE_PREFIX);
}

const char *struct_ops_value_name(const struct btf *btf, uint32_t value_type_id)
{
	const struct btf_type *t;
	const char *name;

	if (!btf || value_type_id >= btf__type_cnt(btf))
		return NULL;
	t = btf__type_by_id(btf, value_type_id);
	name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	return name && *name ? name : NULL;
}

/* bpf_map_info is a few hundred bytes at most; more is a hostile BTF */
#define MAP_INFO_MAX 4096

/* The value of bpf_map_info's member called name, from mi; false: one mi has not. */
static bool info_field(const struct struct_ops_info *mi, const char *name, uint64_t *v)
{
	const struct { const char *name; uint64_t v; } f[] = {
		{ "type", mi->type }, { "id", mi->id }, { "key_size", mi->key_size },
		{ "value_size", mi->value_size }, { "max_entries", mi->max_entries },
		{ "map_flags", mi->map_flags }, { "ifindex", mi->ifindex },
		{ "btf_vmlinux_value_type_id", mi->btf_vmlinux_value_type_id },
		{ "netns_dev", mi->netns_dev }, { "netns_ino", mi->netns_ino },
		{ "btf_id", mi->btf_id }, { "btf_key_type_id", mi->btf_key_type_id },
		{ "btf_value_type_id", mi->btf_value_type_id },
		{ "btf_vmlinux_id", mi->btf_vmlinux_id }, { "map_extra", mi->map_extra },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!strcmp(f[i].name, name)) {
			*v = f[i].v;
			return true;
		}
	return false;
}

int struct_ops_map_info(const struct btf *btf, const struct struct_ops_info *mi, uint8_t **buf,
			size_t *len, uint32_t *type_id)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, "bpf_map_info", BTF_KIND_STRUCT);
	uint8_t *b;

	*buf = NULL;
	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	if (!t || !t->size || t->size > MAP_INFO_MAX)
		return -EINVAL;
	b = calloc(1, t->size);
	if (!b)
		return -ENOMEM;
	m = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		uint32_t off = btf_member_bit_offset(t, i);
		int64_t sz = btf__resolve_size(btf, m->type);
		uint64_t v;

		if (!name || off % 8 || btf_member_bitfield_size(t, i) || sz <= 0 ||
		    off / 8 > t->size || (uint64_t)sz > t->size - off / 8)
			continue;
		if (!strcmp(name, "name") && mi->name)
			strncpy((char *)b + off / 8, mi->name, sz - 1);	/* NUL-ended, as the kernel's */
		else if ((sz == 1 || sz == 2 || sz == 4 || sz == 8) && info_field(mi, name, &v))
			memcpy(b + off / 8, &v, sz);	/* little endian: the low bytes */
	}
	*buf = b;
	*len = t->size;
	*type_id = id;
	return 0;
}
