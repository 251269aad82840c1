/* cgroup tree / cgroup show: programs attached to cgroup v2 directories, in bpftool's
 * layout, read from the attachments table of a view (live or stored). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "cli/attachments.h"
#include "probe/snapshot.h"

/* a live view needs neither netlink nor the perf-event fd walk */
#define CG_MASK (SNAP_ATTACH | SNAP_ATTACH_NO_NET | SNAP_ATTACH_NO_PERF | SNAP_NO_MAPS | SNAP_NO_BTF)
#define ATTACH_FLAG_OVERRIDE 1u	/* BPF_F_ALLOW_OVERRIDE */
#define ATTACH_FLAG_MULTI 2u	/* BPF_F_ALLOW_MULTI */

/* Rows at ROOT or below it (not a sibling sharing its prefix: /a/b vs /a/bc), in capture
 * order: the walk's pre-order, attach types ascending within a cgroup. Programs that
 * vanished before their row was joined are left out, as bpftool leaves them out. */
static const char cg_sql[] =
	"SELECT a.cgroup_path, a.prog_id, a.attach_type, a.flags, coalesce(p.full_name, p.name),"
	" p.attach_btf_obj_id, p.attach_btf_id, a.target"
	" FROM attachments a JOIN progs p ON p.snapshot_id = a.snapshot_id AND p.id = a.prog_id"
	" WHERE a.snapshot_id = ?1 AND a.kind = 'cgroup'"
	" AND (?2 IS NULL OR a.cgroup_path = ?2 OR (?3 = 0 AND"
	"  substr(a.cgroup_path, 1, length(?2) + 1) = ?2 || '/'))"
	" ORDER BY a.rowid";

static void flags_str(uint32_t flags, char *buf, size_t len)
{
	switch (flags) {
	case ATTACH_FLAG_MULTI:
		snprintf(buf, len, "multi");
		break;
	case ATTACH_FLAG_OVERRIDE:
		snprintf(buf, len, "override");
		break;
	case 0:
		buf[0] = 0;
		break;
	default:
		snprintf(buf, len, "unknown(%x)", flags);
	}
}

/* how many path components path has below root */
static int level_below(const char *root, const char *path)
{
	size_t rlen = strlen(root);
	int level = 0;

	if (strncmp(root, path, rlen))
		return 0;
	for (const char *p = path + rlen; *p; p++)
		if (*p == '/' && p[1])
			level++;
	return level;
}

static void print_prog(struct out *o, sqlite3_stmt *st, int level)
{
	uint32_t id = sqlite3_column_int64(st, 1);
	uint32_t type = sqlite3_column_int64(st, 2);
	uint32_t btf_obj = sqlite3_column_int64(st, 5), btf_id = sqlite3_column_int64(st, 6);
	const char *name = (const char *)sqlite3_column_text(st, 4);
	const char *tname = attach_type_name(type);
	char flags[32];

	flags_str(sqlite3_column_int64(st, 3), flags, sizeof(flags));
	out_obj_start(o, NULL);
	out_plain(o, "%s", level ? "    " : "");
	out_uint(o, "id", "%-8u ", id);
	if (tname)
		out_str(o, "attach_type", "%-15s", tname);
	else
		out_uint(o, "attach_type", "type %-10u", type);
	out_str(o, "attach_flags", " %-15s", flags);
	out_str(o, "name", " %-15s", name ? name : "");
	/* bpftool names the BTF target of lsm_cgroup programs; for the rest (no target
	 * object) it prints vmlinux's type 0, the empty name */
	if (!btf_obj)
		out_str(o, "attach_btf_name", " %-15s", "");
	else if (btf_id)
		out_plain(o, " attach_btf_obj_id=%u attach_btf_id=%u", btf_obj, btf_id);
	out_uint(o, "attach_btf_obj_id", NULL, btf_obj);
	out_uint(o, "attach_btf_id", NULL, btf_id);
	out_obj_end(o);
	out_nl(o);
}

static int parse_effective(struct ctx *ctx, int argc, char **argv)
{
	if (!argc)
		return 0;
	if (keyword_is(argv[0], "effective"))
		return p_err(ctx, "'effective' is not captured: snapshots hold what is attached to "
			     "each cgroup itself (see 'cgroup tree')");
	return p_err(ctx, "expected no more arguments, 'effective', got: '%s'?", argv[0]);
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

static int query(struct ctx *ctx, struct view *v, const char *path, bool exact,
		 sqlite3_stmt **st)
{
	struct err e = { 0 };

	if (db_prepare(&v->db, cg_sql, st, &e))
		return p_err_e(ctx, &e);
	sqlite3_bind_int64(*st, 1, v->snap_id);
	if (path)
		sqlite3_bind_text(*st, 2, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(*st, 3, exact);
	return 0;
}

static int do_tree(struct ctx *ctx, int argc, char **argv)
{
	struct out *o = &ctx->out;
	char *root = NULL, *cur = NULL;
	sqlite3_stmt *st = NULL;
	struct view v;
	int rc, ret = -1;

	if (argc) {
		root = norm_path(GET_ARG());
		if (!root)
			return p_err(ctx, "out of memory");
	}
	if (parse_effective(ctx, argc, argv) || view_open(ctx, CG_MASK, &v)) {
		free(root);
		return -1;
	}
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_CGROUP, "cgroup attachments");
	if (query(ctx, &v, root, false, &st))
		goto out;
	out_arr_start(o, NULL);
	out_plain(o, "%s\n%-8s %-15s %-15s %-15s\n", "CgroupPath", "ID", "AttachType",
		  "AttachFlags", "Name");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		const char *mount = (const char *)sqlite3_column_text(st, 7);

		if (!path)
			continue;
		if (!cur || strcmp(cur, path)) {
			if (cur) {
				out_arr_end(o);
				out_obj_end(o);
			}
			free(cur);
			cur = strdup(path);
			if (!cur) {
				p_err(ctx, "out of memory");
				goto out;
			}
			out_obj_start(o, NULL);
			out_str(o, "cgroup", "%s\n", path);
			out_arr_start(o, "programs");
		}
		print_prog(o, st, level_below(root ? root : mount ? mount : "", path));
	}
	if (cur) {
		out_arr_end(o);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (rc != SQLITE_DONE) {
		p_err(ctx, "can't read cgroup attachments: %s", sqlite3_errmsg(v.db.sql));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	view_close(&v);
	free(root);
	free(cur);
	return ret;
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct out *o = &ctx->out;
	sqlite3_stmt *st = NULL;
	bool any = false;
	struct view v;
	char *path;
	int rc, ret = -1;

	REQ_ARGS(1);
	path = norm_path(GET_ARG());
	if (!path)
		return p_err(ctx, "out of memory");
	if (parse_effective(ctx, argc, argv) || view_open(ctx, CG_MASK, &v)) {
		free(path);
		return -1;
	}
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_CGROUP, "cgroup attachments");
	if (query(ctx, &v, path, true, &st))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!any) {
			/* like bpftool: nothing at all (not even the header) when nothing is attached */
			out_arr_start(o, NULL);
			out_plain(o, "%-8s %-15s %-15s %-15s\n", "ID", "AttachType", "AttachFlags",
				  "Name");
			any = true;
		}
		print_prog(o, st, 0);
	}
	if (any)
		out_arr_end(o);
	if (rc != SQLITE_DONE) {
		p_err(ctx, "can't read cgroup attachments: %s", sqlite3_errmsg(v.db.sql));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	view_close(&v);
	free(path);
	return ret;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx,
		"Usage: bpfscope cgroup { show | list } CGROUP\n"
		"       bpfscope cgroup tree [CGROUP_ROOT]\n"
		"       bpfscope cgroup help\n"
		"\n"
		"       " HELP_SPEC_OPTIONS "\n"
		"\n"
		"Programs attached to each cgroup v2 directory itself (not the effective set),\n"
		"live or from a snapshot (-s REF). CGROUP_ROOT defaults to the cgroup2 mount.\n");
}

int do_cgroup(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "list", do_show },
		{ "tree", do_tree },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
