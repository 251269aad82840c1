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
	if (getenv("BPFSCOPE_TRACE"))
		opts->trace = trace_stderr;
}
