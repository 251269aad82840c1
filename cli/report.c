/* report [REF | live] [file FILE | dir DIR]: one self-contained HTML page for a snapshot (the
 * audit's findings first, the tables a bpftool user knows, a section per program with its
 * code, CFG, maps and history), or an index and a page per program; report diff A B
 * (cli/report_diff.c): the diff as a page. The page is written by
 * reports/html.h, which escapes every string for where it goes. docs/reports.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "analyze/audit.h"
#include "analyze/cfg.h"
#include "analyze/dump.h"
#include "analyze/prog_code.h"
#include "analyze/xlated.h"
#include "cli/code_load.h"
#include "cli/diff_print.h"
#include "cli/report_int.h"
#include "lib/bpf_names.h"
#include "reports/html.h"
#include "reports/report.h"
#include "reports/report_hist.h"
#include "store/read_objs.h"
#include "store/read_snapshot.h"
#include "store/snap_mask.h"
#include "viz/cfg_render.h"


static int report_parse(struct ctx *ctx, int argc, char **argv, struct report_args *a)
{
	*a = (struct report_args){ .ref = "latest" };
	if (argc > 0 && !strcmp(*argv, "diff")) {
		NEXT_ARG();
		REQ_ARGS(2);
		a->diff = true;
		a->ref = GET_ARG();
		a->ref_b = GET_ARG();
	} else if (argc > 0 && strcmp(*argv, "file") && strcmp(*argv, "dir")) {
		a->ref = GET_ARG();
	}
	while (argc > 0) {
		const char *kw = GET_ARG();
		bool dir = !strcmp(kw, "dir");

		REQ_ARGS(1);
		if ((strcmp(kw, "file") && !dir) || (dir && a->diff) || a->file || a->dir)
			return p_err(ctx, "unexpected argument '%s' (report [REF | live] [file FILE | "
				     "dir DIR], report diff A B [file FILE])", kw);
		if (dir)
			a->dir = GET_ARG();
		else
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
	if (array_room((void **)&p->v, &p->cap, p->n, sizeof(*p->v)))
		return -ENOMEM;
	p->v[p->n++] = (struct report_point){ r->id, r->nr_progs, r->nr_maps };
	return 0;
}

int report_side_header(struct ctx *ctx, FILE *f, struct diff_side *s, const char *title)
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

/* What a snapshot's pages are written from, read once. */
struct snap_report {
	struct diff_side s;
	struct audit_rules r;
	struct audit_findings fs;
	struct points pts;
	struct report_hist hist;
	struct ksyms k;
	struct cfg_gvc *gvc;		/* one graphviz context for every CFG; NULL: each its own */
	bool dir;			/* links between pages, not anchors of one */
};

static void snap_report_free(struct snap_report *sr)
{
	free(sr->pts.v);
	cfg_gvc_close(sr->gvc);
	report_hist_free(&sr->hist);
	ksyms_free(&sr->k);
	audit_findings_free(&sr->fs);
	audit_rules_free(&sr->r);
	diff_side_close(&sr->s);
}

static int snap_report_load(struct ctx *ctx, const struct report_args *a, struct snap_report *sr)
{
	unsigned mask = SNAP_CODE | SNAP_PINS | SNAP_ATTACH | SNAP_OWNERS;
	struct err e = { 0 };
	int64_t *ids = NULL;
	int err = 0;

	audit_rules_default(&sr->r);
	sr->dir = a->dir != NULL;
	if (diff_side_open(ctx, a->ref, mask, &sr->s) ||
	    diff_side_read(ctx, &sr->s, SO_ALL | SO_OWNERS) ||
	    audit_collect(ctx, &sr->s, NULL, &sr->r, &sr->fs))
		return -1;
	if (code_load_ksyms(sr->s.db, sr->s.snap_id, &sr->k, &e))
		ksyms_free(&sr->k);	/* helpers stay unnamed: still a page */
	memset(&e, 0, sizeof(e));
	if (cfg_gvc_open(&sr->gvc, &e))
		sr->gvc = NULL;		/* each CFG says why it is not drawn */
	if (sr->s.live)
		return 0;
	memset(&e, 0, sizeof(e));
	if (snapshot_rows_read(sr->s.db, -1, point_row, &sr->pts, &e))
		return p_err_e(ctx, &e);
	ids = calloc(sr->pts.n ? sr->pts.n : 1, sizeof(*ids));
	if (!ids)
		return p_err(ctx, "out of memory");
	for (size_t i = 0; i < sr->pts.n; i++)
		ids[i] = sr->pts.v[i].snap;
	if (report_hist_read(sr->s.db, ids, sr->pts.n, sr->s.snap_id, &sr->s.objs, &sr->hist, &e))
		err = p_err_e(ctx, &e);
	free(ids);
	return err;
}

/* The maps program i uses, with the first entries of their contents when captured. */
static void prog_maps(FILE *f, struct snap_report *sr, size_t i)
{
	const struct so_prog *p = &sr->s.objs.progs[i];

	for (size_t k = 0; k < p->nr_maps; k++) {
		long m = snap_objs_map(&sr->s.objs, p->map_ids[k]);
		struct strlist keys = { 0 }, vals = { 0 };
		struct err e = { 0 };
		uint64_t count = 0;
		int err;

		if (m < 0 || !sr->s.objs.maps[m].contents)
			continue;
		err = map_entries_text(sr->s.db, sr->s.snap_id, p->map_ids[k], REPORT_MAP_ENTRIES,
				       &keys, &vals, &count, &e);
		report_map_entries(f, &sr->s.objs.maps[m], (const char *const *)keys.v,
				   (const char *const *)vals.v, err ? 0 : keys.n, count,
				   err && err != -ENOENT ? e.msg : NULL);
		strlist_free(&keys);
		strlist_free(&vals);
	}
}

/* Program i's section: heading, history, maps and their entries, code and CFG. */
static void prog_section(FILE *f, struct snap_report *sr, size_t i)
{
	struct diff_side *s = &sr->s;
	struct prog_code pc;
	struct err e = { 0 };

	report_prog_start(f, &s->objs, i);
	report_prog_history(f, &sr->hist, i);
	prog_maps(f, sr, i);
	if (!code_load(s->db, s->snap_id, s->objs.progs[i].id, PROG_CODE_XLATED, &pc, &e)) {
		prog_code_use_ksyms(&pc, &sr->k);
		report_prog_code(f, &pc);
		report_prog_cfg(f, sr->gvc, &pc);
		prog_code_free(&pc);
	} else {
		fputs("<p>no code in this snapshot: ", f);
		html_text(f, e.msg);
		fputs("</p>\n", f);
	}
	report_prog_end(f);
}

/* The page of the snapshot, or in dir mode its index (the sections go to their own pages). */
static int index_page(struct ctx *ctx, FILE *f, struct snap_report *sr)
{
	html_page_start(f, "bpfscope report");
	if (report_side_header(ctx, f, &sr->s, "bpfscope report"))
		return -1;
	fprintf(f, "<p><a href=\"#findings\">findings</a> | <a href=\"#history\">history</a> | "
		"<a href=\"#progs\">programs</a> | <a href=\"#maps\">maps</a> | <a href=\"#btf\">BTF</a>"
		" | <a href=\"#links\">links</a> | <a href=\"#attachments\">attachments</a> | "
		"<a href=\"#pins\">pins</a>%s</p>\n",
		sr->dir ? "" : " | <a href=\"#sections\">code</a>");
	report_findings(f, &sr->fs, sr->dir);
	report_history_plot(f, sr->pts.v, sr->pts.n);
	report_tables(f, &sr->s.objs, sr->dir);
	if (!sr->dir) {
		fputs("<h2 id=\"sections\">Programs one by one</h2>\n", f);
		for (size_t i = 0; i < sr->s.objs.nprogs; i++)
			prog_section(f, sr, i);
	}
	html_page_end(f);
	return 0;
}

static int snapshot_page(struct ctx *ctx, FILE *f, const struct report_args *a)
{
	struct snap_report sr = { 0 };
	int ret = -1;

	if (!snap_report_load(ctx, a, &sr))
		ret = index_page(ctx, f, &sr);
	snap_report_free(&sr);
	return ret;
}

/* dir DIR: index.html and prog-ID.html per program, 0600 in a directory made 0700. */
static int snapshot_dir(struct ctx *ctx, const struct report_args *a)
{
	struct snap_report sr = { 0 };
	char name[64];
	FILE *f = NULL;
	int dfd = -1, ret = -1;

	if (report_dir_open(ctx, a->dir, &dfd) || snap_report_load(ctx, a, &sr))
		goto out;
	for (size_t i = 0; i < sr.s.objs.nprogs; i++) {
		uint32_t id = sr.s.objs.progs[i].id;

		snprintf(name, sizeof(name), "prog-%u.html", id);
		if (!(f = report_file_at(ctx, dfd, a->dir, name)))
			goto out;
		snprintf(name, sizeof(name), "bpfscope report: prog %u", id);
		html_page_start(f, name);
		fputs("<p><a href=\"index.html\">index</a> | <a href=\"index.html#progs\">programs</a></p>\n", f);
		prog_section(f, &sr, i);
		html_page_end(f);
		if (report_file_close(ctx, f, a->dir, "prog page"))
			goto out;
	}
	if (!(f = report_file_at(ctx, dfd, a->dir, "index.html")))
		goto out;
	ret = index_page(ctx, f, &sr);
	if (report_file_close(ctx, f, a->dir, "index.html") && !ret)
		ret = -1;
out:
	if (dfd >= 0)
		close(dfd);
	snap_report_free(&sr);
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
	if (a.dir)
		return snapshot_dir(ctx, &a);
	if (a.file && !(f = report_file_at(ctx, AT_FDCWD, NULL, a.file)))
		return -1;
	ret = a.diff ? report_diff_page(ctx, f, &a) : snapshot_page(ctx, f, &a);
	if (f != stdout && report_file_close(ctx, f, NULL, a.file) && !ret)
		ret = -1;
	if (ret && a.file)
		unlink_regular(a.file);	/* no half page left behind */
	return ret;
}
