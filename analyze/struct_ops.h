/* struct_ops maps' kernel side: the name of the kernel struct a map implements
 * ("tcp_congestion_ops"), from vmlinux BTF's bpf_struct_ops_<name> value type. */
#ifndef BPFSCOPE_STRUCT_OPS_H
#define BPFSCOPE_STRUCT_OPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;

/* vmlinux BTF from a snapshot's stored bytes, else (live, len 0) the running kernel's;
 * NULL when neither is there. Free with struct_ops_btf_free. */
struct btf *struct_ops_btf_load(const void *data, size_t len, bool live);
void struct_ops_btf_free(struct btf *btf);
/* "tcp_congestion_ops" for the value type id; bpftool's "<btf_vmlinux_not_found>" without
 * BTF, "" for an id that is no such type (a hostile or foreign snapshot). */
const char *struct_ops_kernel_name(const struct btf *btf, uint32_t value_type_id);
/* The value type's own name ("bpf_struct_ops_tcp_congestion_ops"), what struct_ops dump
 * names the value by; NULL when the id is no named type of btf. */
const char *struct_ops_value_name(const struct btf *btf, uint32_t value_type_id);

/* A map's bpf_map_info fields, as a snapshot stores them. */
struct struct_ops_info {
	uint32_t type, id, key_size, value_size, max_entries, ifindex, btf_vmlinux_value_type_id;
	uint32_t btf_id, btf_key_type_id, btf_value_type_id, btf_vmlinux_id;
	uint64_t map_flags, netns_dev, netns_ino, map_extra;
	const char *name;
};
/* struct bpf_map_info as btf (the kernel's BTF) lays it out, its members filled from mi by
 * name (one mi lacks stays 0, as the kernel leaves what it does not fill): what bpftool's
 * struct_ops dump formats, rebuilt from stored facts. *buf is malloc'ed, *len bytes long;
 * *type_id the struct's. -ENOENT: btf has no such struct; -EINVAL: a hostile one. */
int struct_ops_map_info(const struct btf *btf, const struct struct_ops_info *mi, uint8_t **buf,
			size_t *len, uint32_t *type_id);
#endif
