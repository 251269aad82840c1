/* gen min_core_btf: the part of a kernel's BTF that BPF objects' CO-RE relocations use,
 * as a small BTF file libbpf can load them against (btf_custom_path) on kernels without BTF. */
#ifndef BPFSCOPE_MIN_BTF_H
#define BPFSCOPE_MIN_BTF_H
#include <stdbool.h>
#include "lib/err.h"

/* Can this build run it: compiled with libbpf's CO-RE internals (gen/core_relo.h) and
 * running on a libbpf whose internal layout they match. If not, false with e saying why. */
bool min_core_btf_supported(struct err *e);

/* Parse input (raw BTF or an ELF file's .BTF), record the types, members and enums that
 * the CO-RE relocations of objs[0..n) resolve to in it, and write them as raw BTF to
 * output (written only once complete). Errors worded as bpftool's. */
int min_core_btf(const char *input, const char *output, char *const *objs, int n,
		 struct err *e);
#endif
