/* Argument walking shared by every command: the one keyword matcher (exact, then a unique
 * prefix), command selection through it, and errors and usage in the output's mode. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "cli/cli.h"

int keyword_find(const char *arg, const char *const *kws, size_t n)
{
	int found = KEYWORD_NONE;

	if (!arg || !*arg)
		return KEYWORD_NONE;
	for (size_t i = 0; i < n; i++)
		if (kws[i] && !strcmp(arg, kws[i]))
			return i;
	/* "load" is exact above even though it prefixes "loadall"; only then prefixes */
	for (size_t i = 0; i < n; i++) {
		if (!kws[i] || !is_prefix(arg, kws[i]))
			continue;
		if (found != KEYWORD_NONE)
			return KEYWORD_AMBIGUOUS;
		found = i;
	}
	return found;
}

bool keyword_is(const char *arg, const char *kw)
{
	return keyword_find(arg, &kw, 1) == 0;
}

static void list_names(const char *const *kws, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && used < len - 1; i++)
		used += snprintf(buf + used, len - used, "%s%s", used ? " " : "", kws[i]);
}

int keyword_pick(struct ctx *ctx, const char *arg, const char *const *kws, size_t n,
		 const char *what)
{
	int i = keyword_find(arg, kws, n);
	char list[512];

	if (i >= 0)
		return i;
	list_names(kws, n, list, sizeof(list));
	p_err(ctx, "%s %s '%s' (valid: %s)", i == KEYWORD_AMBIGUOUS ? "ambiguous" : "unknown", what,
	      arg ? arg : "", list);
	return i;
}

/* An error in JSON: a document of its own, or inside a batch file's document the value
 * of the command's output (a member of the object the command left open, if it left one).
 * key/val: one more string member (NULL: none). */
static void p_err_json(struct ctx *ctx, const char *msg, const char *hint, const char *key,
		       const char *val)
{
	struct jw own, *w = &own;
	bool member = false;

	if (ctx->batch_depth) {
		w = &ctx->out.jw;
		member = w->depth > 0 && !w->array[w->depth] && !w->after_name;
	} else {
		jw_init(&own, stdout, ctx->out.jw.pretty);
	}
	if (!member)
		jw_start_object(w);
	jw_name(w, "error");
	jw_string(w, msg);
	if (hint && *hint) {
		jw_name(w, "hint");
		jw_string(w, hint);
	}
	if (key && val) {
		jw_name(w, key);
		jw_string(w, val);
	}
	if (!member)
		jw_end_object(w);
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
		p_err_json(ctx, msg, NULL, NULL, NULL);
	} else {
		char safe[1100];

		fprintf(stderr, "Error: %s\n", out_safe(msg, safe, sizeof(safe)));
	}
	return -1;
}

int p_err_e(struct ctx *ctx, const struct err *e)
{
	return p_err_e_extra(ctx, e, NULL, NULL);
}

int p_err_e_extra(struct ctx *ctx, const struct err *e, const char *key, const char *val)
{
	const char *msg = e->msg[0] ? e->msg : "unknown error";

	if (ctx && out_json(&ctx->out)) {
		p_err_json(ctx, msg, e->hint, key, val);
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

#define CMDS_MAX 32	/* the longest table (map) has 9 */

int cmd_select(struct ctx *ctx, const struct cmd *table, int argc, char **argv,
	       int (*help_fn)(struct ctx *ctx, int argc, char **argv))
{
	const char *names[CMDS_MAX];
	size_t n = 0;
	int i;

	if (argc < 1)
		return table[0].fn(ctx, argc, argv);
	if (help_fn && (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h") ||
			!strcmp(argv[0], "--help"))) {
		NEXT_ARG();
		return help_fn(ctx, argc, argv);
	}
	for (const struct cmd *c = table; c->name && n < CMDS_MAX; c++)
		names[n++] = c->name;
	i = keyword_pick(ctx, argv[0], names, n, "command");
	if (i < 0)
		return -1;
	NEXT_ARG();
	return table[i].fn(ctx, argc, argv);
}

int p_usage(struct ctx *ctx, const char *text)
{
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	else
		fputs(text, stderr);	/* as bpftool: help goes to stderr */
	return 0;
}
