/* report's files: pages are created 0600 (they can hold map contents) and dir DIR writes only
 * into a new directory, an empty one or a report of ours, never over someone's files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/report_int.h"
#include "lib/util.h"

/* index.html or prog-N.html: the only names a report of ours holds */
static bool our_name(const char *n, bool *index)
{
	size_t len = strlen(n);

	if (!strcmp(n, "index.html")) {
		*index = true;
		return true;
	}
	char id[16];

	if (len <= 10 || len - 10 >= sizeof(id) || strncmp(n, "prog-", 5) ||
	    strcmp(n + len - 5, ".html"))
		return false;
	memcpy(id, n + 5, len - 10);
	id[len - 10] = 0;
	return str_is_digits(id);
}

/* index.html starts as html_page_start writes it: the generator line near the top */
static bool index_is_ours(int dfd)
{
	char buf[512];
	ssize_t n;
	int fd = openat(dfd, "index.html", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return strstr(buf, "<meta name=\"generator\" content=\"bpfscope\">") != NULL;
}

/* Check what dfd holds; with clear, remove our program pages (a new snapshot has others). */
static int dir_check(int dfd, bool clear, bool *foreign)
{
	bool index = false, any = false;
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	*foreign = false;
	rewinddir(d);	/* the dup shares its offset with dfd: an earlier pass left it at the end */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		any = true;
		if (!our_name(de->d_name, &index))
			*foreign = true;
		else if (clear && strcmp(de->d_name, "index.html") &&
			 unlinkat(dfd, de->d_name, 0) && errno != ENOENT) {
			int saved = errno;

			closedir(d);
			return -saved;
		}
	}
	closedir(d);
	if (any && !index)
		*foreign = true;
	if (any && index && !index_is_ours(dfd))
		*foreign = true;
	return 0;
}

int report_dir_open(struct ctx *ctx, const char *dir, int *dfd)
{
	bool foreign = false;
	int err;

	*dfd = -1;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return p_err(ctx, "can't make directory %s: %s", dir, strerror(errno));
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dfd < 0)
		return p_err(ctx, "can't open directory %s: %s", dir, strerror(errno));
	err = dir_check(*dfd, false, &foreign);
	if (!err && foreign)
		return p_err(ctx, "%s is not empty and not a bpfscope report: not writing into it",
			     dir);
	if (!err)
		err = dir_check(*dfd, true, &foreign);
	if (err)
		return p_err(ctx, "can't read directory %s: %s", dir, strerror(-err));
	return 0;
}

FILE *report_file_at(struct ctx *ctx, int dfd, const char *dir, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat st;
	FILE *f;

	/* an existing file keeps its mode through O_TRUNC: it may have been readable (a
	 * regular file only: `file /dev/null` must leave the device as it is) */
	if (fd < 0 || fstat(fd, &st) || (S_ISREG(st.st_mode) && fchmod(fd, 0600))) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		p_err(ctx, "can't write %s%s%s: %s", dir ? dir : "", dir ? "/" : "", name,
		      strerror(saved));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		p_err(ctx, "can't write %s: %s", name, strerror(errno));
		close(fd);
		return NULL;
	}
	/* a page is megabytes: written 256 KiB a call rather than 4 KiB (12,500 writes for a
	 * 5,000-program page) */
	setvbuf(f, NULL, _IOFBF, 256 << 10);
	return f;
}

int report_file_close(struct ctx *ctx, FILE *f, const char *dir, const char *name)
{
	if (fclose(f))
		return p_err(ctx, "can't write %s%s%s: %s", dir ? dir : "", dir ? "/" : "", name,
			     strerror(errno));
	return 0;
}
