/* prog show|list and the dispatch of the other prog commands. */
#include <stdlib.h>
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"

#define PROG_SHOW_COLS "id, type, name, tag, gpl_compatible, load_time, loaded_at, uid," \
	" bytes_xlated, jited, bytes_jited, bytes_memlock, btf_id, run_time_ns, run_cnt," \
	" recursion_misses, ifindex, verified_insns, coalesce(full_name, name)"

static void print_id_list(struct ctx *ctx, sqlite3_stmt *st, const char *key, const char *plain)
{
	struct out *o = &ctx->out;
	bool first = true;

	while (sqlite3_step(st) == SQLITE_ROW) {
		if (first) {
			out_arr_start(o, key);
			out_plain(o, "%s", plain);
		}
		out_uint(o, NULL, first ? "%llu" : ",%llu", sqlite3_column_int64(st, 0));
		first = false;
	}
	if (!first)
		out_arr_end(o);
	sqlite3_reset(st);
}

struct prog_stmts {
	sqlite3_stmt *maps, *pins, *pids;
};

static void print_prog(struct ctx *ctx, sqlite3_stmt *row, void *arg)
{
	const struct prog_stmts *ps = arg;
	struct out *o = &ctx->out;
	uint32_t id = sqlite3_column_int64(row, 0), type = sqlite3_column_int64(row, 1);
	const char *tname = prog_type_name(type);
	const char *name = (const char *)sqlite3_column_text(row, 18);
	uint64_t run_time = sqlite3_column_int64(row, 13), misses = sqlite3_column_int64(row, 15);
	uint64_t memlock = sqlite3_column_int64(row, 11), btf_id = sqlite3_column_int64(row, 12);

	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", id);
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %llu  ", type);
	if (name && *name)
		out_str(o, "name", "name %s  ", name);
	out_str(o, "tag", "tag %s", (const char *)sqlite3_column_text(row, 3));
	if (sqlite3_column_int64(row, 16))
		out_uint(o, "ifindex", "  offloaded_to ifindex %llu", sqlite3_column_int64(row, 16));
	out_bool(o, "gpl_compatible", "  gpl", sqlite3_column_int(row, 4));
	if (run_time) {
		out_uint(o, "run_time_ns", " run_time_ns %llu", run_time);
		out_uint(o, "run_cnt", " run_cnt %llu", sqlite3_column_int64(row, 14));
	}
	if (misses)
		out_uint(o, "recursion_misses", " recursion_misses %llu", misses);
	out_nl(o);
	if (sqlite3_column_int64(row, 5)) {
		char when[64];

		fmt_time_local(sqlite3_column_int64(row, 6), when, sizeof(when));
		out_uint(o, "loaded_at", NULL, sqlite3_column_int64(row, 6));
		out_plain(o, "\tloaded_at %s", when);
		out_uint(o, "uid", "  uid %llu\n", sqlite3_column_int64(row, 7));
	}
	out_uint(o, "bytes_xlated", "\txlated %lluB", sqlite3_column_int64(row, 8));
	if (sqlite3_column_int(row, 9)) {
		out_bool(o, "jited", NULL, true);
		out_uint(o, "bytes_jited", "  jited %lluB", sqlite3_column_int64(row, 10));
	} else {
		out_bool(o, "jited", NULL, false);
		out_plain(o, "  not jited");
	}
	if (memlock)
		out_uint(o, "bytes_memlock", "  memlock %lluB", memlock);
	sqlite3_bind_int64(ps->maps, 2, id);
	print_id_list(ctx, ps->maps, "map_ids", "  map_ids ");
	show_pinned(ctx, ps->pins, id);
	if (btf_id)
		out_uint(o, "btf_id", "\n\tbtf_id %llu", btf_id);
	show_pids(ctx, ps->pids, id);
	out_nl(o);
	out_obj_end(o);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	sqlite3_stmt *row = NULL;
	struct prog_stmts ps = { 0 };
	uint32_t *ids = NULL;
	size_t n = 0;
	struct err e = { 0 };
	struct view v;
	int err = 0;

	if (show_open(ctx, SNAP_NO_MAPS | SNAP_NO_BTF | SNAP_OWNERS, argc, argv, true, &v, &ids, &n))
		return -1;
	err = db_prepare(&v.db, "SELECT " PROG_SHOW_COLS " FROM progs WHERE snapshot_id = ?1"
			 " AND (?2 IS NULL OR id = ?2) ORDER BY id", &row, &e);
	err = err ?: db_prepare(&v.db, "SELECT map_id FROM prog_maps WHERE snapshot_id = ?1"
				" AND prog_id = ?2 ORDER BY idx", &ps.maps, &e);
	err = err ?: pins_stmt(&v, "prog", &ps.pins, &e);
	err = err ?: pids_stmt(&v, "prog", &ps.pids, &e);
	if (err) {
		err = p_err_e(ctx, &e);
		goto out;
	}
	sqlite3_bind_int64(ps.maps, 1, v.snap_id);
	show_selected(ctx, v.snap_id, row, ids, n, print_prog, &ps);
out:
	sqlite3_finalize(row);
	sqlite3_finalize(ps.maps);
	sqlite3_finalize(ps.pins);
	sqlite3_finalize(ps.pids);
	free(ids);
	view_close(&v);
	return err;
}

static int do_prog_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_PROG);
}

static const struct cmd prog_cmds[] = {
	{ "show", do_show },
	{ "list", do_show },
	{ "dump", do_prog_dump },
	{ "cfg", do_prog_cfg },
	{ "pin", do_prog_pin },
	{ "load", do_prog_load },
	{ "loadall", do_prog_loadall },
	{ "help", do_prog_help },
	{ 0 }
};

int do_prog(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, prog_cmds, argc, argv, do_prog_help);
}
