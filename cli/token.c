/* token show|list: the bpffs mounts that delegate BPF commands, maps, programs and attach
 * types to a user namespace (BPF tokens), in bpftool 7.8's layout. */
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "capture/token.h"
#include "store/read_token.h"

static const char *const headers[] = { "allowed_cmds", "allowed_maps", "allowed_progs",
				       "allowed_attachs" };
static const char *const keys[] = { "delegate_cmds", "delegate_maps", "delegate_progs",
				    "delegate_attachs" };

/* The value of key=... among the comma-separated options, into buf ("" when absent). */
static void delegate_value(const char *opts, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	buf[0] = '\0';
	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, ",");

			snprintf(buf, len, "%.*s", (int)n, p + kl + 1);
			return;
		}
	}
}

static void print_one(struct out *o, const struct token_mount *m);

static int print_stored(const char *dir, const char *opts, void *arg)
{
	print_one(arg, &(struct token_mount){ (char *)dir, (char *)opts });
	return 0;
}

/* -s REF: the mounts the snapshot stored, through the same printer */
static int show_stored(struct ctx *ctx)
{
	struct err e = { 0 };
	struct view v;
	int err;

	if (view_open(ctx, 0, &v))
		return -1;
	out_arr_start(&ctx->out, NULL);
	err = token_rows(&v.db, v.snap_id, print_stored, &ctx->out, &e);
	out_arr_end(&ctx->out);
	view_close(&v);
	return err ? p_err_e(ctx, &e) : 0;
}

static void print_one(struct out *o, const struct token_mount *m)
{
	char val[4096], safe[4096];

	if (out_json(o)) {
		out_obj_start(o, NULL);
		out_str(o, "token_info", NULL, m->dir);
	} else {
		out_plain(o, "token_info  %s", out_safe(m->dir, safe, sizeof(safe)));
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		int cnt = 0;

		delegate_value(m->opts, keys[i], val, sizeof(val));
		if (out_json(o))
			out_arr_start(o, headers[i]);
		else
			out_plain(o, "\n\t%s:", headers[i]);
		for (char *s = strtok(val, ":"); s; s = strtok(NULL, ":"), cnt++) {
			if (out_json(o)) {
				out_str(o, NULL, NULL, s);
				continue;
			}
			if (cnt % 4 == 0)
				out_plain(o, "\n\t  ");
			out_plain(o, "%-20s", out_safe(s, safe, sizeof(safe)));
		}
		if (out_json(o))
			out_arr_end(o);
	}
	if (out_json(o))
		out_obj_end(o);
	else
		out_plain(o, "\n");
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct token_mount *v;
	struct err e = { 0 };
	size_t n;

	if (argc)
		return p_err(ctx, "what is '%s'?", *argv);
	if (ctx->snap_ref)
		return show_stored(ctx);
	if (token_mounts(&v, &n, &e))
		return p_err_e(ctx, &e);
	out_arr_start(&ctx->out, NULL);
	for (size_t i = 0; i < n; i++)
		print_one(&ctx->out, &v[i]);
	out_arr_end(&ctx->out);
	token_mounts_free(v, n);
	return 0;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_TOKEN);
}

int do_token(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "list", do_show },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
