/* Views: a stored snapshot, or the live kernel through an in-memory snapshot, so both
 * are read by the same code. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include "capture/live_select.h"
#include "cli/cli.h"
#include "capture/env.h"
#include "capture/snapshot.h"
#include "cli/snap_env.h"
#include "analyze/struct_ops.h"
#include "store/read_btf_data.h"

int history_open(struct ctx *ctx, bool write, struct db *db)
{
	struct err e = { 0 };

	if (db_open(db, ctx->db_path, write ? DB_WRITE : DB_READ, &e))
		return p_err_e(ctx, &e);
	return 0;
}

/* An in-memory snapshot of what opts asks for. */
static int view_open_live(struct ctx *ctx, struct snapshot_opts *opts, struct view *v)
{
	struct err e = { 0 };
	struct snapshot_result res;

	memset(v, 0, sizeof(*v));
	v->live = true;
	if (env_check(ENV_PRIV, &e))
		return p_err_e(ctx, &e);
	snapshot_opts_env(opts);
	if (snapshot_take_live(&v->db, opts, &res, &e)) {
		db_close(&v->db);
		return p_err_e(ctx, &e);
	}
	v->snap_id = res.id;
	return 0;
}

int view_open(struct ctx *ctx, unsigned mask, struct view *v)
{
	return view_open_at(ctx, ctx->snap_ref, mask, v);
}

int view_open_at(struct ctx *ctx, const char *ref, unsigned mask, struct view *v)
{
	struct err e = { 0 };

	memset(v, 0, sizeof(*v));
	if (ref) {
		if (db_open(&v->db, ctx->db_path, DB_READ, &e) || db_read_begin(&v->db, &e) ||
		    snapshot_resolve(&v->db, ref, &v->snap_id, &e)) {
			db_close(&v->db);
			return p_err_e(ctx, &e);
		}
		return 0;
	}
	return view_open_live(ctx, &(struct snapshot_opts){ .mask = mask }, v);
}

/* A live PROG named by id or by a pin: a view of that program alone (capture/snapshot.h's
 * only_prog), read by the same code as the whole view, so a command on one program costs
 * the same at 10 programs as at 5,000. Anything else (name, tag, all, a path that is no
 * program's pin, a stored snapshot) opens the whole view, whose errors the user then sees. */
int view_open_prog(struct ctx *ctx, unsigned mask, int argc, char **argv, struct view *v)
{
	struct snapshot_opts opts = { .mask = mask };
	struct err e = { 0 };
	char real[PATH_MAX];
	bool pinned = argc >= 2 && !strcmp(argv[0], "pinned");

	if (ctx->snap_ref || argc < 2 || (strcmp(argv[0], "id") && !pinned) || getenv("BPFSCOPE_NO_ONE") ||
	    live_prog_id(argv[0], argv[1], &opts.only_prog, &e) || !opts.only_prog)
		return view_open(ctx, mask, v);
	/* the selector finds the program by its pin: that pin alone, unless -f lists them all
	 * (the path as the selector resolves it) */
	if (pinned && !ctx->show_pinned) {
		if (!realpath(argv[1], real))
			return view_open(ctx, mask, v);
		opts.only_pin = real;
	}
	return view_open_live(ctx, &opts, v);
}

void view_close(struct view *v)
{
	db_close(&v->db);
}

int view_fill_progs(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n)
{
	return view_fill_code(ctx, v, ids, n, true);
}

int view_fill_code(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n, bool kallsyms)
{
	struct err e = { 0 };

	if (!v->live)
		return 0;
	if (snapshot_fill_code(&v->db, v->snap_id, ids, n, kallsyms, &e))
		return p_err_e(ctx, &e);
	return 0;
}

int view_fill_maps(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n)
{
	struct err e = { 0 };

	if (!v->live)
		return 0;
	if (snapshot_fill_maps(&v->db, v->snap_id, ids, n, &e))
		return p_err_e(ctx, &e);
	return 0;
}

struct btf *view_vmlinux(struct view *v)
{
	struct buf b = { 0 };
	struct err e = { 0 };
	struct btf *btf;

	if (!v->live)
		btf_vmlinux_read(&v->db, v->snap_id, &b, &e);
	btf = struct_ops_btf_load(b.data, b.len, v->live);
	buf_free(&b);
	return btf;
}
