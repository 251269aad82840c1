/* prog attach | detach | run | tracelog | profile: words, messages and output as bpftool's
 * (prog.c, tracelog.c); the kernel calls are act/prog_ops.h's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "cli/cli.h"
#include "capture/live_select.h"
#include "act/map_edit.h"
#include "act/prog_ops.h"

/* bpftool's prog attach types: libbpf's names, and the older short ones by prefix */
static const struct { uint32_t type; const char *name, *legacy; } attach_types[] = {
	{ BPF_SK_SKB_STREAM_PARSER, "sk_skb_stream_parser", "stream_parser" },
	{ BPF_SK_SKB_STREAM_VERDICT, "sk_skb_stream_verdict", "stream_verdict" },
	{ BPF_SK_SKB_VERDICT, "sk_skb_verdict", "skb_verdict" },
	{ BPF_SK_MSG_VERDICT, "sk_msg_verdict", "msg_verdict" },
	{ BPF_FLOW_DISSECTOR, "flow_dissector", NULL },
};

static int attach_type_of(const char *w)
{
	for (size_t i = 0; i < sizeof(attach_types) / sizeof(attach_types[0]); i++)
		if (!strcmp(w, attach_types[i].name) ||
		    (attach_types[i].legacy && *w &&
		     !strncmp(w, attach_types[i].legacy, strlen(w))))
			return (int)attach_types[i].type;
	return -1;
}

/* PROG word pair to an fd of the live kernel; its words consumed */
static int open_prog(struct ctx *ctx, int *argc, char ***argv, int *fd)
{
	struct err e = { 0 };

	if (*argc < 2 || !live_prog_kw((*argv)[0]))
		return p_err(ctx, "expected PROG (" HELP_SPEC_PROGRAM ")%s%s%s",
			     *argc ? ", got '" : "", *argc ? (*argv)[0] : "", *argc ? "'" : "");
	if (live_prog_fd((*argv)[0], (*argv)[1], fd, &e))
		return p_err_e(ctx, &e);
	NEXT_ARGV(argc, argv, 2);
	return 0;
}

/* prog attach|detach PROG ATTACH_TYPE [MAP]: flow_dissector takes no map (the network
 * namespace of the caller is where it goes) */
static int attach_detach(struct ctx *ctx, int argc, char **argv, bool detach)
{
	struct err e = { 0 };
	int pfd = -1, mfd = 0, type, ret = -1;

	if (argc < 3)
		return p_err(ctx, "'%s' needs at least 3 arguments, %d found", argv[-1], argc);
	if (open_prog(ctx, &argc, &argv, &pfd))
		return -1;
	type = argc ? attach_type_of(argv[0]) : -1;
	if (type < 0) {
		p_err(ctx, "invalid attach/detach type");
		goto out;
	}
	NEXT_ARG();
	if (type != BPF_FLOW_DISSECTOR) {
		struct mapedit_info mi;

		if (argc < 2) {
			p_err(ctx, "expected MAP (" HELP_SPEC_MAP ")");
			goto out;
		}
		if (map_edit_open(ctx, &argc, &argv, &mfd, &mi)) {
			mfd = 0;
			goto out;
		}
	}
	if (argc > 0) {
		p_err(ctx, "unexpected argument '%s'", argv[0]);
		goto out;
	}
	if (prog_map_attach(pfd, mfd, type, detach, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	ret = 0;
out:
	if (mfd > 0)
		close(mfd);
	close(pfd);
	return ret;
}

int do_prog_attach(struct ctx *ctx, int argc, char **argv)
{
	return attach_detach(ctx, argc, argv, false);
}

int do_prog_detach(struct ctx *ctx, int argc, char **argv)
{
	return attach_detach(ctx, argc, argv, true);
}

/* prog profile PROG [duration D] METRICs: it counts through fentry/fexit programs on the
 * target; where the kernel refuses fentry, that is the answer, in one line */
int do_prog_profile(struct ctx *ctx, int argc, char **argv)
{
	static const char *const metrics[] = { "cycles", "instructions", "l1d_loads",
					       "llc_misses", "itlb_misses", "dtlb_misses" };
	struct err e = { 0 };
	int fd, err;

	if (argc < 3)
		return p_err(ctx, "'%s' needs at least 3 arguments, %d found", argv[-1], argc);
	if (open_prog(ctx, &argc, &argv, &fd))
		return -1;
	if (argc > 2 && keyword_is(argv[0], "duration"))
		NEXT_ARGS(2);
	for (; argc > 0; NEXT_ARG()) {
		if (keyword_find(argv[0], metrics, sizeof(metrics) / sizeof(metrics[0])) < 0) {
			close(fd);
			return p_err(ctx, "unknown metric %s", argv[0]);
		}
	}
	err = fentry_probe(fd, &e);
	close(fd);
	if (err)
		return p_err(ctx, "prog profile needs fentry, which this kernel refuses (%s)",
			     e.msg);
	return p_err(ctx, "prog profile is not implemented in bpfscope (fentry works here: "
		     "bpftool prog profile can count)");
}
