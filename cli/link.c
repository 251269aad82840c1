/* link show|list: links as the snapshot recorded them, in bpftool's layout; link pin and
 * link detach on the live kernel (act/ changes it). */
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli/link_print.h"
#include "lib/bpf_names.h"
#include "capture/env.h"
#include "capture/live_select.h"
#include "capture/snapshot.h"
#include "store/read_link.h"
#include "act/link.h"
#include "act/load.h"
#include "act/mount.h"

struct link_show {
	struct ctx *ctx;
	struct view *v;
	struct err e;
};

static int print_link(const struct link_row *r, void *arg)
{
	struct link_show *ls = arg;

	return link_print(ls->ctx, ls->v, r, &ls->e);
}

/* [LINK] of link show: *key FIND_ALL, or the link's id or pin path. */
static int parse_link(struct ctx *ctx, int argc, char **argv, enum find_key *key,
		      const char **arg, uint32_t *id)
{
	*key = FIND_ALL;
	if (!argc)
		return 0;
	if (argc < 2)
		return p_err(ctx, "expected LINK: " HELP_SPEC_LINK);
	if (argc > 2)
		return p_err(ctx, "unexpected argument '%s'", argv[2]);
	*arg = argv[1];
	if (keyword_is(argv[0], "id")) {
		char *end;
		unsigned long long n = strtoull(argv[1], &end, 0);

		if (*end || !*argv[1] || n > UINT32_MAX)
			return p_err(ctx, "can't parse %s as ID", argv[1]);
		*id = n;
		*key = FIND_ID;
		return 0;
	}
	if (!keyword_is(argv[0], "pinned"))
		return p_err(ctx, "expected 'id' or 'pinned', got: '%s'?", argv[0]);
	*key = FIND_PINNED;
	return 0;
}

/* The ids key names in the view (a live pin by its real path, as the pin walk records
 * it); an error when there is none. */
static int find_link(struct ctx *ctx, struct view *v, enum find_key key, const char *arg,
		     uint32_t id, struct id_list *found)
{
	char real[PATH_MAX];
	struct err e = { 0 };

	if (key == FIND_PINNED && v->live) {
		if (!realpath(arg, real)) {
			int saved = errno;

			return p_err(ctx, "can't find link pinned at %s: %s%s", arg, strerror(saved),
				     env_is_bpffs(ENV_BPFFS_DIR) ? "" :
				     " (bpffs is not mounted: mount -t bpf bpf /sys/fs/bpf)");
		}
		arg = real;
	}
	if (link_find(&v->db, v->snap_id, key, arg, id, found, &e))
		return p_err_e(ctx, &e);
	if (!found->n)
		return key == FIND_ID ?
			(v->live ? (ctx->err_status = 254,	/* bpftool returns -ENOENT */
				    p_err(ctx, "failed to get link with ID %u: %s", id, strerror(ENOENT))) :
			 p_err(ctx, "can't find link with id %u in the snapshot", id)) :
			p_err(ctx, "can't find link pinned at %s%s", arg, v->live ? "" : " in the snapshot");
	return 0;
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct link_show ls = { .ctx = ctx };
	struct id_list found = { 0 };
	unsigned mask = SNAP_NO_MAPS | SNAP_NO_BTF | SNAP_OWNERS;
	const char *arg = NULL;
	enum find_key key;
	uint32_t id = 0;
	struct view v;
	int err = -1;

	if (parse_link(ctx, argc, argv, &key, &arg, &id))
		return -1;
	if (ctx->show_pinned || key == FIND_PINNED)
		mask |= SNAP_PINS;
	if (view_open(ctx, mask, &v))
		return -1;
	ls.v = &v;
	if (key != FIND_ALL && find_link(ctx, &v, key, arg, id, &found))
		goto out;
	/* one link bare, all of them in an array, as bpftool */
	if (key == FIND_ALL)
		out_arr_start(&ctx->out, NULL);
	err = link_rows(&v.db, v.snap_id, key == FIND_ALL ? -1 : (int64_t)found.v[0], print_link, &ls,
			&ls.e);
	if (key == FIND_ALL)
		out_arr_end(&ctx->out);
	if (err)
		err = p_err_e(ctx, &ls.e);
out:
	id_list_free(&found);
	view_close(&v);
	return err;
}

/* LINK := id ID | pinned PATH, opened on the live kernel; *fd is the caller's to close. */
static int open_link(struct ctx *ctx, int *argc, char ***argv, int *fd)
{
	struct err e = { 0 };
	const char *kw, *arg;

	if (*argc < 2)
		return p_err(ctx, "expected LINK: " HELP_SPEC_LINK);
	kw = (*argv)[0];
	arg = (*argv)[1];
	NEXT_ARGP(2);
	if (keyword_is(kw, "id"))
		kw = "id";
	else if (keyword_is(kw, "pinned"))
		kw = "pinned";
	else
		return p_err(ctx, "expected 'id' or 'pinned', got: '%s'?", kw);
	if (env_ready(ENV_PRIV, ctx->mount, &e) || live_link_fd(kw, arg, fd, &e))
		return p_err_e(ctx, &e);
	return 0;
}

static int do_pin(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };
	const char *file;
	int fd, err;

	if (argc < 3)
		return p_err(ctx, "expected LINK FILE (" HELP_SPEC_LINK ")");
	if (argc > 3)
		return p_err(ctx, "unexpected argument '%s'", argv[3]);
	file = argv[2];
	if (open_link(ctx, &argc, &argv, &fd))
		return -1;
	err = pin_fd(fd, file, &e);
	close(fd);
	if (err)
		return p_err_e(ctx, &e);
	out_null(&ctx->out, NULL);
	return 0;
}

static int do_detach(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };
	int fd, err;

	if (argc != 2)
		return argc > 2 ? p_err(ctx, "unexpected argument '%s'", argv[2]) :
				  p_err(ctx, "link specifier is invalid or missing");
	if (open_link(ctx, &argc, &argv, &fd))
		return -1;
	err = link_detach_fd(fd, &e);
	close(fd);
	if (err)
		return p_err_e(ctx, &e);
	out_null(&ctx->out, NULL);
	return 0;
}

static int do_link_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_LINK);
}

static const struct cmd link_cmds[] = {
	{ "show", do_show },
	{ "list", do_show },
	{ "pin", do_pin },
	{ "detach", do_detach },
	{ "help", do_link_help },
	{ 0 }
};

int do_link(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, link_cmds, argc, argv, do_link_help);
}
