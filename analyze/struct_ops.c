/* struct_ops kernel names from vmlinux BTF (analyze/struct_ops.h): bpftool's
 * get_kern_struct_ops_name, bounds-checked for stored BTF. */
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
