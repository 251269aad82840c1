/* report diff A B: the diff as a page: the changes diff lists, each changed program's xlated
 * code side by side with its source lines and both its CFGs with changed blocks marked
 * (analyze/cfg_diff.c), each changed map's contents changes. */
#include <errno.h>
#include <stdlib.h>
#include "analyze/cfg.h"
#include "analyze/cfg_diff.h"
#include "analyze/seq_diff.h"
#include "cli/code_load.h"
#include "cli/diff_print.h"
#include "cli/report_int.h"
#include "reports/html.h"
#include "reports/report.h"
#include "store/read_objs.h"
#include "store/snap_mask.h"

#define DIFF_CFG_CODE (PROG_CODE_XLATED | PROG_CODE_KSYMS)

/* One side's program, its CFG built */
struct cfg_side {
	struct prog_code pc;
	struct cfg c;
	bool loaded;
};

static int cfg_side_load(struct diff_side *s, uint32_t id, struct cfg_side *cs, struct err *e)
{
	int err = code_load(s->db, s->snap_id, id, DIFF_CFG_CODE, &cs->pc, e);

	if (err)
		return err;
	cs->loaded = true;
	if (s->ksyms)
		prog_code_use_ksyms(&cs->pc, s->ksyms);
	if (cs->pc.nr_insns > REPORT_CFG_MAX_INSNS)
		return err_set(e, EFBIG, "%u instructions (over %d)", cs->pc.nr_insns,
			       REPORT_CFG_MAX_INSNS);
	return cfg_build_prog(&cs->pc, &cs->c, e);
}

static void cfg_side_free(struct cfg_side *cs)
{
	cfg_free(&cs->c);
	if (cs->loaded)
		prog_code_free(&cs->pc);
}

/* Both CFGs, each one's blocks marked against the other's */
static void diff_cfgs(FILE *f, struct diff_side *a, struct diff_side *b,
		      const struct diff_change *c)
{
	struct cfg_side ca = { 0 }, cb = { 0 };
	struct cfg_diff_stats sa, sb;
	uint8_t *ma = NULL, *mb = NULL;
	struct err e = { 0 };
	char ta[96], tb[96];

	if (cfg_side_load(a, a->objs.progs[c->a].id, &ca, &e) ||
	    cfg_side_load(b, b->objs.progs[c->b].id, &cb, &e))
		goto fail;
	ma = malloc(ca.c.nr_blocks + 1);
	mb = malloc(cb.c.nr_blocks + 1);
	if (!ma || !mb) {
		err_set(&e, ENOMEM, "out of memory");
		goto fail;
	}
	if (cfg_diff(&ca.pc, &ca.c, &cb.pc, &cb.c, ma, &sa, &e) ||
	    cfg_diff(&cb.pc, &cb.c, &ca.pc, &ca.c, mb, &sb, &e))
		goto fail;
	snprintf(ta, sizeof(ta), "A: prog %u, %u blocks changed, %u only in A", ca.pc.id,
		 sa.changed, sa.added);
	snprintf(tb, sizeof(tb), "B: prog %u, %u blocks changed, %u only in B", cb.pc.id,
		 sb.changed, sb.added);
	fputs("<div class=\"cfgpair\"><div>", f);
	report_cfg_svg(f, NULL, &ca.pc, &ca.c, ma, ta, "B");
	fputs("</div><div>", f);
	report_cfg_svg(f, NULL, &cb.pc, &cb.c, mb, tb, "A");
	fputs("</div></div>\n", f);
	goto out;
fail:
	fputs("<p>CFGs not drawn: ", f);
	html_text(f, e.msg);
	fputs("</p>\n", f);
out:
	free(ma);
	free(mb);
	cfg_side_free(&ca);
	cfg_side_free(&cb);
}

/* The same change as diff code prints it, folded: what a patch reader knows */
static void unified(FILE *f, struct diff_side *a, struct diff_side *b,
		    const struct diff_change *c)
{
	struct strlist l = { 0 };
	struct err e = { 0 };

	fputs("<details><summary>unified diff</summary><pre>", f);
	if (diff_code_lines(a, b, c, &l, &e))
		html_text(f, e.msg);
	for (size_t k = 0; k < l.n; k++) {
		const char *cls = l.v[k][0] == '+' ? "add" : l.v[k][0] == '-' ? "del" : NULL;

		if (cls)
			fprintf(f, "<span class=\"%s\">", cls);
		html_text(f, l.v[k]);
		fputs(cls ? "</span>\n" : "\n", f);
	}
	fputs("</pre></details>\n", f);
	strlist_free(&l);
}

/* Each changed program: its code side by side, then both CFGs */
static void diff_code_sections(FILE *f, struct diff_side *a, struct diff_side *b,
			       const struct diff_result *r)
{
	fputs("<h2 id=\"code\">Code of the changed programs</h2>\n", f);
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_change *c = &r->v[i];
		struct strlist la = { 0 }, lb = { 0 };
		struct seq_edit *ed = NULL;
		struct err e = { 0 };
		size_t n = 0;

		if (c->kind != DK_PROG || c->op != DIFF_CHANGED)
			continue;
		fputs("<section class=\"prog\"><h3>", f);
		html_textf(f, "%s %s", c->type, c->name);
		fputs("</h3>\n", f);
		if (diff_code_edits(a, b, c, &la, &lb, &ed, &n, &e)) {
			fputs("<p>", f);
			html_text(f, e.msg);
			fputs("</p>\n", f);
		} else {
			report_code_sides(f, (const char *const *)la.v, (const char *const *)lb.v, ed, n);
			unified(f, a, b, c);
			diff_cfgs(f, a, b, c);
		}
		fputs("</section>\n", f);
		free(ed);
		strlist_free(&la);
		strlist_free(&lb);
	}
}

/* Each changed map's keys added, removed and changed (when both sides hold contents) */
static void diff_contents_sections(FILE *f, struct diff_side *a, struct diff_side *b,
				   const struct diff_result *r)
{
	bool any = false;

	for (size_t i = 0; i < r->n; i++) {
		const struct diff_change *c = &r->v[i];
		struct strlist l = { 0 };
		struct err e = { 0 };
		int err;

		if (c->kind != DK_MAP || c->op != DIFF_CHANGED)
			continue;
		err = diff_contents_lines(a, b, c, DIFF_CONTENTS_MAX, &l, &e);
		if (!err && !l.n)
			continue;
		if (!any)
			fputs("<h2 id=\"contents\">Map contents</h2>\n", f);
		any = true;
		fputs("<section class=\"map\"><h3>", f);
		html_textf(f, "%s %s", c->type, c->name);
		fputs("</h3>\n<pre>", f);
		if (err)
			html_text(f, e.msg);
		for (size_t k = 0; k < l.n; k++) {
			const char *cls = l.v[k][0] == '+' ? "add" : l.v[k][0] == '-' ? "del" : "chg";

			fprintf(f, "<span class=\"%s\">", cls);
			html_text(f, l.v[k]);
			fputs("</span>\n", f);
		}
		fputs("</pre></section>\n", f);
		strlist_free(&l);
	}
}

int report_diff_page(struct ctx *ctx, FILE *f, const struct report_args *a)
{
	unsigned mask = SNAP_CODE | SNAP_PINS | SNAP_ATTACH;
	struct diff_side sa = { 0 }, sb = { 0 };
	struct diff_opts o = { .kinds = SO_ALL }, oc = { .kinds = SO_MAPS, .contents = true };
	struct diff_result r = { 0 }, rc = { 0 };
	struct err e = { 0 };
	int ret = -1;

	if (diff_side_open(ctx, a->ref, mask, &sa) || diff_side_open(ctx, a->ref_b, mask, &sb) ||
	    diff_side_read(ctx, &sa, SO_ALL) || diff_side_read(ctx, &sb, SO_ALL))
		goto out;
	if ((!sa.live && !sb.live && sa.snap_id < sb.snap_id &&
	     snap_loads_read(sb.db, sa.snap_id, sb.snap_id, &sb.objs, &e)) ||
	    diff_compute(&sa.objs, &sb.objs, &o, &r, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	html_page_start(f, "bpfscope diff");
	fputs("<div class=\"cfgpair\"><div>", f);
	if (report_side_header(ctx, f, &sa, "A"))
		goto out;
	fputs("</div><div>", f);
	if (report_side_header(ctx, f, &sb, "B"))
		goto out;
	fputs("</div></div>\n", f);
	report_diff(f, &sa.objs, &sb.objs, &r);
	diff_code_sections(f, &sa, &sb, &r);
	/* contents are not a change by diff's default (the lists above are diff -j's), but a
	 * reader of the page wants them: maps compared once more with contents counted */
	if (diff_compute(&sa.objs, &sb.objs, &oc, &rc, &e)) {
		fputs("<p>map contents not compared: ", f);
		html_text(f, e.msg);
		fputs("</p>\n", f);
	} else {
		diff_contents_sections(f, &sa, &sb, &rc);
	}
	html_page_end(f);
	ctx->status = r.n ? 1 : 0;
	ret = 0;
out:
	diff_result_free(&r);
	diff_result_free(&rc);
	diff_side_close(&sa);
	diff_side_close(&sb);
	return ret;
}
