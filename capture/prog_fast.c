/* The program iterator's records (capture/iter.bpf.c) instead of opening programs:
 * - a repeat snapshot's fast path: a program whose record matches its open span is not
 *   opened; its span goes on and only its counters are written. Why a match proves the
 *   stored row unchanged: docs/probe.md.
 * - a live view's rows: a view of every program without code (`prog show`) writes the row
 *   a record tells all of (with its rest: uid, BTF, maps) as the walk would have written it
 *   from get-info, and the walkers open only the others: 3 syscalls less a program. The
 *   walk (BPFSCOPE_NO_ITER=1) is the oracle (tests/t_fast.sh, live_rows_equal_walk). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* Does this process see user ids as the initial namespace does? The iterator reads the
 * kernel's; get-info maps them into the caller's namespace. */
static bool uid_map_initial(void)
{
	char map[256];
	unsigned long long inside, outside, count;
	int used = 0;

	if (read_line_file("/proc/self/uid_map", map, sizeof(map)) < 0)
		return false;
	return sscanf(map, " %llu %llu %llu %n", &inside, &outside, &count, &used) == 3 &&
	       !inside && !outside && count == 4294967295ull && !map[used];
}

bool progs_live_wanted(const struct probe *p)
{
	return !p->history && !p->opts->no_iter && !p->opts->only_prog &&
	       !(p->mask & (SNAP_NO_PROGS | SNAP_CODE | SNAP_STATS | SNAP_VIEWS)) &&
	       uid_map_initial();
}

/* Does record r with its rest tell all of the row the walk would write? Not: a program
 * with a target program (attach_btf_obj_id is the target's BTF), on a device (ifindex,
 * netns), JITed as several functions (get-info sums their sizes), with more maps than the
 * rest holds, with counters not summed over every cpu, or a name cut where BTF may have
 * the whole one. */
static bool told_whole(const struct probe *p, const struct iter_prog_rec *r,
		       const struct iter_prog_rest *x)
{
	if (!(r->flags & ITER_PROG_REST) ||
	    (r->flags & (ITER_PROG_DST | ITER_PROG_DEV | ITER_PROG_SUBPROGS | ITER_PROG_MAPS_CUT)))
		return false;
	if ((int)r->nr_cpus != p->nr_cpus || !r->pages || r->nr_map_ids > ITER_PROG_MAP_IDS)
		return false;
	for (uint32_t i = 0; i < r->nr_map_ids; i++)
		if (!x->map_ids[i])
			return false;	/* (a map pointer not read) */
	return strnlen(r->name, sizeof(r->name)) < BPF_OBJ_NAME_LEN - 1 || !x->btf_id;
}

int progs_live_select(struct probe *p, uint32_t **idx, uint32_t **ids, size_t *n)
{
	size_t nr = 0, m = 0;
	const struct iter_prog_rec *r = p->iter ? iter_job_progs(p->iter, &nr) : NULL;
	const struct iter_prog_rest *x = r ? p->iter->rests : NULL;

	*idx = *ids = NULL;
	*n = 0;
	/* (rests are there only when progs_live_wanted asked for them: iter_job_start) */
	if (!x || cpus_contiguous() != p->nr_cpus)
		return 0;
	*idx = malloc((nr + 1) * sizeof(**idx));
	*ids = malloc((nr + 1) * sizeof(**ids));
	if (!*idx || !*ids)
		return err_set(p->e, ENOMEM, "out of memory");
	for (size_t i = 0; i < nr; i++) {
		if (!told_whole(p, &r[i], &x[i]))
			continue;
		(*idx)[m] = i;
		(*ids)[m++] = r[i].id;
	}
	*n = m;
	probe_trace(p, "live rows: %zu of %zu programs as the iterator told them", m, nr);
	return 0;
}

int prog_write_live(struct probe *p, size_t i, struct obj_rec *told, int64_t boot_offset_ns,
		    const uint32_t **map_ids, uint32_t *nr_map_ids)
{
	const struct iter_prog_rec *r = &p->iter->progs[i];
	const struct iter_prog_rest *x = &p->iter->rests[i];
	struct bpf_prog_info *info = &told->info.prog;
	int err;

	memset(info, 0, sizeof(*info));
	info->type = r->type;
	info->id = r->id;
	memcpy(info->tag, r->tag, sizeof(info->tag));
	info->jited_prog_len = r->jited_len;
	info->xlated_prog_len = r->xlated_len;
	info->load_time = r->load_time;
	info->created_by_uid = x->uid;
	memcpy(info->name, r->name, sizeof(info->name));
	info->gpl_compatible = !!(r->flags & ITER_PROG_GPL);
	info->btf_id = x->btf_id;
	info->run_time_ns = r->run_time_ns;
	info->run_cnt = r->run_cnt;
	info->recursion_misses = r->recursion_misses;
	info->verified_insns = x->verified_insns;
	info->attach_btf_obj_id = r->attach_btf_obj_id;
	info->attach_btf_id = x->attach_btf_id;
	told->memlock = (uint64_t)r->pages * (uint64_t)getpagesize();
	*map_ids = x->map_ids;
	*nr_map_ids = r->nr_map_ids;
	att_seen_prog(&p->att, r->type);
	err = walked_add(p, r->id) ?: prog_write_told(p, told, x->map_ids, r->nr_map_ids,
						       boot_offset_ns);
	p->res->nr_progs += !err;
	return err;
}
