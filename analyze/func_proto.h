/* A BPF function's prototype as bpftool prints it in dump headers ("int count_getpid(void * ctx)"),
 * shared by the xlated and jited decoders. */
#ifndef BPFSCOPE_FUNC_PROTO_H
#define BPFSCOPE_FUNC_PROTO_H
#include <stddef.h>
#include <stdint.h>
#include "analyze/prog_code.h"

/* Prototype of BTF type id (a FUNC, or a FUNC_PROTO printed without a name) into buf.
 * Returns 0, or -EINVAL (buf = "") when the BTF is missing, hostile or the text too long. */
int func_proto_text(const struct btf *btf, uint32_t type_id, char *buf, size_t len);
/* Prototype of function i (func_info order) of a program; "" and -EINVAL when unknown. */
int func_proto_of(const struct prog_code *pc, uint32_t i, char *buf, size_t len);
/* bpf_func_info record i (insn_off, type_id) read from the untrusted blob; -EINVAL if absent. */
int func_info_rec(const struct prog_code *pc, uint32_t i, uint32_t *insn_off, uint32_t *type_id);
#endif
