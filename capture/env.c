/* Environment checks: capabilities from /proc/self/status, filesystems by statfs magic. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
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

static uint64_t cap_effective(void)
{
	char line[256];
	uint64_t caps = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			caps = strtoull(line + 7, NULL, 16);
	fclose(f);
	return caps;
}

int env_check(unsigned need, bool mount_missing, struct err *e)
{
	if (need & ENV_PRIV) {
		uint64_t caps = cap_effective();

		if (!(caps & (1ull << CAP_SYS_ADMIN_)) && !(caps & (1ull << CAP_BPF_)))
			return err_set(e, EPERM, "reading BPF objects needs CAP_BPF and CAP_SYS_ADMIN: run as root"
				       " (or read a stored snapshot with --db FILE -s REF)");
	}
	if ((need & ENV_BPFFS) && !env_is_bpffs("/sys/fs/bpf")) {
		if (!mount_missing || mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL))
			return err_set(e, ENOENT, "bpffs is not mounted at /sys/fs/bpf: run "
				       "'mount -t bpf bpf /sys/fs/bpf' (or pass --mount)");
	}
	if ((need & ENV_TRACEFS) && !fs_is("/sys/kernel/tracing", TRACEFS_MAGIC_)) {
		if (!mount_missing || mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
			return err_set(e, ENOENT, "tracefs is not mounted at /sys/kernel/tracing: run "
				       "'mount -t tracefs tracefs /sys/kernel/tracing' (or pass --mount)");
	}
	return 0;
}
