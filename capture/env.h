/* The environment a command needs: privileges, bpffs, tracefs. Checked up front so the
 * user reads one line that says what is missing and what to run. Checking only: mounting
 * what is missing (--mount) is act/mount.h's. */
#ifndef BPFSCOPE_ENV_H
#define BPFSCOPE_ENV_H
#include <stdbool.h>
#include "lib/err.h"

#define ENV_PRIV	(1u << 0)	/* CAP_BPF + CAP_SYS_ADMIN (or root) */
#define ENV_BPFFS	(1u << 1)	/* bpffs at ENV_BPFFS_DIR */
#define ENV_TRACEFS	(1u << 2)	/* tracefs at ENV_TRACEFS_DIR */

#define ENV_BPFFS_DIR	"/sys/fs/bpf"
#define ENV_TRACEFS_DIR	"/sys/kernel/tracing"

/* Check what need asks for, in the order above; the first thing missing is the error. */
int env_check(unsigned need, struct err *e);
/* The ENV_* bits of need that are missing. */
unsigned env_missing(unsigned need);
bool env_is_bpffs(const char *path);
#endif
