/* Snapshot options from the environment: the tests' and the benchmarks' switches. */
#include <stdio.h>
#include <stdlib.h>
#include "cli/snap_env.h"

/* (walker threads call it at once: one fprintf a line keeps lines whole) */
static void trace_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

void snapshot_opts_env(struct snapshot_opts *opts)
{
	opts->no_iter = getenv("BPFSCOPE_NO_ITER") != NULL;
	/* small chunks, so a test's small map spans several (at least a page: no chunk of one
	 * entry per blob by mistake) */
	if (getenv("BPFSCOPE_MAP_CHUNK_BYTES")) {
		unsigned long v = strtoul(getenv("BPFSCOPE_MAP_CHUNK_BYTES"), NULL, 10);

		opts->map_chunk_bytes = v < 4096 ? 4096 : v > (1ul << 30) ? 1u << 30 : (uint32_t)v;
	}
	if (getenv("BPFSCOPE_TRACE"))
		opts->trace = trace_stderr;
}
