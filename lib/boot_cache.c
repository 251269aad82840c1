/* Files kept for the rest of the boot (lib/boot_cache.h): written whole under a temporary
 * name and renamed, read only when owned by this user and writable by nobody else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lib/boot_cache.h"

#define BOOT_CACHE_MAGIC "bpfscope-boot-cache 1\n"

static int head_of(const char *boot_id, char *head, size_t len)
{
	int n = snprintf(head, len, BOOT_CACHE_MAGIC "%s\n", boot_id);

	return n < 0 || (size_t)n >= len || !boot_id[0] || strchr(boot_id, '\n') ? -EINVAL : n;
}

int boot_cache_read(const char *name, const char *boot_id, size_t max, struct buf *out)
{
	char path[256], head[128];
	struct stat st;
	ssize_t n;
	int fd, hl, err = -ENOENT;

	out->len = 0;
	hl = head_of(boot_id, head, sizeof(head));
	if (hl < 0 || strchr(name, '/') ||
	    (size_t)snprintf(path, sizeof(path), BOOT_CACHE_DIR "/%s", name) >= sizeof(path))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || st.st_size <= hl || (size_t)st.st_size - hl > max)
		goto out;
	if (buf_reserve(out, st.st_size)) {
		err = -ENOMEM;
		goto out;
	}
	n = pread(fd, out->data, st.st_size, 0);
	if (n != st.st_size || memcmp(out->data, head, hl))
		goto out;
	memmove(out->data, out->data + hl, n - hl);
	out->len = n - hl;
	err = 0;
out:
	if (err)
		out->len = 0;
	close(fd);
	return err;
}

void boot_cache_write(const char *name, const char *boot_id, const void *data, size_t len)
{
	char path[256], tmp[300], head[128];
	int fd, hl = head_of(boot_id, head, sizeof(head));
	bool ok;

	if (hl < 0 || strchr(name, '/') ||
	    (size_t)snprintf(path, sizeof(path), BOOT_CACHE_DIR "/%s", name) >= sizeof(path) ||
	    (mkdir(BOOT_CACHE_DIR, 0700) && errno != EEXIST))
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write(fd, head, hl) == hl && write(fd, data, len) == (ssize_t)len;
	ok = !close(fd) && ok;
	if (!ok || rename(tmp, path))
		unlink(tmp);
}

void boot_cache_drop(const char *name)
{
	char path[256];

	if (!strchr(name, '/') &&
	    (size_t)snprintf(path, sizeof(path), BOOT_CACHE_DIR "/%s", name) < sizeof(path))
		unlink(path);
}
