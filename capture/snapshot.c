/* Taking a snapshot: the machine's facts, then every BPF object, in one transaction, so a
 * killed probe leaves the database as it was. */
#include <errno.h>
#include <pthread.h>
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
#include "capture/pins.h"
#include "capture/capture_int.h"

/* the views of db/schema.c and snapshot_delete name these bits by number */
_Static_assert(SNAP_PINS == 16 && SNAP_ATTACH == 32 && SNAP_NO_PROGS == 256 &&
	       SNAP_NO_MAPS == 512 && SNAP_ATTACH_NO_CGROUP == 2097152, "mask bits in SQL");

int bind_blob(struct probe *p, sqlite3_stmt *st, int col, const char *kind, const void *data,
	      size_t len)
{
	uint8_t hash[SHA256_LEN];
	int err;

	if (!len)
		return 0;
	err = blob_put(p->db, kind, data, len, hash, p->e);
	if (!err)
		sqlite3_bind_blob(st, col, hash, SHA256_LEN, SQLITE_TRANSIENT);
	return err;
}

int step_done(struct probe *p, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return err_set(p->e, EIO, "can't store %s in %s: %s", what, p->db->path,
			       sqlite3_errmsg(p->db->sql));
	return 0;
}

static int64_t sysctl_val(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	return read_long_file(path, -1);
}

static void bind_sysctl(sqlite3_stmt *st, int col, const char *name)
{
	int64_t v = sysctl_val(name);

	if (v >= 0)
		sqlite3_bind_int64(st, col, v);
}

static int snapshot_row(struct probe *p, uint64_t taken_at, struct utsname *uts)
{
	sqlite3_stmt *st;
	struct timespec rt, bt;
	int err;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	err = db_prepare(p->db, "INSERT INTO snapshots(taken_at, label, host, boot_id, kernel_release,"
			 " kernel_version, arch, page_size, nr_cpus, tool_version, mask, boot_time_ns,"
			 " unprivileged_bpf_disabled, bpf_jit_enable, bpf_jit_harden, bpf_jit_kallsyms,"
			 " bpf_stats_enabled) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st, p->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, taken_at);
	if (p->opts->label)
		sqlite3_bind_text(st, 2, p->opts->label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, uts->nodename, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, uts->release, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, uts->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, uts->machine, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, sysconf(_SC_PAGESIZE));
	sqlite3_bind_int64(st, 9, p->nr_cpus);
	sqlite3_bind_text(st, 10, BPFSCOPE_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, p->mask);
	sqlite3_bind_int64(st, 12, (int64_t)(rt.tv_sec - bt.tv_sec) * 1000000000ll +
			   (rt.tv_nsec - bt.tv_nsec));
	bind_sysctl(st, 13, "kernel/unprivileged_bpf_disabled");
	bind_sysctl(st, 14, "net/core/bpf_jit_enable");
	bind_sysctl(st, 15, "net/core/bpf_jit_harden");
	bind_sysctl(st, 16, "net/core/bpf_jit_kallsyms");
	bind_sysctl(st, 17, "kernel/bpf_stats_enabled");
	err = step_done(p, st, "snapshot");
	sqlite3_finalize(st);
	p->snap_id = sqlite3_last_insert_rowid(p->db->sql);
	return err;
}

static int snapshot_finish(struct probe *p, uint64_t t0, const char *warnings)
{
	struct snapshot_result *r = p->res;
	sqlite3_stmt *st;
	int err;

	r->duration_ns = now_monotonic_ns() - t0;
	err = db_prepare(p->db, "UPDATE snapshots SET nr_progs = ?, nr_maps = ?, nr_btf = ?,"
			 " nr_links = ?, nr_attachments = ?, nr_pins = ?, vanished_progs = ?,"
			 " duration_ns = ?, warnings = ?, stats_interval_ns = ? WHERE id = ?", &st, p->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, r->nr_progs);
	sqlite3_bind_int64(st, 2, r->nr_maps);
	sqlite3_bind_int64(st, 3, r->nr_btf);
	sqlite3_bind_int64(st, 4, r->nr_links);
	sqlite3_bind_int64(st, 5, r->nr_attachments);
	sqlite3_bind_int64(st, 6, r->nr_pins);
	sqlite3_bind_int64(st, 7, r->vanished);
	sqlite3_bind_int64(st, 8, r->duration_ns);
	if (warnings && *warnings)
		sqlite3_bind_text(st, 9, warnings, -1, SQLITE_STATIC);
	if (p->mask & SNAP_STATS)
		sqlite3_bind_int64(st, 10, p->opts->stats_interval_ns);
	sqlite3_bind_int64(st, 11, p->snap_id);
	err = step_done(p, st, "snapshot counts");
	sqlite3_finalize(st);
	return err;
}

/* BPFSCOPE_TRACE=1 prints how long each phase took, for the benchmarks. */
static void phase_done(struct probe *p, const char *what)
{
	uint64_t now = now_monotonic_ns();

	if (p->trace)
		fprintf(stderr, "phase %-12s %8.2f ms\n", what, (now - p->phase_t) / 1e6);
	p->phase_t = now;
}

void probe_cleanup(struct probe *p)
{
	sqlite3_finalize(p->ins_prog);
	sqlite3_finalize(p->ins_prog_map);
	sqlite3_finalize(p->ins_map);
	sqlite3_finalize(p->ins_btf);
	sqlite3_finalize(p->ins_link);
	sqlite3_finalize(p->ins_pin);
	sqlite3_finalize(p->ins_prog_stats);
	sqlite3_finalize(p->ins_map_data);
	sqlite3_finalize(p->close_prog);
	sqlite3_finalize(p->close_map);
	sqlite3_finalize(p->copy_code);
	free(p->prev);
	free(p->prev_maps);
	att_seen_free(&p->att);
	free(p->stats);
	fdinfo_close(&p->fdi);
	for (size_t i = 0; i < ARRAY_SIZE(p->scratch); i++)
		buf_free(&p->scratch[i]);
}

/* Which processes hold which objects (bpftool's "pids"), through the task file iterator,
 * in a thread from the snapshot's start until the walkers start (its program must be gone
 * when they list programs). A kernel that refuses the iterator leaves the owners out and
 * says so in the snapshot's warnings. */
struct owners_job {
	pthread_t th;
	bool started;
	bool ran;
	struct iter_owner *o;
	size_t n;
	int err;
	struct err e;
	char warn[480];
};

static void *owners_thread(void *arg)
{
	struct owners_job *j = arg;

	j->err = iter_owners(&j->o, &j->n, &j->e);
	return NULL;
}

static void owners_start(struct probe *p, struct owners_job *j)
{
	(void)p;
	if (!iter_available()) {
		snprintf(j->warn, sizeof(j->warn), "no vmlinux BTF to find process owners with");
		return;
	}
	j->ran = true;
	j->started = !pthread_create(&j->th, NULL, owners_thread, j);
	if (!j->started)
		owners_thread(j);
}

static void owners_join(struct owners_job *j)
{
	if (j->started)
		pthread_join(j->th, NULL);
	j->started = false;
}

static int owners_store(struct probe *p, struct owners_job *j)
{
	static const char *const kinds[] = { ['p'] = "prog", ['m'] = "map", ['l'] = "link",
					     ['b'] = "btf" };
	sqlite3_stmt *st = NULL;
	int err;

	owners_join(j);
	if (!j->ran)
		return 0;
	if (j->err) {
		snprintf(j->warn, sizeof(j->warn), "process owners not recorded: %.400s", j->e.msg);
		return 0;
	}
	err = db_prepare(p->db, "INSERT INTO owners(snapshot_id, obj_type, obj_id, pid, comm)"
			 " VALUES(?, ?, ?, ?, ?)", &st, p->e);
	for (size_t i = 0; !err && i < j->n; i++) {
		const struct iter_owner *o = &j->o[i];

		if (o->kind >= ARRAY_SIZE(kinds) || !kinds[o->kind])
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, p->snap_id);
		sqlite3_bind_text(st, 2, kinds[o->kind], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, o->id);
		sqlite3_bind_int64(st, 4, o->pid);
		sqlite3_bind_text(st, 5, o->comm, strnlen(o->comm, sizeof(o->comm)), SQLITE_STATIC);
		err = step_done(p, st, "owner");
	}
	sqlite3_finalize(st);
	return err;
}

struct meanwhile {
	struct pins_job *pins;
	struct bg_job *bg;
	struct owners_job *owners;
};

static void before_walkers(struct probe *p, void *arg)
{
	(void)p;
	owners_join(((struct meanwhile *)arg)->owners);
}

/* Once the walkers run: the pins walk and the once-per-boot reads, each in a thread. */
static void start_others(struct probe *p, void *arg)
{
	struct meanwhile *mw = arg;

	if (p->mask & SNAP_PINS)
		pins_start(p, mw->pins, p->opts->bpffs ? p->opts->bpffs : "/sys/fs/bpf");
	bg_start(p, mw->bg);
	p->bg = mw->bg;
}

int snapshot_take(struct db *db, const struct snapshot_opts *opts, struct snapshot_result *res,
		  struct err *e)
{
	struct probe p = { .db = db, .opts = opts, .res = res, .e = e, .mask = opts->mask };
	uint64_t t0 = now_monotonic_ns(), taken_at = now_realtime_ns();
	char warnings[512] = "";
	struct owners_job owners = { .started = false };
	struct pins_job pins = { 0 };
	struct bg_job bg = { 0 };
	struct utsname uts;
	int err, stats_fd = -1;

	memset(res, 0, sizeof(*res));
	p.fdi.fd = -1;
	p.trace = getenv("BPFSCOPE_TRACE") != NULL;
	p.phase_t = t0;
	if (p.mask & SNAP_CODE)
		p.mask |= SNAP_BTF_DATA;	/* function names and source lines live in BTF */
	uname(&uts);
	read_line_file("/proc/sys/kernel/random/boot_id", p.boot_id, sizeof(p.boot_id));
	p.nr_cpus = libbpf_num_possible_cpus();
	if (p.nr_cpus < 1)
		p.nr_cpus = 1;
	if (p.mask & SNAP_STATS) {
		/* an fd, not the sysctl: the kernel turns stats off again when it is closed */
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0)
			return err_set(e, errno, "can't enable BPF run-time stats: %s", strerror(errno));
		err = stats_baseline(&p);
		if (err) {
			close(stats_fd);
			probe_cleanup(&p);
			return err;
		}
		{
			struct timespec ts = { opts->stats_interval_ns / 1000000000ull,
					       opts->stats_interval_ns % 1000000000ull };

			nanosleep(&ts, NULL);
		}
	}
	err = db_begin(db, e);
	if (err)
		goto out;
	err = snapshot_row(&p, taken_at, &uts);
	p.history = strcmp(db->path, ":memory:") != 0;
	if (!err && (p.mask & SNAP_OWNERS))
		owners_start(&p, &owners);
	phase_done(&p, "row");
	if (!err) {
		struct meanwhile mw = { &pins, &bg, &owners };
		struct walk_hooks hooks = { before_walkers, start_others, &mw };

		err = probe_progs_maps(&p, &hooks);
	}
	if (!err && (p.mask & SNAP_OWNERS))
		err = owners_store(&p, &owners);
	phase_done(&p, "progs+maps");
	if (!err)
		err = probe_links(&p);
	phase_done(&p, "links");
	if (!err && (p.mask & SNAP_PINS)) {
		err = pins_finish(&p, &pins);
		if (err > 0) {
			snprintf(warnings, sizeof(warnings),
				 "bpffs is not mounted at %s: pins not recorded",
				 opts->bpffs ? opts->bpffs : "/sys/fs/bpf");
			err = 0;
		}
	}
	phase_done(&p, "pins");
	if (!err && (p.mask & SNAP_ATTACH))
		err = attach_capture(db, p.snap_id, p.mask, &p.att, &res->nr_attachments, e);
	phase_done(&p, "attachments");
	/* last: the background thread had the longest to read vmlinux BTF and kallsyms */
	if (!err && !(p.mask & SNAP_NO_BTF))
		err = probe_btf(&p);
	phase_done(&p, "btf");
	if (!err && (p.mask & SNAP_CODE))
		err = kallsyms_store(&p);
	phase_done(&p, "kallsyms");
	if (owners.warn[0])
		snprintf(warnings + strlen(warnings), sizeof(warnings) - strlen(warnings), "%s%s",
			 warnings[0] ? "; " : "", owners.warn);
	if (!err)
		err = snapshot_finish(&p, t0, warnings);
	res->id = p.snap_id;
	if (!err)
		err = db_commit(db, e);
	phase_done(&p, "commit");
	if (err)
		db_rollback(db);
out:
	if (stats_fd >= 0)
		close(stats_fd);
	pins_free(&pins);
	bg_free(&bg);
	owners_join(&owners);
	free(owners.o);
	probe_cleanup(&p);
	return err;
}

int snapshot_delete(struct db *db, int64_t id, struct err *e)
{
	sqlite3_stmt *st;
	int err = db_begin(db, e);

	if (err)
		return err;
	err = db_prepare(db, "DELETE FROM snapshots WHERE id = ?", &st, e);
	if (!err) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = err_set(e, EIO, "can't delete snapshot %lld: %s", (long long)id,
				      sqlite3_errmsg(db->sql));
		sqlite3_finalize(st);
	}
	/* spans no snapshot falls in any more go, and then blobs no row refers to */
	if (!err)
		err = db_exec(db, "DELETE FROM prog_rows WHERE NOT EXISTS (SELECT 1 FROM snapshots s"
			      " WHERE s.id BETWEEN prog_rows.first_snap AND prog_rows.last_snap"
			      " AND (s.mask & 256) = 0);"
			      "DELETE FROM map_rows WHERE NOT EXISTS (SELECT 1 FROM snapshots s"
			      " WHERE s.id BETWEEN map_rows.first_snap AND map_rows.last_snap"
			      " AND (s.mask & 512) = 0);"
			      "DELETE FROM pin_rows WHERE NOT EXISTS (SELECT 1 FROM snapshots s"
			      " WHERE s.id BETWEEN pin_rows.first_snap AND pin_rows.last_snap"
			      " AND (s.mask & 16) != 0);"
			      "DELETE FROM cgroup_rows WHERE NOT EXISTS (SELECT 1 FROM snapshots s"
			      " WHERE s.id BETWEEN cgroup_rows.first_snap AND cgroup_rows.last_snap"
			      " AND (s.mask & 32) != 0);", e);
	if (!err)
		err = db_exec(db, "DELETE FROM blobs WHERE hash NOT IN (SELECT h FROM ("
			      "SELECT xlated AS h FROM prog_rows UNION SELECT jited_insns FROM prog_rows"
			      " UNION SELECT func_info FROM prog_rows UNION SELECT line_info FROM prog_rows"
			      " UNION SELECT jited_line_info FROM prog_rows"
			      " UNION SELECT jited_ksyms FROM prog_rows"
			      " UNION SELECT jited_func_lens FROM prog_rows UNION SELECT prog_tags FROM prog_rows"
			      " UNION SELECT contents FROM map_data UNION SELECT data FROM btf"
			      " UNION SELECT info_raw FROM links UNION SELECT kallsyms FROM boots"
			      " UNION SELECT elf FROM objects) WHERE h IS NOT NULL)", e);
	if (err) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, e);
}
