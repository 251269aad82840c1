/* net attach | detach: XDP (netlink) and tcx (BPF_PROG_ATTACH as bpftool, or with 'link' a
 * bpf_link pinned under /sys/fs/bpf/bpfscope/tcx so it outlives this process). */
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>
#include "cli/cli.h"
#include "capture/live_select.h"
#include "act/mount.h"
#include "act/net_attach.h"

#define ATTACH_TYPES "{ xdp | xdpgeneric | xdpdrv | xdpoffload | tcx_ingress | tcx_egress }"

static int parse_dev(struct ctx *ctx, int *argc, char ***argv, int *ifindex)
{
	const char *name;

	if (*argc < 2 || strcmp((*argv)[0], "dev"))
		return p_err(ctx, "expected 'dev IFNAME'");
	name = (*argv)[1];
	NEXT_ARGP(2);
	*ifindex = if_nametoindex(name);
	if (!*ifindex)
		return p_err(ctx, "invalid devname %s", name);
	return 0;
}

int do_net_attach(struct ctx *ctx, int argc, char **argv)
{
	struct netattach_result r;
	struct err e = { 0 };
	bool overwrite = false, prepend = false, link = false;
	const char *kw, *arg;
	int kind, fd, ifindex, err;

	if (argc < 5)
		return p_err(ctx, "expected ATTACH_TYPE PROG dev IFNAME [overwrite | prepend] [link] "
			     "(ATTACH_TYPE := "
			     ATTACH_TYPES ")");
	kind = netattach_kind(argv[0]);
	if (kind < 0)
		return p_err(ctx, "invalid net attach/detach type: %s (valid: %s)", argv[0],
			     ATTACH_TYPES);
	kw = argv[1];
	arg = argv[2];
	NEXT_ARGS(3);
	if (!live_prog_kw(kw))
		return p_err(ctx, "expected PROG (" HELP_SPEC_PROGRAM "), got '%s'", kw);
	if (parse_dev(ctx, &argc, &argv, &ifindex))
		return -1;
	while (argc > 0) {
		if (!strcmp(*argv, "overwrite")) {
			overwrite = true;
		} else if (!strcmp(*argv, "prepend")) {
			prepend = true;
		} else if (!strcmp(*argv, "link")) {
			link = true;
		} else {
			return p_err(ctx, "expected 'overwrite', 'prepend' or 'link', got: '%s'?",
				     *argv);
		}
		NEXT_ARG();
	}
	/* bpftool's rules; a tcx link (ours) can replace what is there */
	if (overwrite && netattach_is_tcx(kind) && !link)
		return p_err(ctx, "'overwrite' is only supported for xdp types");
	if ((prepend || link) && !netattach_is_tcx(kind))
		return p_err(ctx, "'%s' is only supported for tcx_ingress/tcx_egress",
			     prepend ? "prepend" : "link");
	if (prepend && link)
		return p_err(ctx, "'prepend' and 'link' do not go together");
	NO_MORE_ARGS();
	if (env_ready(ENV_PRIV | (netattach_is_tcx(kind) ? ENV_BPFFS : 0), ctx->mount, &e))
		return p_err_e(ctx, &e);
	if (live_prog_fd(kw, arg, &fd, &e))
		return p_err_e(ctx, &e);
	if (netattach_is_tcx(kind) && !link)
		err = net_attach_tcx_prog(kind, fd, ifindex, prepend, &r, &e);
	else
		err = net_attach(kind, fd, ifindex, overwrite, NULL, NULL, &r, &e);
	close(fd);
	if (err)
		return p_err_e(ctx, &e);
	if (out_json(&ctx->out)) {
		out_obj_start(&ctx->out, NULL);
		out_uint(&ctx->out, "prog_id", NULL, r.prog_id);
		if (r.link_id) {
			out_uint(&ctx->out, "link_id", NULL, r.link_id);
			out_str(&ctx->out, "pinned", NULL, r.pin);
		}
		out_obj_end(&ctx->out);
	} else if (r.link_id) {
		p_info(ctx, "tcx link %u pinned at %s ('net detach' or rm removes it)", r.link_id,
		       r.pin);
	}
	return 0;
}

int do_net_detach(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };
	unsigned count;
	int kind, ifindex;

	if (argc < 3)
		return p_err(ctx, "expected ATTACH_TYPE dev IFNAME (ATTACH_TYPE := " ATTACH_TYPES ")");
	kind = netattach_kind(argv[0]);
	if (kind < 0)
		return p_err(ctx, "invalid net attach/detach type: %s (valid: %s)", argv[0],
			     ATTACH_TYPES);
	NEXT_ARG();
	if (parse_dev(ctx, &argc, &argv, &ifindex))
		return -1;
	NO_MORE_ARGS();
	if (env_ready(ENV_PRIV, ctx->mount, &e))
		return p_err_e(ctx, &e);
	if (net_detach(kind, ifindex, &count, &e))
		return p_err_e(ctx, &e);
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return 0;
}
