/* A repeat snapshot's fast path for programs: a program whose iterator record
 * (capture/iter.bpf.c) matches its open span is not opened; its span goes on and only its
 * counters are written. Why a match proves the stored row unchanged: docs/probe.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/capture_int.h"

bool walk_wants_prog_iter(const struct probe *p)
{
	/* a stats interval subtracts a baseline the syscall walk takes; map contents are
	 * walked map by map, and the map list is what vouches for an unopened program's maps */
	return p->history && !p->opts->no_iter &&
	       !(p->mask & (SNAP_NO_PROGS | SNAP_STATS | SNAP_MAPS_DATA));
}

/* The number of possible cpus when they are 0..N-1 (what the iterator sums: it stops at the
 * first cpu without a copy), else -1. */
static int cpus_contiguous(void)
{
	char line[64];
	unsigned a, b;
	char end;

	if (read_line_file("/sys/devices/system/cpu/possible", line, sizeof(line)) < 0)
		return -1;
	if (sscanf(line, "%u-%u%c", &a, &b, &end) == 2 && a == 0 && b < 65536)
		return b + 1;
	if (sscanf(line, "%u%c", &a, &end) == 1 && a == 0)
		return 1;
	return -1;
}

/* Does record r show what the open span prev holds (docs/probe.md, "unchanged")? The same
 * (boot, id, load time) is the same program, whose code, name, tag, sizes, BTF, owner and
 * memlock are fixed at load; what can change is compared. */
static bool prog_unchanged(const struct probe *p, const struct open_prog *prev,
			   const struct iter_prog_rec *r, bool maps_listed)
{
	char tag[2 * BPF_TAG_SIZE + 1];

	if (!prev->same_boot || prev->load_time != r->load_time ||
	    ((p->mask & SNAP_CODE) && !prev->code_ok))
		return false;
	/* BPF_PROG_BIND_MAP appends maps; attaching a program with a target program drops
	 * the target (attach_btf_obj_id); a device going away clears ifindex */
	if (prev->nr_map_ids != r->nr_map_ids || (r->flags & (ITER_PROG_DST | ITER_PROG_DEV)) ||
	    prev->attach_btf_obj_id != r->attach_btf_obj_id)
		return false;
	/* an unopened program's maps must be in the snapshot: the map list has them */
	if (r->nr_map_ids && !maps_listed)
		return false;
	if ((int)r->nr_cpus != p->nr_cpus)
		return false;	/* counters not summed over every cpu */
	/* (fixed for the program's life: a mismatch would be a reused id) */
	hex_encode(r->tag, BPF_TAG_SIZE, tag);
	return prev->type == r->type && prev->bytes_xlated == r->xlated_len &&
	       !strcmp(prev->tag, tag) && !strncmp(prev->name, r->name, sizeof(r->name));
}

int progs_from_iter(struct probe *p, bool maps_listed)
{
	size_t n, fast = 0;
	const struct iter_prog_rec *r = iter_job_progs(p->iter, &n);

	if (!r || !p->nr_prev)
		return 0;
	if (cpus_contiguous() != p->nr_cpus) {
		probe_trace(p, "fast path: possible cpus not 0..%d", p->nr_cpus - 1);
		return 0;
	}
	p->prev_iter = calloc(p->nr_prev, sizeof(*p->prev_iter));
	if (!p->prev_iter)
		return err_set(p->e, ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nr_prev; i++) {
		const struct iter_prog_rec *rec = iter_prog_find(r, n, p->prev[i].id);

		if (rec && prog_unchanged(p, &p->prev[i], rec, maps_listed)) {
			p->prev_iter[i] = rec;
			fast++;
		}
	}
	probe_trace(p, "fast path: %zu of %zu programs unchanged", fast, n);
	return 0;
}

long prog_fast_index(const struct probe *p, uint32_t id)
{
	const struct open_prog *prev = p->prev_iter ? prev_code_find(p, id) : NULL;

	return prev && p->prev_iter[prev - p->prev] ? prev - p->prev : -1;
}

int prog_write_unchanged(struct probe *p, size_t i)
{
	struct open_prog *prev = &p->prev[i];
	const struct iter_prog_rec *rec = p->prev_iter[i];
	struct bpf_prog_info info = {
		.id = prev->id, .type = rec->type, .run_cnt = rec->run_cnt,
		.run_time_ns = rec->run_time_ns, .recursion_misses = rec->recursion_misses,
	};
	int err;

	att_seen_prog(&p->att, rec->type);
	err = walked_add(p, prev->id);
	if (err)
		return err;
	p->res->nr_progs++;
	if (prev->seen)		/* (an id twice in one walk: the first keeps the span) */
		return 0;
	prev->seen = true;
	return writer_prog_stats(&p->w, prev->row, &info);
}
