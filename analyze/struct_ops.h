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
#endif
