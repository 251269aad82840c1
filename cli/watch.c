/* snapshot watch [interval SECS] [count N] [maps-data] [loads] [push CONNINFO [host NAME]]:
 * a snapshot every interval, and the lines diff would print between it and the one before,
 * so the output is a live audit log; push ships each to a fleet server over one connection
 * kept open. SIGINT and SIGTERM are held while a snapshot is taken: it is written whole,
 * then watch stops; none is left half-written. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include "analyze/diff.h"
#include "capture/env.h"
#include "capture/loads.h"
#include "lib/load_event.h"
#include "store/loads.h"
#include "capture/snapshot.h"
#include "cli/diff_print.h"
#include "cli/snap_env.h"
#include "store/pg.h"
#include "store/read_objs.h"
#include "store/snap_mask.h"

struct watch_opts {
	double interval;		/* seconds */
	long count;			/* 0: until stopped */
	unsigned mask;
	bool loads;
	const char *push, *host;	/* push CONNINFO [host NAME] */
};

static int watch_parse(struct ctx *ctx, int argc, char **argv, struct watch_opts *w)
{
	*w = (struct watch_opts){ .interval = 5, .mask = SNAP_DEFAULT };
	while (argc > 0) {
		char *end;

		if (keyword_is(*argv, "interval")) {
			NEXT_ARG();
			REQ_ARGS(1);
			w->interval = strtod(*argv, &end);
			if (*end || !(w->interval >= 0.01 && w->interval <= 86400))
				return p_err(ctx, "interval: expected seconds from 0.01 to 86400, got '%s'",
					     *argv);
		} else if (keyword_is(*argv, "count")) {
			NEXT_ARG();
			REQ_ARGS(1);
			w->count = strtol(*argv, &end, 10);
			if (*end || w->count < 1)
				return p_err(ctx, "count: expected a number of snapshots, got '%s'", *argv);
		} else if (!strcmp(*argv, "maps-data")) {
			w->mask |= SNAP_MAPS_DATA;
		} else if (keyword_is(*argv, "loads")) {
			w->loads = true;
		} else if (!strcmp(*argv, "push") || (w->push && !strcmp(*argv, "host"))) {
			const char **to = !strcmp(*argv, "push") ? &w->push : &w->host;

			NEXT_ARG();
			REQ_ARGS(1);
			*to = *argv;
		} else {
			return p_err(ctx, "unexpected argument '%s' (snapshot watch [interval SECS] "
				     "[count N] [maps-data] [loads] [push CONNINFO [host NAME]])", *argv);
		}
		NEXT_ARG();
	}
	return 0;
}

/* Ship the snapshots the fleet server lacks over the connection kept in *pg (made by the
 * first push, and again after one failed). A server that is down or refuses does not stop watch: the snapshots
 * stay in the file, one line says why, and the next push ships what is missing. -v: a
 * line per push with its time. */
static void watch_push(struct ctx *ctx, struct db *db, const struct watch_opts *w,
		       struct pg **pg)
{
	struct pg_push_result r;
	struct err e = { 0 };
	char name[256];
	const char *host = w->host;
	uint64_t t0 = now_monotonic_ns();
	int from;

	if (!host && !pg_push_default_host(db, name, sizeof(name), &e))
		host = name;
	if (host && !*pg)
		pg_connect(w->push, pg, &e);
	if (host && *pg && pg_push(*pg, db, host, &r, &e) && e.code == ENOENT) {
		/* a server without the schema, or an older one: as fleet push does */
		err_clear(&e);
		if (!pg_schema_init(*pg, &from, &e))
			pg_push(*pg, db, host, &r, &e);
	}
	if (e.code) {
		p_info(ctx, "Warning: snapshot watch: push: %s", e.msg);
		pg_close(*pg);
		*pg = NULL;
		return;
	}
	if (ctx->verbose)
		p_info(ctx, "push: host %s: %lld snapshots, %lld rows, %lld blobs, %.1f ms", host,
		       (long long)r.snapshots, (long long)r.rows, (long long)r.blobs,
		       (now_monotonic_ns() - t0) / 1e6);
}

struct recorder {
	struct loads *l;
	struct db *db;
	char boot_id[64];
	struct err e;
	int64_t written;
};

static int record_event(const struct load_event *ev, void *arg)
{
	struct recorder *r = arg;

	if (store_load_event(r->db, ev, r->boot_id, &r->e))
		return -1;
	r->written++;
	return 0;
}

/* Record what the loads recorder saw (one transaction a batch); -1 with r->e set. */
static int record_loads(struct recorder *r, int timeout_ms)
{
	int err = db_begin(r->db, &r->e);

	if (err)
		return err;
	err = loads_poll(r->l, timeout_ms, record_event, r, &r->e);
	if (err) {
		db_rollback(r->db);
		return err;
	}
	return db_commit(r->db, &r->e);
}

/* Wait up to secs for SIGINT or SIGTERM (held blocked): true when one came. With the loads
 * recorder, its records are written meanwhile, in slices of 100 ms. */
static bool stop_requested(const sigset_t *set, double secs, struct recorder *r)
{
	if (r->l) {
		uint64_t end = now_monotonic_ns() + (uint64_t)(secs * 1e9);
		struct timespec zero = { 0, 0 };

		for (;;) {
			uint64_t now = now_monotonic_ns();
			int ms = now >= end ? 0 : (int)((end - now) / 1000000);

			if (sigtimedwait(set, NULL, &zero) > 0)
				return true;
			if (record_loads(r, ms > 100 ? 100 : ms))
				return true;	/* r->e says why: the caller reports it */
			if (now >= end)
				return false;
		}
	}
	{
	struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
	uint64_t end = now_monotonic_ns() + (uint64_t)(secs * 1e9);

	for (;;) {
		int sig = sigtimedwait(set, NULL, &ts);
		uint64_t now;

		if (sig > 0)
			return true;
		if (errno != EINTR)
			return false;	/* EAGAIN: the time is up */
		now = now_monotonic_ns();
		if (now >= end)
			return false;
		ts.tv_sec = (end - now) / 1000000000;
		ts.tv_nsec = (end - now) % 1000000000;
	}
	}
}

/* One snapshot, and its diff against the previous one (prev, replaced by it). */
static int watch_step(struct ctx *ctx, struct db *db, const struct watch_opts *w,
		      struct diff_side *prev, bool json, bool pretty)
{
	struct snapshot_opts opts = { .mask = w->mask };
	struct snapshot_result res;
	struct diff_args da = { .o = { .kinds = SO_ALL } };
	struct diff_side cur = { .ref = "", .db = db };
	struct diff_result r = { 0 };
	struct err e = { 0 };
	bool unchanged;
	int ret = -1;

	snapshot_opts_env(&opts);
	if (snapshot_take(db, &opts, &res, &e))
		return p_err_e(ctx, &e);
	unchanged = !res.object_changes;
	cur.snap_id = res.id;
	if (w->loads && store_load_events_claim(db, res.id, NULL, &e))
		return p_err_e(ctx, &e);
	if (unchanged && prev->snap_id) {
		/* the snapshot wrote its own row and no span: its objects are the ones before
		 * (the common case of a quiet machine, and most of watch's cost otherwise) */
		cur.objs = prev->objs;
		memset(&prev->objs, 0, sizeof(prev->objs));
		cur.objs.snap_id = res.id;
	} else if (diff_side_read(ctx, &cur, SO_ALL)) {
		return -1;
	}
	if (prev->snap_id && snap_loads_read(db, prev->snap_id, cur.snap_id, &cur.objs, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	if (prev->snap_id) {
		/* unchanged: the objects are compared with themselves, for what came and went */
		if ((!unchanged || cur.objs.nloads) &&
		    diff_compute(unchanged ? &cur.objs : &prev->objs, &cur.objs, &da.o, &r, &e)) {
			p_err_e(ctx, &e);
			goto out;
		}
		out_init(&ctx->out, stdout, json, pretty);
		if (diff_print(ctx, &da, prev, &cur, &r))
			goto out;
		if (json)
			out_flush_end(&ctx->out);
		fflush(stdout);
	}
	snap_objs_free(&prev->objs);
	*prev = cur;
	memset(&cur, 0, sizeof(cur));
	ret = 0;
out:
	diff_result_free(&r);
	snap_objs_free(&cur.objs);
	return ret;
}

int do_snapshot_watch(struct ctx *ctx, int argc, char **argv)
{
	struct watch_opts w;
	struct recorder rec = { 0 }, no_rec = { 0 };
	struct diff_side prev = { .ref = "" };
	struct err e = { 0 };
	struct db db = { 0 };
	struct pg *pg = NULL;
	sigset_t set, old;
	bool json = out_json(&ctx->out), pretty = ctx->out.jw.pretty;
	int ret = -1;

	if (watch_parse(ctx, argc, argv, &w))
		return -1;
	/* held from the start: a signal during the set-up ends watch at its first look */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (env_check(ENV_PRIV | (w.loads ? ENV_TRACEFS : 0), &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	if (history_open(ctx, true, &db))
		goto out;
	rec.db = &db;
	read_line_file("/proc/sys/kernel/random/boot_id", rec.boot_id, sizeof(rec.boot_id));
	if (w.loads && loads_open(&rec.l, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	prev.db = &db;
	/* the first snapshot is compared with the database's latest, when it has one */
	if (!snapshot_resolve(&db, "latest", &prev.snap_id, &e) &&
	    diff_side_read(ctx, &prev, SO_ALL))
		goto out;
	for (long n = 0; !w.count || n < w.count; n++) {
		if (stop_requested(&set, 0, &no_rec))
			break;	/* stopped before this snapshot began: none is taken */
		if (watch_step(ctx, &db, &w, &prev, json, pretty))
			goto out;
		if (w.push)
			watch_push(ctx, &db, &w, &pg);
		if ((w.count && n + 1 == w.count) || stop_requested(&set, w.interval, &rec))
			break;
	}
	if (rec.e.code) {
		p_err_e(ctx, &rec.e);
		goto out;
	}
	ret = 0;
out:
	if (rec.l) {
		struct loads_stats st;

		loads_stats(rec.l, &st);
		if (st.lost)
			p_info(ctx, "Warning: the loads recorder lost %llu records (its ring was full)",
			       (unsigned long long)st.lost);
		loads_close(rec.l);
	}
	snap_objs_free(&prev.objs);
	pg_close(pg);
	db_close(&db);
	if (json)	/* every document is flushed already: main's closing newline would add one */
		out_init(&ctx->out, stdout, false, false);
	{	/* a signal that came during the last snapshot ends watch, not the process */
		struct timespec now = { 0, 0 };

		while (sigtimedwait(&set, NULL, &now) > 0)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
