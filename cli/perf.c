/* perf show: programs attached through perf events (kprobe, uprobe, tracepoint) and raw
 * tracepoints, per process and fd, in bpftool's layout; read from a view. */
#include <stdio.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include "cli/cli.h"
#include "cli/attachments.h"
#include "store/read_attach.h"
#include "capture/snapshot.h"

int do_perf(struct ctx *ctx, int argc, char **argv);

static void print_one(struct out *o, const struct attach_row *r)
{
	const char *target = r->target ? r->target : "";
	uint32_t fd_type = r->u.perf.fd_type;

	out_obj_start(o, NULL);
	out_int(o, "pid", "pid %lld", (long long)r->u.perf.pid);
	out_int(o, "fd", "  fd %lld", (long long)r->u.perf.fd);
	out_uint(o, "prog_id", ": prog_id %u  ", r->prog_id);
	switch (fd_type) {
	case BPF_FD_TYPE_RAW_TRACEPOINT:
	case BPF_FD_TYPE_TRACEPOINT:
		out_str(o, "fd_type", "%s", fd_type == BPF_FD_TYPE_RAW_TRACEPOINT ? "raw_tracepoint"
										 : "tracepoint");
		out_str(o, "tracepoint", "  %s", target);
		break;
	case BPF_FD_TYPE_KPROBE:
	case BPF_FD_TYPE_KRETPROBE:
		out_str(o, "fd_type", "%s", fd_type == BPF_FD_TYPE_KPROBE ? "kprobe" : "kretprobe");
		if (*target) {
			out_str(o, "func", "  func %s", target);
			out_uint(o, "offset", "  offset %llu", (unsigned long long)r->u.perf.offset);
		} else {
			out_uint(o, "addr", "  addr %llu", (unsigned long long)r->u.perf.addr);
		}
		break;
	case BPF_FD_TYPE_UPROBE:
	case BPF_FD_TYPE_URETPROBE:
		out_str(o, "fd_type", "%s", fd_type == BPF_FD_TYPE_UPROBE ? "uprobe" : "uretprobe");
		out_str(o, "filename", "  filename %s", target);
		out_uint(o, "offset", "  offset %llu", (unsigned long long)r->u.perf.offset);
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
	struct attach_rows rows;
	struct err e = { 0 };
	struct view v;
	int ret = -1;

	(void)argv;
	if (argc)
		return p_err(ctx, "expected no arguments, got: '%s'", argv[0]);
	if (view_open(ctx, SNAP_ATTACH | SNAP_ATTACH_NO_NET | SNAP_ATTACH_NO_CGROUP |
		      SNAP_NO_MAPS | SNAP_NO_BTF, &v))
		return -1;
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_PERF, "perf-event attachments");
	if (attach_rows_read(&v.db, v.snap_id, ATTACH_BIT(ATTACH_PERF_EVENT), NULL, &rows, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	out_arr_start(o, NULL);
	for (size_t i = 0; i < rows.n; i++)
		print_one(o, &rows.v[i]);
	out_arr_end(o);
	attach_rows_free(&rows);
	ret = 0;
out:
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
