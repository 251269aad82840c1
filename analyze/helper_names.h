/* Names of BPF helper ids (bpf_map_lookup_elem for 1): the kernel's own enum bpf_func_id
 * read from a vmlinux BTF, with a table built from the uapi header as the fallback. */
#ifndef BPFSCOPE_HELPER_NAMES_H
#define BPFSCOPE_HELPER_NAMES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"

struct bpf_insn;
struct btf;
struct db;

struct helper_names {
	const char **names;	/* indexed by helper id; NULL where the enum has no value */
	uint32_t n;		/* __BPF_FUNC_MAX_ID of that kernel */
	char *strs;		/* owned storage the names point into */
};

/* From enum bpf_func_id of a vmlinux BTF: BPF_FUNC_x = id -> "bpf_x". */
int helper_names_from_btf(const struct btf *vmlinux, struct helper_names *h, struct err *e);
/* Same, from raw BTF bytes (untrusted: parsed by libbpf, bounds-checked). */
int helper_names_from_raw(const void *data, size_t len, struct helper_names *h, struct err *e);
/* From a snapshot's stored vmlinux BTF (data, len: store/read_btf_data.h's btf_vmlinux_read);
 * when there is none (len 0) and live is set, the running kernel's /sys/kernel/btf/vmlinux.
 * -ENOENT (e untouched) when neither is available: callers then use the built-in table. */
int helper_names_load(const void *data, size_t len, bool live, struct helper_names *h,
		      struct err *e);
/* Name of helper id, or NULL when id is not one (bpftool's "imm < __BPF_FUNC_MAX_ID").
 * h may be NULL or empty: the built-in table answers. */
const char *helper_name(const struct helper_names *h, int64_t id);
void helper_names_free(struct helper_names *h);
/* Does any call in insns[0..n) name a helper by id (tail calls, captures without raw
 * dump rights)? Only then is the kernel's table worth loading. */
bool helper_names_needed(const struct bpf_insn *insns, uint32_t n);
#endif
