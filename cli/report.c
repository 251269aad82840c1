/* report [REF | live] [file FILE]: one self-contained HTML page for a snapshot (the audit's
 * findings first, the tables a bpftool user knows, a section per program with its code and
 * CFG, the history as plots); report diff A B: the diff as a page. The page is written by
 * reports/html.h, which escapes every string for where it goes. docs/reports.md. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "analyze/audit.h"
#include "analyze/cfg.h"
#include "analyze/dump.h"
#include "analyze/prog_code.h"
#include "analyze/xlated.h"
#include "cli/code_load.h"
#include "cli/diff_print.h"
#include "lib/bpf_names.h"
#include "reports/html.h"
#include "reports/report.h"
#include "store/read_objs.h"
#include "store/read_snapshot.h"
#include "store/snap_mask.h"
#include "viz/cfg_render.h"


struct report_args {
	const char *ref, *ref_b, *file;
	bool diff;
};

static int report_parse(struct ctx *ctx, int argc, char **argv, struct report_args *a)
{
	*a = (struct report_args){ .ref = "latest" };
	if (argc > 0 && !strcmp(*argv, "diff")) {
		NEXT_ARG();
		REQ_ARGS(2);
		a->diff = true;
		a->ref = GET_ARG();
		a->ref_b = GET_ARG();
	} else if (argc > 0 && strcmp(*argv, "file")) {
		a->ref = GET_ARG();
	}
	while (argc > 0) {
		const char *kw = GET_ARG();

		REQ_ARGS(1);
		if (strcmp(kw, "file"))
			return p_err(ctx, "unexpected argument '%s' (report [REF | live] [file FILE], "
				     "report diff A B [file FILE])", kw);
		a->file = GET_ARG();
	}
	return 0;
}


struct header_arg {
	FILE *f;
	const char *title;
};

static int header_row(void *arg, const struct snapshot_row *r)
{
	struct header_arg *h = arg;

	if (r)
		report_header(h->f, h->title, r);
	return 0;
}

struct points {
	struct report_point *v;
	size_t n, cap;
};

static int point_row(void *arg, const struct snapshot_row *r)
{
	struct points *p = arg;

	if (!r)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		void *v = realloc(p->v, cap * sizeof(*p->v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct report_point){ r->id, r->nr_progs, r->nr_maps };
	return 0;
}

static int side_header(struct ctx *ctx, FILE *f, struct diff_side *s, const char *title)
{
	struct header_arg h = { f, title };
	struct err e = { 0 };

	if (s->live) {
		report_header(f, title, NULL);
		return 0;
	}
	if (snapshot_rows_read(s->db, s->snap_id, header_row, &h, &e))
		return p_err_e(ctx, &e);
	return 0;
}

/* Every program's section: code and CFG from the snapshot, kernel symbols loaded once. */
static void prog_sections(FILE *f, struct diff_side *s)
{
	struct ksyms k = { 0 };
	struct err e = { 0 };

	if (code_load_ksyms(s->db, s->snap_id, &k, &e))
		ksyms_free(&k);
	fputs("<h2 id=\"sections\">Programs one by one</h2>\n", f);
	for (size_t i = 0; i < s->objs.nprogs; i++) {
		struct prog_code pc;

		report_prog_start(f, &s->objs, i);
		memset(&e, 0, sizeof(e));
		if (!code_load(s->db, s->snap_id, s->objs.progs[i].id, PROG_CODE_XLATED, &pc, &e)) {
			prog_code_use_ksyms(&pc, &k);
			report_prog_code(f, &pc);
			report_prog_cfg(f, &pc);
			prog_code_free(&pc);
		} else {
			fputs("<p>no code in this snapshot: ", f);
			html_text(f, e.msg);
			fputs("</p>\n", f);
		}
		report_prog_end(f);
	}
	ksyms_free(&k);
}

static int snapshot_page(struct ctx *ctx, FILE *f, const struct report_args *a)
{
	unsigned mask = SNAP_CODE | SNAP_PINS | SNAP_ATTACH | SNAP_OWNERS;
	struct diff_side s = { 0 };
	struct audit_rules r;
	struct audit_findings fs = { 0 };
	struct points pts = { 0 };
	struct err e = { 0 };
	int ret = -1;

	audit_rules_default(&r);
	if (diff_side_open(ctx, a->ref, mask, &s) || diff_side_read(ctx, &s, SO_ALL | SO_OWNERS) ||
	    audit_collect(ctx, &s, NULL, &r, &fs))
		goto out;
	html_page_start(f, "bpfscope report");
	if (side_header(ctx, f, &s, "bpfscope report"))
		goto out;
	fputs("<p><a href=\"#findings\">findings</a> | <a href=\"#history\">history</a> | "
	      "<a href=\"#progs\">programs</a> | <a href=\"#maps\">maps</a> | <a href=\"#btf\">BTF</a>"
	      " | <a href=\"#links\">links</a> | <a href=\"#attachments\">attachments</a> | "
	      "<a href=\"#pins\">pins</a> | <a href=\"#sections\">code</a></p>\n", f);
	report_findings(f, &fs);
	if (!s.live && snapshot_rows_read(s.db, -1, point_row, &pts, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	report_history_plot(f, pts.v, pts.n);
	report_tables(f, &s.objs);
	prog_sections(f, &s);
	html_page_end(f);
	ret = 0;
out:
	free(pts.v);
	audit_findings_free(&fs);
	audit_rules_free(&r);
	diff_side_close(&s);
	return ret;
}

/* The unified code diff of each changed program, coloured */
static void diff_code_sections(FILE *f, struct diff_side *a, struct diff_side *b,
			       const struct diff_result *r)
{
	fputs("<h2>Code of the changed programs</h2>\n", f);
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_change *c = &r->v[i];
		struct strlist l = { 0 };
		struct err e = { 0 };

		if (c->kind != DK_PROG || c->op != DIFF_CHANGED)
			continue;
		fputs("<section class=\"prog\"><h3>", f);
		html_textf(f, "%s %s", c->type, c->name);
		fputs("</h3>\n<pre>", f);
		if (diff_code_lines(a, b, c, &l, &e))
			html_text(f, e.msg);
		for (size_t k = 0; k < l.n; k++) {
			const char *cls = l.v[k][0] == '+' ? "add" : l.v[k][0] == '-' ? "del" : NULL;

			if (cls)
				fprintf(f, "<span class=\"%s\">", cls);
			html_text(f, l.v[k]);
			fputs(cls ? "</span>\n" : "\n", f);
		}
		fputs("</pre></section>\n", f);
		strlist_free(&l);
	}
}

static int diff_page(struct ctx *ctx, FILE *f, const struct report_args *a)
{
	unsigned mask = SNAP_CODE | SNAP_PINS | SNAP_ATTACH;
	struct diff_side sa = { 0 }, sb = { 0 };
	struct diff_opts o = { .kinds = SO_ALL };
	struct diff_result r = { 0 };
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
	if (side_header(ctx, f, &sa, "A") || side_header(ctx, f, &sb, "B"))
		goto out;
	report_diff(f, &sa.objs, &sb.objs, &r);
	diff_code_sections(f, &sa, &sb, &r);
	html_page_end(f);
	ctx->status = r.n ? 1 : 0;
	ret = 0;
out:
	diff_result_free(&r);
	diff_side_close(&sa);
	diff_side_close(&sb);
	return ret;
}

int do_report(struct ctx *ctx, int argc, char **argv)
{
	struct report_args a;
	FILE *f = stdout;
	int ret;

	ctx->err_status = 2;
	if (argc == 1 && keyword_is(*argv, "help")) {
		p_usage(ctx, GRAMMAR_REPORT);
		return 0;
	}
	if (report_parse(ctx, argc, argv, &a))
		return -1;
	if (a.file && !(f = fopen_private(a.file))) {
		int saved = errno;

		return p_err(ctx, "can't write %s: %s", a.file, strerror(saved));
	}
	ret = a.diff ? diff_page(ctx, f, &a) : snapshot_page(ctx, f, &a);
	if (f != stdout && fclose(f) && !ret)
		ret = p_err(ctx, "can't write %s: %s", a.file, strerror(errno));
	if (ret && a.file)
		unlink(a.file);	/* no half page left behind */
	return ret;
}
