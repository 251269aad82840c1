/* net show: XDP, tc (classic, tcx, netkit), flow dissector and netfilter attachments in
 * bpftool's layout, read from the attachments table of a view (live or stored). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "cli/attachments.h"
#include "capture/snapshot.h"

#define XDP_ATTACHED_MULTI_ 4	/* IFLA_XDP_ATTACHED value: several modes at once */

/* one attachments row, joined with its program's name */
struct net_row {
	const char *kind, *devname, *mode, *target, *detail, *name;
	uint32_t prog_id, link_id;
	int64_t ifindex, attach_type, flags, priority, handle;
};

static const char net_sql[] =
	"SELECT a.kind, a.devname, a.mode, a.target, a.detail, coalesce(p.full_name, p.name),"
	" a.prog_id, a.link_id, a.ifindex, a.attach_type, a.flags, a.priority, a.handle"
	" FROM attachments a LEFT JOIN progs p ON p.snapshot_id = a.snapshot_id AND p.id = a.prog_id"
	" WHERE a.snapshot_id = ?1 AND (?2 IS NULL OR a.devname = ?2 OR a.devname IS NULL)"
	" AND a.kind IN (?3, ?4, ?5) ORDER BY a.rowid";

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void row_read(sqlite3_stmt *st, struct net_row *r)
{
	r->kind = col_text(st, 0);
	r->devname = col_text(st, 1);
	r->mode = col_text(st, 2);
	r->target = col_text(st, 3);
	r->detail = col_text(st, 4);
	r->name = col_text(st, 5);
	r->prog_id = sqlite3_column_int64(st, 6);
	r->link_id = sqlite3_column_int64(st, 7);
	r->ifindex = sqlite3_column_int64(st, 8);
	r->attach_type = sqlite3_column_int64(st, 9);
	r->flags = sqlite3_column_int64(st, 10);
	r->priority = sqlite3_column_int64(st, 11);
	r->handle = sqlite3_column_int64(st, 12);
}

/* "key=N" from a detail string; dflt when absent */
static uint64_t detail_num(const char *detail, const char *key, uint64_t dflt)
{
	size_t klen = strlen(key);

	for (const char *p = detail; p && *p; p = strchr(p, ' '), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return strtoull(p + klen + 1, NULL, 0);
	return dflt;
}

static int run_section(struct ctx *ctx, struct view *v, const char *dev, const char *k1,
		       const char *k2, const char *k3,
		       void (*print)(struct ctx *ctx, sqlite3_stmt *st, bool *more))
{
	struct err e = { 0 };
	sqlite3_stmt *st;
	bool more;
	int rc;

	if (db_prepare(&v->db, net_sql, &st, &e))
		return p_err_e(ctx, &e);
	sqlite3_bind_int64(st, 1, v->snap_id);
	if (dev)
		sqlite3_bind_text(st, 2, dev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k2, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, k3, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	more = rc == SQLITE_ROW;
	while (more)
		print(ctx, st, &more);	/* consumes one object's rows, steps past them */
	rc = sqlite3_errcode(v->db.sql);
	sqlite3_finalize(st);
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		return p_err(ctx, "can't read attachments: %s", sqlite3_errstr(rc));
	return 0;
}

static void dev_fields(struct out *o, const struct net_row *r, bool always_name)
{
	if (always_name || (r->devname && *r->devname))
		out_str(o, "devname", "%s", r->devname ? r->devname : "");
	out_uint(o, "ifindex", "(%u)", (uint32_t)r->ifindex);
}

/* one device: a single mode, or XDP_ATTACHED_MULTI's several rows in one object */
static void print_xdp(struct ctx *ctx, sqlite3_stmt *st, bool *more)
{
	struct out *o = &ctx->out;
	struct net_row r;
	int64_t ifindex;
	bool multi;

	row_read(st, &r);
	ifindex = r.ifindex;
	multi = r.flags == XDP_ATTACHED_MULTI_;
	out_obj_start(o, NULL);
	dev_fields(o, &r, false);
	if (multi)
		out_arr_start(o, "multi_attachments");
	for (;;) {
		if (multi)
			out_obj_start(o, NULL);
		out_str(o, "mode", " %s", r.mode);
		out_uint(o, "id", " id %u", r.prog_id);
		if (multi)
			out_obj_end(o);
		*more = sqlite3_step(st) == SQLITE_ROW;
		if (!multi || !*more)
			break;
		row_read(st, &r);
		if (r.ifindex != ifindex || r.flags != XDP_ATTACHED_MULTI_)
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

static void print_tc(struct ctx *ctx, sqlite3_stmt *st, bool *more)
{
	struct out *o = &ctx->out;
	struct net_row r;

	row_read(st, &r);
	out_obj_start(o, NULL);
	if (!strcmp(r.kind, "tc")) {
		/* classic cls_bpf: the name is iproute2's "file:[section]" */
		dev_fields(o, &r, false);
		out_str(o, "kind", " %s", r.mode);
		if (r.target)
			out_str(o, "name", " %s", r.target);
		if (r.prog_id)
			out_uint(o, "id", " id %u", r.prog_id);
	} else {
		/* tcx and netkit chains, as newer bpftool prints them */
		dev_fields(o, &r, true);
		out_str(o, "kind", " %s", r.mode);
		if (r.name && *r.name)
			out_str(o, "name", " %s", r.name);
		out_uint(o, "prog_id", " prog_id %u", r.prog_id);
		print_flags(o, "prog_flags", (uint32_t)r.flags);
		if (r.link_id || out_json(o)) {
			out_uint(o, "link_id", " link_id %u", r.link_id);
			print_flags(o, "link_flags", (uint32_t)detail_num(r.detail, "link_flags", 0));
		}
	}
	out_obj_end(o);
	out_nl(o);
	*more = sqlite3_step(st) == SQLITE_ROW;
}

static void print_flow_dissector(struct ctx *ctx, sqlite3_stmt *st, bool *more)
{
	struct net_row r;

	row_read(st, &r);
	/* bpftool writes "id" straight into the array (invalid JSON); we wrap it */
	out_obj_start(&ctx->out, NULL);
	out_uint(&ctx->out, "id", "id %u", r.prog_id);
	out_obj_end(&ctx->out);
	*more = sqlite3_step(st) == SQLITE_ROW;
	if (*more)
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

static void print_netfilter(struct ctx *ctx, sqlite3_stmt *st, bool *more)
{
	struct out *o = &ctx->out;
	struct net_row r;
	uint32_t pf, hook;
	const char *pfname, *hookname;

	row_read(st, &r);
	pf = detail_num(r.detail, "pf", 0);
	hook = detail_num(r.detail, "hooknum", 0);
	pfname = nf_pf_name(pf);
	hookname = nf_hook_name(pf, hook);
	out_obj_start(o, NULL);
	if (pfname)
		out_uint(o, "pf", NULL, pf), out_plain(o, "\n\t%s", pfname);
	else
		out_uint(o, "pf", "\n\tpf: %u", pf);
	if (hookname)
		out_uint(o, "hook", NULL, hook), out_plain(o, " %s", hookname);
	else
		out_uint(o, "hook", ", hook %u,", hook);
	out_int(o, "prio", " prio %d", (int32_t)r.priority);
	if (r.flags || out_json(o))
		out_uint(o, "flags", " flags 0x%x", (uint32_t)r.flags);
	out_uint(o, "id", " prog_id %u", r.prog_id);
	out_obj_end(o);
	*more = sqlite3_step(st) == SQLITE_ROW;
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
	ret = run_section(ctx, &v, dev, "xdp", "xdp", "xdp", print_xdp);
	out_arr_end(o);
	out_nl(o);

	out_arr_start(o, "tc");
	out_plain(o, "tc:\n");
	if (!ret)
		ret = run_section(ctx, &v, dev, "tcx", "netkit", "tc", print_tc);
	out_arr_end(o);
	out_nl(o);

	out_arr_start(o, "flow_dissector");
	out_plain(o, "flow_dissector:\n");
	if (!ret)
		ret = run_section(ctx, &v, NULL, "flow_dissector", "flow_dissector",
				  "flow_dissector", print_flow_dissector);
	out_arr_end(o);
	out_nl(o);

	out_arr_start(o, "netfilter");
	out_plain(o, "netfilter:\n");
	if (!ret)
		ret = run_section(ctx, &v, NULL, "netfilter", "netfilter", "netfilter",
				  print_netfilter);
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
