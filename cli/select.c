/* PROG and MAP arguments resolved against a view: id, name, tag, pinned path. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "capture/env.h"
#include "capture/snapshot.h"

static int collect_ids(struct ctx *ctx, struct view *v, const char *sql, const char *arg,
		       bool is_int, uint32_t **ids, size_t *n, const char *what, const char *kw)
{
	sqlite3_stmt *st;
	struct err e = { 0 };
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (db_prepare(&v->db, sql, &st, &e))
		return p_err_e(ctx, &e);
	sqlite3_bind_int64(st, 1, v->snap_id);
	if (is_int) {
		char *end;
		unsigned long long id = strtoull(arg, &end, 0);

		if (*end || !*arg || id > UINT32_MAX) {
			sqlite3_finalize(st);
			return p_err(ctx, "can't parse %s as an id", arg);
		}
		sqlite3_bind_int64(st, 2, id);
	} else {
		sqlite3_bind_text(st, 2, arg, -1, SQLITE_TRANSIENT);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			uint32_t *p;

			cap = cap ? cap * 2 : 16;
			p = realloc(*ids, cap * sizeof(*p));
			if (!p) {
				sqlite3_finalize(st);
				free(*ids);
				*ids = NULL;
				return p_err(ctx, "out of memory");
			}
			*ids = p;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (!*n)
		return p_err(ctx, "can't find %s with %s %s%s", what, kw, arg,
			     v->live ? "" : " in the snapshot");
	return 0;
}

static int select_common(struct ctx *ctx, struct view *v, int *argcp, char ***argvp,
			 uint32_t **ids, size_t *n, const char *table, const char *what, bool tags)
{
	int argc = *argcp;
	char **argv = *argvp;
	char sql[512];
	const char *kw, *arg;
	bool is_int = false;

	if (argc >= 1 && !strcmp(argv[0], "all")) {
		NEXT_ARG();
		*argcp = argc;
		*argvp = argv;
		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE snapshot_id = ?1 AND ?2 IS NOT NULL"
			 " ORDER BY id", table);
		return collect_ids(ctx, v, sql, "all", false, ids, n, what, "all");
	}
	if (argc < 2)
		return p_err(ctx, "expected %s: %s", what,
			     tags ? HELP_SPEC_PROGRAM : HELP_SPEC_MAP);
	kw = argv[0];
	arg = argv[1];
	if (!strcmp(kw, "id")) {
		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE snapshot_id = ? AND id = ?", table);
		is_int = true;
	} else if (!strcmp(kw, "name")) {
		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE snapshot_id = ?1 AND (name = ?2%s) ORDER BY id",
			 table, tags ? " OR full_name = ?2" : "");
	} else if (tags && !strcmp(kw, "tag")) {
		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE snapshot_id = ? AND tag = lower(?) ORDER BY id",
			 table);
	} else if (!strcmp(kw, "pinned")) {
		char real[PATH_MAX];

		if (v->live) {
			if (!realpath(arg, real)) {
				int saved = errno;

				return p_err(ctx, "can't find %s pinned at %s: %s%s", what, arg, strerror(saved),
					     env_is_bpffs("/sys/fs/bpf") ? "" :
					     " (bpffs is not mounted: mount -t bpf bpf /sys/fs/bpf)");
			}
			arg = real;
		}
		/* a pinned link stands for its program (what loadall autoattach pins) */
		if (tags)
			snprintf(sql, sizeof(sql), "SELECT obj_id FROM pins WHERE snapshot_id = ?1 AND path = ?2"
				 " AND obj_type = 'prog' UNION SELECT l.prog_id FROM pins p JOIN links l ON"
				 " l.snapshot_id = p.snapshot_id AND l.id = p.obj_id WHERE p.snapshot_id = ?1"
				 " AND p.path = ?2 AND p.obj_type = 'link'");
		else
			snprintf(sql, sizeof(sql), "SELECT obj_id FROM pins WHERE snapshot_id = ?1 AND path = ?2"
				 " AND obj_type = 'map'");
		NEXT_ARGS(2);
		*argcp = argc;
		*argvp = argv;
		{
			int err = collect_ids(ctx, v, sql, arg, false, ids, n, what, kw);

			return err;
		}
	} else {
		return p_err(ctx, "expected 'id', 'name'%s or 'pinned', got '%s'", tags ? ", 'tag'" : "", kw);
	}
	NEXT_ARGS(2);
	*argcp = argc;
	*argvp = argv;
	return collect_ids(ctx, v, sql, arg, is_int, ids, n, what, kw);
}

int prog_select(struct ctx *ctx, struct view *v, int *argc, char ***argv, uint32_t **ids, size_t *n)
{
	return select_common(ctx, v, argc, argv, ids, n, "progs", "prog", true);
}

int map_select(struct ctx *ctx, struct view *v, int *argc, char ***argv, uint32_t **ids, size_t *n)
{
	return select_common(ctx, v, argc, argv, ids, n, "maps", "map", false);
}

void show_selected(struct ctx *ctx, int64_t snap_id, sqlite3_stmt *row, const uint32_t *ids,
		   size_t n, void (*print)(struct ctx *, sqlite3_stmt *, void *), void *arg)
{
	bool array = !ids || n > 1;

	sqlite3_bind_int64(row, 1, snap_id);
	if (array)
		out_arr_start(&ctx->out, NULL);
	for (size_t i = 0; i < (ids ? n : 1); i++) {
		if (ids)
			sqlite3_bind_int64(row, 2, ids[i]);
		while (sqlite3_step(row) == SQLITE_ROW)
			print(ctx, row, arg);
		sqlite3_reset(row);
	}
	if (array)
		out_arr_end(&ctx->out);
}

void show_pinned(struct ctx *ctx, sqlite3_stmt *pins, uint32_t id)
{
	struct out *o = &ctx->out;
	bool first = true;

	if (!ctx->show_pinned)
		return;
	sqlite3_bind_int64(pins, 2, id);
	while (sqlite3_step(pins) == SQLITE_ROW) {
		if (first)
			out_arr_start(o, "pinned");
		out_str(o, NULL, "\n\tpinned %s", (const char *)sqlite3_column_text(pins, 0));
		first = false;
	}
	if (!first)
		out_arr_end(o);
	sqlite3_reset(pins);
}

static int obj_stmt(struct view *v, const char *sql, const char *type, sqlite3_stmt **st,
		    struct err *e)
{
	int err = db_prepare(&v->db, sql, st, e);

	if (!err) {
		sqlite3_bind_int64(*st, 1, v->snap_id);
		sqlite3_bind_text(*st, 3, type, -1, SQLITE_STATIC);
	}
	return err;
}

int pins_stmt(struct view *v, const char *type, sqlite3_stmt **st, struct err *e)
{
	return obj_stmt(v, "SELECT path FROM pins WHERE snapshot_id = ?1 AND obj_type = ?3 AND"
			" obj_id = ?2 ORDER BY path", type, st, e);
}

int pids_stmt(struct view *v, const char *type, sqlite3_stmt **st, struct err *e)
{
	return obj_stmt(v, "SELECT pid, comm FROM owners WHERE snapshot_id = ?1 AND obj_type = ?3"
			" AND obj_id = ?2 ORDER BY pid", type, st, e);
}

void show_pids(struct ctx *ctx, sqlite3_stmt *st, uint32_t id)
{
	struct out *o = &ctx->out;
	int n = 0;

	if (!st)
		return;
	sqlite3_bind_int64(st, 2, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t pid = sqlite3_column_int64(st, 0);
		const char *comm = (const char *)sqlite3_column_text(st, 1);

		if (!n) {
			out_arr_start(o, "pids");
			out_plain(o, "\n\tpids ");
		}
		out_obj_start(o, NULL);
		out_int(o, "pid", NULL, pid);
		out_str(o, "comm", n ? ", %s" : "%s", comm ? comm : "");
		out_plain(o, "(%lld)", (long long)pid);
		out_obj_end(o);
		n++;
	}
	if (n)
		out_arr_end(o);
	sqlite3_reset(st);
}

int show_open(struct ctx *ctx, unsigned mask, int argc, char **argv, bool progs, struct view *v,
	      uint32_t **ids, size_t *n)
{
	int err;

	*ids = NULL;
	*n = 0;
	if (ctx->show_pinned || (argc && !strcmp(argv[0], "pinned")))
		mask |= SNAP_PINS;
	if (view_open(ctx, mask, v))
		return -1;
	if (!argc)
		return 0;
	err = progs ? prog_select(ctx, v, &argc, &argv, ids, n) : map_select(ctx, v, &argc, &argv, ids, n);
	if (!err && argc > 0)
		err = p_err(ctx, "unexpected argument '%s'", argv[0]);
	if (err) {
		free(*ids);
		*ids = NULL;
		view_close(v);
	}
	return err;
}
