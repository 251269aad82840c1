/* Small helpers shared by every layer: buffers, files, hex, time. */
#ifndef BPFSCOPE_UTIL_H
#define BPFSCOPE_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lib/err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A growable byte buffer. */
struct buf {
	uint8_t *data;
	size_t len, cap;
};
/* Sort v[0..n) and drop repeats: the number kept. */
size_t u64_sort_unique(uint64_t *v, size_t n);
/* x in v[0..n), sorted. */
bool u64_sorted_has(const uint64_t *v, size_t n, uint64_t x);
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t len);
void buf_free(struct buf *b);
/* Room for one more element in the array *v of n elements of elem bytes (*cap of them
 * allocated), doubled as it grows: the push of every growable list. -ENOMEM. */
int array_room(void **v, size_t *cap, size_t n, size_t elem);

/* Read a whole file (at most max bytes). */
int read_file(const char *path, size_t max, struct buf *out, struct err *e);
/* Open a file the command writes (a report, a drawing, a dump) for writing, truncated; a new
 * one is made 0600 whatever the umask, since it shows what the kernel runs. An existing file
 * keeps its mode (it may be /dev/stdout or one the user opened up on purpose). NULL and
 * errno on failure. */
FILE *fopen_private(const char *path);
/* Remove what a failed write left at path, only when it is a regular file: never a device
 * (`file /dev/null`), a fifo or a directory. */
void unlink_regular(const char *path);
int open_private(const char *path);
/* Read a small text file's first line, trimmed; "" on failure. */
int read_line_file(const char *path, char *out, size_t len);
long read_long_file(const char *path, long dflt);
void hex_encode(const uint8_t *p, size_t len, char *out);	/* out: 2*len+1 */
uint64_t now_realtime_ns(void);
uint64_t now_boottime_ns(void);
uint64_t now_monotonic_ns(void);
/* "2025-03-18T05:38:34-0400" as bpftool prints loaded_at, in local time */
void fmt_time_local(int64_t unix_sec, char *out, size_t len);
/* "2026-11-25T12:56:37Z" from unix nanoseconds, as snapshot list prints taken_at */
void fmt_time_utc_ns(int64_t ns, char *out, size_t len);
bool is_prefix(const char *pfx, const char *str);
/* s is one or more decimal digits (a /proc pid or fd name) */
bool str_is_digits(const char *s);
/* A malloc'ed string from printf's format; NULL on ENOMEM. */
char *str_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The strings up to a NULL, joined, malloc'ed; NULL on ENOMEM. What builds a string per
 * object of a snapshot (identities) uses it: a tenth of str_fmt's cost. */
char *str_cat(const char *first, ...) __attribute__((sentinel));
/* FNV-1a over bytes, for digests that tell a changed record from an unchanged one (not
 * for anything an attacker chooses to collide with) */
#define HASH64_INIT 0xcbf29ce484222325ull
uint64_t hash64(uint64_t h, const void *p, size_t len);
/* One step of waiting for the kernel to release objects freed after an RCU grace period
 * (a closed probe's BTF and maps): a grace period, then a little sleep. */
void rcu_wait_step(void);

#endif
