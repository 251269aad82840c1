/* The drawing key of a CFG (cfg_share.h): the SHA-256 of every libcgraph call that
 * cfg_graph_build makes for it, with its code's digits masked, computed without graphviz. */
#ifndef BPFSCOPE_CFG_KEY_H
#define BPFSCOPE_CFG_KEY_H
#include <stdint.h>
#include "lib/sha256.h"
#include "lib/util.h"
#include "viz/cfg_render.h"
#include "viz/gv_dl.h"

/* real: the loaded graphviz (its graph kinds); digits as cfg_graph_build fills them. Two
 * graphs with one key are built by the same calls: one drawing fits both. */
int cfg_key_of(const struct gv_api *real, const struct prog_code *pc, const struct cfg *cfg,
	       const struct cfg_render_opts *o, struct buf *digits, uint8_t key[SHA256_LEN],
	       struct err *e);
#endif
