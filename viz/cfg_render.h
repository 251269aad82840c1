/* Drawing a CFG: libcgraph objects built from analyze/cfg data, written as DOT or laid
 * out and rendered in-process by libgvc (SVG, PNG, PDF). */
#ifndef BPFSCOPE_CFG_RENDER_H
#define BPFSCOPE_CFG_RENDER_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "analyze/cfg.h"
#include "analyze/cfg_diff.h"
#include "analyze/prog_code.h"
#include "lib/err.h"

struct cfg_render_opts {
	bool bpftool;		/* bpftool's `visual` graph: insn numbers relative to the function,
				 * no call edges, no limits, no colours */
	bool linum;		/* source lines (line_info) above their insns */
	int only_func;		/* draw this function only (cfg index); -1: all */
	uint32_t max_lines;	/* longer blocks show head ... tail; 0: no limit */
	uint32_t wrap;		/* wrap lines longer than this many columns; 0: never */
	const uint8_t *marks;	/* cfg->nr_blocks enum cfg_mark, or NULL */
	const char *title;	/* graph label, or NULL */
	const char *legend_against;	/* with marks: what "changed" is relative to */
};

#define CFG_RENDER_MAX_LINES	48
#define CFG_RENDER_WRAP		96

/* format: "dot" writes the graph itself (not laid out); any other is a libgvc output
 * format ("svg", "png", "pdf") laid out with the dot engine. */
int cfg_render(const struct prog_code *pc, const struct cfg *cfg,
	       const struct cfg_render_opts *o, const char *format, FILE *out, struct err *e);
bool cfg_render_format_ok(const char *format);
/* One graphviz context kept for many SVG graphs (a report draws thousands): cfg_render_gvc
 * with it, or with NULL for a context of its own (what cfg_render does). */
struct cfg_gvc;
/* share: draw once per graph shape (cfg_share.h); false: every graph drawn alone */
int cfg_gvc_open(struct cfg_gvc **out, bool share, struct err *e);
/* One context with every plugin (cairo, with pango measuring text: PNG and PDF) for all the
 * graphs of a command: graphviz's pango plugin keeps a font name freed with the context it
 * came from, and a later context in the same process reads it (ASan: use after free). */
int cfg_gvc_open_full(struct cfg_gvc **out, struct err *e);
void cfg_gvc_close(struct cfg_gvc *g);
int cfg_render_gvc(struct cfg_gvc *g, const struct prog_code *pc, const struct cfg *cfg,
		   const struct cfg_render_opts *o, const char *format, FILE *out, struct err *e);

/* Function fi's name: its BTF name, else "func_<dot_idx>". */
const char *cfg_func_name(const struct prog_code *pc, const struct cfg *cfg, uint32_t fi,
			  char *buf, size_t len);
/* fi by BTF name or by "func_N"; -1 when there is none. */
int cfg_func_find(const struct prog_code *pc, const struct cfg *cfg, const char *name);
#endif
