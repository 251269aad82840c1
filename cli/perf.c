/* perf show: programs attached through perf events (kprobe, uprobe, tracepoint) and raw
 * tracepoints, per process and fd, in bpftool's layout; read from a view. */
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "cli/attachments.h"
#include "capture/snapshot.h"

int do_perf(struct ctx *ctx, int argc, char **argv);

/* enum bpf_task_fd_type */
enum { FD_RAW_TP, FD_TP, FD_KPROBE, FD_KRETPROBE, FD_UPROBE, FD_URETPROBE };

static long long detail_ll(const char *detail, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = detail; p && *p; p = strchr(p, ' '), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return strtoll(p + klen + 1, NULL, 0);
	return 0;
}

static void print_one(struct out *o, sqlite3_stmt *st)
{
	uint32_t prog_id = sqlite3_column_int64(st, 0);
	uint32_t fd_type = sqlite3_column_int64(st, 1);
	const char *target = (const char *)sqlite3_column_text(st, 2);
	const char *detail = (const char *)sqlite3_column_text(st, 3);
	unsigned long long offset = detail_ll(detail, "offset"), addr = detail_ll(detail, "addr");

	if (!target)
		target = "";
	out_obj_start(o, NULL);
	out_int(o, "pid", "pid %lld", detail_ll(detail, "pid"));
	out_int(o, "fd", "  fd %lld", detail_ll(detail, "fd"));
	out_uint(o, "prog_id", ": prog_id %u  ", prog_id);
	switch (fd_type) {
	case FD_RAW_TP:
	case FD_TP:
		out_str(o, "fd_type", "%s", fd_type == FD_RAW_TP ? "raw_tracepoint" : "tracepoint");
		out_str(o, "tracepoint", "  %s", target);
		break;
	case FD_KPROBE:
	case FD_KRETPROBE:
		out_str(o, "fd_type", "%s", fd_type == FD_KPROBE ? "kprobe" : "kretprobe");
		if (*target) {
			out_str(o, "func", "  func %s", target);
			out_uint(o, "offset", "  offset %llu", offset);
		} else {
			out_uint(o, "addr", "  addr %llu", addr);
		}
		break;
	case FD_UPROBE:
	case FD_URETPROBE:
		out_str(o, "fd_type", "%s", fd_type == FD_UPROBE ? "uprobe" : "uretprobe");
		out_str(o, "filename", "  filename %s", target);
		out_uint(o, "offset", "  offset %llu", offset);
		break;
	default:
		break;
	}
	out_obj_end(o);
	out_nl(o);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct out *o = &ctx->out;
	sqlite3_stmt *st = NULL;
	struct err e = { 0 };
	struct view v;
	int rc, ret = -1;

	(void)argv;
	if (argc)
		return p_err(ctx, "expected no arguments, got: '%s'", argv[0]);
	if (view_open(ctx, SNAP_ATTACH | SNAP_ATTACH_NO_NET | SNAP_ATTACH_NO_CGROUP |
		      SNAP_NO_MAPS | SNAP_NO_BTF, &v))
		return -1;
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_PERF, "perf-event attachments");
	if (db_prepare(&v.db, "SELECT prog_id, flags, target, detail FROM attachments"
		       " WHERE snapshot_id = ? AND kind = 'perf_event' ORDER BY rowid", &st, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	sqlite3_bind_int64(st, 1, v.snap_id);
	out_arr_start(o, NULL);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		print_one(o, st);
	out_arr_end(o);
	if (rc != SQLITE_DONE) {
		p_err(ctx, "can't read perf attachments: %s", sqlite3_errmsg(v.db.sql));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	view_close(&v);
	return ret;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_PERF);
}

int do_perf(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "list", do_show },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
