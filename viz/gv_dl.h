/* libgvc and libcgraph, loaded when a graph is first drawn: linked in, their seven shared
 * objects cost every run of bpfscope (a snapshot, a prog show) a millisecond to map. */
#ifndef BPFSCOPE_GV_DL_H
#define BPFSCOPE_GV_DL_H
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include "lib/err.h"

/* the functions and objects cfg_render uses, typed as the headers declare them */
struct gv_api {
	__typeof__(&agopen) agopen;
	__typeof__(&agclose) agclose;
	__typeof__(&agnode) agnode;
	__typeof__(&agedge) agedge;
	__typeof__(&agsubg) agsubg;
	__typeof__(&agsafeset) agsafeset;
	__typeof__(&agattr) agattr;
	__typeof__(&agxset) agxset;
	__typeof__(&agstrdup) agstrdup;
	__typeof__(&agstrdup_html) agstrdup_html;
	__typeof__(&agstrfree) agstrfree;
	__typeof__(&agwrite) agwrite;
	__typeof__(&aglasterr) aglasterr;
	__typeof__(&agseterr) agseterr;
	__typeof__(&agreseterrors) agreseterrors;
	__typeof__(&gvContext) gvContext;
	__typeof__(&gvContextPlugins) gvContextPlugins;
	__typeof__(&gvLayout) gvLayout;
	__typeof__(&gvRender) gvRender;
	__typeof__(&gvFreeLayout) gvFreeLayout;
	__typeof__(&gvFreeContext) gvFreeContext;
	__typeof__(&Agdirected) Agdirected;
	__typeof__(&AgMemDisc) AgMemDisc;
	__typeof__(&AgIdDisc) AgIdDisc;
	__typeof__(&AgIoDisc) AgIoDisc;
};

/* Fill api from libgvc (loaded once; later calls find it loaded). */
int gv_api_load(struct gv_api *api, struct err *e);

/* The plugins an SVG drawing needs, for gvContextPlugins (with demand loading off): the dot
 * layout and the core renderers, from graphviz's plugin directory next to libgvc. Without
 * a text layout plugin (pango) graphviz sizes text from its own font-metric tables. syms
 * gets the two libraries and a NULL end. */
int gv_svg_plugins(const struct gv_api *api, lt_symlist_t syms[3], struct err *e);
#endif
