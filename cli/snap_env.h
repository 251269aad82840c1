/* The environment variables a snapshot's options come from (the library reads none). */
#ifndef BPFSCOPE_SNAP_ENV_H
#define BPFSCOPE_SNAP_ENV_H
#include "capture/snapshot.h"

/* BPFSCOPE_NO_ITER: walk every map (the iterator's test oracle); BPFSCOPE_TRACE: phase
 * timings on stderr, for the benchmarks. */
void snapshot_opts_env(struct snapshot_opts *opts);
#endif
