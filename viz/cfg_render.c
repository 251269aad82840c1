/* Drawing a CFG: one libcgraph cluster per function, record nodes holding the block's
 * instructions, typed edges; written as DOT or laid out and rendered by libgvc. */
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/func_proto.h"
#include "analyze/xlated.h"
#include "lib/util.h"
#include "viz/cfg_render.h"
#include "viz/cfg_graph.h"
#include "viz/gv_dl.h"

#define C_CHANGED	"#ffd966"
#define C_NEW		"#9fd88f"
#define C_SAME		"#eeeeee"
#define C_TAKEN		"#1a7f37"
#define C_BACK		"#c62828"
#define C_CALL		"#6a1b9a"

/* A label being built; an allocation failure sticks and is reported once at the end. */
struct lbl {
	struct buf b;
	struct buf *digits;	/* set: digits are written as '0' and kept here, in order */
	bool oom;
};

static void put(struct lbl *l, const char *s, size_t n)
{
	size_t at = l->b.len;

	if (l->oom || buf_append(&l->b, s, n)) {
		l->oom = true;
		return;
	}
	for (; l->digits && at < l->b.len; at++) {
		if (l->b.data[at] < '0' || l->b.data[at] > '9')
			continue;
		if (buf_append(l->digits, &l->b.data[at], 1)) {
			l->oom = true;
			return;
		}
		l->b.data[at] = '0';
	}
}

static void puts_l(struct lbl *l, const char *s)
{
	put(l, s, strlen(s));
}

static const char *lbl_str(struct lbl *l)
{
	put(l, "", 1);
	l->b.len--;
	return l->oom ? NULL : (const char *)l->b.data;
}

/* Untrusted text into a label. Record labels need {}|<> escaped; every label treats
 * the backslash as an escape (\N, \G, \l), so it is doubled. Bytes outside printable
 * ASCII become the text \xNN (graphviz wants UTF-8; a raw newline would end the line).
 * A '"' is left to agwrite, which puts one backslash before it: the DOT lexer reads two
 * backslashes as a pair, so an odd run of them before a quote would end the string
 * there. Ours come in pairs, and plain labels spell the backslash \x5c. */
static void esc(struct lbl *l, const char *s, size_t n, bool record, bool spaces)
{
	char hex[8];

	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f) {
			snprintf(hex, sizeof(hex), "\\\\x%02x", c);
			puts_l(l, hex);
			continue;
		}
		if (c == '\\' && !record) {
			puts_l(l, "\\\\x5c");
			continue;
		}
		if (c == '\\' || (record && strchr("{}|<>", c)) || (spaces && c == ' '))
			put(l, "\\", 1);
		put(l, (const char *)&c, 1);
	}
}

static void set(const struct gv_api *gv, void *obj, const char *k, const char *v)
{
	gv->agsafeset(obj, (char *)k, (char *)v, (char *)"");
}

const char *cfg_func_name(const struct prog_code *pc, const struct cfg *cfg, uint32_t fi,
			  char *buf, size_t len)
{
	const struct cfg_func *f = &cfg->funcs[fi];
	const char *n = NULL;

	if (pc && f->func_info >= 0 && (uint32_t)f->func_info < pc->nr_func_info)
		n = prog_code_func_name(pc, f->func_info);
	if (n && *n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "func_%u", f->dot_idx);
	return buf;
}

int cfg_func_find(const struct prog_code *pc, const struct cfg *cfg, const char *name)
{
	char buf[128];
	uint32_t i;

	for (i = 0; i < cfg->nr_funcs; i++)
		if (!strcmp(cfg_func_name(pc, cfg, i, buf, sizeof(buf)), name))
			return i;
	for (i = 0; i < cfg->nr_funcs; i++) {
		snprintf(buf, sizeof(buf), "func_%u", cfg->funcs[i].dot_idx);
		if (!strcmp(buf, name))
			return i;
	}
	return -1;
}

bool cfg_render_format_ok(const char *f)
{
	return !strcmp(f, "dot") || !strcmp(f, "svg") || !strcmp(f, "png") || !strcmp(f, "pdf");
}

/* line_info record index per insn (-1: none); NULL when there is nothing to show. cover:
 * every insn gets the record that covers it (the last one starting at or before it), as
 * libbpf's bpf_prog_linfo__lfind finds it for bpftool. */
static int32_t *src_index(const struct prog_code *pc, uint32_t n, bool cover)
{
	int32_t *src;
	uint32_t i;

	if (!pc || !pc->btf || !pc->nr_line_info ||
	    pc->line_info_rec_size < sizeof(struct bpf_line_info))
		return NULL;
	src = malloc((size_t)n * sizeof(*src));
	if (!src)
		return NULL;
	for (i = 0; i < n; i++)
		src[i] = -1;
	for (i = 0; i < pc->nr_line_info; i++) {
		struct bpf_line_info li;

		memcpy(&li, pc->line_info + (size_t)i * pc->line_info_rec_size, sizeof(li));
		if (li.insn_off < n)
			src[li.insn_off] = i;
	}
	for (i = 1; cover && i < n; i++)
		if (src[i] < 0)
			src[i] = src[i - 1];
	return src;
}

/* One logical line as record text, cut into pieces of o->wrap columns. */
static void add_line(struct lbl *l, const char *s, const struct cfg_render_opts *o, bool spaces)
{
	size_t n = strlen(s), w = o->wrap ? o->wrap : n ? n : 1, off = 0;

	do {
		size_t k = n - off < w ? n - off : w;

		if (off)
			puts_l(l, "\\ \\ \\ \\ \\ \\ ");	/* continuation indent */
		esc(l, s + off, k, true, spaces);
		puts_l(l, "\\l");
		off += k;
	} while (off < n);
}

/* bpftool's shorten_path: a path over 32 bytes from its first '/' within the last 32,
 * "..." in front */
static const char *short_path(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);
	const char *s;

	if (n <= 32)
		return path;
	s = strchr(path + n - 32, '/');
	if (s && s < path + 3)
		return path;
	if (!s)
		s = strrchr(path, '/');
	if (!s)
		return path;
	snprintf(buf, len, "...%s", s);
	return buf;
}

/* bpftool's "; int f(void * ctx):" line where function record k starts at insn i */
static void add_proto(struct lbl *l, const struct prog_code *pc, uint32_t i,
		      const struct cfg_render_opts *o)
{
	uint32_t off, tid;
	char proto[512], tmp[600];

	if (!pc->btf)
		return;
	for (uint32_t k = 0; !func_info_rec(pc, k, &off, &tid); k++) {
		if (off != i)
			continue;
		if (!func_proto_of(pc, k, proto, sizeof(proto)) && *proto) {
			snprintf(tmp, sizeof(tmp), "; %s:", proto);
			add_line(l, tmp, o, true);
		}
		return;
	}
}

/* the source line of line_info record rec, unless it repeats the last one shown */
static void add_src(struct lbl *l, const struct prog_code *pc, uint32_t rec,
		    const struct cfg_render_opts *o, int64_t *last_line_off)
{
	struct bpf_line_info li;
	const char *line, *file, *base;
	char tmp[1024], tmp2[512];

	memcpy(&li, pc->line_info + (size_t)rec * pc->line_info_rec_size, sizeof(li));
	/* bpftool shows each record once per block; ours each line once */
	if (o->bpftool ? (int64_t)rec == *last_line_off : li.line_off == *last_line_off)
		return;
	*last_line_off = o->bpftool ? (int64_t)rec : li.line_off;
	line = btf__name_by_offset(pc->btf, li.line_off);
	if (!line)
		return;
	while (isspace((unsigned char)*line))
		line++;
	if (!*line)
		return;
	file = btf__name_by_offset(pc->btf, li.file_name_off);
	if (o->bpftool) {	/* btf_dump_linfo_dotlabel: the file only with linum */
		if (o->linum) {
			snprintf(tmp, sizeof(tmp), "; [%s line:%u col:%u]", short_path(file ?: "", tmp2,
				 sizeof(tmp2)), BPF_LINE_INFO_LINE_NUM(li.line_col),
				 BPF_LINE_INFO_LINE_COL(li.line_col));
			add_line(l, tmp, o, true);
		}
		snprintf(tmp, sizeof(tmp), "; %s", line);
		add_line(l, tmp, o, true);
		return;
	}
	base = file ? strrchr(file, '/') : NULL;
	base = base ? base + 1 : file ? file : "";
	snprintf(tmp, sizeof(tmp), "; %s  [%s:%u]", line, base, BPF_LINE_INFO_LINE_NUM(li.line_col));
	add_line(l, tmp, o, true);
}

static void add_insn(struct lbl *l, const struct prog_code *pc, uint32_t i, uint32_t num,
		     const struct cfg_render_opts *o)
{
	char text[256], line[320];
	const struct bpf_insn *in = &pc->insns[i];

	if (!xlated_insn_text(pc, i, text, sizeof(text)))
		snprintf(text, sizeof(text), "<bad insn>");
	/* the kernel's notation starts with the opcode in parens; add it when the
	 * decoder leaves it out */
	if (text[0] == '(' && strlen(text) > 4 && text[3] == ')')
		snprintf(line, sizeof(line), "%4u: %s", num, text);
	else
		snprintf(line, sizeof(line), "%4u: (%02x) %s", num, in->code, text);
	add_line(l, line, o, false);
}

/* The record label of a code block: one field per instruction (its source line, if
 * asked, in the same field), head and tail only when the block is long. */
static const char *block_label(struct lbl *l, const struct prog_code *pc, const struct cfg *cfg,
			       const struct cfg_block *bb, const int32_t *src,
			       const struct cfg_render_opts *o)
{
	uint32_t fstart = cfg->funcs[bb->func].start, count = 0, k = 0, i, head, tail;
	int64_t last_line = -1;
	bool first = true;

	for (i = bb->start; i < bb->end; i++)
		count += !cfg->slot2[i];
	head = tail = count;
	if (o->max_lines && count > o->max_lines) {
		head = o->max_lines - o->max_lines / 3;
		tail = o->max_lines - head - 1;
	}
	l->b.len = 0;
	puts_l(l, "{");
	for (i = bb->start; i < bb->end; i++) {
		if (cfg->slot2[i])
			continue;
		k++;
		if (k > head && k <= count - tail) {
			if (k == head + 1) {
				char m[96];

				snprintf(m, sizeof(m), "%s... %u insns not shown ...\\l",
					 first ? "" : "|", count - head - tail);
				puts_l(l, m);
				first = false;
			}
			continue;
		}
		if (!first)
			puts_l(l, "|");
		first = false;
		if (o->bpftool)
			add_proto(l, pc, i, o);
		if (src && src[i] >= 0)
			add_src(l, pc, src[i], o, &last_line);
		add_insn(l, pc, i, o->bpftool ? i - fstart : i, o);
	}
	puts_l(l, "}");
	return lbl_str(l);
}

static Agnode_t *mknode(const struct gv_api *gv, Agraph_t *s, const struct cfg *cfg, uint32_t b)
{
	const struct cfg_block *bb = &cfg->blocks[b];
	char name[64];

	snprintf(name, sizeof(name), "fn_%u_bb_%u", cfg->funcs[bb->func].dot_idx, bb->idx);
	return gv->agnode(s, name, 1);
}

static void style_edge(const struct gv_api *gv, Agedge_t *ed, const struct cfg *cfg, const struct cfg_edge *x,
		       const struct cfg_render_opts *o)
{
	const char *color = "black";

	set(gv, ed, "tailport", "s");
	set(gv, ed, "headport", "n");
	set(gv, ed, "style", "solid,bold");
	if (!o->bpftool && x->kind == CFG_EDGE_JUMP)
		color = cfg->blocks[x->dst].start <= x->insn ? C_BACK : C_TAKEN;
	set(gv, ed, "color", color);
	set(gv, ed, "weight", "10");
	set(gv, ed, "constraint", "true");
}

/* digits: NULL, or per block the digits its masked label had (cfg_share.h) */
static int add_func(const struct gv_api *gv, Agraph_t *g, const struct prog_code *pc, const struct cfg *cfg, uint32_t fi,
		    Agnode_t **nodes, const int32_t *src, const struct cfg_render_opts *o,
		    struct buf *digits, struct lbl *l, struct err *e)
{
	const struct cfg_func *f = &cfg->funcs[fi];
	char name[160], fname[128];
	Agraph_t *s;
	uint32_t k;

	snprintf(name, sizeof(name), "cluster_%u", f->dot_idx);
	s = gv->agsubg(g, name, 1);
	if (!s)
		return err_set(e, ENOMEM, "can't create the graph of function %u", fi);
	set(gv, s, "style", "dashed");
	set(gv, s, "color", "black");
	l->b.len = 0;
	if (o->bpftool) {
		snprintf(name, sizeof(name), "func_%u ()", f->dot_idx);
		puts_l(l, name);
	} else {
		cfg_func_name(pc, cfg, fi, fname, sizeof(fname));
		esc(l, fname, strlen(fname), false, false);
		snprintf(name, sizeof(name), " (insns %u-%u)", f->start, f->end - 1);
		puts_l(l, name);
	}
	if (!lbl_str(l))
		return err_set(e, ENOMEM, "out of memory");
	set(gv, s, "label", (const char *)l->b.data);

	/* bpftool's order: ENTRY, the code blocks, EXIT */
	for (k = 0; k < f->nr_blocks; k++) {
		uint32_t b = f->first_block + (k == 0 ? CFG_BB_ENTRY :
			     k == f->nr_blocks - 1 ? CFG_BB_EXIT : k + 1);
		const struct cfg_block *bb = &cfg->blocks[b];
		Agnode_t *nd = mknode(gv, s, cfg, b);
		const char *lab;

		if (!nd)
			return err_set(e, ENOMEM, "out of memory");
		nodes[b] = nd;
		set(gv, nd, "style", "filled");
		if (bb->kind != CFG_BLOCK_CODE) {
			set(gv, nd, "shape", "Mdiamond");
			set(gv, nd, "label", bb->kind == CFG_BLOCK_ENTRY ? "ENTRY" : "EXIT");
			continue;
		}
		set(gv, nd, "shape", "record");
		if (!o->bpftool)
			set(gv, nd, "fontname", "Courier");
		if (o->marks)
			set(gv, nd, "fillcolor", o->marks[b] == CFG_MARK_CHANGED ? C_CHANGED :
			    o->marks[b] == CFG_MARK_NEW ? C_NEW : C_SAME);
		l->digits = digits ? &digits[b] : NULL;
		lab = block_label(l, pc, cfg, bb, src, o);
		l->digits = NULL;
		if (!lab)
			return err_set(e, ENOMEM, "out of memory");
		set(gv, nd, "label", lab);
	}
	for (k = 0; k < cfg->nr_edges; k++) {
		const struct cfg_edge *x = &cfg->edges[k];
		Agedge_t *ed;

		uint32_t dst = x->dst;

		if (cfg->blocks[x->src].func != fi || x->kind == CFG_EDGE_CALL)
			continue;
		/* bpftool: a block that ends the code (exit, or the last insn) falls through
		 * to the block after it, EXIT only after the last one */
		if (o->bpftool && x->kind == CFG_EDGE_EXIT)
			dst = x->src + 1 < f->first_block + f->nr_blocks ? x->src + 1 :
			      f->first_block + CFG_BB_EXIT;
		ed = gv->agedge(s, nodes[x->src], nodes[dst], NULL, 1);
		if (!ed)
			return err_set(e, ENOMEM, "out of memory");
		style_edge(gv, ed, cfg, x, o);
	}
	/* as bpftool: an invisible ENTRY -> EXIT edge keeps EXIT at the bottom */
	Agedge_t *ed = gv->agedge(s, nodes[f->first_block], nodes[f->first_block + 1], NULL, 1);

	if (!ed)
		return err_set(e, ENOMEM, "out of memory");
	set(gv, ed, "tailport", "s");
	set(gv, ed, "headport", "n");
	set(gv, ed, "style", "invis");
	set(gv, ed, "constraint", "true");
	return 0;
}

/* HTML text: the legend is an HTML-like label (one node, a coloured row per mark) */
static void esc_html(struct lbl *l, const char *s)
{
	char hex[8];

	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '&')
			puts_l(l, "&amp;");
		else if (c == '<')
			puts_l(l, "&lt;");
		else if (c == '>')
			puts_l(l, "&gt;");
		else if (c == '"')
			puts_l(l, "&quot;");
		else if (c < 0x20 || c >= 0x7f) {
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			puts_l(l, hex);
		} else {
			put(l, (const char *)&c, 1);
		}
	}
}

static int add_legend(const struct gv_api *gv, Agraph_t *g, const struct cfg_render_opts *o,
		      struct lbl *l)
{
	static const struct { const char *color, *text; } keys[] = {
		{ C_SAME, "same as in " },
		{ C_CHANGED, "changed since " },
		{ C_NEW, "new since " },
	};
	Agnode_t *nd = gv->agnode(g, (char *)"legend", 1);
	Agsym_t *sym;
	char *html;

	if (!nd)
		return -ENOMEM;
	l->b.len = 0;
	puts_l(l, "<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		puts_l(l, "<tr><td align=\"left\" bgcolor=\"");
		puts_l(l, keys[i].color);
		puts_l(l, "\">");
		puts_l(l, keys[i].text);
		esc_html(l, o->legend_against);
		puts_l(l, "</td></tr>");
	}
	puts_l(l, "</table>");
	if (!lbl_str(l))
		return -ENOMEM;
	set(gv, nd, "shape", "plaintext");
	set(gv, nd, "style", "");
	sym = gv->agattr(g, AGNODE, (char *)"label", NULL);
	html = gv->agstrdup_html(g, (char *)l->b.data);
	if (!sym || !html)
		return -ENOMEM;
	gv->agxset(nd, sym, html);
	gv->agstrfree(g, html);
	return 0;
}

Agraph_t *cfg_graph_build(const struct gv_api *gv, struct seq_disc *d,
			  const struct prog_code *pc, const struct cfg *cfg,
			  const struct cfg_render_opts *o, struct buf *digits, struct err *e)
{
	Agraph_t *g = gv->agopen((char *)"DOT graph for eBPF program", *gv->Agdirected, &d->disc);
	Agnode_t **nodes = calloc(cfg->nr_blocks ? cfg->nr_blocks : 1, sizeof(*nodes));
	int32_t *src = o->linum || o->bpftool ? src_index(pc, cfg->nr_insns, o->bpftool) : NULL;
	struct lbl l = {};
	uint32_t fi, k;
	int err = 0;

	if (!g || !nodes) {
		err = err_set(e, ENOMEM, "can't create the graph: out of memory");
		goto cleanup;
	}
	if (o->title) {
		esc(&l, o->title, strlen(o->title), false, false);
		if (!lbl_str(&l)) {
			err = err_set(e, ENOMEM, "out of memory");
			goto cleanup;
		}
		set(gv, g, "label", (const char *)l.b.data);
		set(gv, g, "labelloc", "t");
	}
	for (fi = 0; fi < cfg->nr_funcs && !err; fi++)
		if (o->only_func < 0 || (uint32_t)o->only_func == fi)
			err = add_func(gv, g, pc, cfg, fi, nodes, src, o, digits, &l, e);
	/* calls cross clusters: they do not shape the layout */
	for (k = 0; k < cfg->nr_edges && !err && !o->bpftool; k++) {
		const struct cfg_edge *x = &cfg->edges[k];
		Agedge_t *ed;

		if (x->kind != CFG_EDGE_CALL || !nodes[x->src] || !nodes[x->dst])
			continue;
		ed = gv->agedge(g, nodes[x->src], nodes[x->dst], NULL, 1);
		if (!ed) {
			err = err_set(e, ENOMEM, "out of memory");
			break;
		}
		set(gv, ed, "style", "dashed");
		set(gv, ed, "color", C_CALL);
		set(gv, ed, "constraint", "false");
	}
	if (!err && o->marks && o->legend_against && add_legend(gv, g, o, &l))
		err = err_set(e, ENOMEM, "out of memory");
cleanup:
	buf_free(&l.b);
	free(nodes);
	free(src);
	if (err && g) {
		gv->agclose(g);
		g = NULL;
	}
	return g;
}
