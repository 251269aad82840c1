/* The audit's cross-views (docs/audit.md, hidden.object): the programs the iterator listed
 * and, when asked (SNAP_VIEWS), the BPF symbols of /proc/kallsyms, stored beside the id
 * walk's rows so that the check runs on a copy, offline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "capture/capture_int.h"

int walked_add(struct probe *p, uint32_t id)
{
	if (p->nr_walked == p->cap_walked) {
		size_t cap = p->cap_walked ? 2 * p->cap_walked : 256;
		uint32_t *v = realloc(p->walked, cap * sizeof(*v));

		if (!v)
			return err_set(p->e, ENOMEM, "out of memory");
		p->walked = v;
		p->cap_walked = cap;
	}
	p->walked[p->nr_walked++] = id;
	p->walked_sorted = false;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Did the walk list program id? (sorts the list the first time after it grew) */
static bool walk_listed(struct probe *p, uint32_t id)
{
	if (!p->nr_walked)
		return false;
	if (!p->walked_sorted)
		qsort(p->walked, p->nr_walked, sizeof(*p->walked), u32_cmp);
	p->walked_sorted = true;
	return bsearch(&id, p->walked, p->nr_walked, sizeof(id), u32_cmp);
}

/* Is program id there now: 1, 0 when gone (ENOENT), -1 when the kernel would not say. */
static int prog_there(uint32_t id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	close(fd);
	return 1;
}

bool prog_gone_since_walk(struct probe *p, uint32_t id)
{
	return !walk_listed(p, id) && !prog_there(id);
}

/* Keep id in the view? When the walk listed it; else only when the program is still there
 * and the id walk still skips it (the walk missed it: hidden). One that went away between
 * the iterator and the walk, or that the walk missed by a race with its loading or
 * unloading but lists now, is not kept: the audit would call it hidden. */
static bool keep_in_view(struct probe *p, uint32_t id)
{
	uint32_t next = 0;
	int there;

	if (walk_listed(p, id))
		return true;
	there = prog_there(id);
	if (there <= 0)
		return there < 0;
	return bpf_prog_get_next_id(id - 1, &next) || next != id;
}

/* "id tag name" a line, by id */
static int iter_view(struct probe *p, const struct iter_prog_rec *r, size_t n)
{
	struct buf b = { 0 };
	uint32_t nr = 0;
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		char line[64], tag[2 * BPF_TAG_SIZE + 1];
		int len;

		if (!keep_in_view(p, r[i].id))
			continue;
		hex_encode(r[i].tag, BPF_TAG_SIZE, tag);
		len = snprintf(line, sizeof(line), "%u %s %.16s\n", r[i].id, tag, r[i].name);
		err = buf_append(&b, line, len) ? err_set(p->e, ENOMEM, "out of memory") : 0;
		nr++;
	}
	err = err ?: writer_view(&p->w, "iter_progs", nr, b.data ? b.data : (void *)"", b.len);
	buf_free(&b);
	return err;
}

/* "tag name" a line, for each "bpf_prog_<tag>_<name> [bpf]" symbol, in kallsyms' order */
static int kallsyms_view(struct probe *p)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct buf b = { 0 };
	char line[512];
	uint32_t nr = 0;
	int err = 0;

	if (!f)
		return err_set(p->e, errno, "can't read /proc/kallsyms: %s", strerror(errno));
	while (!err && fgets(line, sizeof(line), f)) {
		char *sym = strchr(line, ' '), *end;

		if (!sym || !(sym = strchr(sym + 1, ' ')) || strncmp(++sym, "bpf_prog_", 9) ||
		    !strstr(sym, "[bpf]"))
			continue;
		sym += 9;
		end = sym + strcspn(sym, " \t\n");
		if (end - sym < 2 * BPF_TAG_SIZE + 1 || sym[2 * BPF_TAG_SIZE] != '_')
			continue;
		sym[2 * BPF_TAG_SIZE] = ' ';
		*end = '\n';
		err = buf_append(&b, sym, end - sym + 1) ? err_set(p->e, ENOMEM, "out of memory") : 0;
		nr++;
	}
	fclose(f);
	err = err ?: writer_view(&p->w, "kallsyms", nr, b.data ? b.data : (void *)"", b.len);
	buf_free(&b);
	return err;
}

/* "pid gone|replaced path" a line, for each process holding a BPF object whose executable
 * is deleted (/proc/PID/exe ends " (deleted)"): gone, a loader run from a file it then
 * removed, as implants do; replaced, a file is at that path again, as after a package
 * upgrade of a running daemon. The path's control bytes become '?': it is one line. */
static int deleted_exe_view(struct probe *p, const struct iter_owner *o, size_t n)
{
	uint32_t *pids = calloc(n + 1, sizeof(*pids)), nr = 0;
	struct buf b = { 0 };
	size_t np = 0;
	int err = 0;

	if (!pids)
		return err_set(p->e, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (o[i].kind != 's' && o[i].pid)
			pids[np++] = o[i].pid;
	qsort(pids, np, sizeof(*pids), u32_cmp);
	for (size_t i = 0; !err && i < np; i++) {
		char link[64], exe[4096 + 16], line[4096 + 64];
		bool replaced;
		ssize_t len;
		int w;

		if (i && pids[i] == pids[i - 1])
			continue;
		snprintf(link, sizeof(link), "/proc/%u/exe", pids[i]);
		len = readlink(link, exe, sizeof(exe) - 1);
		if (len < 11)
			continue;	/* a kernel thread has none; a process gone */
		exe[len] = 0;
		if (strcmp(exe + len - 10, " (deleted)"))
			continue;
		exe[len - 10] = 0;
		/* a file at the path again: replaced while it ran (a package upgrade) */
		replaced = !access(exe, F_OK);
		for (char *c = exe; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		w = snprintf(line, sizeof(line), "%u %s %s\n", pids[i], replaced ? "replaced" : "gone",
			     exe);
		err = buf_append(&b, line, w) ? err_set(p->e, ENOMEM, "out of memory") : 0;
		nr++;
	}
	if (!err && nr)	/* (no view when none: the common case adds no row) */
		err = writer_view(&p->w, "deleted_exe", nr, b.data, b.len);
	buf_free(&b);
	free(pids);
	return err;
}

int views_store(struct probe *p, struct iter_job *j)
{
	size_t n;
	const struct iter_prog_rec *r = iter_job_progs(j, &n);
	int err = 0;

	if (r || (j->want & ITER_WANT(ITER_PROGS) && !j->progs_err))
		err = iter_view(p, r, n);
	if (!err && (p->mask & SNAP_VIEWS))
		err = kallsyms_view(p);
	if (!err && iter_job_owners_ran(j))
		err = deleted_exe_view(p, j->o, j->n);
	return err;
}
