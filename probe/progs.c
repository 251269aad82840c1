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
#include "probe/probe_int.h"

enum { B_XL, B_JT, B_MAPS, B_FI, B_LI, B_JLI, B_KSYMS, B_FLENS, B_TAGS, B_NR };

#define PROG_COLS "snapshot_id, id, type, name, tag, gpl_compatible, load_time, loaded_at, uid," \
	" bytes_xlated, jited, bytes_jited, bytes_memlock, btf_id, ifindex, netns_dev, netns_ino," \
	" run_time_ns, run_cnt, recursion_misses, verified_insns, attach_btf_obj_id, attach_btf_id," \
	" nr_func_info, func_info_rec_size, nr_line_info, line_info_rec_size, nr_jited_line_info," \
	" jited_line_info_rec_size, nr_jited_ksyms, nr_jited_func_lens, nr_prog_tags," \
	" xlated, jited_insns, func_info, line_info, jited_line_info, jited_ksyms, jited_func_lens," \
	" prog_tags, full_name"
#define COL_XLATED 33
#define COL_FULL_NAME 41

/* Point info's arrays at the scratch buffers, asking for up to cap of each. */
static int prog_info_arrays(struct probe *p, struct bpf_prog_info *info, const uint32_t *want)
{
	static const uint32_t rec[B_NR] = { 1, 1, 4, sizeof(struct bpf_func_info),
		sizeof(struct bpf_line_info), 8, 8, 4, BPF_TAG_SIZE };
	bool code = p->mask & SNAP_CODE;

	for (int i = 0; i < B_NR; i++) {
		size_t bytes = (size_t)want[i] * rec[i];

		if (buf_reserve(&p->scratch[i], bytes + 8))
			return -ENOMEM;	/* the caller names it: this runs on the walker thread */
	}
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = want[B_MAPS];
	info->map_ids = (uintptr_t)p->scratch[B_MAPS].data;
	if (!code)
		return 0;
	info->xlated_prog_len = want[B_XL];
	info->xlated_prog_insns = (uintptr_t)p->scratch[B_XL].data;
	info->jited_prog_len = want[B_JT];
	info->jited_prog_insns = (uintptr_t)p->scratch[B_JT].data;
	info->nr_func_info = want[B_FI];
	info->func_info_rec_size = rec[B_FI];
	info->func_info = (uintptr_t)p->scratch[B_FI].data;
	info->nr_line_info = want[B_LI];
	info->line_info_rec_size = rec[B_LI];
	info->line_info = (uintptr_t)p->scratch[B_LI].data;
	info->nr_jited_line_info = want[B_JLI];
	info->jited_line_info_rec_size = rec[B_JLI];
	info->jited_line_info = (uintptr_t)p->scratch[B_JLI].data;
	info->nr_jited_ksyms = want[B_KSYMS];
	info->jited_ksyms = (uintptr_t)p->scratch[B_KSYMS].data;
	info->nr_jited_func_lens = want[B_FLENS];
	info->jited_func_lens = (uintptr_t)p->scratch[B_FLENS].data;
	info->nr_prog_tags = want[B_TAGS];
	info->prog_tags = (uintptr_t)p->scratch[B_TAGS].data;
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

/* Code hashes of the programs of the latest earlier snapshot of this boot, sorted by id:
 * programs are immutable, so a program with the same id and load time has the same code
 * and an unchanged system re-fetches none. */
struct prev_code {
	uint32_t id;
	uint64_t load_time;
	uint64_t memlock;		/* fixed at load: no fdinfo read for a known program */
	char full_name[128];
	bool code_ok;			/* that snapshot has this program's code */
	uint8_t hash[8][SHA256_LEN];
	uint8_t has;			/* bit c: column c has a blob */
};

int prev_code_load(struct probe *p)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int err;

	err = db_prepare(p->db, "SELECT id, load_time, xlated, jited_insns, func_info, line_info,"
			 " jited_line_info, jited_ksyms, jited_func_lens, prog_tags, bytes_memlock,"
			 " full_name, (SELECT mask & 1 FROM snapshots s WHERE s.id = snapshot_id)"
			 " FROM progs WHERE snapshot_id = (SELECT max(id) FROM snapshots WHERE"
			 " boot_id = ?1 AND id < ?2 AND nr_progs IS NOT NULL) ORDER BY id", &st, p->e);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, p->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, p->snap_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct prev_code *pc;

		if (p->nr_prev == cap) {
			struct prev_code *n;

			cap = cap ? cap * 2 : 256;
			n = realloc(p->prev, cap * sizeof(*n));
			if (!n) {
				sqlite3_finalize(st);
				return err_set(p->e, ENOMEM, "out of memory");
			}
			p->prev = n;
		}
		pc = &p->prev[p->nr_prev++];
		pc->id = sqlite3_column_int64(st, 0);
		pc->load_time = sqlite3_column_int64(st, 1);
		pc->has = 0;
		for (int c = 0; c < 8; c++) {
			if (sqlite3_column_bytes(st, 2 + c) != SHA256_LEN)
				continue;
			memcpy(pc->hash[c], sqlite3_column_blob(st, 2 + c), SHA256_LEN);
			pc->has |= 1u << c;
		}
		pc->memlock = sqlite3_column_int64(st, 10);
		snprintf(pc->full_name, sizeof(pc->full_name), "%s",
			 (const char *)sqlite3_column_text(st, 11) ?: "");
		pc->code_ok = sqlite3_column_int(st, 12) && (pc->has & 1);
	}
	sqlite3_finalize(st);
	return 0;
}

const struct prev_code *prev_code_find(const struct probe *p, uint32_t id)
{
	size_t lo = 0, hi = p->nr_prev;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->prev[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nr_prev && p->prev[lo].id == id)
		return &p->prev[lo];
	return NULL;
}

static void prev_code_bind(const struct prev_code *pc, sqlite3_stmt *ins)
{
	for (int c = 0; c < 8; c++)
		if (pc->has & (1u << c))
			sqlite3_bind_blob(ins, COL_XLATED + c, pc->hash[c], SHA256_LEN, SQLITE_STATIC);
}

/* Kernel side of one program: what only the fd can tell (memlock, full name) and copies of
 * the arrays get-info wrote into the scratch buffers. Runs on the walker thread. */
int prog_collect(struct probe *p, int fd, const struct bpf_prog_info *info,
		 const struct prev_code *prev, struct obj_rec *r)
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
		if (!fdinfo_load(&p->fdi, fd))
			fdinfo_val(&p->fdi, "memlock", &r->memlock);
		prog_full_name(fd, info, r->full_name, sizeof(r->full_name));
	}
	for (int i = 0; i < B_NR; i++) {
		r->off[i] = r->data.len;
		r->len[i] = 0;
		if (!code && i != B_MAPS)
			continue;
		r->len[i] = n[i] * rec[i];
		if (buf_append(&r->data, p->scratch[i].data, r->len[i]))
			return -ENOMEM;
	}
	return 0;
}

/* Database side of one program. Runs on the thread that owns the connection. */
int prog_write(struct probe *p, const struct obj_rec *r, int64_t boot_offset_ns)
{
	static const char *const kinds[B_NR] = { "xlated", "jited", NULL, "func_info", "line_info",
		"jited_line_info", "jited_ksyms", "jited_func_lens", "prog_tags" };
	const struct bpf_prog_info *info = &r->info.prog;
	sqlite3_stmt *st = p->ins_prog;
	char tag[2 * BPF_TAG_SIZE + 1];
	int c = 1, err = 0;

	hex_encode(info->tag, BPF_TAG_SIZE, tag);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, c++, p->snap_id);
	sqlite3_bind_int64(st, c++, info->id);
	sqlite3_bind_int64(st, c++, info->type);
	sqlite3_bind_text(st, c++, info->name, strnlen(info->name, sizeof(info->name)), SQLITE_STATIC);
	sqlite3_bind_text(st, c++, tag, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, c++, info->gpl_compatible);
	sqlite3_bind_int64(st, c++, info->load_time);
	/* wall clock of the load: (realtime - boottime) + load_time, in whole seconds. bpftool
	 * subtracts whole seconds first and so flips by one from run to run; this does not. */
	sqlite3_bind_int64(st, c++, (boot_offset_ns + (int64_t)info->load_time) / 1000000000ll);
	sqlite3_bind_int64(st, c++, info->created_by_uid);
	sqlite3_bind_int64(st, c++, info->xlated_prog_len);
	sqlite3_bind_int(st, c++, info->jited_prog_len > 0);
	sqlite3_bind_int64(st, c++, info->jited_prog_len);
	sqlite3_bind_int64(st, c++, r->memlock);
	sqlite3_bind_int64(st, c++, info->btf_id);
	sqlite3_bind_int64(st, c++, info->ifindex);
	sqlite3_bind_int64(st, c++, info->netns_dev);
	sqlite3_bind_int64(st, c++, info->netns_ino);
	sqlite3_bind_int64(st, c++, info->run_time_ns);
	sqlite3_bind_int64(st, c++, info->run_cnt);
	sqlite3_bind_int64(st, c++, info->recursion_misses);
	sqlite3_bind_int64(st, c++, info->verified_insns);
	sqlite3_bind_int64(st, c++, info->attach_btf_obj_id);
	sqlite3_bind_int64(st, c++, info->attach_btf_id);
	if (p->mask & SNAP_CODE) {
		sqlite3_bind_int64(st, c++, info->nr_func_info);
		sqlite3_bind_int64(st, c++, info->func_info_rec_size);
		sqlite3_bind_int64(st, c++, info->nr_line_info);
		sqlite3_bind_int64(st, c++, info->line_info_rec_size);
		sqlite3_bind_int64(st, c++, info->nr_jited_line_info);
		sqlite3_bind_int64(st, c++, info->jited_line_info_rec_size);
		sqlite3_bind_int64(st, c++, info->nr_jited_ksyms);
		sqlite3_bind_int64(st, c++, info->nr_jited_func_lens);
		sqlite3_bind_int64(st, c++, info->nr_prog_tags);
		if (r->prev) {
			prev_code_bind(r->prev, st);
		} else {
			for (int i = 0; i < B_NR && !err; i++) {
				if (!kinds[i])
					continue;
				err = bind_blob(p, st, c++, kinds[i], r->data.data + r->off[i], r->len[i]);
			}
			if (err)
				return err;
		}
	}
	if (r->full_name[0])
		sqlite3_bind_text(st, COL_FULL_NAME, r->full_name, -1, SQLITE_STATIC);
	err = step_done(p, st, "program");
	for (uint32_t i = 0; !err && i < r->len[B_MAPS] / 4; i++) {
		sqlite3_stmt *m = p->ins_prog_map;
		uint32_t map_id;

		memcpy(&map_id, r->data.data + r->off[B_MAPS] + 4 * i, 4);
		sqlite3_reset(m);
		sqlite3_bind_int64(m, 1, p->snap_id);
		sqlite3_bind_int64(m, 2, info->id);
		sqlite3_bind_int64(m, 3, i);
		sqlite3_bind_int64(m, 4, map_id);
		err = step_done(p, m, "program map");
	}
	return err;
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

int prog_stmts(struct probe *p)
{
	int err = db_prepare(p->db, "INSERT INTO progs(" PROG_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
			     "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &p->ins_prog, p->e);

	return err ?: db_prepare(p->db, "INSERT INTO prog_maps(snapshot_id, prog_id, idx, map_id)"
				 " VALUES(?,?,?,?)", &p->ins_prog_map, p->e);
}

/* Get info with every array, growing buffers until they fit. */
static int prog_info_full(struct probe *p, int fd, uint32_t id, struct bpf_prog_info *info,
			  uint32_t *want)
{
	uint32_t need[B_NR];

	for (int tries = 0;; tries++) {
		__u32 len = sizeof(*info);
		if (prog_info_arrays(p, info, want))
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

int snapshot_fill_code(struct db *db, int64_t snap_id, const uint32_t *ids, size_t n, struct err *e)
{
	struct snapshot_opts opts = { 0 };
	struct snapshot_result res = { 0 };
	struct probe p = { .db = db, .snap_id = snap_id, .mask = SNAP_CODE, .e = e, .opts = &opts,
			   .res = &res };
	uint32_t want[B_NR] = { 65536, 65536, 64, 64, 1024, 1024, 64, 64, 64 };
	int64_t offset = boot_offset_now();
	sqlite3_stmt *del = NULL;
	int err;

	p.fdi.fd = -1;
	read_line_file("/proc/sys/kernel/random/boot_id", p.boot_id, sizeof(p.boot_id));
	err = prog_stmts(&p);
	err = err ?: db_prepare(db, "DELETE FROM progs WHERE snapshot_id = ?1 AND id = ?2;", &del, e);
	err = err ?: db_begin(db, e);
	if (err)
		goto out;
	err = probe_kallsyms(&p);
	for (size_t i = 0; !err && i < n; i++) {
		struct bpf_prog_info info;
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0) {
			err = err_set(e, errno, "can't get prog fd (id %u): %s", ids[i], strerror(errno));
			break;
		}
		err = prog_info_full(&p, fd, ids[i], &info, want);
		if (!err) {
			sqlite3_reset(del);
			sqlite3_bind_int64(del, 1, snap_id);
			sqlite3_bind_int64(del, 2, ids[i]);
			err = step_done(&p, del, "program");
		}
		if (!err) {
			char sql[128];

			snprintf(sql, sizeof(sql), "DELETE FROM prog_maps WHERE snapshot_id = %lld AND prog_id = %u",
				 (long long)snap_id, ids[i]);
			err = db_exec(db, sql, e);
		}
		if (!err) {
			struct obj_rec r = { 0 };

			err = prog_collect(&p, fd, &info, NULL, &r);
			err = err ?: prog_write(&p, &r, offset);
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
	sqlite3_finalize(del);
	probe_cleanup(&p);
	return err;
}

/* The walker thread's loop over programs: get-info into the scratch buffers, then a
 * record for the writer. */
int prog_walk(struct probe *p, struct err *e, emit_fn emit, void *ctx)
{
	uint32_t want[B_NR] = { 65536, 65536, 64, 64, 1024, 1024, 64, 64, 64 }, need[B_NR];
	uint32_t none[B_NR] = { 0, 0, 64, 0, 0, 0, 0, 0, 0 };
	bool code = p->mask & SNAP_CODE;
	uint32_t id = 0;
	int err = 0;

	for (;;) {
		const struct prev_code *prev = NULL;
		struct bpf_prog_info info;
		struct obj_rec *r;
		__u32 len = sizeof(info);
		int fd;

		if (bpf_prog_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			return err_set(e, errno, "can't get next program id after %u: %s", id,
				       strerror(errno));
		}
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT) {	/* it went away between the two calls */
				p->res->vanished++;
				continue;
			}
			return err_set(e, errno, "can't get prog fd (id %u): %s", id, strerror(errno));
		}
		/* one call with every array when the code is needed (a retry only when a buffer
		 * was short); no arrays when an earlier snapshot of this boot has this code */
		prev = prev_code_find(p, id);
		for (int tries = 0;; tries++) {
			bool fetch = code && !(prev && prev->code_ok);
			uint32_t *ask = fetch ? want : none;

			if (prog_info_arrays(p, &info, ask)) {
				err = err_set(e, ENOMEM, "out of memory fetching program info");
				break;
			}
			len = sizeof(info);
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
		if (!err && prog_collect(p, fd, &info, prev, r))
			err = err_set(e, ENOMEM, "out of memory");
		close(fd);
		if (!err)
			err = emit(ctx, r);
		else if (r)
			rec_free(r);
		if (err)
			return err;
	}
	return 0;
}
