/* gen object: statically link BPF object files into one, through libbpf's BPF linker. */
#ifndef BPFSCOPE_LINK_OBJ_H
#define BPFSCOPE_LINK_OBJ_H
#include "lib/err.h"

/* Link in[0..n) into out (written only by bpf_linker__finalize). Errors worded as
 * bpftool's: "failed to link 'F': ...", "failed to finalize ELF file: ...". */
int link_objects(const char *out, char *const *in, int n, struct err *e);
#endif
