/* The libcgraph graph of a CFG as cfg_render draws it (record nodes of code, one cluster per
 * function): built by cfg_render.c, laid out and drawn by cfg_draw.c. */
#ifndef BPFSCOPE_CFG_GRAPH_H
#define BPFSCOPE_CFG_GRAPH_H
#include "lib/util.h"
#include "viz/cfg_render.h"
#include "viz/cfg_seqid.h"
#include "viz/gv_dl.h"

/* d: the graph's discipline, to outlive it. digits: NULL, or cfg->nr_blocks buffers that
 * get each code block's digits in label order while its label is written with every digit
 * '0' (a masked graph: cfg_share.h). NULL and e set on failure. */
Agraph_t *cfg_graph_build(const struct gv_api *gv, struct seq_disc *d,
			  const struct prog_code *pc, const struct cfg *cfg,
			  const struct cfg_render_opts *o, struct buf *digits, struct err *e);
#endif
