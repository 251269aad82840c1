/* Environment checks: capabilities from capget, filesystems by statfs magic. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/capability.h>
#include "capture/env.h"

#define BPF_FS_MAGIC_ 0xcafe4a11
#define TRACEFS_MAGIC_ 0x74726163
#define CAP_SYS_ADMIN_ 21
#define CAP_BPF_ 39

static bool fs_is(const char *path, unsigned long magic)
{
	struct statfs s;

	return !statfs(path, &s) && (unsigned long)s.f_type == magic;
}

bool env_is_bpffs(const char *path) { return fs_is(path, BPF_FS_MAGIC_); }

/* capget(2): one call, where /proc/self/status is some 1,400 bytes of text the kernel
 * prints for every live command (0.2-0.3 ms here) */
static uint64_t cap_effective(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return (uint64_t)data[1].effective << 32 | data[0].effective;
}

unsigned env_missing(unsigned need)
{
	unsigned missing = 0;

	if (need & ENV_PRIV) {
		uint64_t caps = cap_effective();

		if (!(caps & (1ull << CAP_SYS_ADMIN_)) && !(caps & (1ull << CAP_BPF_)))
			missing |= ENV_PRIV;
	}
	if ((need & ENV_BPFFS) && !env_is_bpffs(ENV_BPFFS_DIR))
		missing |= ENV_BPFFS;
	if ((need & ENV_TRACEFS) && !fs_is(ENV_TRACEFS_DIR, TRACEFS_MAGIC_))
		missing |= ENV_TRACEFS;
	return missing;
}

int env_check(unsigned need, struct err *e)
{
	unsigned missing = env_missing(need);

	if (missing & ENV_PRIV)
		return err_set(e, EPERM, "reading BPF objects needs CAP_BPF and CAP_SYS_ADMIN: run as root"
			       " (or read a stored snapshot with --db FILE -s REF)");
	if (missing & ENV_BPFFS)
		return err_set(e, ENOENT, "bpffs is not mounted at " ENV_BPFFS_DIR ": run "
			       "'mount -t bpf bpf " ENV_BPFFS_DIR "' (or pass --mount)");
	if (missing & ENV_TRACEFS)
		return err_set(e, ENOENT, "tracefs is not mounted at " ENV_TRACEFS_DIR ": run "
			       "'mount -t tracefs tracefs " ENV_TRACEFS_DIR "' (or pass --mount)");
	return 0;
}
