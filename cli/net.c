/* net show: XDP, tc (classic, tcx, netkit), flow dissector and netfilter attachments in
 * bpftool's layout, from the typed attachment rows of a view (live or stored). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "cli/attachments.h"
#include "store/read_attach.h"
#include "capture/snapshot.h"

#define XDP_ATTACHED_MULTI_ 4	/* IFLA_XDP_ATTACHED value: several modes at once */

/* print one object from rows->v[*i] on, advancing *i past the rows it used */
typedef void (*section_print)(struct ctx *ctx, const struct attach_rows *rows, size_t *i);

static int run_section(struct ctx *ctx, struct view *v, const char *dev, unsigned kinds,
		       section_print print)
{
	struct attach_rows rows;
	struct err e = { 0 };

	if (attach_rows_read(&v->db, v->snap_id, kinds, dev, &rows, &e))
		return p_err_e(ctx, &e);
	for (size_t i = 0; i < rows.n; )
		print(ctx, &rows, &i);
	attach_rows_free(&rows);
	return 0;
}

static void dev_fields(struct out *o, const struct attach_row *r, bool always_name)
{
	if (always_name || (r->devname && *r->devname))
		out_str(o, "devname", "%s", r->devname ? r->devname : "");
	out_uint(o, "ifindex", "(%u)", (uint32_t)r->ifindex);
}

/* one device: a single mode, or XDP_ATTACHED_MULTI's several rows in one object */
static void print_xdp(struct ctx *ctx, const struct attach_rows *rows, size_t *i)
{
	struct out *o = &ctx->out;
	const struct attach_row *r = &rows->v[*i];
	int32_t ifindex = r->ifindex;
	bool multi = r->u.xdp.attached == XDP_ATTACHED_MULTI_;

	out_obj_start(o, NULL);
	dev_fields(o, r, false);
	if (multi)
		out_arr_start(o, "multi_attachments");
	for (;;) {
		if (multi)
			out_obj_start(o, NULL);
		out_str(o, "mode", " %s", r->mode);
		out_uint(o, "id", " id %u", r->prog_id);
		if (multi)
			out_obj_end(o);
		++*i;
		if (!multi || *i >= rows->n)
			break;
		r = &rows->v[*i];
		if (r->ifindex != ifindex || r->u.xdp.attached != XDP_ATTACHED_MULTI_)
			break;
	}
	if (multi)
		out_arr_end(o);
	out_obj_end(o);
	out_nl(o);
}

static void print_flags(struct out *o, const char *key, uint32_t flags)
{
	/* JSON always has the array; plain shows it only when non-empty (as bpftool) */
	if (!out_json(o) && !flags)
		return;
	out_arr_start(o, key);
	out_plain(o, " %s", key);
	for (int b = 0; b < 32; b++)
		if (flags & (1u << b))
			out_uint(o, NULL, " %u", 1u << b);
	out_arr_end(o);
}

static void print_tc(struct ctx *ctx, const struct attach_rows *rows, size_t *i)
{
	struct out *o = &ctx->out;
	const struct attach_row *r = &rows->v[(*i)++];

	out_obj_start(o, NULL);
	if (r->kind == ATTACH_TC) {
		/* classic cls_bpf: the name is iproute2's "file:[section]" */
		dev_fields(o, r, false);
		out_str(o, "kind", " %s", r->mode);
		if (r->target)
			out_str(o, "name", " %s", r->target);
		if (r->prog_id)
			out_uint(o, "id", " id %u", r->prog_id);
	} else {
		/* tcx and netkit chains, as newer bpftool prints them */
		dev_fields(o, r, true);
		out_str(o, "kind", " %s", r->mode);
		if (r->prog_name && *r->prog_name)
			out_str(o, "name", " %s", r->prog_name);
		out_uint(o, "prog_id", " prog_id %u", r->prog_id);
		print_flags(o, "prog_flags", r->u.mprog.prog_flags);
		if (r->link_id || out_json(o)) {
			out_uint(o, "link_id", " link_id %u", r->link_id);
			print_flags(o, "link_flags", r->u.mprog.link_flags);
		}
	}
	out_obj_end(o);
	out_nl(o);
}

static void print_flow_dissector(struct ctx *ctx, const struct attach_rows *rows, size_t *i)
{
	const struct attach_row *r = &rows->v[(*i)++];

	/* bpftool writes "id" straight into the array (invalid JSON); we wrap it */
	out_obj_start(&ctx->out, NULL);
	out_uint(&ctx->out, "id", "id %u", r->prog_id);
	out_obj_end(&ctx->out);
	if (*i < rows->n)
		out_nl(&ctx->out);
}

static const char *nf_pf_name(uint32_t pf)
{
	static const char *const names[] = {
		[1] = "inet", [2] = "ip", [3] = "arp", [5] = "netdev", [7] = "bridge", [10] = "ip6",
	};

	return pf < ARRAY_SIZE(names) ? names[pf] : NULL;
}

static const char *nf_hook_name(uint32_t pf, uint32_t hook)
{
	static const char *const inet[] = { "prerouting", "input", "forward", "output",
					    "postrouting" };
	static const char *const arp[] = { "input", "output" };

	switch (pf) {
	case 1: case 2: case 7: case 10:	/* bridge shares the inet hook numbers */
		return hook < ARRAY_SIZE(inet) ? inet[hook] : NULL;
	case 3:
		return hook < ARRAY_SIZE(arp) ? arp[hook] : NULL;
	default:
		return NULL;
	}
}

static void print_netfilter(struct ctx *ctx, const struct attach_rows *rows, size_t *i)
{
	struct out *o = &ctx->out;
	const struct attach_row *r = &rows->v[(*i)++];
	uint32_t pf = r->u.nf.pf, hook = r->u.nf.hooknum;
	const char *pfname = nf_pf_name(pf), *hookname = nf_hook_name(pf, hook);

	out_obj_start(o, NULL);
	if (pfname)
		out_uint(o, "pf", NULL, pf), out_plain(o, "\n\t%s", pfname);
	else
		out_uint(o, "pf", "\n\tpf: %u", pf);
	if (hookname)
		out_uint(o, "hook", NULL, hook), out_plain(o, " %s", hookname);
	else
		out_uint(o, "hook", ", hook %u,", hook);
	out_int(o, "prio", " prio %d", r->u.nf.prio);
	if (r->u.nf.flags || out_json(o))
		out_uint(o, "flags", " flags 0x%x", r->u.nf.flags);
	out_uint(o, "id", " prog_id %u", r->prog_id);
	out_obj_end(o);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct out *o = &ctx->out;
	const char *dev = NULL;
	struct view v;
	int ret;

	if (argc > 0) {
		if (!keyword_is(*argv, "dev"))
			return p_err(ctx, "expected 'dev DEVNAME' or nothing, got: '%s'", *argv);
		NEXT_ARG();
		REQ_ARGS(1);
		dev = GET_ARG();
	}
	NO_MORE_ARGS();
	if (dev && !ctx->snap_ref && !if_nametoindex(dev))
		return p_err(ctx, "invalid devname %s", dev);
	if (view_open(ctx, SNAP_ATTACH | SNAP_ATTACH_NO_CGROUP | SNAP_ATTACH_NO_PERF |
		      SNAP_NO_MAPS | SNAP_NO_BTF, &v))
		return -1;
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_NET, "network attachments");
	out_arr_start(o, NULL);
	out_obj_start(o, NULL);

	out_arr_start(o, "xdp");
	out_plain(o, "xdp:\n");
	ret = run_section(ctx, &v, dev, ATTACH_BIT(ATTACH_XDP), print_xdp);
	out_arr_end(o);
	out_nl(o);

	out_arr_start(o, "tc");
	out_plain(o, "tc:\n");
	if (!ret)
		ret = run_section(ctx, &v, dev, ATTACH_BIT(ATTACH_TCX) | ATTACH_BIT(ATTACH_NETKIT) |
				  ATTACH_BIT(ATTACH_TC), print_tc);
	out_arr_end(o);
	out_nl(o);

	out_arr_start(o, "flow_dissector");
	out_plain(o, "flow_dissector:\n");
	if (!ret)
		ret = run_section(ctx, &v, NULL, ATTACH_BIT(ATTACH_FLOW_DISSECTOR),
				  print_flow_dissector);
	out_arr_end(o);
	out_nl(o);

	out_arr_start(o, "netfilter");
	out_plain(o, "netfilter:\n");
	if (!ret)
		ret = run_section(ctx, &v, NULL, ATTACH_BIT(ATTACH_NETFILTER), print_netfilter);
	out_arr_end(o);
	out_nl(o);

	out_obj_end(o);
	out_arr_end(o);
	view_close(&v);
	return ret;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_NET);
}

int do_net(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "list", do_show },
		{ "attach", do_net_attach },
		{ "detach", do_net_detach },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
