/* btf show|list, and dispatch of btf dump. */
#include <stdlib.h>
#include "cli/cli.h"
#include "capture/snapshot.h"

static void print_ids(struct ctx *ctx, sqlite3_stmt *st, int64_t snap, uint32_t id, const char *key,
		      const char *plain)
{
	bool first = true;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, snap);
	sqlite3_bind_int64(st, 2, id);
	out_arr_start(&ctx->out, key);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (first)
			out_plain(&ctx->out, "%s", plain);
		out_uint(&ctx->out, NULL, first ? "%llu" : ",%llu", sqlite3_column_int64(st, 0));
		first = false;
	}
	out_arr_end(&ctx->out);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	sqlite3_stmt *row = NULL, *progs = NULL, *maps = NULL, *pids = NULL;
	struct err e = { 0 };
	struct view v;
	int64_t only = -1;
	int err;

	if (argc > 0) {
		if (!keyword_is(*argv, "id"))
			return p_err(ctx, "expected 'id ID', got '%s'", *argv);
		NEXT_ARG();
		REQ_ARGS(1);
		only = strtoll(*argv, NULL, 0);
		NEXT_ARG();
	}
	NO_MORE_ARGS();
	if (view_open(ctx, SNAP_OWNERS, &v))
		return -1;
	err = db_prepare(&v.db, "SELECT id, name, size, kernel FROM btf WHERE snapshot_id = ?1"
			 " AND (?2 < 0 OR id = ?2) ORDER BY id", &row, &e);
	err = err ?: db_prepare(&v.db, "SELECT id FROM progs WHERE snapshot_id = ? AND btf_id = ? ORDER BY id",
				&progs, &e);
	err = err ?: db_prepare(&v.db, "SELECT id FROM maps WHERE snapshot_id = ? AND btf_id = ? ORDER BY id",
				&maps, &e);
	err = err ?: pids_stmt(&v, "btf", &pids, &e);
	if (err) {
		err = p_err_e(ctx, &e);
		goto out;
	}
	sqlite3_bind_int64(row, 1, v.snap_id);
	sqlite3_bind_int64(row, 2, only);
	if (only < 0)
		out_arr_start(&ctx->out, NULL);
	while (sqlite3_step(row) == SQLITE_ROW) {
		uint32_t id = sqlite3_column_int64(row, 0);
		const char *name = (const char *)sqlite3_column_text(row, 1);
		bool kernel = sqlite3_column_int(row, 3);

		out_obj_start(&ctx->out, NULL);
		out_uint(&ctx->out, "id", "%llu: ", id);
		if (kernel)
			out_plain(&ctx->out, "name [%s]  ", name ? name : "");
		else if (name && *name)
			out_plain(&ctx->out, "name %s  ", name);
		else
			out_plain(&ctx->out, "name <anon>  ");
		out_uint(&ctx->out, "size", "size %lluB", sqlite3_column_int64(row, 2));
		print_ids(ctx, progs, v.snap_id, id, "prog_ids", "  prog_ids ");
		print_ids(ctx, maps, v.snap_id, id, "map_ids", "  map_ids ");
		show_pids(ctx, pids, id);
		out_bool(&ctx->out, "kernel", NULL, kernel);
		if (name && *name)
			out_str(&ctx->out, "name", NULL, name);
		out_nl(&ctx->out);
		out_obj_end(&ctx->out);
	}
	if (only < 0)
		out_arr_end(&ctx->out);
	err = 0;
out:
	sqlite3_finalize(row);
	sqlite3_finalize(progs);
	sqlite3_finalize(maps);
	sqlite3_finalize(pids);
	view_close(&v);
	return err;
}

static int do_btf_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_BTF);
}

static const struct cmd btf_cmds[] = {
	{ "show", do_show },
	{ "list", do_show },
	{ "dump", do_btf_dump },
	{ "help", do_btf_help },
	{ 0 }
};

int do_btf(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, btf_cmds, argc, argv, do_btf_help);
}
