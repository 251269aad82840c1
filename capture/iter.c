/* Running bpfscope's BPF iterators (capture/iter.h): one read each, the records as
 * capture/iter_rec.h lays them out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "capture/iter.h"
#include "lib/util.h"

/* The kernel's word for which iterator the link runs: the target's id may come from a
 * cache (capture/iter_targets.h), and one of another iterator would read other objects. */
static int link_target_check(int link, enum iter_prog which, struct err *e)
{
	const char *want = iter_target_name(which) + strlen("bpf_iter_");
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char name[64] = "";

	memset(&info, 0, sizeof(info));
	info.iter.target_name = (__u64)(uintptr_t)name;
	info.iter.target_name_len = sizeof(name);
	if (bpf_obj_get_info_by_fd(link, &info, &len))
		return err_set(e, errno, "iterator %s: link info: %s", iter_prog_name(which),
			       strerror(errno));
	name[sizeof(name) - 1] = '\0';
	if (strcmp(name, want))
		return err_set(e, EPROTO, "iterator %s: attached to target %s, not %s",
			       iter_prog_name(which), name, want);
	return 0;
}

/* Load one iterator, read it all into out; *self: the iterator program's own id. */
static int run_iter(const struct iter_kit *k, enum iter_prog which, struct buf *out,
		    uint32_t *self, struct err *e)
{
	const char *name = iter_prog_name(which);
	int prog, link = -1, it = -1, err = 0;

	prog = iter_kit_load(k, which, e);
	if (prog < 0) {
		iter_kit_target_wrong(k);
		return prog;
	}
	if (self) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(prog, &info, &len)) {
			err = err_set(e, errno, "iterator %s: info: %s", name, strerror(errno));
			goto out;
		}
		*self = info.id;
	}
	link = bpf_link_create(prog, 0, BPF_TRACE_ITER, NULL);
	if (link < 0) {
		err = err_set(e, errno, "iterator %s: link: %s", name, strerror(errno));
		goto out;
	}
	err = link_target_check(link, which, e);
	if (err) {
		iter_kit_target_wrong(k);
		goto out;
	}
	it = bpf_iter_create(link);
	if (it < 0) {
		err = err_set(e, errno, "iterator %s: create: %s", name, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (buf_reserve(out, 65536)) {
			err = err_set(e, ENOMEM, "out of memory reading iterator %s", name);
			break;
		}
		n = read(it, out->data + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = err_set(e, errno, "iterator %s: read: %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		out->len += n;
	}
out:
	if (it >= 0)
		close(it);
	if (link >= 0)
		close(link);
	close(prog);
	return err;
}

int iter_scan(const struct iter_kit *k, struct iter_scan *out, uint32_t *prog_id, struct err *e)
{
	struct buf raw = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	err = run_iter(k, ITER_MAPS, &raw, prog_id, e);
	if (!err && raw.len % sizeof(struct iter_map))
		err = err_set(e, EPROTO, "iterator bpfscope_maps: %zu bytes", raw.len);
	if (!err) {
		size_t n = raw.len / sizeof(struct iter_map);
		uint32_t own = iter_kit_own_map(k);

		out->maps = calloc(n + 1, sizeof(*out->maps));
		if (!out->maps)
			err = err_set(e, ENOMEM, "out of memory");
		for (size_t i = 0; !err && i < n; i++) {
			struct iter_map m;

			memcpy(&m, raw.data + i * sizeof(m), sizeof(m));
			if (m.id != own || !own)	/* (ours is none) */
				out->maps[out->nr_maps++] = m;
		}
	}
	buf_free(&raw);
	if (err)
		iter_scan_free(out);
	return err;
}

static int owner_cmp(const void *a, const void *b)
{
	const struct iter_owner *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* the order: owner_cmp's, then the fd (a socket's lowest fd is the one kept) */
static int owner_fd_cmp(const void *a, const void *b)
{
	const struct iter_owner *x = a, *y = b;

	return owner_cmp(a, b) ?: (x->fd > y->fd) - (x->fd < y->fd);
}

int iter_owners(const struct iter_kit *k, struct iter_owner **out, size_t *n, uint32_t *prog_id,
		struct err *e)
{
	struct buf raw = { 0 };
	uint32_t self = getpid();
	size_t m = 0;
	int err;

	*out = NULL;
	*n = 0;
	err = run_iter(k, ITER_OWNERS, &raw, prog_id, e);
	if (!err && raw.len % sizeof(struct iter_owner))
		err = err_set(e, EPROTO, "iterator bpfscope_pids: %zu bytes", raw.len);
	if (!err) {
		*n = raw.len / sizeof(struct iter_owner);
		*out = calloc(*n + 1, sizeof(**out));
		if (!*out)
			err = err_set(e, ENOMEM, "out of memory");
	}
	if (!err && *n) {
		struct iter_owner *o = *out;

		memcpy(o, raw.data, raw.len);
		qsort(o, *n, sizeof(*o), owner_fd_cmp);
		/* a process with several fds of one object is one owner; this one is none */
		for (size_t i = 0; i < *n; i++) {
			o[i].comm[sizeof(o[i].comm) - 1] = 0;
			if (o[i].pid == self || (m && !owner_cmp(&o[m - 1], &o[i])))
				continue;
			o[m++] = o[i];
		}
		*n = m;
	}
	buf_free(&raw);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

static int prog_rec_cmp(const void *a, const void *b)
{
	const struct iter_prog_rec *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The records apart from their rests (ITER_PROG_REST), into arrays of their own: the
 * number of records, or -1 when the bytes are not records. */
static long progs_split(const struct buf *raw, struct iter_prog_rec *r, struct iter_prog_rest *rest)
{
	size_t off = 0, n = 0;

	while (off + sizeof(*r) <= raw->len) {
		struct iter_prog_rec one;

		memcpy(&one, raw->data + off, sizeof(one));
		off += sizeof(one);
		if (r)
			r[n] = one;
		if (one.flags & ITER_PROG_REST) {
			if (off + sizeof(*rest) > raw->len)
				return -1;
			if (rest)
				memcpy(&rest[n], raw->data + off, sizeof(*rest));
			off += sizeof(*rest);
		} else if (rest) {
			memset(&rest[n], 0, sizeof(*rest));
		}
		n++;
	}
	return off == raw->len ? (long)n : -1;
}

/* Both arrays sorted by id together (a kernel that walks its ids out of order). */
static int progs_sort(struct iter_prog_rec *r, struct iter_prog_rest *rest, size_t n)
{
	struct iter_prog_rest *tmp;
	struct { struct iter_prog_rec r; size_t at; } *v;

	if (!rest) {
		qsort(r, n, sizeof(*r), prog_rec_cmp);
		return 0;
	}
	v = malloc(n * sizeof(*v));
	tmp = malloc(n * sizeof(*tmp));
	if (!v || !tmp) {
		free(v);
		free(tmp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		v[i].r = r[i], v[i].at = i;
	qsort(v, n, sizeof(*v), prog_rec_cmp);	/* (the record is the first member) */
	memcpy(tmp, rest, n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++) {
		r[i] = v[i].r;
		rest[i] = tmp[v[i].at];
	}
	free(v);
	free(tmp);
	return 0;
}

int iter_progs(const struct iter_kit *k, struct iter_prog_rec **out, size_t *n,
	       struct iter_prog_rest **rest, uint32_t *prog_id, struct err *e)
{
	struct buf raw = { 0 };
	struct iter_prog_rest *x = NULL;
	struct iter_prog_rec *r = NULL;
	uint32_t self = 0;
	size_t m = 0;
	long nr = 0;
	bool sorted = true;
	int err;

	*out = NULL;
	*n = 0;
	if (rest)
		*rest = NULL;
	err = run_iter(k, ITER_PROGS, &raw, &self, e);
	if (!err && (nr = progs_split(&raw, NULL, NULL)) < 0)
		err = err_set(e, EPROTO, "iterator bpfscope_progs: %zu bytes", raw.len);
	if (!err && (size_t)nr * sizeof(*r) != raw.len) {
		/* with rests: two arrays (a live view's; dropped if not asked for) */
		r = malloc((nr + 1) * sizeof(*r));
		x = malloc((nr + 1) * sizeof(*x));
		if (!r || !x)
			err = err_set(e, ENOMEM, "out of memory");
		else
			progs_split(&raw, r, x);
	} else if (!err) {
		/* the records where read() put them (5,000 are 520 KB: a copy would be fresh
		 * memory touched page by page), one more for an empty list's sake */
		if (buf_reserve(&raw, sizeof(*r)))
			err = err_set(e, ENOMEM, "out of memory");
		r = err ? NULL : (struct iter_prog_rec *)raw.data;
		if (r)
			raw = (struct buf){ 0 };
	}
	/* (the kernel walks its ids in order, the offsets record, id 0, last: sorting is for
	 * a kernel that does not) */
	for (long i = 1, last = !err && nr ? r[0].id : 0; !err && i < nr && sorted; i++) {
		sorted = !r[i].id || r[i].id > last;
		last = r[i].id ? r[i].id : last;
	}
	if (!err && !sorted && progs_sort(r, x, nr))
		err = err_set(e, ENOMEM, "out of memory");
	/* the iterator itself is none (it runs first of the kit's: no other of ours is left
	 * to list, capture/iter_job.c); id 0 is its offsets record */
	for (long i = 0; !err && i < nr; i++) {
		r[i].name[sizeof(r[i].name) - 1] = 0;
		if (!r[i].id && (r[i].flags & ITER_PROG_OFFSETS)) {
			if (r[i].flags & ITER_PROG_LINEAR)
				iter_kit_offsets(k, r[i].run_cnt, r[i].run_time_ns, r[i].nr_cpus);
		} else if (r[i].id && r[i].id != self) {
			if (x)
				x[m] = x[i];
			r[m++] = r[i];
		}
	}
	if (prog_id)
		*prog_id = self;
	buf_free(&raw);
	if (err) {
		free(r);
		free(x);
		return err;
	}
	*out = r;
	*n = m;
	if (rest)
		*rest = x;
	else
		free(x);
	return 0;
}

const struct iter_prog_rec *iter_prog_find(const struct iter_prog_rec *r, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].id == id ? &r[lo] : NULL;
}

void iter_scan_free(struct iter_scan *s)
{
	free(s->maps);
	memset(s, 0, sizeof(*s));
}
