/* Mounting bpffs and tracefs for --mount. A failed mount is not an error of its own: the
 * check that follows names what is missing and what to run. */
#include <sys/mount.h>
#include "act/mount.h"

int env_ready(unsigned need, bool mount_missing, struct err *e)
{
	static const struct {
		unsigned bit;
		const char *fstype, *dir;
	} fs[] = {
		{ ENV_BPFFS, "bpf", ENV_BPFFS_DIR },
		{ ENV_TRACEFS, "tracefs", ENV_TRACEFS_DIR },
	};
	int err = env_check(need & ENV_PRIV, e);

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]) && !err; i++) {
		if (!(need & fs[i].bit))
			continue;
		if (mount_missing && env_missing(fs[i].bit))
			mount(fs[i].fstype, fs[i].dir, fs[i].fstype, 0, NULL);
		err = env_check(fs[i].bit, e);
	}
	return err;
}
