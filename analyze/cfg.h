/* Control-flow graph of xlated BPF code as data: functions, basic blocks, edges, and
 * the problems found in the code. No printing: viz/cfg_render.c draws it. */
#ifndef BPFSCOPE_CFG_H
#define BPFSCOPE_CFG_H
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/err.h"

struct prog_code;

/* Block numbers inside a function follow bpftool's: 0 ENTRY, 1 EXIT, then the code
 * blocks in address order from 2. A function's blocks sit in that order in cfg.blocks. */
#define CFG_BB_ENTRY	0
#define CFG_BB_EXIT	1
#define CFG_BB_FIRST	2

enum cfg_block_kind { CFG_BLOCK_ENTRY, CFG_BLOCK_EXIT, CFG_BLOCK_CODE };

struct cfg_block {
	enum cfg_block_kind kind;
	uint32_t func;		/* index into cfg.funcs */
	uint32_t idx;		/* number within the function (see CFG_BB_*) */
	uint32_t start, end;	/* insn slots [start, end); empty for ENTRY/EXIT */
};

enum cfg_edge_kind {
	CFG_EDGE_ENTRY,		/* ENTRY -> first code block */
	CFG_EDGE_FALL,		/* fall-through (also a conditional jump not taken) */
	CFG_EDGE_JUMP,		/* taken branch, conditional or not */
	CFG_EDGE_EXIT,		/* an exit insn (or falling off the end) -> EXIT */
	CFG_EDGE_CALL,		/* bpf-to-bpf call -> the callee's ENTRY */
};

struct cfg_edge {
	uint32_t src, dst;	/* indexes into cfg.blocks */
	enum cfg_edge_kind kind;
	uint32_t insn;		/* the insn that makes the edge (UINT32_MAX for ENTRY) */
};

struct cfg_func {
	uint32_t start, end;	/* insn slots [start, end) */
	uint32_t first_block, nr_blocks;	/* ENTRY is first_block, EXIT first_block + 1 */
	uint32_t dot_idx;	/* bpftool's number: main 0, then call targets in discovery order */
	int32_t func_info;	/* index of its func_info record, -1 when none */
};

enum cfg_diag_level { CFG_WARN, CFG_ERROR };

struct cfg_diag {
	enum cfg_diag_level level;
	uint32_t insn;
	char msg[96];
};

#define CFG_MAX_DIAGS	64	/* garbage input must not make a million messages */

struct cfg {
	struct cfg_func *funcs;
	uint32_t nr_funcs;
	struct cfg_block *blocks;
	uint32_t nr_blocks;
	struct cfg_edge *edges;
	uint32_t nr_edges;
	struct cfg_diag diags[CFG_MAX_DIAGS];
	uint32_t nr_diags, nr_errors, nr_warnings;	/* counts include dropped ones */
	uint32_t nr_insns;
	uint8_t *slot2;		/* per insn: 1 when it is the second half of a ld_imm64 */
};

/* Build the CFG of n insns. func_starts (may be NULL) lists extra function starts
 * (func_info insn_off) beside the targets of bpf-to-bpf calls. Malformed code is
 * recorded in cfg->diags and drawn as well as it can be; the return is negative only
 * on ENOMEM or when there is nothing to build. */
int cfg_build(const struct bpf_insn *insns, uint32_t n, const uint32_t *func_starts,
	      uint32_t nr_func_starts, struct cfg *cfg, struct err *e);
/* Same, from a loaded program (func_info gives extra function starts). */
int cfg_build_prog(const struct prog_code *pc, struct cfg *cfg, struct err *e);
void cfg_free(struct cfg *cfg);

/* Function whose code holds insn, or -1. */
int cfg_func_of_insn(const struct cfg *cfg, uint32_t insn);
const char *cfg_edge_kind_name(enum cfg_edge_kind k);
/* Self-check of the structure (blocks tile each function, edges point at blocks);
 * for tests and the fuzzer. Returns NULL when sound, else what is wrong. */
const char *cfg_check(const struct cfg *cfg);
#endif
