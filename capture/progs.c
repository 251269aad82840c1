/* Capturing programs: one get-info call per program with every array at once into
 * reusable buffers (a retry only when a buffer was too small), memlock from fdinfo. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "capture/capture_int.h"

enum { B_XL, B_JT, B_MAPS, B_FI, B_LI, B_JLI, B_KSYMS, B_FLENS, B_TAGS, B_NR };

/* Point info's arrays at the scratch buffers, asking for up to cap of each. */
static int prog_info_arrays(struct buf *scratch, bool code, struct bpf_prog_info *info,
			    const uint32_t *want)
{
	static const uint32_t rec[B_NR] = { 1, 1, 4, sizeof(struct bpf_func_info),
		sizeof(struct bpf_line_info), 8, 8, 4, BPF_TAG_SIZE };

	for (int i = 0; i < B_NR; i++) {
		size_t bytes = (size_t)want[i] * rec[i];

		if (buf_reserve(&scratch[i], bytes + 8))
			return -ENOMEM;	/* the caller names it: this runs on the walker thread */
	}
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = want[B_MAPS];
	info->map_ids = (uintptr_t)scratch[B_MAPS].data;
	if (!code)
		return 0;
	info->xlated_prog_len = want[B_XL];
	info->xlated_prog_insns = (uintptr_t)scratch[B_XL].data;
	info->jited_prog_len = want[B_JT];
	info->jited_prog_insns = (uintptr_t)scratch[B_JT].data;
	info->nr_func_info = want[B_FI];
	info->func_info_rec_size = rec[B_FI];
	info->func_info = (uintptr_t)scratch[B_FI].data;
	info->nr_line_info = want[B_LI];
	info->line_info_rec_size = rec[B_LI];
	info->line_info = (uintptr_t)scratch[B_LI].data;
	info->nr_jited_line_info = want[B_JLI];
	info->jited_line_info_rec_size = rec[B_JLI];
	info->jited_line_info = (uintptr_t)scratch[B_JLI].data;
	info->nr_jited_ksyms = want[B_KSYMS];
	info->jited_ksyms = (uintptr_t)scratch[B_KSYMS].data;
	info->nr_jited_func_lens = want[B_FLENS];
	info->jited_func_lens = (uintptr_t)scratch[B_FLENS].data;
	info->nr_prog_tags = want[B_TAGS];
	info->prog_tags = (uintptr_t)scratch[B_TAGS].data;
	return 0;
}

static bool prog_info_fits(const struct bpf_prog_info *info, const uint32_t *want, bool code,
			   uint32_t *need)
{
	uint32_t got[B_NR] = { info->xlated_prog_len, info->jited_prog_len, info->nr_map_ids,
		info->nr_func_info, info->nr_line_info, info->nr_jited_line_info,
		info->nr_jited_ksyms, info->nr_jited_func_lens, info->nr_prog_tags };
	bool fits = true;

	for (int i = 0; i < B_NR; i++) {
		if (!code && i != B_MAPS)
			continue;
		need[i] = got[i] > want[i] ? got[i] : want[i];
		if (got[i] > want[i])
			fits = false;
	}
	return fits;
}

/* The kernel keeps 15 bytes of a name; like bpftool, take the full one from BTF func info
 * when the name looks cut. Only then: it costs a BTF load. */
static void prog_full_name(int fd, const struct bpf_prog_info *info, char *out, size_t outlen)
{
	struct bpf_prog_info fi = { 0 };
	struct bpf_func_info finfo = { 0 };
	__u32 len = sizeof(fi);
	struct btf *btf;
	const struct btf_type *t;

	out[0] = 0;
	if (strnlen(info->name, sizeof(info->name)) < BPF_OBJ_NAME_LEN - 1 || !info->btf_id ||
	    !info->nr_func_info)
		return;
	fi.nr_func_info = 1;
	fi.func_info_rec_size = sizeof(finfo);
	fi.func_info = (uintptr_t)&finfo;
	if (bpf_obj_get_info_by_fd(fd, &fi, &len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t && btf_is_func(t)) {
		const char *n = btf__name_by_offset(btf, t->name_off);

		if (n && *n)
			snprintf(out, outlen, "%s", n);
	}
	btf__free(btf);
}

/* The open program spans (what the latest snapshot saw), sorted by id: programs are
 * immutable, so a program with the same id and load time has the same code and an
 * unchanged system re-fetches none and writes no row. */
int prev_code_load(struct probe *p)
{
	uint64_t t0 = now_monotonic_ns();
	int err = store_open_progs(p->db, p->boot_id, &p->prev, &p->nr_prev, p->e);

	probe_trace(p, "open programs %8.2f ms (%zu)", (now_monotonic_ns() - t0) / 1e6, p->nr_prev);
	return err;
}

/* (the id is the first member of struct open_prog and struct open_map) */
int span_id_cmp(const void *key, const void *elem)
{
	uint32_t a = *(const uint32_t *)key, b = *(const uint32_t *)elem;

	return a < b ? -1 : a > b;
}

const struct open_prog *prev_code_find(const struct probe *p, uint32_t id)
{
	return p->nr_prev ? bsearch(&id, p->prev, p->nr_prev, sizeof(*p->prev), span_id_cmp) : NULL;
}

int progs_close_unseen(struct probe *p)
{
	int err = 0;

	for (size_t i = 0; i < p->nr_prev && !err; i++)
		if (!p->prev[i].seen)
			err = writer_span_close(&p->w, SPAN_PROG, p->prev[i].row);
	return err;
}

/* What tells a program state from another: every stored fact but the run-time counters
 * (their own table) and the code (fixed for a program's life), with the boot. */
static uint64_t prog_digest(const struct probe *p, const struct obj_rec *r)
{
	const struct bpf_prog_info *info = &r->info.prog;
	uint64_t v[] = { info->id, info->type, info->gpl_compatible, info->load_time,
		info->created_by_uid, info->xlated_prog_len, info->jited_prog_len, r->memlock,
		info->btf_id, info->ifindex, info->netns_dev, info->netns_ino,
		info->verified_insns, info->attach_btf_obj_id, info->attach_btf_id };
	uint64_t h = hash64(p->boot_hash, v, sizeof(v));

	h = hash64(h, info->name, sizeof(info->name));
	h = hash64(h, info->tag, sizeof(info->tag));
	h = hash64(h, r->full_name, strnlen(r->full_name, sizeof(r->full_name)));
	return hash64(h, r->data.data + r->off[B_MAPS], r->len[B_MAPS]);
}

/* Kernel side of one program: what only the fd can tell (memlock, full name) and copies of
 * the arrays get-info wrote into the scratch buffers. Runs on the walker thread. */
int prog_collect(struct probe *p, struct walk_mem *m, int fd, const struct bpf_prog_info *info,
		 const struct open_prog *prev, struct obj_rec *r)
{
	static const uint32_t rec[B_NR] = { 1, 1, 4, sizeof(struct bpf_func_info),
		sizeof(struct bpf_line_info), 8, 8, 4, BPF_TAG_SIZE };
	uint32_t n[B_NR] = { info->xlated_prog_len, info->jited_prog_len, info->nr_map_ids,
		info->nr_func_info, info->nr_line_info, info->nr_jited_line_info,
		info->nr_jited_ksyms, info->nr_jited_func_lens, info->nr_prog_tags };
	bool code;

	r->kind = 'p';
	r->info.prog = *info;
	r->prev = prev && prev->code_ok ? prev : NULL;
	code = (p->mask & SNAP_CODE) && !r->prev;
	if (prev) {		/* the same program as in the last snapshot: these cannot change */
		r->memlock = prev->memlock;
		snprintf(r->full_name, sizeof(r->full_name), "%s", prev->full_name);
	} else {
		/* memlock is the program's pages, which the iterator read: no fdinfo, whose
		 * read was the walk's costliest call */
		const struct iter_prog_rec *it = p->iter ? iter_job_prog(p->iter, info->id) : NULL;

		if (it && it->pages)
			r->memlock = (uint64_t)it->pages * (uint64_t)getpagesize();
		else if (!fdinfo_load(&m->fdi, fd))
			fdinfo_val(&m->fdi, "memlock", &r->memlock);
		prog_full_name(fd, info, r->full_name, sizeof(r->full_name));
	}
	for (int i = 0; i < B_NR; i++) {
		r->off[i] = r->data.len;
		r->len[i] = 0;
		if (!code && i != B_MAPS)
			continue;
		r->len[i] = n[i] * rec[i];
		if (buf_append(&r->data, m->scratch[i].data, r->len[i]))
			return -ENOMEM;
	}
	return 0;
}

const void *prog_rec_map_ids(const struct obj_rec *r, size_t *n)
{
	*n = r->len[B_MAPS] / 4;
	return r->data.data + r->off[B_MAPS];
}

/* The record for the writer: code blobs when this snapshot fetched them, else the row of
 * the span whose code the new one copies. */
static void prog_rec_fill(const struct probe *p, const struct obj_rec *r, int64_t boot_offset_ns,
			  struct prog_rec *pr)
{
	/* the obj_rec's arrays, in the writer's order of blobs */
	static const int from[PROG_BLOB_NR] = { B_XL, B_JT, B_FI, B_LI, B_JLI, B_KSYMS, B_FLENS,
						B_TAGS };
	const struct bpf_prog_info *info = &r->info.prog;

	*pr = (struct prog_rec){
		.info = info,
		.memlock = r->memlock,
		/* wall clock of the load: (realtime - boottime) + load_time, in whole seconds.
		 * bpftool subtracts whole seconds first and so flips by one from run to run. */
		.loaded_at = (boot_offset_ns + (int64_t)info->load_time) / 1000000000ll,
		.full_name = r->full_name,
		.map_ids = r->data.data + r->off[B_MAPS],
		.nr_map_ids = r->len[B_MAPS] / 4,
		.code = p->mask & SNAP_CODE,
		.code_from = r->prev ? r->prev->row : 0,
	};
	for (int i = 0; i < PROG_BLOB_NR && pr->code && !r->prev; i++) {
		pr->blob[i] = r->data.data + r->off[from[i]];
		pr->blob_len[i] = r->len[from[i]];
		if (!r->packed_ok)
			continue;
		pr->packed_ok = true;
		pr->packed[i] = r->packed[i];
		pr->packed[i].z = r->packed[i].codec ? r->data.data + r->packed_off[i] : pr->blob[i];
	}
}

/* The code blobs of a file's snapshot hashed and compressed here, on the walker, not by
 * the writer's thread: its connection is the snapshot's one thread that cannot be doubled.
 * The compressed bytes go after the arrays in r->data. */
static int prog_pack(const struct probe *p, struct walk_mem *m, struct obj_rec *r)
{
	struct prog_rec pr;

	for (int i = 0; i < PROG_BLOB_NR; i++) {
		struct blob_packed *b = &r->packed[i];

		prog_rec_fill(p, r, 0, &pr);	/* (the arrays' place, after the last append) */
		if (!pr.blob_len[i])
			continue;
		int code = blob_pack(&m->packer, pr.blob[i], pr.blob_len[i], b);

		if (code)
			return code;
		r->packed_off[i] = r->data.len;
		if (b->codec && buf_append(&r->data, b->z, b->zlen))
			return -ENOMEM;
		b->z = NULL;	/* (placed by prog_rec_fill: data may move) */
	}
	r->packed_ok = true;
	return 0;
}

/* Database side of one program: nothing when its span goes on (same digest, and code when
 * this snapshot wants code), else the old span ends and a new one starts. Runs on the
 * thread that owns the connection. */
int prog_write(struct probe *p, const struct obj_rec *r, int64_t boot_offset_ns)
{
	const struct bpf_prog_info *info = &r->info.prog;
	struct open_prog *prev = (struct open_prog *)prev_code_find(p, info->id);
	struct prog_rec pr;
	int64_t row;
	int err;

	prog_rec_fill(p, r, boot_offset_ns, &pr);
	pr.digest = prog_digest(p, r);
	if (prev && prev->seen)
		prev = NULL;	/* (an id twice in one walk: keep both) */
	if (prev && prev->digest == pr.digest && (prev->code_ok || !(p->mask & SNAP_CODE))) {
		prev->seen = true;
		return writer_prog_stats(&p->w, prev->row, info);
	}
	if (prev) {
		prev->seen = true;
		err = writer_span_close(&p->w, SPAN_PROG, prev->row);
		if (err)
			return err;
	}
	err = writer_prog(&p->w, &pr, &row);
	/* code fetched (not an earlier row's of this boot): its calls, for the kernel symbols */
	if (!err && p->history && pr.code && !pr.code_from)
		err = kernel_calls_add(p, r);
	return err ?: writer_prog_stats(&p->w, row, info);
}

/* A program whose record is made of what the program iterator told (capture/prog_fast.c):
 * info and memlock, its map ids in r->data (r: the caller's, reused; no code). */
int prog_write_told(struct probe *p, struct obj_rec *r, const uint32_t *map_ids, uint32_t n,
		    int64_t boot_offset_ns)
{
	r->kind = 'p';
	r->prev = NULL;
	r->full_name[0] = 0;
	r->data.len = 0;
	memset(r->off, 0, sizeof(r->off));
	memset(r->len, 0, sizeof(r->len));
	r->info.prog.nr_map_ids = n;
	r->len[B_MAPS] = n * sizeof(uint32_t);
	if (n && buf_append(&r->data, map_ids, r->len[B_MAPS]))
		return err_set(p->e, ENOMEM, "out of memory");
	return prog_write(p, r, boot_offset_ns);
}

/* Run-time stats before the stats interval, so the snapshot records what ran during it. */
struct stats_base {
	uint32_t id;
	uint64_t load_time, run_cnt, run_time_ns;
};

int stats_baseline(struct probe *p)
{
	size_t cap = 0;
	uint32_t id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			if (p->nr_stats == cap) {
				struct stats_base *n;

				cap = cap ? cap * 2 : 256;
				n = realloc(p->stats, cap * sizeof(*n));
				if (!n) {
					close(fd);
					return err_set(p->e, ENOMEM, "out of memory");
				}
				p->stats = n;
			}
			p->stats[p->nr_stats++] = (struct stats_base){ id, info.load_time, info.run_cnt,
								       info.run_time_ns };
		}
		close(fd);
	}
	return 0;
}

void stats_delta(const struct probe *p, struct bpf_prog_info *info)
{
	size_t lo = 0, hi = p->nr_stats;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->stats[mid].id < info->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nr_stats && p->stats[lo].id == info->id && p->stats[lo].load_time == info->load_time) {
		info->run_cnt -= p->stats[lo].run_cnt <= info->run_cnt ? p->stats[lo].run_cnt : info->run_cnt;
		info->run_time_ns -= p->stats[lo].run_time_ns <= info->run_time_ns ?
				     p->stats[lo].run_time_ns : info->run_time_ns;
	}
}

int64_t boot_offset_now(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (int64_t)(rt.tv_sec - bt.tv_sec) * 1000000000ll + (rt.tv_nsec - bt.tv_nsec);
}

/* Get info with every array, growing buffers until they fit. */
static int prog_info_full(struct probe *p, struct walk_mem *m, int fd, uint32_t id,
			  struct bpf_prog_info *info, uint32_t *want)
{
	uint32_t need[B_NR];

	for (int tries = 0;; tries++) {
		__u32 len = sizeof(*info);
		if (prog_info_arrays(m->scratch, true, info, want))
			return err_set(p->e, ENOMEM, "out of memory fetching program info");
		if (bpf_obj_get_info_by_fd(fd, info, &len))
			return err_set(p->e, errno, "can't get prog info (id %u): %s", id, strerror(errno));
		if (prog_info_fits(info, want, true, need) || tries > 3)
			return 0;
		for (int i = 0; i < B_NR; i++)
			if (need[i] > want[i])
				want[i] = need[i];
	}
}

/* A live view's programs get their code in the rows its snapshot has (written once, by
 * the cheap walk, and completed here). */
int snapshot_fill_code(struct db *db, int64_t snap_id, const uint32_t *ids, size_t n,
		       bool kallsyms, struct err *e)
{
	struct snapshot_opts opts = { 0 };
	struct snapshot_result res = { 0 };
	struct probe p = { .db = db, .snap_id = snap_id, .mask = SNAP_CODE, .e = e, .opts = &opts,
			   .res = &res };
	uint32_t want[B_NR] = { 65536, 65536, 64, 64, 1024, 1024, 64, 64, 64 };
	struct walk_mem m = { .fdi.fd = -1 };
	int err;

	p.fdi.fd = -1;
	writer_init(&p.w, db, snap_id, e);
	read_line_file("/proc/sys/kernel/random/boot_id", p.boot_id, sizeof(p.boot_id));
	err = db_begin(db, e);
	if (err)
		goto out;
	err = kallsyms ? probe_kallsyms(&p) : 0;
	for (size_t i = 0; !err && i < n; i++) {
		struct bpf_prog_info info;
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0) {
			err = err_set(e, errno, "can't get prog fd (id %u): %s", ids[i], strerror(errno));
			break;
		}
		err = prog_info_full(&p, &m, fd, ids[i], &info, want);
		if (!err) {
			struct obj_rec r = { 0 };
			struct prog_rec pr;

			err = prog_collect(&p, &m, fd, &info, NULL, &r);
			prog_rec_fill(&p, &r, 0, &pr);
			err = err ?: writer_prog_code(&p.w, &pr);
			buf_free(&r.data);
		}
		close(fd);
		if (!err && info.btf_id)
			err = btf_fill_data(&p, info.btf_id);
	}
	if (!err)
		err = db_commit(db, e);
	else
		db_rollback(db);
out:
	walk_mem_free(&m);
	probe_cleanup(&p);
	return err;
}

/* One program for a walker thread: get-info into its scratch buffers (every array at once
 * when the code is needed, none when the open span has it; a retry only when a buffer was
 * short), then a record for the writer. *out stays NULL when the program went away. */
int prog_walk_one(struct probe *p, struct walk_mem *m, struct err *e, uint32_t id,
		  struct obj_rec **out)
{
	uint32_t none[B_NR] = { 0, 0, 64, 0, 0, 0, 0, 0, 0 }, need[B_NR];
	const struct open_prog *prev = prev_code_find(p, id);
	bool code = p->mask & SNAP_CODE;
	struct bpf_prog_info info;
	struct obj_rec *r;
	int fd, err = 0;

	*out = NULL;
	if (!m->want[B_MAPS])
		memcpy(m->want, (uint32_t[B_NR]){ 65536, 65536, 64, 64, 1024, 1024, 64, 64, 64 },
		       sizeof(m->want));
	if (prev && !prev->same_boot)
		prev = NULL;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0) {
		if (errno == ENOENT) {	/* it went away since its id was listed */
			m->vanished_progs++;
			return 0;
		}
		return err_set(e, errno, "can't get prog fd (id %u): %s", id, strerror(errno));
	}
	for (int tries = 0;; tries++) {
		bool fetch = code && !(prev && prev->code_ok);
		uint32_t *ask = fetch ? m->want : none;
		__u32 len = sizeof(info);

		if (prog_info_arrays(m->scratch, code, &info, ask)) {
			err = err_set(e, ENOMEM, "out of memory fetching program info");
			break;
		}
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = err_set(e, errno, "can't get prog info (id %u): %s", id, strerror(errno));
			break;
		}
		if (prev && prev->load_time != info.load_time) {
			prev = NULL;	/* a new program under a reused id */
			continue;
		}
		if (prog_info_fits(&info, ask, fetch, need) || tries > 3)
			break;
		for (int i = 0; i < B_NR; i++)
			if (need[i] > ask[i])
				ask[i] = need[i];
	}
	if (!err && p->stats)
		stats_delta(p, &info);
	r = err ? NULL : calloc(1, sizeof(*r));
	if (!err && !r)
		err = err_set(e, ENOMEM, "out of memory");
	if (!err && prog_collect(p, m, fd, &info, prev, r))
		err = err_set(e, ENOMEM, "out of memory");
	close(fd);
	/* code fetched into a file's snapshot: the kernel addresses it calls, found here */
	if (!err && p->history && (p->mask & SNAP_CODE) && !r->prev) {
		struct prog_rec pr;

		prog_rec_fill(p, r, 0, &pr);	/* (for its code: no clock offset needed) */
		err = kernel_calls_scan(m, &pr, r, e);
	}
	if (!err && !p->db->memory && (p->mask & SNAP_CODE) && !r->prev) {
		int code = prog_pack(p, m, r);

		if (code)
			err = err_set(e, -code, "can't compress program %u's code: %s", id,
				      strerror(-code));
	}
	if (err && r)
		rec_free(r);
	else
		*out = r;
	return err;
}

/* A live view of one program (opts->only_prog): its record straight to the writer on this
 * thread, no walker and no listing of ids. Gone or never there, it is simply not written. */
int prog_capture_one(struct probe *p, uint32_t id)
{
	struct walk_mem m = { .fdi.fd = -1 };
	struct obj_rec *r = NULL;
	int err;

	p->boot_hash = hash64(HASH64_INIT, p->boot_id, strlen(p->boot_id));
	err = writer_progs_prepare(&p->w);
	if (!err)
		err = prog_walk_one(p, &m, p->e, id, &r);
	if (!err && r) {
		att_seen_prog(&p->att, r->info.prog.type);
		err = prog_write(p, r, boot_offset_now());
		p->res->nr_progs += !err;
	}
	p->res->vanished_progs += m.vanished_progs;
	if (r)
		rec_free(r);
	walk_mem_free(&m);
	return err;
}

/* A live view's kernel symbols, when a dump first needs one. */
int snapshot_fill_kallsyms(struct db *db, int64_t snap_id, struct err *e)
{
	struct snapshot_opts opts = { 0 };
	struct snapshot_result res = { 0 };
	struct probe p = { .db = db, .snap_id = snap_id, .mask = SNAP_CODE, .e = e, .opts = &opts,
			   .res = &res };
	int err;

	p.fdi.fd = -1;
	writer_init(&p.w, db, snap_id, e);
	read_line_file("/proc/sys/kernel/random/boot_id", p.boot_id, sizeof(p.boot_id));
	err = db_begin(db, e) ?: probe_kallsyms(&p);
	if (!err)
		err = db_commit(db, e);
	else
		db_rollback(db);
	probe_cleanup(&p);
	return err;
}
