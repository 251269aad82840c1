/* The feature probe's answer kept for the rest of the boot in /run/bpfscope (a tmpfs that a
 * reboot empties): the probe loads some 5,700 throwaway programs (~0.9 s, as bpftool's), which
 * would otherwise be paid by the first snapshot into every new database of the boot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "analyze/features.h"
#include "capture/feature_cache.h"

#define CACHE_DIR "/run/bpfscope"
#define CACHE_FILE CACHE_DIR "/features"
#define CACHE_MAGIC "bpfscope-feature-cache 1\n"
#define CACHE_MAX (1u << 20)

/* Only a file root wrote and nobody else may change: what it says is stored as a kernel
 * fact, so it is decoded (bounds-checked) before it is believed. */
int feature_cache_read(const char *boot_id, struct buf *out)
{
	char head[128];
	struct features *f = NULL;
	struct err e = { 0 };
	struct stat st;
	size_t hl;
	ssize_t n;
	int fd, err = -ENOENT;

	out->len = 0;
	hl = (size_t)snprintf(head, sizeof(head), CACHE_MAGIC "%s\n", boot_id);
	if (hl >= sizeof(head))
		return -EINVAL;
	fd = open(CACHE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size <= (off_t)hl || st.st_size > CACHE_MAX)
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
	f = calloc(1, sizeof(*f));
	if (f && !features_decode(out->data, out->len, f, &e))
		err = 0;
out:
	if (err)
		out->len = 0;
	free(f);
	close(fd);
	return err;
}

/* Best effort: a /run we may not write only costs the next database a probe. */
void feature_cache_write(const char *boot_id, const void *data, size_t len)
{
	char tmp[64], head[128];
	int fd, hl = snprintf(head, sizeof(head), CACHE_MAGIC "%s\n", boot_id);
	bool ok;

	if (hl < 0 || (size_t)hl >= sizeof(head) || len > CACHE_MAX ||
	    (mkdir(CACHE_DIR, 0700) && errno != EEXIST))
		return;
	snprintf(tmp, sizeof(tmp), CACHE_FILE ".%d", (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write(fd, head, hl) == hl && write(fd, data, len) == (ssize_t)len;
	ok = !close(fd) && ok;
	if (!ok || rename(tmp, CACHE_FILE))
		unlink(tmp);
}
