/* Views: a stored snapshot, or the live kernel through an in-memory snapshot, so both
 * are read by the same code. */
#include <errno.h>
#include <unistd.h>
#include "cli/cli.h"
#include "capture/env.h"
#include "capture/snapshot.h"
#include "cli/snap_env.h"

int history_open(struct ctx *ctx, bool write, struct db *db)
{
	struct err e = { 0 };

	if (db_open(db, ctx->db_path, write ? DB_WRITE : DB_READ, &e))
		return p_err_e(ctx, &e);
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
		if (db_open(&v->db, ctx->db_path, DB_READ, &e) ||
		    snapshot_resolve(&v->db, ref, &v->snap_id, &e)) {
			db_close(&v->db);
			return p_err_e(ctx, &e);
		}
		return 0;
	}
	v->live = true;
	if (env_check(ENV_PRIV, &e))
		return p_err_e(ctx, &e);
	if (db_open(&v->db, NULL, DB_MEMORY, &e))
		return p_err_e(ctx, &e);
	{
		struct snapshot_opts opts = { .mask = mask };
		struct snapshot_result res;

		snapshot_opts_env(&opts);
		if (snapshot_take(&v->db, &opts, &res, &e)) {
			db_close(&v->db);
			return p_err_e(ctx, &e);
		}
		v->snap_id = res.id;
	}
	return 0;
}

void view_close(struct view *v)
{
	db_close(&v->db);
}

int view_fill_progs(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n)
{
	struct err e = { 0 };

	if (!v->live)
		return 0;
	if (snapshot_fill_code(&v->db, v->snap_id, ids, n, &e))
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
