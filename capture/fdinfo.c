/* Reading /proc/self/fdinfo cheaply: bpftool opens, reads and closes it per object; we keep
 * /proc/self/fdinfo/N open and pread it, since procfs looks fd N up again on every read and
 * the walk reuses the same fd number for each object. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture/capture_int.h"

static int fdinfo_open(struct fdinfo_reader *r, int fd)
{
	char path[64];

	if (r->fd > 0 && r->target == fd)
		return 0;
	if (r->fd > 0)
		close(r->fd);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	r->target = fd;
	return r->fd < 0 ? -errno : 0;
}

int fdinfo_load(struct fdinfo_reader *r, int fd)
{
	ssize_t n;

	r->buf[0] = 0;
	if (fdinfo_open(r, fd))
		return -ENOENT;
	n = pread(r->fd, r->buf, sizeof(r->buf) - 1, 0);
	if (n <= 0) {
		/* reopen once: the held file may refer to a number that went away */
		close(r->fd);
		r->fd = -1;
		if (fdinfo_open(r, fd))
			return -ENOENT;
		n = pread(r->fd, r->buf, sizeof(r->buf) - 1, 0);
		if (n <= 0)
			return -EIO;
	}
	r->buf[n] = 0;
	return 0;
}

int fdinfo_val(const struct fdinfo_reader *r, const char *key, uint64_t *val)
{
	size_t klen = strlen(key);
	const char *line = r->buf;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			*val = strtoull(line + klen + 1, NULL, 0);
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

void fdinfo_close(struct fdinfo_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
}
