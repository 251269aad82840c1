/* HTML escaping and the page frame of the reports (reports/html.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "reports/html.h"

/* The length of a valid UTF-8 sequence at p (at most n bytes), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are not text */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void html_text_len(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n, run = i;

		/* printable ASCII that needs no entity goes out in one write: most of a report
		 * (code lines, names), whose 50 MB took a call per byte */
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '&' && p[run] != '<' &&
		       p[run] != '>' && p[run] != '"' && p[run] != '\'')
			run++;
		if (run > i) {
			fwrite(p + i, 1, run - i, f);
			i = run;
			continue;
		}
		switch (c) {
		case '&': fputs("&amp;", f); i++; continue;
		case '<': fputs("&lt;", f); i++; continue;
		case '>': fputs("&gt;", f); i++; continue;
		case '"': fputs("&quot;", f); i++; continue;
		case '\'': fputs("&#39;", f); i++; continue;
		case '\n': case '\t': fputc(c, f); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
			i++;
			continue;
		}
		n = utf8_len(p + i, len - i);
		if (!n) {
			fprintf(f, "\\x%02x", c);
			i++;
			continue;
		}
		fwrite(p + i, 1, n, f);
		i += n;
	}
}

void html_text(FILE *f, const char *s)
{
	if (s)
		html_text_len(f, s, strlen(s));
}

void html_textf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		html_text(f, s);
		free(s);
	}
	va_end(ap);
}

void html_anchor(FILE *f, const char *kind, unsigned long long id)
{
	for (const char *k = kind; *k; k++)
		fputc((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ? *k : '-', f);
	fprintf(f, "-%llu", id);
}

/* sorting by a header click, filtering by the search box; the page needs none of it */
static const char page_script[] =
"document.querySelectorAll('input.filter').forEach(function(box){\n"
" var t=document.getElementById(box.dataset.table);\n"
" box.addEventListener('input',function(){var q=box.value.toLowerCase();\n"
"  t.querySelectorAll('tbody tr').forEach(function(r){\n"
"   r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});});\n"
"document.querySelectorAll('table.sortable th').forEach(function(th,i){\n"
" th.addEventListener('click',function(){var tb=th.closest('table').tBodies[0];\n"
"  var rows=Array.prototype.slice.call(tb.rows),asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';\n"
"  rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;\n"
"   var nx=parseFloat(x),ny=parseFloat(y);var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);\n"
"   return asc?c:-c;});rows.forEach(function(r){tb.appendChild(r);});});});\n"
"document.querySelectorAll('svg g.node').forEach(function(n){n.style.cursor='pointer';\n"
" n.addEventListener('click',function(){var t=n.querySelector('title');\n"
"  var box=n.closest('section').querySelector('.blockcode');\n"
"  if(box&&t){box.textContent=Array.prototype.map.call(n.querySelectorAll('text'),\n"
"   function(x){return x.textContent;}).join('\\n');}});});\n";

static const char page_style[] =
"body{font-family:sans-serif;margin:1em 2em;color:#222}\n"
"table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:90%}\n"
"th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}\n"
"th{background:#eee;cursor:pointer}\n"
"pre{background:#f7f7f7;padding:.5em;overflow:auto;font-size:85%}\n"
".sev-high{background:#f8d0d0}.sev-medium{background:#fbe6c2}.sev-low{background:#fdf7d0}\n"
".sev-info{background:#eef}\n"
"section.prog{border-top:2px solid #999;margin-top:2em}\n"
".svgbox{overflow:auto;max-height:40em;border:1px solid #ddd}\n"
".add{color:#070}.del{color:#a00}.chg{color:#a60}\n"
"input.filter{margin:.3em 0;width:30em}\n"
"table.sides{font-size:100%;width:100%;table-layout:fixed}\n"
"table.sides td{padding:0 4px;border:none;border-right:1px solid #ccc}\n"
"table.sides pre{margin:0;padding:0;background:none;white-space:pre-wrap;font-size:100%}\n"
"td.del{background:#fdd}td.add{background:#dfd}td.fold{color:#888;text-align:center}\n"
".cfgpair{display:flex;gap:1em}.cfgpair>div{flex:1;min-width:0}\n"
".cfgpair svg{width:100%;height:auto}\n"
".plot{margin-right:1em}.mapdata table{font-family:monospace}\n";

void html_page_start(FILE *f, const char *title)
{
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"generator\" content=\"bpfscope\">\n<title>", f);
	html_text(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head><body>\n", page_style);
}

void html_page_end(FILE *f)
{
	fprintf(f, "<script>\n%s</script>\n</body></html>\n", page_script);
}

void html_table_start(FILE *f, const char *id, const char *const *cols, size_t ncols)
{
	fprintf(f, "<input class=\"filter\" type=\"search\" placeholder=\"filter\" data-table=\"%s\">\n"
		"<table class=\"sortable\" id=\"%s\"><thead><tr>", id, id);
	for (size_t i = 0; i < ncols; i++) {
		fputs("<th>", f);
		html_text(f, cols[i]);
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
}

void html_table_end(FILE *f)
{
	fputs("</tbody></table>\n", f);
}

void html_td(FILE *f, const char *s)
{
	fputs("<td>", f);
	html_text(f, s);
	fputs("</td>", f);
}

void html_td_num(FILE *f, long long v)
{
	fprintf(f, "<td>%lld</td>", v);
}
