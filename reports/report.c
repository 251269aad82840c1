/* The report's sections from plain data: header, findings, tables, history plot, program
 * headings, the diff. Names, paths, labels and hosts are hostile until escaped here. */
#include <inttypes.h>
#include <string.h>
#include "lib/bpf_names.h"
#include "lib/util.h"
#include "reports/html.h"
#include "reports/report.h"

static const char *const posture_names[SNAP_ROW_POSTURE] = {
	"kernel.unprivileged_bpf_disabled", "net.core.bpf_jit_enable", "net.core.bpf_jit_harden",
	"net.core.bpf_jit_kallsyms", "kernel.bpf_stats_enabled",
};

void report_header(FILE *f, const char *title, const struct snapshot_row *r)
{
	char when[64];

	fputs("<h1>", f);
	html_text(f, title);
	fputs("</h1>\n", f);
	if (!r) {
		fputs("<p>The live kernel.</p>\n", f);
		return;
	}
	fmt_time_utc_ns(r->taken_at_ns, when, sizeof(when));
	fputs("<table><tbody>", f);
	fputs("<tr><th>snapshot</th>", f);
	html_td_num(f, r->id);
	fputs("</tr><tr><th>label</th>", f);
	html_td(f, r->label ? r->label : "");
	fputs("</tr><tr><th>taken at</th>", f);
	html_td(f, when);
	fputs("</tr><tr><th>host</th>", f);
	html_td(f, r->host);
	fputs("</tr><tr><th>kernel</th>", f);
	html_td(f, r->kernel_release);
	fputs("</tr><tr><th>arch</th>", f);
	html_td(f, r->arch);
	fputs("</tr>", f);
	for (int i = 0; i < SNAP_ROW_POSTURE; i++) {
		fputs("<tr><th>", f);
		html_text(f, posture_names[i]);
		fputs("</th>", f);
		if (r->has_posture[i])
			html_td_num(f, r->posture[i]);
		else
			html_td(f, "not recorded");
		fputs("</tr>", f);
	}
	fprintf(f, "<tr><th>objects</th><td>%" PRIu64 " programs, %" PRIu64 " maps, %" PRIu64
		" BTF, %" PRIu64 " links, %" PRIu64 " attachments, %" PRIu64 " pins</td></tr>",
		r->nr_progs, r->nr_maps, r->nr_btf, r->nr_links, r->nr_attachments, r->nr_pins);
	fputs("</tbody></table>\n", f);
}

void report_prog_href(FILE *f, uint32_t id, bool dir)
{
	fputs("<a href=\"", f);
	if (!dir)
		fputc('#', f);
	html_anchor(f, "prog", id);
	fputs(dir ? ".html\">" : "\">", f);
}

void report_findings(FILE *f, const struct audit_findings *fs, bool dir)
{
	static const char *const cols[] = { "severity", "rule", "object", "identity", "owner",
					    "evidence" };

	fprintf(f, "<h2 id=\"findings\">Findings (%zu)</h2>\n", fs->n);
	if (!fs->n) {
		fputs("<p>None.</p>\n", f);
		return;
	}
	html_table_start(f, "t-findings", cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < fs->n; i++) {
		const struct audit_finding *x = &fs->v[i];

		fprintf(f, "<tr class=\"sev-%s\">", audit_sev_name(x->sev));
		html_td(f, audit_sev_name(x->sev));
		html_td(f, x->rule);
		fputs("<td>", f);
		if (!strcmp(x->kind, "prog") && x->id) {
			report_prog_href(f, x->id, dir);
			html_textf(f, "prog %u %s", x->id, x->name);
			fputs("</a>", f);
		} else {
			html_textf(f, "%s %u %s", x->kind, x->id, x->name);
		}
		fputs("</td>", f);
		html_td(f, x->identity);
		fputs("<td>", f);
		if (x->pid >= 0)
			html_textf(f, "%lld %s", (long long)x->pid, x->comm);
		fputs("</td>", f);
		html_td(f, x->evidence);
		fputs("</tr>\n", f);
	}
	html_table_end(f);
}

static const char *prog_point(const struct so_prog *p)
{
	return p->pin ? p->pin : p->link_pin ? p->link_pin : p->attach ? p->attach :
	       p->link_target ? p->link_target : "";
}

static void owners_td(FILE *f, const struct snap_objs *s, const char *type, uint32_t id)
{
	fputs("<td>", f);
	for (size_t i = 0, n = 0; i < s->nowners; i++)
		if (s->owners[i].obj_id == id && !strcmp(s->owners[i].obj_type, type))
			html_textf(f, "%s%lld %s", n++ ? ", " : "", (long long)s->owners[i].pid,
				   s->owners[i].comm);
	fputs("</td>", f);
}

static void progs_table(FILE *f, const struct snap_objs *s, bool dir)
{
	static const char *const cols[] = { "id", "type", "name", "tag", "attach point",
					    "loaded at", "xlated", "jited", "owners" };
	char when[64];

	fprintf(f, "<h2 id=\"progs\">Programs (%zu)</h2>\n", s->nprogs);
	html_table_start(f, "t-progs", cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < s->nprogs; i++) {
		const struct so_prog *p = &s->progs[i];

		fputs("<tr>", f);
		html_td_num(f, p->id);
		html_td(f, prog_type_name(p->type) ?: "?");
		fputs("<td>", f);
		report_prog_href(f, p->id, dir);
		html_text(f, p->name);
		fputs("</a></td>", f);
		html_td(f, p->tag);
		html_td(f, prog_point(p));
		fmt_time_local(p->loaded_at, when, sizeof(when));
		html_td(f, when);
		html_td_num(f, (long long)p->bytes_xlated);
		html_td_num(f, (long long)p->bytes_jited);
		owners_td(f, s, "prog", p->id);
		fputs("</tr>\n", f);
	}
	html_table_end(f);
}

static void maps_table(FILE *f, const struct snap_objs *s)
{
	static const char *const cols[] = { "id", "type", "name", "key", "value", "max entries",
					    "memlock", "pinned", "entries", "owners" };

	fprintf(f, "<h2 id=\"maps\">Maps (%zu)</h2>\n", s->nmaps);
	html_table_start(f, "t-maps", cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < s->nmaps; i++) {
		const struct so_map *m = &s->maps[i];

		fputs("<tr>", f);
		html_td_num(f, m->id);
		html_td(f, map_type_name(m->type) ?: "?");
		html_td(f, m->name);
		html_td_num(f, m->key_size);
		html_td_num(f, m->value_size);
		html_td_num(f, m->max_entries);
		html_td_num(f, (long long)m->bytes_memlock);
		html_td(f, m->pin ? m->pin : "");
		if (m->nr_entries >= 0)
			html_td_num(f, m->nr_entries);
		else
			html_td(f, "");
		owners_td(f, s, "map", m->id);
		fputs("</tr>\n", f);
	}
	html_table_end(f);
}

static void small_tables(FILE *f, const struct snap_objs *s)
{
	static const char *const bcols[] = { "id", "name", "size", "kernel" };
	static const char *const lcols[] = { "id", "type", "prog", "target", "pinned" };
	static const char *const acols[] = { "kind", "target", "mode", "prog", "position" };
	static const char *const pcols[] = { "path", "type", "id" };

	fprintf(f, "<h2 id=\"btf\">BTF (%zu)</h2>\n", s->nbtfs);
	html_table_start(f, "t-btf", bcols, ARRAY_SIZE(bcols));
	for (size_t i = 0; i < s->nbtfs; i++) {
		fputs("<tr>", f);
		html_td_num(f, s->btfs[i].id);
		html_td(f, s->btfs[i].name);
		html_td_num(f, (long long)s->btfs[i].size);
		html_td(f, s->btfs[i].kernel ? "yes" : "");
		fputs("</tr>\n", f);
	}
	html_table_end(f);
	fprintf(f, "<h2 id=\"links\">Links (%zu)</h2>\n", s->nlinks);
	html_table_start(f, "t-links", lcols, ARRAY_SIZE(lcols));
	for (size_t i = 0; i < s->nlinks; i++) {
		fputs("<tr>", f);
		html_td_num(f, s->links[i].id);
		html_td(f, link_type_name(s->links[i].type) ?: "?");
		html_td_num(f, s->links[i].prog_id);
		html_td(f, s->links[i].target);
		html_td(f, s->links[i].pin ? s->links[i].pin : "");
		fputs("</tr>\n", f);
	}
	html_table_end(f);
	fprintf(f, "<h2 id=\"attachments\">Attachments (%zu)</h2>\n", s->natts);
	html_table_start(f, "t-atts", acols, ARRAY_SIZE(acols));
	for (size_t i = 0; i < s->natts; i++) {
		fputs("<tr>", f);
		html_td(f, s->atts[i].kind);
		html_td(f, s->atts[i].target);
		html_td(f, s->atts[i].mode);
		html_td_num(f, s->atts[i].prog_id);
		html_td_num(f, s->atts[i].position);
		fputs("</tr>\n", f);
	}
	html_table_end(f);
	fprintf(f, "<h2 id=\"pins\">Pins (%zu)</h2>\n", s->npins);
	html_table_start(f, "t-pins", pcols, ARRAY_SIZE(pcols));
	for (size_t i = 0; i < s->npins; i++) {
		fputs("<tr>", f);
		html_td(f, s->pins[i].path);
		html_td(f, s->pins[i].obj_type);
		html_td_num(f, s->pins[i].obj_id);
		fputs("</tr>\n", f);
	}
	html_table_end(f);
}

void report_tables(FILE *f, const struct snap_objs *s, bool dir)
{
	progs_table(f, s, dir);
	maps_table(f, s);
	small_tables(f, s);
}

void report_history_plot(FILE *f, const struct report_point *p, size_t n)
{
	const int w = 640, h = 200, pad = 40;
	uint64_t max = 1;

	fputs("<h2 id=\"history\">History</h2>\n", f);
	if (n < 2) {
		fputs("<p>One snapshot: nothing to plot.</p>\n", f);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		max = p[i].progs > max ? p[i].progs : max;
		max = p[i].maps > max ? p[i].maps : max;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"role=\"img\" aria-label=\"programs and maps per snapshot\">\n", w + 2 * pad, h + 2 * pad);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
		pad, pad + h, pad + w, pad + h, pad, pad, pad, pad + h);
	fprintf(f, "<text x=\"2\" y=\"%d\" font-size=\"11\">%" PRIu64 "</text>"
		"<text x=\"2\" y=\"%d\" font-size=\"11\">0</text>\n", pad + 4, max, pad + h);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\">snapshot %lld</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">snapshot %lld</text>\n",
		pad, pad + h + 16, (long long)p[0].snap, pad + w, pad + h + 16,
		(long long)p[n - 1].snap);
	for (int series = 0; series < 2; series++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
			series ? "#c60" : "#06c");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%.1f,%.1f ", pad + (double)w * i / (n - 1),
				pad + h - (double)h * (series ? p[i].maps : p[i].progs) / max);
		fputs("\"/>\n", f);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#06c\">programs</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#c60\">maps</text>\n</svg>\n",
		pad + 10, pad - 8, pad + 90, pad - 8);
}

void report_prog_start(FILE *f, const struct snap_objs *s, size_t i)
{
	const struct so_prog *p = &s->progs[i];

	fputs("<section class=\"prog\" id=\"", f);
	html_anchor(f, "prog", p->id);
	fputs("\"><h3>", f);
	html_textf(f, "prog %u: %s %s", p->id, prog_type_name(p->type) ?: "?", p->name);
	fputs("</h3>\n<p>", f);
	html_textf(f, "tag %s, xlated %" PRIu64 "B, jited %" PRIu64 "B", p->tag, p->bytes_xlated,
		   p->bytes_jited);
	if (*prog_point(p))
		html_textf(f, ", at %s", prog_point(p));
	for (size_t k = 0; k < p->nr_maps; k++) {
		long m = snap_objs_map(s, p->map_ids[k]);

		html_textf(f, "%s map %u %s", k ? "," : "; uses", p->map_ids[k],
			   m >= 0 ? s->maps[m].name : "?");
	}
	for (size_t k = 0, n = 0; k < s->nowners; k++)
		if (s->owners[k].obj_id == p->id && !strcmp(s->owners[k].obj_type, "prog"))
			html_textf(f, "%s %lld (%s)", n++ ? "," : "; held by", (long long)s->owners[k].pid,
				   s->owners[k].comm);
	fputs("</p>\n", f);
}

void report_prog_end(FILE *f)
{
	fputs("</section>\n", f);
}

static void diff_list(FILE *f, const struct diff_result *r, enum diff_op op, const char *title,
		      const char *cls, const char *opname)
{
	static const char *const cols[] = { "kind", "type", "name", "where", "identity", "fields" };
	char id[16];
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].op == op;
	fprintf(f, "<h2 class=\"%s\">%s (%zu)</h2>\n", cls, title, n);
	if (!n)
		return;
	snprintf(id, sizeof(id), "t-diff-%d", (int)op);
	html_table_start(f, id, cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_change *c = &r->v[i];

		if (c->op != op)
			continue;
		fprintf(f, "<tr class=\"%s\" data-op=\"%s\">", cls, opname);
		html_td(f, diff_kind_name(c->kind));
		html_td(f, c->type);
		html_td(f, c->name);
		html_td(f, c->where);
		html_td(f, c->identity);
		fputs("<td>", f);
		if (c->moved)
			fputs("moved<br>", f);
		for (size_t k = 0; k < c->nfields; k++) {
			html_textf(f, "%s: %s -> %s", c->fields[k].field, c->fields[k].before,
				   c->fields[k].after);
			fputs("<br>", f);
		}
		fputs("</td></tr>\n", f);
	}
	html_table_end(f);
}

void report_diff(FILE *f, const struct snap_objs *a, const struct snap_objs *b,
		 const struct diff_result *r)
{
	(void)a;
	(void)b;
	/* data-op: diff -j's list names, for tools that read the page */
	diff_list(f, r, DIFF_REMOVED, "Removed", "del", "removed");
	diff_list(f, r, DIFF_ADDED, "Added", "add", "added");
	diff_list(f, r, DIFF_CHANGED, "Changed", "chg", "changed");
	diff_list(f, r, DIFF_TRANSIENT, "Made and gone between the two", "chg", "transient");
}
