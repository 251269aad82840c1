/* A live BTF object by id for `btf dump`: the kernel's, with vmlinux as base when it is a
 * module's. */
#ifndef BPFSCOPE_BTF_LIVE_H
#define BPFSCOPE_BTF_LIVE_H
#include <stdint.h>
#include "analyze/btf_raw.h"
#include "lib/err.h"

int btf_src_from_kernel(struct btf_src *s, uint32_t id, struct err *e);
#endif
