/* Small helpers shared by every layer. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include "lib/util.h"

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t u64_sort_unique(uint64_t *v, size_t n)
{
	size_t m = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), u64_cmp);
	for (size_t i = 0; i < n; i++)
		if (!m || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

bool u64_sorted_has(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == x;
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra, cap = b->cap ? b->cap : 256;
	uint8_t *p;

	if (need < b->len)
		return -ENOMEM;
	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int array_room(void **v, size_t *cap, size_t n, size_t elem)
{
	size_t c = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	if (c < *cap || c > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*v, c * elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t len)
{
	int err = buf_reserve(b, len);

	if (err)
		return err;
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int read_file(const char *path, size_t max, struct buf *out, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return err_set(e, errno, "can't open %s: %s", path, strerror(errno));
	for (;;) {
		ssize_t n;

		if (buf_reserve(out, 65536)) {
			err = err_set(e, ENOMEM, "out of memory reading %s", path);
			break;
		}
		n = read(fd, out->data + out->len, out->cap - out->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = err_set(e, errno, "can't read %s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		out->len += n;
		if (out->len > max) {
			err = err_set(e, EFBIG, "%s is larger than %zu bytes", path, max);
			break;
		}
	}
	close(fd);
	return err;
}

int open_private(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

FILE *fopen_private(const char *path)
{
	int fd = open_private(path), saved;
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return f;
}

void unlink_regular(const char *path)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISREG(st.st_mode))
		unlink(path);
}

int read_line_file(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	out[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(out, len, f))
		out[0] = 0;
	fclose(f);
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = 0;
	return 0;
}

long read_long_file(const char *path, long dflt)
{
	char line[64];

	if (read_line_file(path, line, sizeof(line)) || !line[0])
		return dflt;
	return strtol(line, NULL, 10);
}

void hex_encode(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = 0;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t now_realtime_ns(void) { return clock_ns(CLOCK_REALTIME); }
uint64_t now_boottime_ns(void) { return clock_ns(CLOCK_BOOTTIME); }
uint64_t now_monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

uint64_t hash64(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

void fmt_time_local(int64_t unix_sec, char *out, size_t len)
{
	time_t t = unix_sec;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(out, len, "%FT%T%z", &tm))
		snprintf(out, len, "%lld", (long long)unix_sec);
}

void fmt_time_utc_ns(int64_t ns, char *out, size_t len)
{
	time_t t = ns / 1000000000;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, len, "%lld", (long long)ns);
}

char *str_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

char *str_cat(const char *first, ...)
{
	size_t plen[16], n = 0, len = 0, at = 0;
	va_list ap;
	char *s;

	/* one strlen per part: the first 16 parts' lengths are kept for the copy */
	va_start(ap, first);
	for (const char *p = first; p; p = va_arg(ap, const char *), n++) {
		size_t l = strlen(p);

		if (n < ARRAY_SIZE(plen))
			plen[n] = l;
		len += l;
	}
	va_end(ap);
	s = malloc(len + 1);
	if (!s)
		return NULL;
	va_start(ap, first);
	for (size_t i = 0; i < n; i++) {
		const char *p = i ? va_arg(ap, const char *) : first;
		size_t l = i < ARRAY_SIZE(plen) ? plen[i] : strlen(p);

		memcpy(s + at, p, l);
		at += l;
	}
	va_end(ap);
	s[at] = 0;
	return s;
}

bool str_is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool is_prefix(const char *pfx, const char *str)
{
	return pfx && str && *pfx && !strncmp(str, pfx, strlen(pfx));
}

void rcu_wait_step(void)
{
	/* MEMBARRIER_CMD_GLOBAL waits for a grace period; where it is refused, a sleep */
	if (syscall(__NR_membarrier, 1 << 1, 0, 0))
		usleep(5000);
	else
		usleep(1000);
}
