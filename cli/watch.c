/* snapshot watch [interval SECS] [count N] [maps-data] [loads]: a snapshot every interval,
 * and the lines diff would print between it and the one before, so the output is a live
 * audit log. SIGINT and SIGTERM are held while a snapshot is taken: it is written whole,
 * then watch stops; none is left half-written. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include "analyze/diff.h"
#include "capture/env.h"
#include "capture/snapshot.h"
#include "cli/diff_print.h"
#include "cli/snap_env.h"
#include "store/read_objs.h"
#include "store/snap_mask.h"

struct watch_opts {
	double interval;		/* seconds */
	long count;			/* 0: until stopped */
	unsigned mask;
	bool loads;
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
		} else {
			return p_err(ctx, "unexpected argument '%s' (snapshot watch [interval SECS] "
				     "[count N] [maps-data] [loads])", *argv);
		}
		NEXT_ARG();
	}
	return 0;
}

/* Wait up to secs for SIGINT or SIGTERM (held blocked): true when one came. */
static bool stop_requested(const sigset_t *set, double secs)
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
	int ret = -1;

	snapshot_opts_env(&opts);
	if (snapshot_take(db, &opts, &res, &e))
		return p_err_e(ctx, &e);
	cur.snap_id = res.id;
	if (diff_side_read(ctx, &cur, SO_ALL))
		return -1;
	if (prev->snap_id) {
		if (diff_compute(&prev->objs, &cur.objs, &da.o, &r, &e)) {
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
	struct diff_side prev = { .ref = "" };
	struct err e = { 0 };
	struct db db = { 0 };
	sigset_t set, old;
	bool json = out_json(&ctx->out), pretty = ctx->out.jw.pretty;
	int ret = -1;

	if (watch_parse(ctx, argc, argv, &w))
		return -1;
	if (w.loads)
		return p_err(ctx, "watch loads: not built into this binary");
	if (env_check(ENV_PRIV, &e))
		return p_err_e(ctx, &e);
	if (history_open(ctx, true, &db))
		return -1;
	prev.db = &db;
	/* the first snapshot is compared with the database's latest, when it has one */
	if (!snapshot_resolve(&db, "latest", &prev.snap_id, &e) &&
	    diff_side_read(ctx, &prev, SO_ALL))
		goto out;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (long n = 0; !w.count || n < w.count; n++) {
		if (watch_step(ctx, &db, &w, &prev, json, pretty))
			goto unblock;
		if ((w.count && n + 1 == w.count) || stop_requested(&set, w.interval))
			break;
	}
	ret = 0;
unblock:
	{	/* a signal that came during the last snapshot ends watch, not the process */
		struct timespec now = { 0, 0 };

		while (sigtimedwait(&set, NULL, &now) > 0)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	snap_objs_free(&prev.objs);
	db_close(&db);
	if (json)	/* every document is flushed already: main's closing newline would add one */
		out_init(&ctx->out, stdout, false, false);
	return ret;
}
