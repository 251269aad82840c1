/* link show|list: links as the snapshot recorded them, in bpftool's layout. */
#include <linux/bpf.h>
#include <net/if.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"
#include "store/read_link.h"

static void print_attach_type(struct out *o, uint32_t at)
{
	const char *n = attach_type_name(at);

	if (n)
		out_str(o, "attach_type", "attach_type %s  ", n);
	else
		out_uint(o, "attach_type", "attach_type %llu  ", at);
}

struct link_show {
	struct ctx *ctx;
	struct view *v;
	struct err e;
};

static int print_link(const struct link_row *r, void *arg)
{
	struct link_show *ls = arg;
	struct ctx *ctx = ls->ctx;
	struct out *o = &ctx->out;
	uint32_t type = r->type;
	const char *tname = link_type_name(type), *target = r->target;

	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", r->id);
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %llu  ", type);
	out_uint(o, "prog_id", "prog %llu  ", r->prog_id);
	switch (type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		out_str(o, "tp_name", "\n\ttp '%s'  ", target);
		break;
	case BPF_LINK_TYPE_TRACING:
		out_plain(o, "\n\t");
		print_attach_type(o, r->attach_type);
		out_uint(o, "target_obj_id", "target_obj_id %llu  ", r->target_obj_id);
		out_uint(o, "target_btf_id", "target_btf_id %llu  ", r->target_btf_id);
		break;
	case BPF_LINK_TYPE_CGROUP:
		out_uint(o, "cgroup_id", "\n\tcgroup_id %llu  ", r->cgroup_id);
		print_attach_type(o, r->attach_type);
		break;
	case BPF_LINK_TYPE_ITER:
		out_str(o, "target_name", "\n\ttarget_name %s  ", target);
		break;
	case BPF_LINK_TYPE_NETNS:
		out_uint(o, "netns_ino", "\n\tnetns_ino %llu  ", r->netns_ino);
		print_attach_type(o, r->attach_type);
		break;
	case BPF_LINK_TYPE_XDP:
	case 11:	/* tcx */
	case 13: {	/* netkit */
		char ifname[IF_NAMESIZE] = "";
		uint32_t ifindex = r->ifindex;

		/* names are only meaningful on the machine the snapshot came from */
		out_plain(o, "\n\t");
		if (ctx->snap_ref == NULL && if_indextoname(ifindex, ifname))
			out_str(o, "devname", "ifname %s", ifname);
		out_uint(o, "ifindex", "(%llu)  ", ifindex);
		if (type != BPF_LINK_TYPE_XDP)
			print_attach_type(o, r->attach_type);
		break;
	}
	case BPF_LINK_TYPE_PERF_EVENT: {
		static const char *const kinds[] = { "", "uprobe", "uretprobe", "kprobe", "kretprobe",
						     "tracepoint", "event" };
		uint32_t k = r->flags;

		out_str(o, "event_type", "\n\t%s ", k < 7 ? kinds[k] : "event");
		if (target)
			out_str(o, k == 5 ? "tp_name" : k <= 2 ? "file" : "func", "%s", target);
		if (r->offset)
			out_uint(o, "offset", "+%#llx", r->offset);
		if (r->cookie)
			out_uint(o, "cookie", "  cookie %llu", r->cookie);
		out_plain(o, "  ");
		break;
	}
	case 10:	/* netfilter */
		out_uint(o, "flags", "\n\tflags %#llx  ", r->flags);
		break;
	default:
		if (target)
			out_str(o, "target", "\n\ttarget %s  ", target);
		break;
	}
	if (show_pids(ctx, ls->v, "link", r->id, &ls->e))
		return -1;
	out_nl(o);
	out_obj_end(o);
	return 0;
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct link_show ls = { .ctx = ctx };
	struct view v;
	int64_t only;
	int err;

	if (show_only_id(ctx, argc, argv, &only))
		return -1;
	if (view_open(ctx, SNAP_NO_MAPS | SNAP_NO_BTF | SNAP_OWNERS, &v))
		return -1;
	ls.v = &v;
	if (only < 0)
		out_arr_start(&ctx->out, NULL);
	err = link_rows(&v.db, v.snap_id, only, print_link, &ls, &ls.e);
	if (only < 0)
		out_arr_end(&ctx->out);
	if (err)
		err = p_err_e(ctx, &ls.e);
	view_close(&v);
	return err;
}

static int do_link_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, "Usage: bpfscope [-s REF] link { show | list } [id LINK_ID]\n");
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
