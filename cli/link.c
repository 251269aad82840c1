/* link show|list: links as the snapshot recorded them, in bpftool's layout. */
#include <linux/bpf.h>
#include <net/if.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"

static void print_attach_type(struct out *o, sqlite3_stmt *st, int col)
{
	uint32_t at = sqlite3_column_int64(st, col);
	const char *n = attach_type_name(at);

	if (n)
		out_str(o, "attach_type", "attach_type %s  ", n);
	else
		out_uint(o, "attach_type", "attach_type %llu  ", at);
}

static void print_link(struct ctx *ctx, sqlite3_stmt *st, sqlite3_stmt *pids)
{
	struct out *o = &ctx->out;
	uint32_t type = sqlite3_column_int64(st, 1);
	const char *tname = link_type_name(type), *target = (const char *)sqlite3_column_text(st, 4);

	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", sqlite3_column_int64(st, 0));
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %llu  ", type);
	out_uint(o, "prog_id", "prog %llu  ", sqlite3_column_int64(st, 2));
	switch (type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		out_str(o, "tp_name", "\n\ttp '%s'  ", target);
		break;
	case BPF_LINK_TYPE_TRACING:
		out_plain(o, "\n\t");
		print_attach_type(o, st, 3);
		out_uint(o, "target_obj_id", "target_obj_id %llu  ", sqlite3_column_int64(st, 5));
		out_uint(o, "target_btf_id", "target_btf_id %llu  ", sqlite3_column_int64(st, 6));
		break;
	case BPF_LINK_TYPE_CGROUP:
		out_uint(o, "cgroup_id", "\n\tcgroup_id %llu  ", sqlite3_column_int64(st, 7));
		print_attach_type(o, st, 3);
		break;
	case BPF_LINK_TYPE_ITER:
		out_str(o, "target_name", "\n\ttarget_name %s  ", target);
		break;
	case BPF_LINK_TYPE_NETNS:
		out_uint(o, "netns_ino", "\n\tnetns_ino %llu  ", sqlite3_column_int64(st, 9));
		print_attach_type(o, st, 3);
		break;
	case BPF_LINK_TYPE_XDP:
	case 11:	/* tcx */
	case 13: {	/* netkit */
		char ifname[IF_NAMESIZE] = "";
		uint32_t ifindex = sqlite3_column_int64(st, 8);

		/* names are only meaningful on the machine the snapshot came from */
		out_plain(o, "\n\t");
		if (ctx->snap_ref == NULL && if_indextoname(ifindex, ifname))
			out_str(o, "devname", "ifname %s", ifname);
		out_uint(o, "ifindex", "(%llu)  ", ifindex);
		if (type != BPF_LINK_TYPE_XDP)
			print_attach_type(o, st, 3);
		break;
	}
	case BPF_LINK_TYPE_PERF_EVENT: {
		static const char *const kinds[] = { "", "uprobe", "uretprobe", "kprobe", "kretprobe",
						     "tracepoint", "event" };
		uint32_t k = sqlite3_column_int64(st, 12);

		out_str(o, "event_type", "\n\t%s ", k < 7 ? kinds[k] : "event");
		if (target)
			out_str(o, k == 5 ? "tp_name" : k <= 2 ? "file" : "func", "%s", target);
		if (sqlite3_column_int64(st, 10))
			out_uint(o, "offset", "+%#llx", sqlite3_column_int64(st, 10));
		if (sqlite3_column_int64(st, 11))
			out_uint(o, "cookie", "  cookie %llu", sqlite3_column_int64(st, 11));
		out_plain(o, "  ");
		break;
	}
	case 10:	/* netfilter */
		out_uint(o, "flags", "\n\tflags %#llx  ", sqlite3_column_int64(st, 12));
		break;
	default:
		if (target)
			out_str(o, "target", "\n\ttarget %s  ", target);
		break;
	}
	show_pids(ctx, pids, sqlite3_column_int64(st, 0));
	out_nl(o);
	out_obj_end(o);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	sqlite3_stmt *st = NULL, *pids = NULL;
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
	if (view_open(ctx, SNAP_NO_MAPS | SNAP_NO_BTF | SNAP_OWNERS, &v))
		return -1;
	err = db_prepare(&v.db, "SELECT id, type, prog_id, attach_type, target, target_obj_id,"
			 " target_btf_id, cgroup_id, ifindex, netns_ino, offset, cookie, flags"
			 " FROM links WHERE snapshot_id = ?1 AND (?2 < 0 OR id = ?2) ORDER BY id", &st, &e);
	err = err ?: pids_stmt(&v, "link", &pids, &e);
	if (err) {
		sqlite3_finalize(st);
		view_close(&v);
		return p_err_e(ctx, &e);
	}
	sqlite3_bind_int64(st, 1, v.snap_id);
	sqlite3_bind_int64(st, 2, only);
	if (only < 0)
		out_arr_start(&ctx->out, NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		print_link(ctx, st, pids);
	if (only < 0)
		out_arr_end(&ctx->out);
	sqlite3_finalize(st);
	sqlite3_finalize(pids);
	view_close(&v);
	return 0;
}

static int do_link_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_LINK);
}

static const struct cmd link_cmds[] = {
	{ "show", do_show },
	{ "list", do_show },
	{ "help", do_link_help },
	{ 0 }
};

int do_link(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, link_cmds, argc, argv, do_link_help);
}
