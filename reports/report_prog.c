/* A program's section of a report: its xlated code with source lines, its CFG as inline SVG
 * drawn in-process by libgvc (a click on a block shows its code below the graph). */
#include <stdlib.h>
#include <string.h>
#include "analyze/cfg.h"
#include "analyze/dump.h"
#include "analyze/seq_diff.h"
#include "analyze/xlated.h"
#include "reports/html.h"
#include "reports/report.h"
#include "viz/cfg_render.h"

/* (the XML prolog and doctype dropped: graphviz escapes its labels for SVG, and what it
 * writes is placed as is) */
void report_cfg_svg(FILE *f, struct cfg_gvc *gvc, const struct prog_code *pc,
		    const struct cfg *c, const uint8_t *marks, const char *title,
		    const char *against)
{
	struct cfg_render_opts ro = { .only_func = -1, .linum = true,
				      .max_lines = CFG_RENDER_MAX_LINES, .wrap = CFG_RENDER_WRAP,
				      .marks = marks, .title = title, .legend_against = against };
	struct err e = { 0 };
	char *svg = NULL, *start;
	size_t len = 0;
	FILE *m = open_memstream(&svg, &len);

	if (!m)
		return;
	if (cfg_render_gvc(gvc, pc, c, &ro, "svg", m, &e)) {
		fclose(m);
		fputs("<p>CFG not drawn: ", f);
		html_text(f, e.msg);
		fputs("</p>\n", f);
		goto out;
	}
	fclose(m);
	start = svg ? strstr(svg, "<svg") : NULL;
	if (start)
		fprintf(f, "<div class=\"svgbox\">%s</div>\n<pre class=\"blockcode\"></pre>\n", start);
out:
	free(svg);
}

void report_prog_cfg(FILE *f, struct cfg_gvc *gvc, const struct prog_code *pc)
{
	struct cfg c = { 0 };
	struct err e = { 0 };

	if (pc->nr_insns > REPORT_CFG_MAX_INSNS) {
		fprintf(f, "<p>CFG not drawn: %u instructions (over %d).</p>\n", pc->nr_insns,
			REPORT_CFG_MAX_INSNS);
		return;
	}
	if (cfg_build_prog(pc, &c, &e)) {
		fputs("<p>CFG not drawn: ", f);
		html_text(f, e.msg);
		fputs("</p>\n", f);
	} else {
		report_cfg_svg(f, gvc, pc, &c, NULL, NULL, NULL);
	}
	cfg_free(&c);
}

void report_map_entries(FILE *f, const struct so_map *m, const char *const *keys,
			const char *const *vals, size_t n, uint64_t count, const char *err)
{
	fputs("<div class=\"mapdata\"><h4>", f);
	html_textf(f, "map %u %s: ", m->id, m->name);
	if (err) {
		html_text(f, err);
		fputs("</h4></div>\n", f);
		return;
	}
	fprintf(f, "%llu entr%s", (unsigned long long)count, count == 1 ? "y" : "ies");
	if (count > n)
		fprintf(f, ", the first %zu", n);
	fputs("</h4>\n", f);
	if (n) {
		fputs("<table><thead><tr><th>key</th><th>value</th></tr></thead><tbody>\n", f);
		for (size_t i = 0; i < n; i++) {
			fputs("<tr>", f);
			html_td(f, keys[i]);
			html_td(f, vals[i]);
			fputs("</tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	fputs("</div>\n", f);
}

static void side_cell(FILE *f, const char *cls, const char *text)
{
	if (!text) {
		fputs("<td></td>", f);
		return;
	}
	fprintf(f, "<td class=\"%s\"><pre>", cls);
	html_text(f, text);
	fputs("</pre></td>", f);
}

/* unchanged lines kept around each change; longer runs fold into one row */
#define SIDES_CONTEXT 3

void report_code_sides(FILE *f, const char *const *a, const char *const *b,
		       const struct seq_edit *ed, size_t n)
{
	fputs("<table class=\"sides\"><thead><tr><th>A</th><th>B</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < n;) {
		size_t j = i, nd = 0, ni = 0;

		if (ed[i].op == SEQ_SAME) {
			size_t head, tail;

			while (j < n && ed[j].op == SEQ_SAME)
				j++;
			/* context after the change before, and before the change after */
			head = i ? SIDES_CONTEXT : 0;
			tail = j < n ? SIDES_CONTEXT : 0;
			for (size_t k = i; k < j; k++) {
				if (head + tail < j - i && k == i + head) {
					fprintf(f, "<tr><td colspan=\"2\" class=\"fold\">... %zu unchanged "
						"lines</td></tr>\n", j - i - head - tail);
					k = j - tail - 1;
					continue;
				}
				fputs("<tr>", f);
				side_cell(f, "same", a[ed[k].a]);
				side_cell(f, "same", b[ed[k].b]);
				fputs("</tr>\n", f);
			}
			i = j;
			continue;
		}
		/* a run of removed lines then inserted ones: side by side, row by row */
		while (j < n && ed[j].op == SEQ_DEL)
			j++, nd++;
		while (j < n && ed[j].op == SEQ_INS)
			j++, ni++;
		for (size_t k = 0; k < nd || k < ni; k++) {
			fputs("<tr>", f);
			side_cell(f, "del", k < nd ? a[ed[i + k].a] : NULL);
			side_cell(f, "add", k < ni ? b[ed[i + nd + k].b] : NULL);
			fputs("</tr>\n", f);
		}
		i = j;
	}
	fputs("</tbody></table>\n", f);
}

void report_prog_code(FILE *f, const struct prog_code *pc)
{
	struct dump d = { 0 };
	struct err e = { 0 };

	if (xlated_dump(pc, DUMP_LINUM, &d, &e)) {
		fputs("<p>no code: ", f);
		html_text(f, e.msg);
		fputs("</p>\n", f);
		return;
	}
	fputs("<details><summary>xlated code</summary><pre>", f);
	for (size_t i = 0; i < d.n; i++) {
		const struct dump_line *l = &d.lines[i];

		if (l->kind == DL_FUNC)
			html_textf(f, "%s:\n", l->text);
		else if (l->kind == DL_SRC)
			html_textf(f, "; %s\n", l->text);
		else if (l->kind == DL_INSN)
			html_textf(f, "%5u: %s\n", l->pc, l->text);
	}
	fputs("</pre></details>\n", f);
	dump_free(&d);
}
