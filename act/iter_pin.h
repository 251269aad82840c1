/* iter pin: load an object, attach its first program as a BPF iterator (over one map when
 * a map fd is given) and pin the iterator's link, as bpftool iter pin does. */
#ifndef BPFSCOPE_ITER_PIN_H
#define BPFSCOPE_ITER_PIN_H
#include "lib/err.h"

/* map_fd < 0: no map. The link stays pinned at path; nothing else outlives the call. */
int iter_pin(const char *obj, const char *path, int map_fd, struct err *e);
#endif
