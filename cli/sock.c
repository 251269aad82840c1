/* sock show/dump: packet sockets with classic BPF filters (what `ss -0 -b -p` shows, and
 * what bpftool cannot: they have no BPF id), live or from a snapshot; dump disassembles
 * each filter as tcpdump -d does (analyze/cbpf.c). */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "cli/cli.h"
#include "analyze/cbpf.h"
#include "store/read_attach.h"
#include "store/read_sock.h"
#include "store/snap_mask.h"

struct sock_sel {
	bool all;			/* also sockets without a filter */
	int64_t ino, pid;		/* -1: any */
};

struct sock_print {
	struct ctx *ctx;
	const struct sock_sel *sel;
	bool dump;
};

static int parse_num(struct ctx *ctx, const char *what, const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (!*s || *end || errno || v < 0)
		return p_err(ctx, "%s: expected a number, got '%s'", what, s);
	*out = v;
	return 0;
}

/* [all] [{ ino INO | pid PID }] */
static int sock_parse(struct ctx *ctx, int argc, char **argv, bool allow_all, struct sock_sel *sel)
{
	*sel = (struct sock_sel){ .ino = -1, .pid = -1 };
	while (argc > 0) {
		const char *kw = GET_ARG();

		if (allow_all && keyword_is(kw, "all")) {
			sel->all = true;
			continue;
		}
		if (!keyword_is(kw, "ino") && !keyword_is(kw, "pid"))
			return p_err(ctx, "unexpected argument '%s' (expected %sino INO or pid PID)", kw,
				     allow_all ? "all, " : "");
		REQ_ARGS(1);
		if (parse_num(ctx, kw, GET_ARG(), keyword_is(kw, "ino") ? &sel->ino : &sel->pid))
			return -1;
	}
	return 0;
}

static const char *type_name(int type)
{
	return type == SOCK_RAW ? "raw" : type == SOCK_DGRAM ? "dgram" : NULL;
}

static void print_insns(struct out *o, const struct socket_row *r)
{
	char line[128];

	out_arr_start(o, "insns");
	for (size_t i = 0; i < cbpf_nr_insns(r->filter_len); i++) {
		struct cbpf_insn in;
		const char *text;

		if (!cbpf_insn_get(r->filter, r->filter_len, i, &in) ||
		    cbpf_insn_text(r->filter, r->filter_len, i, line, sizeof(line)) < 0)
			break;
		out_plain(o, "%s\n", line);
		if (!out_json(o))
			continue;
		text = strstr(line, ") ");
		out_obj_start(o, NULL);
		out_uint(o, "code", NULL, in.code);
		out_uint(o, "jt", NULL, in.jt);
		out_uint(o, "jf", NULL, in.jf);
		out_uint(o, "k", NULL, in.k);
		out_str(o, "text", NULL, text ? text + 2 : line);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (r->filter_len % CBPF_INSN_SIZE)
		out_plain(o, "(%zu stray bytes after the last instruction)\n",
			  r->filter_len % CBPF_INSN_SIZE);
}

static int print_row(const struct socket_row *r, void *arg)
{
	struct sock_print *sp = arg;
	struct out *o = &sp->ctx->out;
	const char *type = type_name(r->type), *proto = cbpf_ethertype_name(r->protocol);

	if ((sp->sel->ino >= 0 && r->ino != sp->sel->ino) ||
	    (sp->sel->pid >= 0 && r->pid != sp->sel->pid))
		return 0;
	out_obj_start(o, NULL);
	out_uint(o, "ino", "ino %llu", (unsigned long long)r->ino);
	out_str(o, "family", "  %s", r->family == AF_PACKET ? "packet" : "?");
	if (type)
		out_str(o, "type", " %s", type);
	else
		out_int(o, "type", " type %lld", r->type);
	out_uint(o, "protocol", "  proto 0x%04llx", (unsigned long long)r->protocol);
	if (proto)
		out_str(o, "protocol_name", " (%s)", proto);
	out_uint(o, "ifindex", NULL, r->ifindex > 0 ? (uint64_t)r->ifindex : 0);
	if (r->ifindex > 0)
		out_str(o, "devname", "  dev %s", *r->devname ? r->devname : "?");
	else
		out_plain(o, "  dev *");
	if (r->nr_insns >= 0) {
		out_uint(o, "nr_insns", "  filter %llu insns", (unsigned long long)r->nr_insns);
		out_str(o, "filter", NULL, r->filter_hash);
	} else {
		out_null(o, "nr_insns");
		out_plain(o, "  no filter");
	}
	if (r->fanout >= 0)
		out_uint(o, "fanout", "  fanout 0x%llx", (unsigned long long)r->fanout);
	if (r->pid >= 0) {
		out_int(o, "pid", "\n\tpid %lld", (long long)r->pid);
		out_str(o, "comm", "  comm %s", r->comm);
		out_int(o, "fd", "  fd %lld", (long long)r->fd);
	} else {
		out_plain(o, "\n\tno process seen holding it");
	}
	if (r->uid >= 0)
		out_int(o, "uid", "  uid %lld", (long long)r->uid);
	if (r->netns_ino >= 0)
		out_uint(o, "netns_ino", "  netns net:[%llu]", (unsigned long long)r->netns_ino);
	out_nl(o);
	if (sp->dump)
		print_insns(o, r);
	out_obj_end(o);
	return 0;
}

static int sock_list(struct ctx *ctx, int argc, char **argv, bool dump)
{
	struct sock_sel sel;
	struct sock_print sp = { .ctx = ctx, .sel = &sel, .dump = dump };
	struct err e = { 0 };
	int64_t mask = 0;
	struct view v;
	int ret = 0;

	if (sock_parse(ctx, argc, argv, !dump, &sel))
		return -1;
	/* owners: the iterator that lists them also finds who holds each packet socket */
	if (view_open(ctx, SNAP_SOCK | SNAP_OWNERS | SNAP_NO_PROGS | SNAP_NO_MAPS | SNAP_NO_BTF, &v))
		return -1;
	/* a snapshot taken without sockets may come from a file without the table */
	if (snapshot_mask_read(&v.db, v.snap_id, &mask, &e) < 0) {
		ret = p_err_e(ctx, &e);
		goto out;
	}
	out_arr_start(&ctx->out, NULL);
	if (!(mask & SNAP_SOCK))
		p_info(ctx, "Warning: snapshot %lld was taken without sockets", (long long)v.snap_id);
	else if (socket_rows(&v.db, v.snap_id, (sel.all ? 0 : SOCK_ROWS_FILTERED) |
			     (dump ? SOCK_ROWS_BYTES : 0), print_row, &sp, &e))
		ret = p_err_e(ctx, &e);
	out_arr_end(&ctx->out);
out:
	view_close(&v);
	return ret;
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	return sock_list(ctx, argc, argv, false);
}

static int do_dump(struct ctx *ctx, int argc, char **argv)
{
	return sock_list(ctx, argc, argv, true);
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_SOCK);
}

int do_sock(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "list", do_show },
		{ "dump", do_dump },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
