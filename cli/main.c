/* bpfscope [OPTIONS] OBJECT COMMAND ...: options into a context, then the object table. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "viz/cfg_render.h"
#include "lib/bpf_names.h"
#include "lib/heap.h"
#include "store/version.h"
#include "config.h"

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	if (out_json(&ctx->out)) {
		out_obj_start(&ctx->out, NULL);
		out_str(&ctx->out, "usage", NULL, "bpfscope [OPTIONS] OBJECT { COMMAND | help }");
		out_obj_end(&ctx->out);
		return 0;
	}
	fputs(GRAMMAR_MAIN(DB_DEFAULT_PATH), stdout);
	return 0;
}

static const struct cmd objects[] = {
	{ "help", do_help },
	{ "batch", do_batch },
	{ "prog", do_prog },
	{ "map", do_map },
	{ "btf", do_btf },
	{ "link", do_link },
	{ "net", do_net },
	{ "cgroup", do_cgroup },
	{ "perf", do_perf },
	{ "sock", do_sock },
	{ "snapshot", do_snapshot },
	{ "query", do_query },
	{ "gen", do_gen },
	{ "replay", do_replay },
	{ "version", do_version },
	{ "diff", do_diff },
	{ "audit", do_audit },
	{ "report", do_report },
	{ "fleet", do_fleet },
	{ "feature", do_feature },
	{ "struct_ops", do_struct_ops },
	{ "iter", do_iter },
	{ "token", do_token },
	{ 0 }
};

int run_object(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, objects, argc, argv, do_help);
}

/* What getopt found wrong, in bpftool's words (opterr is off: p_err prints in the mode).
 * optopt names a short option; a long one is the word itself. */
static int bad_option(struct ctx *ctx, int opt, const char *word)
{
	bool is_long = !strncmp(word, "--", 2);
	int len = is_long ? (int)strcspn(word, "=") : 0;

	if (opt == ':')
		return is_long ? p_err(ctx, "option '%.*s' requires an argument", len, word) :
				 p_err(ctx, "option '-%c' requires an argument", optopt);
	if (!is_long && optopt)
		return p_err(ctx, "unrecognized option '-%c'", optopt);
	return p_err(ctx, "unrecognized option '%.*s'", is_long ? len : (int)strlen(word), word);
}

/* --against REF belongs to prog cfg's words; getopt took it from wherever it stood, so it is
 * handed back at the end of the command's words, where any other command names it as a
 * word it does not take. *words is malloc'ed (NULL when there was nothing to hand back). */
static int hand_back(int argc, char **argv, const char *against, char ***words)
{
	char **w;

	*words = NULL;
	if (!against)
		return argc;
	w = calloc(argc + 3, sizeof(*w));
	if (!w)
		return -1;
	memcpy(w, argv, argc * sizeof(*w));
	w[argc] = "--against";
	w[argc + 1] = (char *)against;
	*words = w;
	return argc + 2;
}

/* Output that did not reach its file (a full disk, an I/O error) is an error of the command:
 * one line on stderr, since stdout is what failed. A reader that went away (EPIPE, with
 * SIGPIPE ignored by the caller) is no error of ours. */
static int output_finish(struct ctx *ctx, int ret)
{
	int err = out_flush_end(&ctx->out);

	if (!err || err == EPIPE)
		return ret;
	fprintf(stderr, "Error: writing output: %s\n", strerror(err));
	return ret ? ret : -1;	/* exit: the command's error status (2 for diff), else 1 */
}

/* Options may stand anywhere, before or after the object and its words, as in bpftool (GNU
 * getopt permutes argv): "prog show -j" is "-j prog show". "--" ends them, so a word that
 * starts with '-' can still be given ("query -- '-- comment'"). */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, 'D' },
		{ "snapshot", required_argument, NULL, 's' },
		{ "mount", no_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "bpffs", no_argument, NULL, 'f' },
		{ "against", required_argument, NULL, 'A' },
		{ 0 }
	};
	struct ctx ctx = { .argv0 = "bpfscope" };
	bool json = false, pretty = false, version = false, help = false;
	const char *against = NULL;
	char **words = NULL;
	int opt, ret;

	if (getenv("BPFSCOPE_TRACE"))
		fprintf(stderr, "main at       %.3f ms (monotonic)\n", now_monotonic_ns() / 1e6);
	/* (BPFSCOPE_NO_HUGEPAGES=1: glibc's heaps as they are, page by page) */
	if (!getenv("BPFSCOPE_NO_HUGEPAGES"))
		heap_prepare(64u << 20);
	db_lib_init();
	ctx.db_path = getenv("BPFSCOPE_DB");
	if (!ctx.db_path || !*ctx.db_path)
		ctx.db_path = DB_DEFAULT_PATH;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jpdVhs:vf", opts, NULL)) >= 0) {
		switch (opt) {
		case 'j': json = true; break;
		case 'p': pretty = json = true; break;
		case 'd': ctx.debug = true; break;
		case 'V': version = true; break;
		case 'h': help = true; break;
		case 'D': ctx.db_path = optarg; break;
		case 's': ctx.snap_ref = optarg; break;
		case 'M': ctx.mount = true; break;
		case 'v': ctx.verbose++; break;
		case 'f': ctx.show_pinned = true; break;
		case 'A': against = optarg; break;
		default:
			out_init(&ctx.out, stdout, json, pretty);
			bad_option(&ctx, opt, argv[optind - 1]);
			out_flush_end(&ctx.out);
			return 1;
		}
	}
	out_init(&ctx.out, stdout, json, pretty);
	NEXT_ARGS(optind);
	argc = hand_back(argc, argv, against, &words);
	if (argc < 0) {
		p_err(&ctx, "out of memory");
		out_flush_end(&ctx.out);
		return 1;
	}
	if (words)
		argv = words;
	if (version)
		ret = do_version(&ctx, 0, NULL);
	else if (help || argc < 1)
		ret = do_help(&ctx, argc, argv);
	else
		ret = run_object(&ctx, argc, argv);
	ret = output_finish(&ctx, ret);
	free(words);
	cfg_gvc_close(ctx.cairo_gvc);
	if (getenv("BPFSCOPE_TRACE"))
		fprintf(stderr, "main ends at  %.3f ms (monotonic)\n", now_monotonic_ns() / 1e6);
	if (ret)
		return ctx.err_status ? ctx.err_status : 1;
	return ctx.status;
}

int do_version(struct ctx *ctx, int argc, char **argv)
{
	static const struct { const char *name; int on; } features[] = {
#ifdef HAVE_CAPSTONE_X86
		{ "jit_disasm_x86_64", 1 },
#else
		{ "jit_disasm_x86_64", 0 },
#endif
#ifdef HAVE_CAPSTONE_ARM64
		{ "jit_disasm_arm64", 1 },
#else
		{ "jit_disasm_arm64", 0 },
#endif
#ifdef HAVE_GVC
		{ "libgvc", 1 },
#else
		{ "libgvc", 0 },
#endif
#ifdef HAVE_LIBBPF_TCX
		{ "libbpf_tcx", 1 },
#else
		{ "libbpf_tcx", 0 },
#endif
		{ "raw_tcx", 1 },
	};
	struct out *o = &ctx->out;

	NO_MORE_ARGS();
	out_obj_start(o, NULL);
	out_str(o, "version", "bpfscope v%s\n", BPFSCOPE_VERSION);
	out_str(o, "libbpf_version", "using libbpf v%s\n", version_libbpf());
	out_str(o, "sqlite_version", "using sqlite %s\n", version_sqlite());
	out_obj_start(o, "features");
	out_plain(o, "features:");
	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		out_bool(o, features[i].name, NULL, features[i].on);
		if (features[i].on)
			out_plain(o, " %s", features[i].name);
	}
	out_obj_end(o);
	out_nl(o);
	out_obj_end(o);
	return 0;
}
