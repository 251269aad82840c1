/* report [REF | live] [file FILE | dir DIR]: one self-contained HTML page for a snapshot (the
 * audit's findings first, the tables a bpftool user knows, a section per program with its
 * code, CFG, maps and history), or an index and a page per program; report diff A B
 * (cli/report_diff.c): the diff as a page. The page is written by
 * reports/html.h, which escapes every string for where it goes. docs/reports.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
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
#include "store/db.h"
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
	    diff_side_read(ctx, &sr->s, SO_ALL | SO_OWNERS | SO_VIEWS) ||
	    audit_collect(ctx, &sr->s, NULL, &sr->r, &sr->fs))
		return -1;
	/* the symbols the audit parsed, moved here (the side frees an emptied set) */
	if (diff_side_ksyms(&sr->s)) {
		sr->k = *sr->s.ksyms;
		memset(sr->s.ksyms, 0, sizeof(*sr->s.ksyms));
	}
	memset(&e, 0, sizeof(e));
	if (cfg_gvc_open(&sr->gvc, !getenv("BPFSCOPE_REPORT_ALONE"), &e))
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

/* Sections lo to hi, or the pages holding them: written by this process or by the child */
typedef int (*sections_fn)(struct ctx *ctx, struct snap_report *sr, size_t lo, size_t hi,
			   void *arg);

/* under this many programs a second process costs more than it saves */
#define REPORT_SPLIT_MIN 200

/* For tests (docs/reports.md): BPFSCOPE_REPORT_ALONE, one process (and every CFG drawn
 * alone); BPFSCOPE_REPORT_SPLIT_MIN, the programs a second process takes part from. */
static size_t split_min(void)
{
	const char *v = getenv("BPFSCOPE_REPORT_SPLIT_MIN");

	if (getenv("BPFSCOPE_REPORT_ALONE"))
		return SIZE_MAX;
	return v && *v ? strtoul(v, NULL, 10) : REPORT_SPLIT_MIN;
}

/* The second core: a child process writes programs lo to hi while this one writes those
 * before. Not threads: graphviz keeps process-wide state. The child opens the database
 * again (an SQLite connection must not cross a fork) and leaves with _exit, so nothing
 * this process buffered is written twice. Stored snapshots only (a live one is a database
 * in this process's memory). The child's pid, or -1: no child, this process does it all. */
static pid_t split_start(struct ctx *ctx, struct snap_report *sr, size_t lo, size_t hi,
			 sections_fn fn, void *arg)
{
	pid_t pid;

	if (sr->s.live || sr->s.db->memory || hi <= lo)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct db db;
		struct err e = { 0 };
		int ret = 1;

		if (!db_open(&db, sr->s.db->path, DB_READ, &e) && !db_read_begin(&db, &e)) {
			sr->s.db = &db;
			ret = fn(ctx, sr, lo, hi, arg) ? 1 : 0;
		}
		_exit(ret);
	}
	return pid;
}

/* did the child write its part */
static bool split_done(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int sections_to(struct ctx *ctx, struct snap_report *sr, size_t lo, size_t hi, void *arg)
{
	FILE *f = arg;

	(void)ctx;
	for (size_t i = lo; i < hi; i++)
		prog_section(f, sr, i);
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* Every program's section into f, the second half written by a child into a temporary file
 * (0600, unlinked) and copied after the first; when the child fails, here. */
static int all_sections(struct ctx *ctx, FILE *f, struct snap_report *sr)
{
	size_t n = sr->s.objs.nprogs, half = n / 2, k;
	FILE *tmp = n >= split_min() && n >= 2 && !sr->s.live ? tmpfile() : NULL;
	pid_t pid = tmp ? split_start(ctx, sr, half, n, sections_to, tmp) : -1;
	char buf[1 << 16];
	int ret = 0;

	if (pid < 0)
		half = n;
	sections_to(ctx, sr, 0, half, f);	/* f's errors show when it is closed */
	if (pid > 0) {
		if (split_done(pid) && !fseek(tmp, 0, SEEK_SET)) {
			/* file to file in the kernel where it can (copy_file_range), else through
			 * a buffer (stdout a pipe) */
			ssize_t c = fflush(f) ? -1 : copy_file_range(fileno(tmp), NULL, fileno(f),
								     NULL, SIZE_MAX >> 2, 0);
			bool moved = c > 0;

			while (c > 0)
				c = copy_file_range(fileno(tmp), NULL, fileno(f), NULL, SIZE_MAX >> 2, 0);
			if (moved && c < 0)
				ret = p_err(ctx, "can't copy the programs' sections: %s", strerror(errno));
			while (!moved && (k = fread(buf, 1, sizeof(buf), tmp)) > 0)
				fwrite(buf, 1, k, f);
			if (ferror(tmp))
				ret = p_err(ctx, "can't read the programs' sections back: %s",
					    strerror(errno));
		} else {
			sections_to(ctx, sr, half, n, f);
		}
	}
	if (tmp)
		fclose(tmp);
	return ret;
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
		if (all_sections(ctx, f, sr))
			return -1;
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

struct dir_arg {
	int dfd;
	const char *dir;
};

/* prog-ID.html of programs lo to hi */
static int dir_pages(struct ctx *ctx, struct snap_report *sr, size_t lo, size_t hi, void *arg)
{
	const struct dir_arg *d = arg;
	char name[64];
	FILE *f;

	for (size_t i = lo; i < hi; i++) {
		uint32_t id = sr->s.objs.progs[i].id;

		snprintf(name, sizeof(name), "prog-%u.html", id);
		if (!(f = report_file_at(ctx, d->dfd, d->dir, name)))
			return -1;
		snprintf(name, sizeof(name), "bpfscope report: prog %u", id);
		html_page_start(f, name);
		fputs("<p><a href=\"index.html\">index</a> | <a href=\"index.html#progs\">programs</a></p>\n", f);
		prog_section(f, sr, i);
		html_page_end(f);
		if (report_file_close(ctx, f, d->dir, "prog page"))
			return -1;
	}
	return 0;
}

/* dir DIR: index.html and prog-ID.html per program, 0600 in a directory made 0700; the
 * second half of the programs' pages written by a child (split_start). */
static int snapshot_dir(struct ctx *ctx, const struct report_args *a)
{
	struct snap_report sr = { 0 };
	struct dir_arg d = { -1, a->dir };
	FILE *f = NULL;
	size_t n, half;
	pid_t pid;
	int ret = -1;

	if (report_dir_open(ctx, a->dir, &d.dfd) || snap_report_load(ctx, a, &sr))
		goto out;
	n = sr.s.objs.nprogs;
	half = n / 2;
	pid = n >= split_min() && n >= 2 ? split_start(ctx, &sr, half, n, dir_pages, &d) : -1;
	if (pid < 0)
		half = n;
	if (dir_pages(ctx, &sr, 0, half, &d)) {
		if (pid > 0)
			split_done(pid);
		goto out;
	}
	if (pid > 0 && !split_done(pid) && dir_pages(ctx, &sr, half, n, &d))
		goto out;
	if (!(f = report_file_at(ctx, d.dfd, a->dir, "index.html")))
		goto out;
	ret = index_page(ctx, f, &sr);
	if (report_file_close(ctx, f, a->dir, "index.html") && !ret)
		ret = -1;
out:
	if (d.dfd >= 0)
		close(d.dfd);
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
