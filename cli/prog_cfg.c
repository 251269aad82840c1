/* prog cfg PROG [format F] [file FILE] [linum] [function NAME] [split] [--against REF]
 * and prog dump xlated PROG visual: the CFG drawn in-process (libcgraph/libgvc). */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "analyze/cfg.h"
#include "analyze/cfg_diff.h"
#include "cli/cli.h"
#include "cli/code_load.h"
#include "capture/snapshot.h"
#include "viz/cfg_render.h"

#define CFG_CODE	(PROG_CODE_XLATED | PROG_CODE_KSYMS)

struct cfg_args {
	const char *format, *file, *func, *against;
	bool linum, split, visual;
	long max_lines;
};

static int cfg_help(struct ctx *ctx)
{
	(void)ctx;
	fputs(GRAMMAR_PROG_CFG, stderr);
	return -1;
}

static void print_diags(struct ctx *ctx, const struct prog_code *pc, const struct cfg *c)
{
	char safe[256];

	for (uint32_t i = 0; i < c->nr_diags; i++)
		p_info(ctx, "Warning: prog %u insn %u: %s", pc->id, c->diags[i].insn,
		       out_safe(c->diags[i].msg, safe, sizeof(safe)));
	if (c->nr_errors + c->nr_warnings > c->nr_diags)
		p_info(ctx, "Warning: prog %u: %u more problems not shown", pc->id,
		       c->nr_errors + c->nr_warnings - c->nr_diags);
}

static void block_name(const struct cfg *c, uint32_t b, char *out, size_t len)
{
	snprintf(out, len, "fn_%u_bb_%u", c->funcs[c->blocks[b].func].dot_idx, c->blocks[b].idx);
}

/* -j: the CFG as data */
static void print_json(struct ctx *ctx, const struct prog_code *pc, const struct cfg *c,
		       const uint8_t *marks, const struct cfg_diff_stats *st, int only)
{
	static const char *const mark_names[] = { "same", "changed", "new" };
	static const char *const kinds[] = { "entry", "exit", "code" };
	struct jw *w = &ctx->out.jw;
	char name[128];

	jw_start_object(w);
	jw_name(w, "id"), jw_uint(w, pc->id);
	jw_name(w, "name"), jw_string(w, pc->name);
	jw_name(w, "insns"), jw_uint(w, c->nr_insns);
	jw_name(w, "functions");
	jw_start_array(w);
	for (uint32_t fi = 0; fi < c->nr_funcs; fi++) {
		const struct cfg_func *f = &c->funcs[fi];

		if (only >= 0 && (uint32_t)only != fi)
			continue;
		jw_start_object(w);
		jw_name(w, "index"), jw_uint(w, f->dot_idx);
		jw_name(w, "name"), jw_string(w, cfg_func_name(pc, c, fi, name, sizeof(name)));
		jw_name(w, "start"), jw_uint(w, f->start);
		jw_name(w, "end"), jw_uint(w, f->end);
		jw_name(w, "blocks");
		jw_start_array(w);
		for (uint32_t b = f->first_block; b < f->first_block + f->nr_blocks; b++) {
			const struct cfg_block *bb = &c->blocks[b];

			jw_start_object(w);
			block_name(c, b, name, sizeof(name));
			jw_name(w, "node"), jw_string(w, name);
			jw_name(w, "kind"), jw_string(w, kinds[bb->kind]);
			if (bb->kind == CFG_BLOCK_CODE) {
				jw_name(w, "start"), jw_uint(w, bb->start);
				jw_name(w, "end"), jw_uint(w, bb->end);
			}
			if (marks && bb->kind == CFG_BLOCK_CODE)
				jw_name(w, "mark"), jw_string(w, mark_names[marks[b] % 3]);
			jw_end_object(w);
		}
		jw_end_array(w);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_name(w, "edges");
	jw_start_array(w);
	for (uint32_t k = 0; k < c->nr_edges; k++) {
		const struct cfg_edge *x = &c->edges[k];

		if (only >= 0 && c->blocks[x->src].func != (uint32_t)only)
			continue;
		jw_start_object(w);
		block_name(c, x->src, name, sizeof(name));
		jw_name(w, "from"), jw_string(w, name);
		block_name(c, x->dst, name, sizeof(name));
		jw_name(w, "to"), jw_string(w, name);
		jw_name(w, "kind"), jw_string(w, cfg_edge_kind_name(x->kind));
		if (x->insn != UINT32_MAX)
			jw_name(w, "insn"), jw_uint(w, x->insn);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_name(w, "problems");
	jw_start_array(w);
	for (uint32_t i = 0; i < c->nr_diags; i++) {
		jw_start_object(w);
		jw_name(w, "level"), jw_string(w, c->diags[i].level == CFG_ERROR ? "error" : "warning");
		jw_name(w, "insn"), jw_uint(w, c->diags[i].insn);
		jw_name(w, "msg"), jw_string(w, c->diags[i].msg);
		jw_end_object(w);
	}
	jw_end_array(w);
	if (st) {
		jw_name(w, "against");
		jw_start_object(w);
		jw_name(w, "same"), jw_uint(w, st->same);
		jw_name(w, "changed"), jw_uint(w, st->changed);
		jw_name(w, "new"), jw_uint(w, st->added);
		jw_name(w, "removed"), jw_uint(w, st->removed);
		jw_name(w, "functions_added"), jw_uint(w, st->funcs_added);
		jw_name(w, "functions_removed"), jw_uint(w, st->funcs_removed);
		jw_end_object(w);
	}
	jw_end_object(w);
}

/* The program of snapshot REF to compare pc with: analyze/match.c's rule (the same identity,
 * else the same type and name), from pc's identity in the view. */
static int load_against(struct ctx *ctx, struct view *v, const char *ref,
			const struct prog_code *pc, struct db *db, struct prog_code *out,
			int64_t *snap)
{
	struct prog_ident_rows mine_rows = { 0 }, ref_rows = { 0 };
	struct prog_ident *mine = NULL, *cands = NULL;
	struct prog_ident self = { .id = pc->id, .type = pc->type, .name = pc->name,
				   .tag = pc->tag };
	struct err e = { 0 };
	long best;
	int ret = -1;

	/* a view without pins or links still has the program: then its name and type count */
	if (!prog_idents_load(&v->db, v->snap_id, pc->id, &mine_rows, &mine, &e) && mine_rows.n)
		self = mine[0];
	err_clear(&e);
	if (db_open(db, ctx->db_path, DB_READ, &e) || snapshot_resolve(db, ref, snap, &e) ||
	    prog_idents_load(db, *snap, 0, &ref_rows, &cands, &e)) {
		ret = p_err_e(ctx, &e);
		goto out;
	}
	best = prog_match_best(&self, cands, ref_rows.n, NULL);
	if (best < 0) {
		char safe[128];

		ret = p_err(ctx, "can't find program '%s' (type %u) in snapshot %s",
			    out_safe(pc->name, safe, sizeof(safe)), pc->type, ref);
		goto out;
	}
	if (code_load(db, *snap, cands[best].id, CFG_CODE, out, &e)) {
		ret = p_err_e(ctx, &e);
		goto out;
	}
	ret = 0;
out:
	prog_idents_free(&mine_rows, mine);
	prog_idents_free(&ref_rows, cands);
	return ret;
}

/* FILE-<func>.ext: FILE loses its .ext first, the function name keeps [A-Za-z0-9_.-] */
static void split_path(const char *file, const char *fmt, const char *fn, char *out, size_t len)
{
	size_t fl = strlen(file), el = strlen(fmt), n;
	char safe[128];

	if (fl > el + 1 && file[fl - el - 1] == '.' && !strcmp(file + fl - el, fmt))
		fl -= el + 1;
	for (n = 0; fn[n] && n < sizeof(safe) - 1; n++) {
		char ch = fn[n];

		safe[n] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ? ch : '_';
	}
	safe[n] = 0;
	snprintf(out, len, "%.*s-%s.%s", (int)fl, file, safe, fmt);
}

static int render_to(struct ctx *ctx, const struct prog_code *pc, const struct cfg *c,
		     const struct cfg_render_opts *ro, const struct cfg_args *a, const char *path)
{
	const char *format = a->format;
	struct err e = { 0 };
	FILE *f = stdout;
	int err;

	/* (cairo's: one context for every graph of the process, see cfg_gvc_open_full) */
	if ((!strcmp(format, "png") || !strcmp(format, "pdf")) && !ctx->cairo_gvc &&
	    cfg_gvc_open_full(&ctx->cairo_gvc, &e))
		return p_err_e(ctx, &e);

	if (path) {
		f = fopen_private(path);
		if (!f)
			return p_err(ctx, "can't open %s: %s", path, strerror(errno));
	} else if (strcmp(format, "dot") && isatty(STDOUT_FILENO)) {
		return p_err(ctx, "not writing %s to a terminal: give 'file FILE'", format);
	}
	if (ctx->cairo_gvc && (!strcmp(format, "png") || !strcmp(format, "pdf")))
		err = cfg_render_gvc(ctx->cairo_gvc, pc, c, ro, format, f, &e);
	else
		err = cfg_render(pc, c, ro, format, f, &e);
	if (path && fclose(f) && !err)
		err = err_set(&e, errno, "can't write %s: %s", path, strerror(errno));
	if (err) {
		if (path)
			unlink_regular(path);
		return p_err_e(ctx, &e);
	}
	return 0;
}

static int cfg_one(struct ctx *ctx, struct view *v, uint32_t id, const struct cfg_args *a)
{
	struct cfg_render_opts ro = { .bpftool = a->visual, .linum = a->linum, .only_func = -1 };
	struct prog_code pc, pb = { 0 };
	struct cfg c, cb = { 0 };
	struct cfg_diff_stats st;
	struct err e = { 0 };
	struct db bdb = { 0 };
	uint8_t *marks = NULL;
	char title[512], legend[160], path[4096], fn[128], safe[128];
	int64_t bsnap = 0;
	int ret = -1;

	if (code_load(&v->db, v->snap_id, id, CFG_CODE, &pc, &e))
		return p_err_e(ctx, &e);
	memset(&c, 0, sizeof(c));
	if (cfg_build_prog(&pc, &c, &e)) {
		p_err(ctx, "can't build the CFG of prog %u: %s", id, e.msg);
		goto out;
	}
	print_diags(ctx, &pc, &c);
	if (!a->visual) {
		ro.max_lines = a->max_lines < 0 ? CFG_RENDER_MAX_LINES : (uint32_t)a->max_lines;
		ro.wrap = CFG_RENDER_WRAP;
		snprintf(title, sizeof(title), "prog %u %s (%s)", pc.id, pc.name,
			 v->live ? "live" : "snapshot");
		ro.title = title;
	}
	if (a->func) {
		ro.only_func = cfg_func_find(&pc, &c, a->func);
		if (ro.only_func < 0) {
			p_err(ctx, "prog %u has no function '%s'", id, out_safe(a->func, safe, sizeof(safe)));
			goto out;
		}
	}
	if (a->against) {
		if (load_against(ctx, v, a->against, &pc, &bdb, &pb, &bsnap))
			goto out;
		if (cfg_build_prog(&pb, &cb, &e)) {
			p_err(ctx, "can't build the CFG of prog %u in snapshot %s: %s", pb.id,
			      a->against, e.msg);
			goto out;
		}
		marks = malloc(c.nr_blocks + 1);
		if (!marks) {
			p_err(ctx, "out of memory");
			goto out;
		}
		if (cfg_diff(&pc, &c, &pb, &cb, marks, &st, &e)) {
			p_err_e(ctx, &e);
			goto out;
		}
		snprintf(legend, sizeof(legend), "snapshot %lld (prog %u)", (long long)bsnap, pb.id);
		snprintf(title, sizeof(title), "prog %u %s vs snapshot %lld: %u changed, %u new, "
			 "%u removed blocks", pc.id, pc.name, (long long)bsnap, st.changed, st.added,
			 st.removed);
		ro.marks = marks;
		ro.legend_against = legend;
	}
	if (out_json(&ctx->out)) {
		print_json(ctx, &pc, &c, marks, marks ? &st : NULL, ro.only_func);
		ret = 0;
		goto out;
	}
	if (!a->split) {
		ret = render_to(ctx, &pc, &c, &ro, a, a->file);
		goto out;
	}
	ret = 0;
	for (uint32_t fi = 0; fi < c.nr_funcs && !ret; fi++) {
		if (a->func && (uint32_t)ro.only_func != fi)
			continue;
		ro.only_func = fi;
		split_path(a->file, a->format, cfg_func_name(&pc, &c, fi, fn, sizeof(fn)), path,
			   sizeof(path));
		ret = render_to(ctx, &pc, &c, &ro, a, path);
		if (!ret)
			printf("%s\n", path);
	}
out:
	free(marks);
	cfg_free(&c);
	cfg_free(&cb);
	prog_code_free(&pc);
	if (a->against) {
		prog_code_free(&pb);
		db_close(&bdb);
	}
	return ret;
}

enum kw { KW_FORMAT, KW_FILE, KW_LINUM, KW_FUNCTION, KW_SPLIT, KW_MAXLINES, KW_AGAINST,
	  KW_UNKNOWN, KW_AMBIGUOUS };

static enum kw keyword(const char *arg)
{
	static const char *const kws[] = { "format", "file", "linum", "function", "split",
					   "maxlines", "--against" };
	int i;

	if (!strcmp(arg, "against"))
		return KW_AGAINST;
	i = keyword_find(arg, kws, ARRAY_SIZE(kws));
	return i >= 0 ? i : i == KEYWORD_AMBIGUOUS ? KW_AMBIGUOUS : KW_UNKNOWN;
}

static int run(struct ctx *ctx, int argc, char **argv, struct cfg_args *a)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	struct view v;
	int ret = -1;

	if (argc < 2)
		return cfg_help(ctx);
	/* live: list everything cheaply, then fetch the code of the selected programs only */
	if (view_open(ctx, argc && keyword_is(*argv, "pinned") ? SNAP_PINS : 0, &v))
		return -1;
	if (prog_select(ctx, &v, &argc, &argv, &ids, &n) || view_fill_progs(ctx, &v, ids, n))
		goto out;
	while (argc) {
		const char *kw = *argv;

		NEXT_ARG();
		if (a->visual && keyword_is(kw, "visual")) {
			continue;
		} else if (a->visual && keyword_is(kw, "linum")) {
			a->linum = true;
			continue;
		} else if (a->visual) {
			p_err(ctx, "unknown argument '%s' (visual takes linum)", kw);
			goto out;
		}
		switch (keyword(kw)) {
		case KW_LINUM:
			a->linum = true;
			continue;
		case KW_SPLIT:
			a->split = true;
			continue;
		case KW_AMBIGUOUS:
			p_err(ctx, "ambiguous argument '%s'", kw);
			goto out;
		case KW_UNKNOWN:
			p_err(ctx, "unknown argument '%s' (expected format, file, linum, function, "
			      "split, maxlines or --against)", kw);
			goto out;
		default:
			break;
		}
		if (!argc) {
			p_err(ctx, "expected a value after '%s'", kw);
			goto out;
		}
		switch (keyword(kw)) {
		case KW_AGAINST:
			a->against = *argv;
			break;
		case KW_FORMAT:
			a->format = *argv;
			break;
		case KW_FILE:
			a->file = *argv;
			break;
		case KW_FUNCTION:
			a->func = *argv;
			break;
		default: {
			char *end;

			a->max_lines = strtol(*argv, &end, 0);
			if (*end || !**argv || a->max_lines < 0 || a->max_lines > 1000000) {
				p_err(ctx, "can't parse maxlines %s", *argv);
				goto out;
			}
		}
		}
		NEXT_ARG();
	}
	if (!cfg_render_format_ok(a->format)) {
		p_err(ctx, "unknown format '%s' (expected dot, svg, png or pdf)", a->format);
		goto out;
	}
	if (a->split && !a->file) {
		p_err(ctx, "'split' needs 'file FILE' (it writes FILE-<function>.%s)", a->format);
		goto out;
	}
	if (n > 1 && !out_json(&ctx->out) && (a->file || strcmp(a->format, "dot"))) {
		p_err(ctx, "%zu programs matched: pick one (id ID)", n);
		goto out;
	}
	ret = 0;
	if (out_json(&ctx->out) && n > 1)
		jw_start_array(&ctx->out.jw);
	for (size_t i = 0; i < n && !ret; i++)
		ret = cfg_one(ctx, &v, ids[i], a);
	if (out_json(&ctx->out) && n > 1)
		jw_end_array(&ctx->out.jw);
out:
	free(ids);
	view_close(&v);
	return ret;
}

int do_prog_cfg(struct ctx *ctx, int argc, char **argv)
{
	struct cfg_args a = { .format = "dot", .max_lines = -1 };

	if (argc && (keyword_is(*argv, "help") || !strcmp(*argv, "-h")))
		return cfg_help(ctx);
	return run(ctx, argc, argv, &a) ? -1 : 0;
}

int do_prog_dump_visual(struct ctx *ctx, int argc, char **argv)
{
	struct cfg_args a = { .format = "dot", .visual = true, .max_lines = 0 };

	return run(ctx, argc, argv, &a) ? -1 : 0;
}
