/* The environment a probe needs: privileges, bpffs, tracefs. Checked up front so the user
 * reads one line that says what is missing and what to run. */
#ifndef BPFSCOPE_ENV_H
#define BPFSCOPE_ENV_H
#include <stdbool.h>
#include "lib/err.h"

#define ENV_PRIV	(1u << 0)	/* CAP_BPF + CAP_SYS_ADMIN (or root) */
#define ENV_BPFFS	(1u << 1)	/* bpffs at /sys/fs/bpf */
#define ENV_TRACEFS	(1u << 2)	/* tracefs at /sys/kernel/tracing */

/* Check what need asks for; with mount, mount bpffs/tracefs where missing. */
int env_check(unsigned need, bool mount, struct err *e);
bool env_is_bpffs(const char *path);
#endif
