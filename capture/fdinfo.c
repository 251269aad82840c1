/* Reading /proc/self/fdinfo cheaply: bpftool opens, reads and closes it per object; we keep
 * /proc/self/fdinfo/N open and pread it, since procfs looks fd N up again on every read.
 * N is the reader's own slot: each object's fd is duplicated onto it (dup3 closes the one
 * before), because the walkers, the pins thread and the background threads share one fd
 * table and an object's own fd number changed three times in four: an open of a procfs
 * path and a close each time, for 1,000 maps some 6 ms. Without a slot (a descriptor limit
 * under FDINFO_SLOT_MIN), the file of each fd number is opened as it comes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture/capture_int.h"

#define FDINFO_SLOT_MIN 16

/* fd's object onto the reader's slot, which is then the number to read: fd, or the slot */
static int fdinfo_slot(struct fdinfo_reader *r, int fd)
{
	if (r->slot > 0)
		return dup3(fd, r->slot, O_CLOEXEC) < 0 ? fd : r->slot;
	r->slot = fcntl(fd, F_DUPFD_CLOEXEC, FDINFO_SLOT_MIN);
	if (r->slot < 0)
		r->slot = 0;
	return r->slot > 0 ? r->slot : fd;
}

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
	fd = fdinfo_slot(r, fd);
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
	if (r->slot > 0)
		close(r->slot);
	r->slot = 0;
}
