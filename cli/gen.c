/* gen skeleton|subskeleton|object|min_core_btf: the arguments and the output; the work is
 * in gen/ (skel_gen.c, subskel_gen.c, link_obj.c, min_btf.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "gen/link_obj.h"
#include "gen/min_btf.h"
#include "gen/skel_gen.h"
#include "cli/cli.h"
#include "lib/bpf_names.h"

#define OBJ_MAX (256u << 20)	/* a BPF object bigger than this is not one */

static int do_gen_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)ctx;
	fputs(GRAMMAR_GEN, stderr);
	return 0;
}

/* gen skeleton and gen subskeleton: FILE [name NAME], the header written to stdout only
 * once it is complete. */
static int gen_header(struct ctx *ctx, int argc, char **argv, bool sub)
{
	char name[SKEL_NAME_MAX];
	struct buf obj = { 0 };
	struct err e = { 0 };
	const char *file;
	char *text = NULL;
	size_t text_len = 0;
	FILE *mem = NULL;
	int ret = -1;

	REQ_ARGS(1);
	file = GET_ARG();
	skel_default_name(file, name, sizeof(name));
	while (argc > 0) {
		if (keyword_is(*argv, "name")) {
			NEXT_ARG();
			REQ_ARGS(1);
			if (strlen(*argv) >= sizeof(name))
				return p_err(ctx, "skeleton name '%s' is too long (at most %zu "
					     "characters)", *argv, sizeof(name) - 1);
			snprintf(name, sizeof(name), "%s", *argv);
			NEXT_ARG();
		} else {
			return p_err(ctx, "unknown argument '%s' (expected: name OBJECT_NAME)",
				     *argv);
		}
	}
	if (!skel_is_ident(name))
		return p_err(ctx, "skeleton name '%s' is not a C identifier; give one with "
			     "'name OBJECT_NAME'", name);
	if (read_file(file, OBJ_MAX, &obj, &e) < 0)
		return p_err_e(ctx, &e);

	mem = open_memstream(&text, &text_len);
	if (!mem) {
		ret = p_err(ctx, "can't allocate the skeleton: %s", strerror(errno));
		goto cleanup;
	}
	if ((sub ? subskel_gen : skel_gen)(obj.data, obj.len, name, mem, &e) < 0) {
		err_hint(&e, "is '%s' a BPF object built with clang -target bpf?", file);
		ret = p_err_e(ctx, &e);
		goto cleanup;
	}
	if (fclose(mem)) {
		mem = NULL;
		ret = p_err(ctx, "can't write the skeleton: %s", strerror(errno));
		goto cleanup;
	}
	mem = NULL;
	if (fwrite(text, 1, text_len, stdout) != text_len || fflush(stdout)) {
		ret = p_err(ctx, "can't write the skeleton to stdout: %s", strerror(errno));
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (mem)
		fclose(mem);
	free(text);
	buf_free(&obj);
	return ret;
}

static int do_object(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };

	if (argc < 2) {
		fputs(GRAMMAR_GEN, stderr);
		return -1;
	}
	if (link_objects(argv[0], argv + 1, argc - 1, &e))
		return p_err_e(ctx, &e);
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return 0;
}

static int do_skeleton(struct ctx *ctx, int argc, char **argv)
{
	return gen_header(ctx, argc, argv, false);
}

static int do_subskeleton(struct ctx *ctx, int argc, char **argv)
{
	return gen_header(ctx, argc, argv, true);
}

static int do_min_core_btf(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };

	if (argc < 3) {
		fputs(GRAMMAR_GEN, stderr);
		return -1;
	}
	if (min_core_btf(argv[0], argv[1], argv + 2, argc - 2, &e))
		return p_err_e(ctx, &e);
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return 0;
}

int do_gen(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "help", do_gen_help },
		{ "object", do_object },
		{ "skeleton", do_skeleton },
		{ "subskeleton", do_subskeleton },
		{ "min_core_btf", do_min_core_btf },
		{ NULL, NULL },
	};

	return cmd_select(ctx, cmds, argc, argv, do_gen_help);
}
