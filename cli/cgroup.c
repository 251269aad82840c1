/* cgroup tree / cgroup show: programs attached to cgroup v2 directories, in bpftool's
 * layout, from the attachment rows of a view (live or stored); effective sets are
 * analyze/cgroup_effective.c's. */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "analyze/cgroup_effective.h"
#include "store/read_attach.h"
#include "cli/attachments.h"
#include "capture/snapshot.h"

/* a live view needs neither netlink nor the perf-event fd walk */
#define CG_MASK (SNAP_ATTACH | SNAP_ATTACH_NO_NET | SNAP_ATTACH_NO_PERF | SNAP_NO_MAPS | SNAP_NO_BTF)

static void flags_str(uint32_t flags, char *buf, size_t len)
{
	switch (flags) {
	case CG_ATTACH_FLAG_MULTI:
		snprintf(buf, len, "multi");
		break;
	case CG_ATTACH_FLAG_OVERRIDE:
		snprintf(buf, len, "override");
		break;
	case 0:
		buf[0] = 0;
		break;
	default:
		snprintf(buf, len, "unknown(%x)", flags);
	}
}

/* bpftool's line for a program; the effective set has no flags column */
static void print_cg_prog(struct out *o, const struct attach_row *c, int level, bool effective)
{
	const char *tname = attach_type_name(c->attach_type);
	char flags[32];

	flags_str(c->u.cgroup.attach_flags, flags, sizeof(flags));
	out_obj_start(o, NULL);
	out_plain(o, "%s", level ? "    " : "");
	out_uint(o, "id", "%-8u ", c->prog_id);
	if (tname)
		out_str(o, "attach_type", "%-15s", tname);
	else
		out_uint(o, "attach_type", "type %-10u", c->attach_type);
	if (!effective)
		out_str(o, "attach_flags", " %-15s", flags);
	out_str(o, "name", " %-15s", c->prog_name ? c->prog_name : "");
	/* bpftool names the BTF target of lsm_cgroup programs; for the rest (no target
	 * object) it prints vmlinux's type 0, the empty name */
	if (!c->attach_btf_obj_id)
		out_str(o, "attach_btf_name", " %-15s", "");
	else if (c->attach_btf_id)
		out_plain(o, " attach_btf_obj_id=%u attach_btf_id=%u", c->attach_btf_obj_id,
			  c->attach_btf_id);
	out_uint(o, "attach_btf_obj_id", NULL, c->attach_btf_obj_id);
	out_uint(o, "attach_btf_id", NULL, c->attach_btf_id);
	out_obj_end(o);
	out_nl(o);
}

/* 0, 1 for 'effective', or an error */
static int parse_effective(struct ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return 0;
	if (!keyword_is(*argv, "effective"))
		return p_err(ctx, "expected no more arguments, 'effective', got: '%s'?", *argv);
	NEXT_ARG();
	NO_MORE_ARGS();
	return 1;
}

/* The snapshot's cgroup rows (rows) and the set of them whose programs it has (s), in
 * capture order: the walk's pre-order, attach types ascending within a cgroup. */
static int cg_load(struct ctx *ctx, struct view *v, struct attach_rows *rows,
		   struct cg_effective *s)
{
	struct err e = { 0 };

	if (attach_rows_read(&v->db, v->snap_id, ATTACH_BIT(ATTACH_CGROUP), NULL, rows, &e))
		return p_err_e(ctx, &e);
	if (cg_effective_init(s, rows)) {
		attach_rows_free(rows);
		return p_err(ctx, "out of memory");
	}
	return 0;
}

static void cg_unload(struct attach_rows *rows, struct cg_effective *s)
{
	cg_effective_free(s);
	attach_rows_free(rows);
}

static int show_effective(struct ctx *ctx, struct view *v, const char *path)
{
	struct out *o = &ctx->out;
	struct attach_rows rows;
	struct cg_effective s;
	size_t n;

	if (cg_load(ctx, v, &rows, &s))
		return -1;
	n = cg_effective_set(&s, path);
	if (n) {	/* like bpftool: nothing at all when nothing runs */
		out_arr_start(o, NULL);
		out_plain(o, "%-8s %-15s %-15s\n", "ID", "AttachType", "Name");
		for (size_t i = 0; i < n; i++)
			print_cg_prog(o, s.eff[i], 0, true);
		out_arr_end(o);
	}
	cg_unload(&rows, &s);
	return 0;
}

/* Every cgroup the snapshot's walk visited under root, in its order, with what runs in
 * it (those where nothing does are left out, as bpftool leaves them out). */
static int tree_effective(struct ctx *ctx, struct view *v, const char *root)
{
	struct out *o = &ctx->out;
	struct cgroup_paths paths;
	struct attach_rows rows;
	struct cg_effective s;
	struct err e = { 0 };

	if (cgroup_paths_read(&v->db, v->snap_id, &paths, &e))
		return p_err_e(ctx, &e);
	if (!root && paths.n)
		root = paths.v[0];	/* the walk starts at the cgroup2 mount */
	if (!root || cg_load(ctx, v, &rows, &s)) {
		bool failed = root != NULL;

		cgroup_paths_free(&paths);
		if (failed)
			return -1;
		out_arr_start(o, NULL);
		out_plain(o, "%s\n%-8s %-15s %-15s\n", "CgroupPath", "ID", "AttachType", "Name");
		out_arr_end(o);
		return 0;
	}
	out_arr_start(o, NULL);
	out_plain(o, "%s\n%-8s %-15s %-15s\n", "CgroupPath", "ID", "AttachType", "Name");
	for (size_t k = 0; k < paths.n; k++) {
		const char *path = paths.v[k];
		size_t n;

		if (!cg_at_or_below(root, path, false) || !(n = cg_effective_set(&s, path)))
			continue;
		out_obj_start(o, NULL);
		out_str(o, "cgroup", "%s\n", path);
		out_arr_start(o, "programs");
		for (size_t i = 0; i < n; i++)
			print_cg_prog(o, s.eff[i], cg_level_below(root, path), true);
		out_arr_end(o);
		out_obj_end(o);
	}
	out_arr_end(o);
	cg_unload(&rows, &s);
	cgroup_paths_free(&paths);
	return 0;
}

/* a copy of path without trailing slashes ("/" stays "/") */
static char *norm_path(const char *path)
{
	char *p = strdup(path);
	size_t n;

	if (!p)
		return NULL;
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	return p;
}

/* the rows at root or below it (all with no root), grouped by cgroup as captured */
static void print_tree(struct out *o, const struct cg_effective *s, const char *root)
{
	const char *cur = NULL;

	out_arr_start(o, NULL);
	out_plain(o, "%s\n%-8s %-15s %-15s %-15s\n", "CgroupPath", "ID", "AttachType",
		  "AttachFlags", "Name");
	for (size_t i = 0; i < s->n; i++) {
		const struct attach_row *r = s->c[i];
		const char *mount = r->target;

		if (root && !cg_at_or_below(root, r->cgroup_path, false))
			continue;
		if (!cur || strcmp(cur, r->cgroup_path)) {
			if (cur) {
				out_arr_end(o);
				out_obj_end(o);
			}
			cur = r->cgroup_path;
			out_obj_start(o, NULL);
			out_str(o, "cgroup", "%s\n", cur);
			out_arr_start(o, "programs");
		}
		print_cg_prog(o, r, cg_level_below(root ? root : mount ? mount : "", cur), false);
	}
	if (cur) {
		out_arr_end(o);
		out_obj_end(o);
	}
	out_arr_end(o);
}

/* A live command on a path that is not there: bpftool's error (nftw's, for tree, after
 * the header it has printed by then; in JSON inside the array it has opened). */
static bool live_path_missing(struct ctx *ctx, const char *path, bool tree, bool effective)
{
	struct out *o = &ctx->out;
	struct stat st;
	char msg[PATH_MAX + 64];

	if (ctx->snap_ref || !stat(path, &st))
		return false;
	if (!tree) {
		p_err(ctx, "can't open cgroup %s", path);
		return true;
	}
	snprintf(msg, sizeof(msg), "can't iterate over %s: %s", path, strerror(errno));
	if (out_json(o)) {
		out_arr_start(o, NULL);
		out_obj_start(o, NULL);
		out_str(o, "error", NULL, msg);
		out_obj_end(o);
		out_arr_end(o);
	} else {
		if (effective)
			printf("%s\n%-8s %-15s %-15s\n", "CgroupPath", "ID", "AttachType", "Name");
		else
			printf("%s\n%-8s %-15s %-15s %-15s\n", "CgroupPath", "ID", "AttachType",
			       "AttachFlags", "Name");
		fflush(stdout);
		p_err(ctx, "%s", msg);
	}
	return true;
}

static int do_tree(struct ctx *ctx, int argc, char **argv)
{
	struct attach_rows rows;
	struct cg_effective s;
	char *root = NULL;
	const char *given = NULL;
	struct view v;
	int ret = -1, effective;

	if (argc && !(argc == 1 && keyword_is(argv[0], "effective"))) {
		given = argv[0];
		root = norm_path(GET_ARG());
		if (!root)
			return p_err(ctx, "out of memory");
	}
	effective = parse_effective(ctx, argc, argv);
	if (effective < 0 || (given && live_path_missing(ctx, given, true, effective)) ||
	    view_open(ctx, CG_MASK, &v)) {
		free(root);
		return -1;
	}
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_CGROUP, "cgroup attachments");
	if (effective) {
		ret = tree_effective(ctx, &v, root);
	} else if (!cg_load(ctx, &v, &rows, &s)) {
		print_tree(&ctx->out, &s, root);
		cg_unload(&rows, &s);
		ret = 0;
	}
	view_close(&v);
	free(root);
	return ret;
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct out *o = &ctx->out;
	struct attach_rows rows;
	struct cg_effective s;
	bool any = false;
	struct view v;
	char *path;
	int ret = -1, effective;

	REQ_ARGS(1);
	if (live_path_missing(ctx, argv[0], false, false))
		return -1;
	path = norm_path(GET_ARG());
	if (!path)
		return p_err(ctx, "out of memory");
	effective = parse_effective(ctx, argc, argv);
	if (effective < 0 || view_open(ctx, CG_MASK, &v)) {
		free(path);
		return -1;
	}
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_CGROUP, "cgroup attachments");
	if (effective) {
		ret = show_effective(ctx, &v, path);
		goto out;
	}
	if (cg_load(ctx, &v, &rows, &s))
		goto out;
	for (size_t i = 0; i < s.n; i++) {
		if (!cg_at_or_below(path, s.c[i]->cgroup_path, true))
			continue;
		if (!any) {
			/* like bpftool: nothing at all (not even the header) when nothing is attached */
			out_arr_start(o, NULL);
			out_plain(o, "%-8s %-15s %-15s %-15s\n", "ID", "AttachType", "AttachFlags",
				  "Name");
			any = true;
		}
		print_cg_prog(o, s.c[i], 0, false);
	}
	if (any)
		out_arr_end(o);
	cg_unload(&rows, &s);
	ret = 0;
out:
	view_close(&v);
	free(path);
	return ret;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_CGROUP);
}

int do_cgroup(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "list", do_show },
		{ "tree", do_tree },
		{ "attach", do_cgroup_attach },
		{ "detach", do_cgroup_detach },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
