/* Shared CLI plumbing: command selection, errors in the output's mode, keywords. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "cli/cli.h"

bool keyword_is(const char *arg, const char *kw)
{
	return arg && *arg && !strncmp(kw, arg, strlen(arg));
}

static void p_err_json(struct ctx *ctx, const char *msg, const char *hint)
{
	struct jw w;

	jw_init(&w, stdout, ctx->out.jw.pretty);
	jw_start_object(&w);
	jw_name(&w, "error");
	jw_string(&w, msg);
	if (hint && *hint) {
		jw_name(&w, "hint");
		jw_string(&w, hint);
	}
	jw_end_object(&w);
	/* main() ends every JSON document with a newline */
}

int p_err(struct ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctx && out_json(&ctx->out)) {
		p_err_json(ctx, msg, NULL);
	} else {
		char safe[1100];

		fprintf(stderr, "Error: %s\n", out_safe(msg, safe, sizeof(safe)));
	}
	return -1;
}

int p_err_e(struct ctx *ctx, const struct err *e)
{
	const char *msg = e->msg[0] ? e->msg : "unknown error";

	if (ctx && out_json(&ctx->out)) {
		p_err_json(ctx, msg, e->hint);
	} else {
		char safe[1100];

		fprintf(stderr, "Error: %s", out_safe(msg, safe, sizeof(safe)));
		if (e->hint[0])
			fprintf(stderr, " (%s)", out_safe(e->hint, safe, sizeof(safe)));
		fputc('\n', stderr);
	}
	return -1;
}

void p_info(struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cmd_select(struct ctx *ctx, const struct cmd *table, int argc, char **argv,
	       int (*help_fn)(struct ctx *ctx, int argc, char **argv))
{
	const struct cmd *match = NULL;
	int nmatch = 0;

	if (argc < 1)
		return table[0].fn(ctx, argc, argv);
	if (help_fn && (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h") ||
			!strcmp(argv[0], "--help")))
		return help_fn(ctx, argc - 1, argv + 1);
	for (const struct cmd *c = table; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->fn(ctx, argc - 1, argv + 1);
	for (const struct cmd *c = table; c->name; c++)
		if (is_prefix(argv[0], c->name)) {
			match = c;
			nmatch++;
		}
	if (nmatch == 1)
		return match->fn(ctx, argc - 1, argv + 1);
	{
		char list[512] = "";
		size_t n = 0;

		for (const struct cmd *c = table; c->name && n < sizeof(list) - 1; c++)
			n += snprintf(list + n, sizeof(list) - n, "%s%s", n ? " " : "", c->name);
		return p_err(ctx, "%s command '%s' (valid: %s)", nmatch ? "ambiguous" : "unknown",
			     argv[0], list);
	}
}

int p_usage(struct ctx *ctx, const char *text)
{
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	else
		fputs(text, stderr);	/* as bpftool: help goes to stderr */
	return 0;
}
