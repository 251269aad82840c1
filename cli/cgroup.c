/* cgroup tree / cgroup show: programs attached to cgroup v2 directories, in bpftool's
 * layout, read from the attachments table of a view (live or stored). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "cli/attachments.h"
#include "capture/snapshot.h"

/* a live view needs neither netlink nor the perf-event fd walk */
#define CG_MASK (SNAP_ATTACH | SNAP_ATTACH_NO_NET | SNAP_ATTACH_NO_PERF | SNAP_NO_MAPS | SNAP_NO_BTF)
#define ATTACH_FLAG_OVERRIDE 1u	/* BPF_F_ALLOW_OVERRIDE */
#define ATTACH_FLAG_MULTI 2u	/* BPF_F_ALLOW_MULTI */

/* a cgroup attachment row, as cg_prog_read reads it */
#define CG_SELECT \
	"SELECT a.cgroup_path, a.prog_id, a.attach_type, a.flags, coalesce(p.full_name, p.name)," \
	" p.attach_btf_obj_id, p.attach_btf_id, a.target" \
	" FROM attachments a JOIN progs p ON p.snapshot_id = a.snapshot_id AND p.id = a.prog_id" \
	" WHERE a.snapshot_id = ?1 AND a.kind = 'cgroup'"

/* Rows at ROOT or below it (not a sibling sharing its prefix: /a/b vs /a/bc), in capture
 * order: the walk's pre-order, attach types ascending within a cgroup. Programs that
 * vanished before their row was joined are left out, as bpftool leaves them out. */
static const char cg_sql[] =
	CG_SELECT
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

/* One attached program, as the query's columns give it. */
struct cg_prog {
	const char *path, *name;	/* the row's (until its next step), or copies */
	uint32_t id, type, flags, btf_obj, btf_id;
};

static void cg_prog_read(sqlite3_stmt *st, struct cg_prog *c)
{
	const char *path = (const char *)sqlite3_column_text(st, 0);
	const char *name = (const char *)sqlite3_column_text(st, 4);

	c->path = path ? path : "";
	c->name = name ? name : "";
	c->id = sqlite3_column_int64(st, 1);
	c->type = sqlite3_column_int64(st, 2);
	c->flags = sqlite3_column_int64(st, 3);
	c->btf_obj = sqlite3_column_int64(st, 5);
	c->btf_id = sqlite3_column_int64(st, 6);
}

/* bpftool's line for a program; the effective set has no flags column */
static void print_cg_prog(struct out *o, const struct cg_prog *c, int level, bool effective)
{
	const char *tname = attach_type_name(c->type);
	char flags[32];

	flags_str(c->flags, flags, sizeof(flags));
	out_obj_start(o, NULL);
	out_plain(o, "%s", level ? "    " : "");
	out_uint(o, "id", "%-8u ", c->id);
	if (tname)
		out_str(o, "attach_type", "%-15s", tname);
	else
		out_uint(o, "attach_type", "type %-10u", c->type);
	if (!effective)
		out_str(o, "attach_flags", " %-15s", flags);
	out_str(o, "name", " %-15s", c->name ? c->name : "");
	/* bpftool names the BTF target of lsm_cgroup programs; for the rest (no target
	 * object) it prints vmlinux's type 0, the empty name */
	if (!c->btf_obj)
		out_str(o, "attach_btf_name", " %-15s", "");
	else if (c->btf_id)
		out_plain(o, " attach_btf_obj_id=%u attach_btf_id=%u", c->btf_obj, c->btf_id);
	out_uint(o, "attach_btf_obj_id", NULL, c->btf_obj);
	out_uint(o, "attach_btf_id", NULL, c->btf_id);
	out_obj_end(o);
	out_nl(o);
}

static void print_prog(struct out *o, sqlite3_stmt *st, int level)
{
	struct cg_prog c;

	cg_prog_read(st, &c);
	print_cg_prog(o, &c, level, false);
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

/* The rows of a cgroup, of its ancestors and (with ?3) of its descendants: what effective
 * sets at and below it are made of. */
static const char cg_near_sql[] =
	CG_SELECT " AND (a.cgroup_path = ?2"
	"  OR substr(?2, 1, length(a.cgroup_path) + 1) = a.cgroup_path || '/'"
	"  OR (?3 AND substr(a.cgroup_path, 1, length(?2) + 1) = ?2 || '/'))"
	" ORDER BY a.rowid";

struct cg_set {
	struct cg_prog *c;
	size_t n;
	const struct cg_prog **eff;	/* room for n: one cgroup's effective set */
	const char **levels;		/* room for n */
};

static void cg_set_free(struct cg_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free((char *)s->c[i].path);
		free((char *)s->c[i].name);
	}
	free(s->c);
	free(s->eff);
	free(s->levels);
	memset(s, 0, sizeof(*s));
}

static int cg_set_load(struct ctx *ctx, struct view *v, const char *path, bool below,
		       struct cg_set *s)
{
	sqlite3_stmt *st = NULL;
	struct err e = { 0 };
	size_t cap = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if (db_prepare(&v->db, cg_near_sql, &st, &e))
		return p_err_e(ctx, &e);
	sqlite3_bind_int64(st, 1, v->snap_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, below);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cg_prog *c;

		if (s->n == cap) {
			struct cg_prog *nc = realloc(s->c, (cap = cap ? 2 * cap : 16) * sizeof(*nc));

			if (!nc)
				goto oom;
			s->c = nc;
		}
		c = &s->c[s->n++];
		cg_prog_read(st, c);
		c->path = strdup(c->path);	/* kept past the next step */
		c->name = strdup(c->name);
		if (!c->path || !c->name)
			goto oom;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cg_set_free(s);
		return p_err(ctx, "can't read cgroup attachments: %s", sqlite3_errmsg(v->db.sql));
	}
	s->eff = calloc(s->n + 1, sizeof(*s->eff));
	s->levels = calloc(s->n + 1, sizeof(*s->levels));
	if (!s->eff || !s->levels)
		goto oom_done;
	return 0;
oom:
	sqlite3_finalize(st);
oom_done:
	cg_set_free(s);
	return p_err(ctx, "out of memory");
}

static bool is_ancestor_or_self(const char *a, const char *path)
{
	size_t n = strlen(a);

	return !strncmp(a, path, n) && (path[n] == 0 || path[n] == '/');
}

static int by_depth(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;	/* deepest first */
}

/* path's effective set into s->eff, as the kernel computes it (compute_effective_progs):
 * per attach type, from the cgroup up to the root, a cgroup's programs count while none
 * were found below, or when it lets more run (BPF_F_ALLOW_MULTI). Returns its size. */
static size_t cg_effective(struct cg_set *s, const char *path)
{
	size_t nl = 0, ne = 0;

	for (size_t i = 0; i < s->n; i++) {
		size_t k = 0;

		if (!is_ancestor_or_self(s->c[i].path, path))
			continue;
		while (k < nl && strcmp(s->levels[k], s->c[i].path))
			k++;
		if (k == nl)
			s->levels[nl++] = s->c[i].path;
	}
	qsort(s->levels, nl, sizeof(*s->levels), by_depth);
	for (uint64_t type = 0, next; ; type = next + 1) {
		uint32_t cnt = 0;

		next = UINT64_MAX;	/* the smallest attach type >= type present */
		for (size_t i = 0; i < s->n; i++)
			if (s->c[i].type >= type && s->c[i].type < next &&
			    is_ancestor_or_self(s->c[i].path, path))
				next = s->c[i].type;
		if (next == UINT64_MAX)
			break;
		for (size_t k = 0; k < nl; k++) {
			uint32_t flags = 0;

			for (size_t i = 0; i < s->n; i++)
				if (s->c[i].type == next && !strcmp(s->c[i].path, s->levels[k]))
					flags = s->c[i].flags;
			if (cnt && !(flags & ATTACH_FLAG_MULTI))
				continue;
			for (size_t i = 0; i < s->n; i++) {
				if (s->c[i].type != next || strcmp(s->c[i].path, s->levels[k]))
					continue;
				s->eff[ne++] = &s->c[i];
				cnt++;
			}
		}
	}
	return ne;
}

static int show_effective(struct ctx *ctx, struct view *v, const char *path)
{
	struct out *o = &ctx->out;
	struct cg_set s;
	size_t n;

	if (cg_set_load(ctx, v, path, false, &s))
		return -1;
	n = cg_effective(&s, path);
	if (n) {	/* like bpftool: nothing at all when nothing runs */
		out_arr_start(o, NULL);
		out_plain(o, "%-8s %-15s %-15s\n", "ID", "AttachType", "Name");
		for (size_t i = 0; i < n; i++)
			print_cg_prog(o, s.eff[i], 0, true);
		out_arr_end(o);
	}
	cg_set_free(&s);
	return 0;
}

/* Every cgroup the snapshot's walk visited under root, in its order, with what runs in
 * it (those where nothing does are left out, as bpftool leaves them out). */
static int tree_effective(struct ctx *ctx, struct view *v, const char *root)
{
	struct out *o = &ctx->out;
	sqlite3_stmt *st = NULL;
	struct err e = { 0 };
	struct cg_set s;
	int rc, ret = -1;

	if (!root) {	/* the walk starts at the cgroup2 mount */
		if (db_prepare(&v->db, "SELECT path FROM cgroups WHERE snapshot_id = ?1 ORDER BY seq"
			       " LIMIT 1", &st, &e))
			return p_err_e(ctx, &e);
		sqlite3_bind_int64(st, 1, v->snap_id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			root = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		st = NULL;
		if (!root) {
			out_arr_start(o, NULL);
			out_plain(o, "%s\n%-8s %-15s %-15s\n", "CgroupPath", "ID", "AttachType", "Name");
			out_arr_end(o);
			return 0;
		}
	} else {
		root = strdup(root);
		if (!root)
			return p_err(ctx, "out of memory");
	}
	if (cg_set_load(ctx, v, root, true, &s))
		goto out_root;
	if (db_prepare(&v->db, "SELECT path FROM cgroups WHERE snapshot_id = ?1 AND (path = ?2 OR"
		       " substr(path, 1, length(?2) + 1) = ?2 || '/') ORDER BY seq", &st, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	sqlite3_bind_int64(st, 1, v->snap_id);
	sqlite3_bind_text(st, 2, root, -1, SQLITE_STATIC);
	out_arr_start(o, NULL);
	out_plain(o, "%s\n%-8s %-15s %-15s\n", "CgroupPath", "ID", "AttachType", "Name");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		size_t n = path ? cg_effective(&s, path) : 0;

		if (!n)
			continue;
		out_obj_start(o, NULL);
		out_str(o, "cgroup", "%s\n", path);
		out_arr_start(o, "programs");
		for (size_t i = 0; i < n; i++)
			print_cg_prog(o, s.eff[i], level_below(root, path), true);
		out_arr_end(o);
		out_obj_end(o);
	}
	out_arr_end(o);
	if (rc != SQLITE_DONE) {
		p_err(ctx, "can't read cgroups: %s", sqlite3_errmsg(v->db.sql));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	cg_set_free(&s);
out_root:
	free((char *)root);
	return ret;
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
	int rc, ret = -1, effective;

	if (argc && !(argc == 1 && keyword_is(argv[0], "effective"))) {
		root = norm_path(GET_ARG());
		if (!root)
			return p_err(ctx, "out of memory");
	}
	effective = parse_effective(ctx, argc, argv);
	if (effective < 0 || view_open(ctx, CG_MASK, &v)) {
		free(root);
		return -1;
	}
	warn_not_captured(ctx, &v, SNAP_ATTACH_NO_CGROUP, "cgroup attachments");
	if (effective) {
		ret = tree_effective(ctx, &v, root);
		goto out;
	}
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
	int rc, ret = -1, effective;

	REQ_ARGS(1);
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
	return p_usage(ctx, GRAMMAR_CGROUP);
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
