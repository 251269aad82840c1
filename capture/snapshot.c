/* Taking a snapshot: the machine's facts, then every BPF object, in one transaction, so a
 * killed probe leaves the database as it was. The phases run in one sequence here (see
 * snapshot_objects); what overlaps runs in threads started and joined by that sequence. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "config.h"
#include "capture/attachments.h"
#include "capture/bg.h"
#include "capture/feature_probe.h"
#include "capture/pins.h"
#include "capture/token.h"
#include "capture/capture_int.h"

void probe_trace(const struct probe *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!p->opts || !p->opts->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->opts->trace(p->opts->trace_arg, line);
}

static int64_t sysctl_val(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	return read_long_file(path, -1);
}

static int snapshot_row(struct probe *p, uint64_t taken_at, struct utsname *uts)
{
	struct snapshot_facts f = {
		.taken_at = taken_at, .label = p->opts->label, .host = uts->nodename,
		.boot_id = p->boot_id, .kernel_release = uts->release,
		.kernel_version = uts->version, .arch = uts->machine,
		.tool_version = BPFSCOPE_VERSION, .page_size = sysconf(_SC_PAGESIZE),
		.nr_cpus = p->nr_cpus, .boot_time_ns = boot_offset_now(), .mask = p->mask,
		.unprivileged_bpf_disabled = sysctl_val("kernel/unprivileged_bpf_disabled"),
		.bpf_jit_enable = sysctl_val("net/core/bpf_jit_enable"),
		.bpf_jit_harden = sysctl_val("net/core/bpf_jit_harden"),
		.bpf_jit_kallsyms = sysctl_val("net/core/bpf_jit_kallsyms"),
		.bpf_stats_enabled = sysctl_val("kernel/bpf_stats_enabled"),
	};
	int err = writer_snapshot_begin(&p->w, &f);

	p->snap_id = p->w.snap_id;
	return err;
}

static int snapshot_finish(struct probe *p, uint64_t t0, const char *warnings)
{
	struct snapshot_result *r = p->res;
	struct snapshot_counts c = {
		.nr_progs = r->nr_progs, .nr_maps = r->nr_maps, .nr_btf = r->nr_btf,
		.nr_links = r->nr_links, .nr_attachments = r->nr_attachments, .nr_pins = r->nr_pins,
		.vanished_progs = r->vanished_progs, .vanished_maps = r->vanished_maps,
		.vanished_btf = r->vanished_btf, .vanished_links = r->vanished_links,
		.warnings = warnings,
		.stats_interval_ns = (p->mask & SNAP_STATS) ? (int64_t)p->opts->stats_interval_ns : -1,
	};

	r->vanished = r->vanished_progs + r->vanished_maps + r->vanished_btf + r->vanished_links;
	r->duration_ns = c.duration_ns = now_monotonic_ns() - t0;
	return writer_snapshot_finish(&p->w, &c);
}

/* BPFSCOPE_TRACE=1 prints how long each phase took, for the benchmarks. */
static void phase_done(struct probe *p, const char *what)
{
	uint64_t now = now_monotonic_ns();
	int64_t rows = db_total_changes(p->db);

	probe_trace(p, "phase %-12s %8.2f ms %6lld rows", what, (now - p->phase_t) / 1e6,
		    (long long)(rows - p->phase_rows));
	p->phase_t = now;
	p->phase_rows = rows;
}

void probe_cleanup(struct probe *p)
{
	writer_close(&p->w);
	free(p->prev);
	free(p->prev_iter);
	free(p->prev_maps);
	att_seen_free(&p->att);
	kernel_calls_free(&p->calls);
	free(p->stats);
	free(p->walked);
	fdinfo_close(&p->fdi);
	for (size_t i = 0; i < ARRAY_SIZE(p->scratch); i++)
		buf_free(&p->scratch[i]);
}

/* What runs beside the walk, each in a thread of its own. */
struct others {
	struct iter_job iter;
	struct pins_job pins;
	struct bg_job bg;
	struct prog_list prog_list;
	char sock_warn[480];
	char warnings[1024];
};

static void warn_add(struct others *o, const char *w)
{
	size_t n = strlen(o->warnings);

	if (w[0])
		snprintf(o->warnings + n, sizeof(o->warnings) - n, "%s%s", n ? "; " : "", w);
}

/* The pins walked beside the programs; an unmounted bpffs is a warning. */
static int pins_phase(struct probe *p, struct others *o, const char *bpffs)
{
	int err = pins_finish(p, &o->pins);

	if (err > 0) {
		snprintf(o->warnings, sizeof(o->warnings),
			 "bpffs is not mounted at %s: pins not recorded", bpffs);
		err = 0;
	}
	return err;
}

/* A live view of one program: it, its owners and (for -f or a pinned selector) the pins;
 * the rest (maps, links, attachments, BTF objects) is no part of what it prints. */
static int snapshot_one_prog(struct probe *p, struct others *o)
{
	const char *bpffs = p->opts->bpffs ? p->opts->bpffs : "/sys/fs/bpf";
	int err = 0;

	/* our iterator programs must be gone before the program is read (it may be one) */
	iter_job_join(&o->iter);
	if (p->opts->only_pin)
		err = pins_one(p, &o->pins, bpffs, p->opts->only_pin);
	else if (p->mask & SNAP_PINS)
		err = pins_start(p, &o->pins, bpffs);
	if (err < 0)
		return err_set(p->e, -err, "out of memory");
	err = prog_capture_one(p, p->opts->only_prog);
	if (!err)
		err = iter_job_owners_store(p, &o->iter);
	phase_done(p, "prog");
	if (!err && (p->mask & SNAP_PINS || p->opts->only_pin))
		err = pins_phase(p, o, bpffs);
	phase_done(p, "pins");
	warn_add(o, o->iter.warn);
	return err;
}

/* Every object, phase by phase, inside the transaction. */
static int snapshot_objects(struct probe *p, struct others *o)
{
	const char *bpffs = p->opts->bpffs ? p->opts->bpffs : "/sys/fs/bpf";
	struct walk *walk = NULL;
	int err;

	phase_done(p, "row");
	if (p->opts->only_prog)
		return snapshot_one_prog(p, o);
	err = walk_prepare(p, &walk) ?: kernel_calls_begin(p);
	/* the iterator programs must be gone before the walkers list programs */
	iter_job_join(&o->iter);
	if (!err) {
		err = walk_start(p, walk);
		if (!err && (p->mask & SNAP_PINS))
			pins_start(p, &o->pins, bpffs);
		if (!err)
			bg_start(p, &o->bg);
		p->bg = &o->bg;
		err = walk_finish(p, walk);
	}
	walk_free(walk);
	if (!err)
		err = iter_job_owners_store(p, &o->iter);
	if (!err && !(p->mask & SNAP_NO_PROGS))
		err = views_store(p, &o->iter);
	phase_done(p, "progs+maps");
	if (!err)
		err = probe_links(p);
	phase_done(p, "links");
	if (!err && (p->mask & SNAP_PINS))
		err = pins_phase(p, o, bpffs);
	phase_done(p, "pins");
	if (!err)	/* (without SNAP_ATTACH it ends the open attachment spans) */
		err = attach_capture(p->db, p->snap_id, p->mask, &p->att, &p->res->nr_attachments, p->e);
	phase_done(p, "attachments");
	if (!err && (p->mask & SNAP_SOCK)) {
		/* the iterator's socket holders, unless it did not run (or the walk is asked for:
		 * it is the iterator's oracle) */
		bool iter = iter_job_owners_ran(&o->iter) && !p->opts->no_iter, changed = true;
		int64_t rows = db_total_changes(p->db);

		err = probe_sockets(p, iter ? o->iter.o : NULL, iter ? o->iter.n : 0,
				    o->sock_warn, sizeof(o->sock_warn));
		/* rows of each snapshot, not spans: the same ones again are no change, and
		 * none where there were some is one */
		rows = db_total_changes(p->db) - rows;
		if (!err)
			err = writer_sockets_changed(&p->w, &changed);
		if (!err)
			p->unchanged_rows += rows - changed;
	}
	phase_done(p, "sockets");
	if (!err && p->history)	/* the delegating bpffs mounts: a line of /proc/mounts each */
		err = tokens_store(&p->w, p->e);
	/* last: the background thread had the longest to read vmlinux BTF and kallsyms */
	if (!err && !(p->mask & SNAP_NO_BTF))
		err = probe_btf(p);
	phase_done(p, "btf");
	if (!err && (p->mask & SNAP_CODE))
		err = kallsyms_store(p);
	phase_done(p, "kallsyms");
	if (!err && p->history)
		err = feature_probe_boot(p->db, p->boot_id, p->e);
	phase_done(p, "features");
	warn_add(o, o->iter.warn);
	warn_add(o, o->sock_warn);
	return err;
}

/* SNAP_STATS: run-time stats on, a baseline, the interval. The fd keeps them on: the
 * kernel turns them off again when it is closed. */
static int stats_interval(struct probe *p, int *stats_fd)
{
	struct timespec ts = { p->opts->stats_interval_ns / 1000000000ull,
			       p->opts->stats_interval_ns % 1000000000ull };
	int err;

	*stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (*stats_fd < 0)
		return err_set(p->e, errno, "can't enable BPF run-time stats: %s", strerror(errno));
	err = stats_baseline(p);
	if (!err)
		nanosleep(&ts, NULL);
	return err;
}

/* Where a snapshot goes: the caller's open database, or one opened here. */
enum take_db {
	TAKE_OPEN,	/* snapshot_take: db is open */
	TAKE_MEMORY,	/* snapshot_take_live: a new in-memory database */
	TAKE_FILE,	/* snapshot_take_at: the file at path, DB_WRITE */
	TAKE_FILE_NEW,	/* the same, made in memory and written whole if it does not exist */
};

/* Opened here, the program iterator starts before the database is: its per-cpu map is freed
 * an RCU grace period after it ran, and the snapshot waits for that before it returns
 * (iter_job_settle), so the sooner the better; a live view's iterators run while its
 * database is made. A file's owners and map list wait for its lock (iter_job_go), and
 * program records read long before it are not used. Not with a stats interval, after which
 * the iterators must run. */
static int take_open(struct probe *p, struct others *o, const char *path, enum take_db how)
{
	bool file = how != TAKE_MEMORY;
	int err;

	if (!(p->mask & SNAP_STATS)) {
		p->history = file;
		p->iter = &o->iter;
		iter_job_start(p, &o->iter, file);
	}
	/* a new file's first snapshot is made in memory and written whole after its commit,
	 * unless it holds map contents (any size: the file's pages are its memory) */
	if (!file)
		err = db_open(p->db, NULL, DB_MEMORY, p->e);
	else if (how == TAKE_FILE_NEW && !(p->mask & SNAP_MAPS_DATA))
		err = db_open_new(p->db, path, p->e);
	else
		err = db_open(p->db, path, DB_WRITE, p->e);
	phase_done(p, "open");
	p->phase_rows = err ? 0 : db_total_changes(p->db);
	return err;
}

static int take_once(struct db *db, const char *path, const struct snapshot_opts *opts,
		     struct snapshot_result *res, enum take_db how, struct err *e)
{
	struct probe p = { .db = db, .opts = opts, .res = res, .e = e, .mask = opts->mask };
	uint64_t t0 = now_monotonic_ns(), taken_at;
	struct others *o = calloc(1, sizeof(*o));
	struct utsname uts;
	int err, stats_fd = -1;
	int64_t changes;

	memset(res, 0, sizeof(*res));
	p.fdi.fd = -1;
	p.phase_t = t0;
	writer_init(&p.w, db, 0, e);
	if (!o)
		return err_set(e, ENOMEM, "out of memory");
	if (p.mask & SNAP_CODE)
		p.mask |= SNAP_BTF_DATA;	/* function names and source lines live in BTF */
	err = how != TAKE_OPEN ? take_open(&p, o, path, how) : 0;
	if (err)
		goto out;
	if (how == TAKE_OPEN)
		p.phase_rows = db_total_changes(db);
	uname(&uts);
	read_line_file("/proc/sys/kernel/random/boot_id", p.boot_id, sizeof(p.boot_id));
	p.nr_cpus = libbpf_num_possible_cpus();
	if (p.nr_cpus < 1)
		p.nr_cpus = 1;
	err = (p.mask & SNAP_STATS) ? stats_interval(&p, &stats_fd) : 0;
	if (err)
		goto out;
	/* The write lock first: another writer's snapshot may hold it for seconds, and what
	 * this one reads of the kernel (the iterators' map list, the time it is taken at) must
	 * be of after that one, or the two would land out of order. */
	err = db_begin(db, e);
	if (err)
		goto out;
	taken_at = now_realtime_ns();
	/* the iterators from here (after a stats interval, so the map list is as fresh as the
	 * walk), beside the open spans' reads */
	p.history = strcmp(db->path, ":memory:") != 0;
	if (p.iter)
		iter_job_go(&o->iter);
	else
		iter_job_start(&p, &o->iter, false);
	p.iter = &o->iter;
	/* the program ids from now on, beside the open spans' read (capture/prog_list.c) */
	if (p.history && !(p.mask & SNAP_NO_PROGS) && !opts->only_prog) {
		prog_list_start(&o->prog_list);
		p.prog_list = &o->prog_list;
	}
	err = snapshot_row(&p, taken_at, &uts);
	changes = db_total_changes(db);
	err = err ?: snapshot_objects(&p, o);
	res->object_changes = db_total_changes(db) - changes - p.unchanged_rows;
	err = err ?: snapshot_finish(&p, t0, o->warnings);
	res->id = p.snap_id;
	phase_done(&p, "finish");
	err = err ?: db_commit(db, e);
	phase_done(&p, "commit");
	if (err)
		db_rollback(db);
	err = err ?: db_publish(db, e);
	phase_done(&p, "publish");
	iter_job_settle(&o->iter);
	phase_done(&p, "settle");
out:
	if (stats_fd >= 0)
		close(stats_fd);
	prog_list_free(&o->prog_list);
	pins_free(&o->pins);
	bg_free(&o->bg);
	iter_job_free(&o->iter);
	free(o);
	probe_cleanup(&p);
	return err;
}

int snapshot_take_at(struct db *db, const char *path, const struct snapshot_opts *opts,
		     struct snapshot_result *res, struct err *e)
{
	int err = take_once(db, path, opts, res, TAKE_FILE_NEW, e);

	/* another writer made the file while this one's first snapshot was in memory (or the
	 * file system has no links): this one goes into the file, taken again */
	if (err && db->publish_lost) {
		db_close(db);
		err_clear(e);
		err = take_once(db, path, opts, res, TAKE_FILE, e);
	}
	return err;
}

int snapshot_take(struct db *db, const struct snapshot_opts *opts, struct snapshot_result *res,
		  struct err *e)
{
	return take_once(db, NULL, opts, res, TAKE_OPEN, e);
}

int snapshot_take_live(struct db *db, const struct snapshot_opts *opts, struct snapshot_result *res,
		       struct err *e)
{
	return take_once(db, NULL, opts, res, TAKE_MEMORY, e);
}
