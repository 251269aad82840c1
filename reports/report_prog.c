/* A program's section of a report: its xlated code with source lines, its CFG as inline SVG
 * drawn in-process by libgvc (a click on a block shows its code below the graph). */
#include <stdlib.h>
#include <string.h>
#include "analyze/cfg.h"
#include "analyze/dump.h"
#include "analyze/xlated.h"
#include "reports/html.h"
#include "reports/report.h"
#include "viz/cfg_render.h"

/* (the XML prolog and doctype dropped: graphviz escapes its labels for SVG, and what it
 * writes is placed as is) */
void report_prog_cfg(FILE *f, const struct prog_code *pc)
{
	struct cfg_render_opts ro = { .only_func = -1, .linum = true,
				      .max_lines = CFG_RENDER_MAX_LINES, .wrap = CFG_RENDER_WRAP };
	struct cfg c = { 0 };
	struct err e = { 0 };
	char *svg = NULL, *start;
	size_t len = 0;
	FILE *m;

	if (pc->nr_insns > REPORT_CFG_MAX_INSNS) {
		fprintf(f, "<p>CFG not drawn: %u instructions (over %d).</p>\n", pc->nr_insns,
			REPORT_CFG_MAX_INSNS);
		return;
	}
	m = open_memstream(&svg, &len);
	if (!m)
		return;
	if (cfg_build_prog(pc, &c, &e) || cfg_render(pc, &c, &ro, "svg", m, &e)) {
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
	cfg_free(&c);
	free(svg);
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
