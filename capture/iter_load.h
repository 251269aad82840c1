/* Loading one of bpfscope's own iterator programs (capture/iter.bpf.c), relocated by the
 * kernel for the running one (capture/iter_load.c). */
#ifndef BPFSCOPE_ITER_LOAD_H
#define BPFSCOPE_ITER_LOAD_H
#include <stdbool.h>
#include "lib/err.h"

/* Is there vmlinux BTF, which the iterators need? */
bool iter_have_btf(void);
/* Program name of the object, loaded as an iterator over target func ("bpf_iter_bpf_map"):
 * its fd, or a negative errno with e set. */
int iter_prog_load(const char *name, const char *func, struct err *e);
#endif
