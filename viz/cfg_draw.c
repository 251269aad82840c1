/* Laying a CFG's graph out and drawing it with libgvc: one context kept for a report's
 * thousands of graphs, SVG with the dot layout and core plugins only, drawings shared. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/sha256.h"
#include "viz/cfg_graph.h"
#include "viz/cfg_key.h"
#include "viz/cfg_share.h"

/* graphviz reports through a process-wide error channel; keep it off stderr and
 * turn its last message into our error */
static int gv_err(const struct gv_api *gv, struct err *e, const char *what)
{
	char *m = gv->aglasterr(), one[200];
	size_t n = 0;

	if (m) {
		for (; m[n] && m[n] != '\n' && n < sizeof(one) - 1; n++)
			one[n] = (m[n] < 0x20 || m[n] == 0x7f) ? '?' : m[n];
		free(m);
	}
	one[n] = 0;
	return err_set(e, EIO, "%s: %s", what, n ? one : "graphviz failed");
}

/* graphviz loaded and one context for many graphs: a report draws thousands, and a context
 * costs a plugin configuration read and the symbols looked up again. The context holds the
 * dot layout and the core (SVG) renderer only: the text layout plugin (pango, with cairo,
 * harfbuzz and fontconfig) measured every label at a third of a report's time, and graphviz's
 * own metric tables size Courier exactly (every character 0.6 em). */
struct cfg_gvc {
	struct gv_api api;
	lt_symlist_t plugins[3];	/* outlives gvc, which keeps a pointer to it */
	GVC_t *gvc;
	struct cfg_share *share;	/* drawings by masked graph; NULL: none shared */
	bool full;			/* every plugin (cairo and pango): PNG and PDF too */
};

static int gvc_svg_open(struct cfg_gvc *g, struct err *e)
{
	int err = gv_api_load(&g->api, e);

	if (!err)
		err = gv_svg_plugins(&g->api, g->plugins, e);
	if (!err && !(g->gvc = g->api.gvContextPlugins(g->plugins, 0)))
		err = err_set(e, ENOMEM, "can't create a graphviz context");
	return err;
}

int cfg_gvc_open(struct cfg_gvc **out, bool share, struct err *e)
{
	struct cfg_gvc *g = calloc(1, sizeof(*g));
	int err;

	*out = NULL;
	if (!g)
		return err_set(e, ENOMEM, "out of memory");
	err = gvc_svg_open(g, e);
	if (!err && share && !(g->share = cfg_share_new()))
		err = err_set(e, ENOMEM, "out of memory");
	if (err) {
		if (g->gvc)
			g->api.gvFreeContext(g->gvc);
		free(g);
		return err;
	}
	*out = g;
	return 0;
}

int cfg_gvc_open_full(struct cfg_gvc **out, struct err *e)
{
	struct cfg_gvc *g = calloc(1, sizeof(*g));
	int err;

	*out = NULL;
	if (!g)
		return err_set(e, ENOMEM, "out of memory");
	g->full = true;
	err = gv_api_load(&g->api, e);
	if (!err && !(g->gvc = g->api.gvContext()))
		err = err_set(e, ENOMEM, "can't create a graphviz context");
	if (err) {
		free(g);
		return err;
	}
	*out = g;
	return 0;
}

void cfg_gvc_close(struct cfg_gvc *g)
{
	if (!g)
		return;
	g->api.gvFreeContext(g->gvc);
	cfg_share_free(g->share);
	free(g);
}

/* SVG from a context of its own with the SVG plugins only; PNG and PDF from graphviz's
 * full set (cairo, which measures text with pango) */
int cfg_render(const struct prog_code *pc, const struct cfg *cfg,
	       const struct cfg_render_opts *o, const char *format, FILE *out, struct err *e)
{
	struct cfg_gvc g = { 0 };
	int err;

	if (strcmp(format, "svg"))
		return cfg_render_gvc(NULL, pc, cfg, o, format, out, e);
	err = gvc_svg_open(&g, e);
	if (!err)
		err = cfg_render_gvc(&g, pc, cfg, o, format, out, e);
	if (g.gvc)
		g.api.gvFreeContext(g.gvc);
	return err;
}

/* lay g out with the dot engine and write it as format */
static int draw(const struct gv_api *gv, GVC_t *gvc, Agraph_t *g, const char *format, FILE *out,
		struct err *e)
{
	int err = 0;

	/* cairo bitmaps stop at 32767 px; a bigger graph is scaled down anyway, and cairo
	 * says so on stderr. Scale it down ourselves first: 340 in at 96 dpi fits. */
	if (!strcmp(format, "png"))
		gv->agsafeset(g, (char *)"size", (char *)"340,340", (char *)"");
	if (gv->gvLayout(gvc, g, "dot"))
		return gv_err(gv, e, "can't lay out the graph");
	if (gv->gvRender(gvc, g, format, out))
		err = gv_err(gv, e, "can't render the graph");
	else if (fflush(out))
		err = err_set(e, errno, "can't write the %s: %s", format, strerror(errno));
	gv->gvFreeLayout(gvc, g);
	return err;
}

struct masked {
	const struct cfg *cfg;
	struct buf *digits;	/* per block */
};

/* the digits of the node graphviz names NAME (mknode's fn_F_bb_B), when its label was masked */
static const struct buf *node_digits(void *arg, const char *name, size_t len)
{
	const struct masked *m = arg;
	unsigned fn, bb;
	char tmp[48];
	int end = 0;

	if (len >= sizeof(tmp))
		return NULL;
	memcpy(tmp, name, len);
	tmp[len] = 0;
	if (sscanf(tmp, "fn_%u_bb_%u%n", &fn, &bb, &end) != 2 || tmp[end])
		return NULL;
	for (uint32_t fi = 0; fi < m->cfg->nr_funcs; fi++) {
		const struct cfg_func *f = &m->cfg->funcs[fi];

		if (f->dot_idx == fn && bb < f->nr_blocks)
			return m->digits[f->first_block + bb].len ? &m->digits[f->first_block + bb] : NULL;
	}
	return NULL;
}

/* SVG through k's drawings: the graph's key is taken with its code's digits masked
 * (cfg_key.h), the masked graph is built and drawn once per key, and every copy gets its own
 * digits back. 1: the drawing did not fit (cfg_share_fill), nothing written: draw it alone. */
static int draw_shared(struct cfg_gvc *k, struct seq_disc *d, const struct prog_code *pc,
		       const struct cfg *cfg, const struct cfg_render_opts *o, FILE *out,
		       struct err *e)
{
	struct masked m = { cfg, calloc(cfg->nr_blocks ? cfg->nr_blocks : 1, sizeof(struct buf)) };
	const struct gv_api *gv = &k->api;
	uint8_t key[SHA256_LEN];
	size_t len = 0, nodes = 0;
	const char *svg;
	char *text = NULL;
	Agraph_t *g = NULL;
	FILE *f = NULL;
	int err = 0;

	if (!m.digits)
		return err_set(e, ENOMEM, "out of memory");
	err = cfg_key_of(gv, pc, cfg, o, m.digits, key, e);
	if (err)
		goto out;
	for (uint32_t b = 0; b < cfg->nr_blocks; b++)
		nodes += m.digits[b].len > 0;
	svg = cfg_share_get(k->share, key, &len);
	if (svg) {
		err = cfg_share_fill(svg, len, node_digits, &m, nodes, out);
		goto done;
	}
	/* the same calls again, made: the digits come out as the key's did */
	for (uint32_t b = 0; b < cfg->nr_blocks; b++)
		m.digits[b].len = 0;
	g = cfg_graph_build(gv, d, pc, cfg, o, m.digits, e);
	if (!g) {
		err = -e->code;
		goto out;
	}
	if (!(f = open_memstream(&text, &len))) {
		err = err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	err = draw(gv, k->gvc, g, "svg", f, e);
	if (fclose(f) && !err)
		err = err_set(e, ENOMEM, "can't draw the graph: out of memory");
	f = NULL;
	if (!err) {
		err = cfg_share_fill(text, len, node_digits, &m, nodes, out);
		cfg_share_put(k->share, key, text, len);
		text = NULL;
	}
done:
	if (err == -1)
		err = 1;
	else if (err < 0 && !e->code)
		err = err_set(e, -err, "can't write the svg: %s", strerror(-err));
out:
	free(text);
	for (uint32_t b = 0; b < cfg->nr_blocks; b++)
		buf_free(&m.digits[b]);
	free(m.digits);
	if (g)
		gv->agclose(g);
	return err;
}

int cfg_render_gvc(struct cfg_gvc *keep, const struct prog_code *pc, const struct cfg *cfg,
		   const struct cfg_render_opts *o, const char *format, FILE *out, struct err *e)
{
	struct gv_api api, *gv = keep ? &keep->api : &api;
	struct seq_disc d;
	agerrlevel_t lvl;
	GVC_t *gvc = NULL;
	Agraph_t *g;
	int err = 0;

	if (!cfg_render_format_ok(format))
		return err_set(e, EINVAL, "unknown format '%s' (dot, svg, png, pdf)", format);
	if (keep && !keep->full && strcmp(format, "svg") && strcmp(format, "dot"))
		return err_set(e, EINVAL, "a kept graphviz context draws SVG only");
	if (!keep && !strcmp(format, "svg"))	/* a context of its own, without pango */
		return cfg_render(pc, cfg, o, format, out, e);
	if (!keep) {
		err = gv_api_load(gv, e);
		if (err)
			return err;
	}
	seq_disc_init(&d, gv);
	lvl = gv->agseterr(AGMAX);
	gv->agreseterrors();
	if (keep && keep->share && !strcmp(format, "svg")) {
		err = draw_shared(keep, &d, pc, cfg, o, out, e);
		if (err != 1) {
			gv->agseterr(lvl);
			return err;
		}
		err = 0;
	}
	g = cfg_graph_build(gv, &d, pc, cfg, o, NULL, e);
	if (!g) {
		gv->agseterr(lvl);
		return -e->code;
	}
	if (!strcmp(format, "dot")) {
		if (gv->agwrite(g, out) == EOF || fflush(out))
			err = err_set(e, errno ? errno : EIO, "can't write the graph: %s",
				      strerror(errno ? errno : EIO));
		goto cleanup;
	}
	gvc = keep ? keep->gvc : gv->gvContext();
	if (gvc)
		err = draw(gv, gvc, g, format, out, e);
	else
		err = err_set(e, ENOMEM, "can't create a graphviz context");
cleanup:
	gv->agclose(g);
	if (gvc && !keep)
		gv->gvFreeContext(gvc);
	gv->agseterr(lvl);
	return err;
}
