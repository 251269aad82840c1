/* iter pin OBJ PATH [map MAP]: bpftool's iter, through act/iter_pin.c. */
#include <stdio.h>
#include <unistd.h>
#include "cli/cli.h"
#include "act/iter_pin.h"
#include "capture/live_select.h"

static int do_pin(struct ctx *ctx, int argc, char **argv)
{
	const char *obj, *path;
	struct err e = { 0 };
	int map_fd = -1, ret;

	if (argc < 2) {
		p_usage(ctx, GRAMMAR_ITER);
		return -1;
	}
	obj = GET_ARG();
	path = GET_ARG();
	if (argc > 0 && is_prefix(*argv, "map")) {
		NEXT_ARG();
		if (argc < 2)
			return p_err(ctx, "incorrect map spec");
		if (live_map_fd(argv[0], argv[1], &map_fd, &e))
			return p_err_e(ctx, &e);
		NEXT_ARGS(2);
	}
	if (argc > 0) {
		if (map_fd >= 0)
			close(map_fd);
		return p_err(ctx, "unexpected argument '%s'", *argv);
	}
	ret = iter_pin(obj, path, map_fd, &e) ? p_err_e(ctx, &e) : 0;
	if (map_fd >= 0)
		close(map_fd);
	if (!ret && out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return ret;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_ITER);
}

int do_iter(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "help", do_help },
		{ "pin", do_pin },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
