/* The cgraph ID discipline cfg_render opens its graphs with: (sub)graphs numbered in
 * creation order, nodes and edges left to graphviz's default discipline. */
#ifndef BPFSCOPE_CFG_SEQID_H
#define BPFSCOPE_CFG_SEQID_H
#include "viz/gv_dl.h"

/* The discipline of a graph, with the library it came from (disc is its first member). */
struct seq_disc {
	Agdisc_t disc;
	Agiddisc_t id;
	const struct gv_api *gv;
};

/* d must outlive every graph opened with &d->disc */
void seq_disc_init(struct seq_disc *d, const struct gv_api *gv);
#endif
