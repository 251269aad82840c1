/* Control-flow graph of xlated BPF code: functions split at bpf-to-bpf call targets
 * and func_info, basic blocks at jump targets and after jumps/exits, typed edges. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/cfg.h"
#include "analyze/prog_code.h"

#ifndef BPF_JCOND
#define BPF_JCOND	0xe0	/* may_goto; linux/bpf.h of older distros lacks it */
#endif
#define LD_IMM64	(BPF_LD | BPF_IMM | BPF_DW)

/* per-insn flags while building */
#define F_FSTART	1u
#define F_LEADER	2u
#define F_FINFO		4u

static void diag(struct cfg *cfg, enum cfg_diag_level level, uint32_t insn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void diag(struct cfg *cfg, enum cfg_diag_level level, uint32_t insn, const char *fmt, ...)
{
	va_list ap;

	if (level == CFG_ERROR)
		cfg->nr_errors++;
	else
		cfg->nr_warnings++;
	if (cfg->nr_diags >= CFG_MAX_DIAGS)
		return;
	struct cfg_diag *d = &cfg->diags[cfg->nr_diags++];

	d->level = level;
	d->insn = insn;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

static bool is_jmp_class(uint8_t code)
{
	return BPF_CLASS(code) == BPF_JMP || BPF_CLASS(code) == BPF_JMP32;
}

static bool is_pseudo_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
}

/* Target of a bpf-to-bpf call. The kernel dumps xlated code after its JIT pass, which
 * moves the relative offset to off and leaves the subprog number in imm; code that did
 * not go through it (an ELF, a test) has the offset in imm and off 0. A call to pc+0
 * would leave the caller without an exit, so off != 0 tells the dumped form; func_info
 * starts break the tie when the two disagree. */
static int64_t call_target(const struct bpf_insn *in, uint32_t pc, const uint8_t *fl, uint32_t n,
			   bool have_finfo)
{
	int64_t t_off = (int64_t)pc + in->off + 1, t_imm = (int64_t)pc + in->imm + 1;

	if (have_finfo) {
		if (in->off && t_off >= 0 && t_off < n && (fl[t_off] & F_FINFO))
			return t_off;
		if (t_imm >= 0 && t_imm < n && (fl[t_imm] & F_FINFO))
			return t_imm;
	}
	return in->off ? t_off : t_imm;
}

enum flow { FLOW_PLAIN, FLOW_COND, FLOW_JA, FLOW_EXIT, FLOW_INDIRECT };

/* How an insn moves control; *target gets the branch target (may be out of range).
 * JMP32|JA (gotol) keeps its offset in imm, every other branch in off. */
static enum flow insn_flow(const struct bpf_insn *in, uint32_t pc, int64_t *target)
{
	uint8_t op = BPF_OP(in->code);

	if (!is_jmp_class(in->code))
		return FLOW_PLAIN;
	if (op == BPF_CALL)
		return FLOW_PLAIN;
	if (op == BPF_EXIT)
		return BPF_CLASS(in->code) == BPF_JMP ? FLOW_EXIT : FLOW_PLAIN;
	/* gotox (JMP|JA|X): the target is in a register, there is no static edge */
	if (op == BPF_JA && BPF_CLASS(in->code) == BPF_JMP && BPF_SRC(in->code) == BPF_X)
		return FLOW_INDIRECT;
	if (op == BPF_JA) {
		int64_t rel = BPF_CLASS(in->code) == BPF_JMP32 ? in->imm : in->off;

		*target = (int64_t)pc + rel + 1;
		return FLOW_JA;
	}
	*target = (int64_t)pc + in->off + 1;	/* conditional, incl. may_goto */
	return FLOW_COND;
}

static int edge_add(struct cfg *cfg, uint32_t *cap, uint32_t src, uint32_t dst,
		    enum cfg_edge_kind kind, uint32_t insn)
{
	if (cfg->nr_edges == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 64;
		void *p = realloc(cfg->edges, (size_t)ncap * sizeof(*cfg->edges));

		if (!p)
			return -ENOMEM;
		cfg->edges = p;
		*cap = ncap;
	}
	cfg->edges[cfg->nr_edges++] = (struct cfg_edge){ src, dst, kind, insn };
	return 0;
}

/* Is target a valid branch target inside [fstart, fend)? Records why not. */
static bool target_ok(struct cfg *cfg, uint32_t pc, int64_t t, uint32_t fstart, uint32_t fend,
		      bool quiet)
{
	if (t < 0 || t >= cfg->nr_insns) {
		if (!quiet)
			diag(cfg, CFG_ERROR, pc, "jump target %lld is outside the program (%u insns)",
			     (long long)t, cfg->nr_insns);
		return false;
	}
	if (cfg->slot2[t]) {
		if (!quiet)
			diag(cfg, CFG_ERROR, pc, "jump target %lld is the middle of a ld_imm64",
			     (long long)t);
		return false;
	}
	if (t < fstart || t >= fend) {
		if (!quiet)
			diag(cfg, CFG_ERROR, pc, "jump target %lld is in another function",
			     (long long)t);
		return false;
	}
	return true;
}

static int disc_add(uint8_t *fl, uint32_t t, uint32_t **disc, uint32_t *nr, uint32_t *cap)
{
	if (fl[t] & F_FSTART)
		return 0;
	if (*nr == *cap) {
		void *p = realloc(*disc, (size_t)*cap * 2 * sizeof(**disc));

		if (!p)
			return -ENOMEM;
		*disc = p;
		*cap *= 2;
	}
	fl[t] |= F_FSTART;
	(*disc)[(*nr)++] = t;
	return 0;
}

/* Pass 1: ld_imm64 halves and function starts (in bpftool's discovery order). */
static int find_funcs(struct cfg *cfg, const struct bpf_insn *insns, uint8_t *fl,
		      const uint32_t *fstarts, uint32_t nr_fstarts, uint32_t **disc,
		      uint32_t *nr_disc)
{
	uint32_t n = cfg->nr_insns, i, cap = 16;

	*disc = malloc(cap * sizeof(**disc));
	if (!*disc)
		return -ENOMEM;
	fl[0] |= F_FSTART;
	(*disc)[(*nr_disc)++] = 0;

	for (i = 0; i < n; i++) {
		if (insns[i].code == LD_IMM64) {
			if (i + 1 >= n)
				diag(cfg, CFG_ERROR, i, "ld_imm64 misses its second half");
			else
				cfg->slot2[++i] = 1;
		}
	}
	/* func_info first, so that a call target can be checked against it; bpftool's
	 * numbering counts call targets only, func_info-only starts (callbacks) come last */
	for (i = 0; i < nr_fstarts; i++) {
		uint32_t t = fstarts[i];

		if (t >= n || cfg->slot2[t])
			diag(cfg, CFG_ERROR, 0, "func_info start %u is %s", t,
			     t >= n ? "outside the program" : "the middle of a ld_imm64");
		else
			fl[t] |= F_FINFO;
	}
	for (i = 0; i < n; i++) {
		int64_t t;

		if (cfg->slot2[i] || !is_pseudo_call(&insns[i]))
			continue;
		t = call_target(&insns[i], i, fl, n, nr_fstarts);
		if (t < 0 || t >= n || cfg->slot2[t]) {
			diag(cfg, CFG_ERROR, i, "call target %lld is %s", (long long)t,
			     t < 0 || t >= n ? "outside the program" : "the middle of a ld_imm64");
			continue;
		}
		if (nr_fstarts && !(fl[t] & (F_FINFO | F_FSTART)))
			diag(cfg, CFG_WARN, i, "call target %lld has no func_info record", (long long)t);
		if (disc_add(fl, (uint32_t)t, disc, nr_disc, &cap))
			return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if ((fl[i] & F_FINFO) && disc_add(fl, i, disc, nr_disc, &cap))
			return -ENOMEM;
	return 0;
}

static int func_by_start(const struct cfg *cfg, uint32_t start)
{
	uint32_t lo = 0, hi = cfg->nr_funcs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cfg->funcs[mid].start == start)
			return mid;
		if (cfg->funcs[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int cfg_func_of_insn(const struct cfg *cfg, uint32_t insn)
{
	uint32_t lo = 0, hi = cfg->nr_funcs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (insn < cfg->funcs[mid].start)
			hi = mid;
		else if (insn >= cfg->funcs[mid].end)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

/* Pass 2: leaders of one function. */
static void mark_leaders(struct cfg *cfg, const struct bpf_insn *insns, uint8_t *fl,
			 const struct cfg_func *f)
{
	uint32_t i;

	fl[f->start] |= F_LEADER;
	for (i = f->start; i < f->end; i++) {
		int64_t t = 0;
		enum flow fw;

		if (cfg->slot2[i])
			continue;
		fw = insn_flow(&insns[i], i, &t);
		if (fw == FLOW_PLAIN) {
			uint8_t c = insns[i].code;

			if (BPF_CLASS(c) == BPF_JMP32 &&
			    (BPF_OP(c) == BPF_CALL || BPF_OP(c) == BPF_EXIT))
				diag(cfg, CFG_ERROR, i, "invalid jmp32 opcode 0x%02x", c);
			continue;
		}
		if (fw == FLOW_COND && BPF_OP(insns[i].code) == 0xf0)
			diag(cfg, CFG_ERROR, i, "unknown jump opcode 0x%02x", insns[i].code);
		if ((fw == FLOW_COND || fw == FLOW_JA) && target_ok(cfg, i, t, f->start, f->end, false))
			fl[t] |= F_LEADER;
		if (i + 1 < f->end)
			fl[i + 1] |= F_LEADER;
	}
}

/* Pass 3: blocks of one function (ENTRY, EXIT, code blocks in address order). */
static int make_blocks(struct cfg *cfg, uint8_t *fl, uint32_t *blk_of, uint32_t fi,
		       uint32_t *cap)
{
	struct cfg_func *f = &cfg->funcs[fi];
	uint32_t i, need = 2;

	for (i = f->start; i < f->end; i++)
		need += !!(fl[i] & F_LEADER);
	if (cfg->nr_blocks + need > *cap) {
		uint32_t ncap = *cap ? *cap : 64;

		while (ncap < cfg->nr_blocks + need)
			ncap *= 2;
		void *p = realloc(cfg->blocks, (size_t)ncap * sizeof(*cfg->blocks));

		if (!p)
			return -ENOMEM;
		cfg->blocks = p;
		*cap = ncap;
	}
	f->first_block = cfg->nr_blocks;
	f->nr_blocks = need;
	cfg->blocks[cfg->nr_blocks++] = (struct cfg_block){ CFG_BLOCK_ENTRY, fi, CFG_BB_ENTRY, f->start, f->start };
	cfg->blocks[cfg->nr_blocks++] = (struct cfg_block){ CFG_BLOCK_EXIT, fi, CFG_BB_EXIT, f->end, f->end };
	for (i = f->start; i < f->end; i++) {
		if (fl[i] & F_LEADER) {
			if (cfg->nr_blocks > f->first_block + 2)
				cfg->blocks[cfg->nr_blocks - 1].end = i;
			cfg->blocks[cfg->nr_blocks] = (struct cfg_block){
				CFG_BLOCK_CODE, fi, cfg->nr_blocks - f->first_block, i, f->end };
			cfg->nr_blocks++;
		}
		blk_of[i] = cfg->nr_blocks - 1;
	}
	return 0;
}

/* Pass 4: edges of one function. */
static int make_edges(struct cfg *cfg, const struct bpf_insn *insns, const uint32_t *blk_of,
		      const uint8_t *fl, bool have_finfo, uint32_t fi, uint32_t *cap)
{
	const struct cfg_func *f = &cfg->funcs[fi];
	uint32_t entry = f->first_block, exit_b = f->first_block + 1, b;
	bool has_exit = false;
	int err;

	err = edge_add(cfg, cap, entry, f->first_block + 2, CFG_EDGE_ENTRY, UINT32_MAX);
	if (err)
		return err;
	for (b = f->first_block + 2; b < f->first_block + f->nr_blocks; b++) {
		const struct cfg_block *bb = &cfg->blocks[b];
		uint32_t last = bb->end - 1, i;
		uint32_t next = bb->end < f->end ? blk_of[bb->end] : exit_b;
		int64_t t = 0;
		enum flow fw;

		err = 0;
		if (cfg->slot2[last])
			last--;
		fw = insn_flow(&insns[last], last, &t);
		if (fw == FLOW_EXIT)
			has_exit = true;
		if ((fw == FLOW_PLAIN || fw == FLOW_COND) && bb->end >= f->end)
			diag(cfg, CFG_WARN, last, "control falls off the end of the function");
		if (fw == FLOW_PLAIN || fw == FLOW_COND)
			err = edge_add(cfg, cap, b, next, CFG_EDGE_FALL, last);
		else if (fw == FLOW_EXIT)
			err = edge_add(cfg, cap, b, exit_b, CFG_EDGE_EXIT, last);
		if (!err && (fw == FLOW_COND || fw == FLOW_JA) &&
		    target_ok(cfg, last, t, f->start, f->end, true))
			err = edge_add(cfg, cap, b, blk_of[t], CFG_EDGE_JUMP, last);
		for (i = bb->start; !err && i < bb->end; i++) {
			int callee;

			if (cfg->slot2[i] || !is_pseudo_call(&insns[i]))
				continue;
			t = call_target(&insns[i], i, fl, cfg->nr_insns, have_finfo);
			callee = t >= 0 && t < cfg->nr_insns ? func_by_start(cfg, t) : -1;
			if (callee >= 0)
				err = edge_add(cfg, cap, b, cfg->funcs[callee].first_block,
					       CFG_EDGE_CALL, i);
		}
		if (err)
			return err;
	}
	if (!has_exit)
		diag(cfg, CFG_WARN, f->start, "function at insn %u has no exit", f->start);
	return 0;
}

int cfg_build(const struct bpf_insn *insns, uint32_t n, const uint32_t *func_starts,
	      uint32_t nr_func_starts, struct cfg *cfg, struct err *e)
{
	uint32_t *disc = NULL, nr_disc = 0, *blk_of = NULL, i, bcap = 0, ecap = 0;
	uint8_t *fl = NULL;
	int err = -ENOMEM;

	memset(cfg, 0, sizeof(*cfg));
	if (!n || !insns)
		return err_set(e, EINVAL, "program has no instructions");
	cfg->nr_insns = n;
	cfg->slot2 = calloc(n, 1);
	fl = calloc(n, 1);
	blk_of = calloc(n, sizeof(*blk_of));
	if (!cfg->slot2 || !fl || !blk_of)
		goto cleanup;

	err = find_funcs(cfg, insns, fl, func_starts, nr_func_starts, &disc, &nr_disc);
	if (err)
		goto cleanup;
	cfg->funcs = calloc(nr_disc, sizeof(*cfg->funcs));
	if (!cfg->funcs)
		goto nomem;
	for (i = 0; i < n; i++) {
		if (!(fl[i] & F_FSTART))
			continue;
		if (cfg->nr_funcs)
			cfg->funcs[cfg->nr_funcs - 1].end = i;
		cfg->funcs[cfg->nr_funcs++] = (struct cfg_func){ .start = i, .end = n, .func_info = -1 };
	}
	for (i = 0; i < nr_disc; i++)
		cfg->funcs[func_by_start(cfg, disc[i])].dot_idx = i;
	for (i = 0; i < nr_func_starts; i++) {
		int fi = func_starts[i] < n ? func_by_start(cfg, func_starts[i]) : -1;

		if (fi >= 0 && cfg->funcs[fi].func_info < 0)
			cfg->funcs[fi].func_info = i;
	}
	for (i = 0; i < cfg->nr_funcs; i++) {
		mark_leaders(cfg, insns, fl, &cfg->funcs[i]);
		if (make_blocks(cfg, fl, blk_of, i, &bcap))
			goto nomem;
	}
	for (i = 0; i < cfg->nr_funcs; i++) {
		err = make_edges(cfg, insns, blk_of, fl, nr_func_starts, i, &ecap);
		if (err)
			goto nomem;
	}
	err = 0;
	goto cleanup;
nomem:
	err = -ENOMEM;
cleanup:
	if (err == -ENOMEM) {
		err_set(e, ENOMEM, "can't build the CFG of %u insns: out of memory", n);
		cfg_free(cfg);
	}
	free(disc);
	free(fl);
	free(blk_of);
	return err;
}

int cfg_build_prog(const struct prog_code *pc, struct cfg *cfg, struct err *e)
{
	uint32_t *starts = NULL, i;
	int err;

	if (pc->nr_func_info && pc->func_info_rec_size >= sizeof(struct bpf_func_info)) {
		starts = calloc(pc->nr_func_info, sizeof(*starts));
		if (!starts)
			return err_set(e, ENOMEM, "out of memory");
		for (i = 0; i < pc->nr_func_info; i++) {
			struct bpf_func_info fi;

			memcpy(&fi, pc->func_info + (size_t)i * pc->func_info_rec_size, sizeof(fi));
			starts[i] = fi.insn_off;
		}
	}
	err = cfg_build(pc->insns, pc->nr_insns, starts, starts ? pc->nr_func_info : 0, cfg, e);
	free(starts);
	return err;
}

void cfg_free(struct cfg *cfg)
{
	free(cfg->funcs);
	free(cfg->blocks);
	free(cfg->edges);
	free(cfg->slot2);
	memset(cfg, 0, sizeof(*cfg));
}

const char *cfg_edge_kind_name(enum cfg_edge_kind k)
{
	switch (k) {
	case CFG_EDGE_ENTRY: return "entry";
	case CFG_EDGE_FALL: return "fall";
	case CFG_EDGE_JUMP: return "jump";
	case CFG_EDGE_EXIT: return "exit";
	case CFG_EDGE_CALL: return "call";
	}
	return "?";
}

const char *cfg_check(const struct cfg *cfg)
{
	uint32_t fi, b, k, prev_end = 0;

	for (fi = 0; fi < cfg->nr_funcs; fi++) {
		const struct cfg_func *f = &cfg->funcs[fi];
		uint32_t pos;

		if (f->start != prev_end || f->end <= f->start || f->end > cfg->nr_insns)
			return "functions do not tile the program";
		prev_end = f->end;
		if (f->nr_blocks < 3 || f->first_block + f->nr_blocks > cfg->nr_blocks)
			return "function block range is wrong";
		if (cfg->blocks[f->first_block].kind != CFG_BLOCK_ENTRY ||
		    cfg->blocks[f->first_block + 1].kind != CFG_BLOCK_EXIT)
			return "ENTRY/EXIT are not a function's first blocks";
		if (fi + 1 < cfg->nr_funcs && f->first_block + f->nr_blocks !=
		    cfg->funcs[fi + 1].first_block)
			return "functions' blocks are not contiguous";
		pos = f->start;
		for (b = f->first_block; b < f->first_block + f->nr_blocks; b++) {
			const struct cfg_block *bb = &cfg->blocks[b];

			if (bb->func != fi || bb->idx != b - f->first_block)
				return "block numbering is wrong";
			if (bb->kind != CFG_BLOCK_CODE)
				continue;
			if (bb->start != pos || bb->end <= bb->start || bb->end > f->end ||
			    cfg->slot2[bb->start])
				return "code blocks do not tile their function";
			pos = bb->end;
		}
		if (pos != f->end)
			return "code blocks do not cover their function";
	}
	if (prev_end != cfg->nr_insns)
		return "functions do not cover the program";
	for (k = 0; k < cfg->nr_edges; k++) {
		const struct cfg_edge *x = &cfg->edges[k];

		if (x->src >= cfg->nr_blocks || x->dst >= cfg->nr_blocks)
			return "edge points outside the blocks";
		if (x->kind == CFG_EDGE_CALL) {
			if (cfg->blocks[x->dst].kind != CFG_BLOCK_ENTRY)
				return "call edge does not go to an ENTRY";
		} else if (cfg->blocks[x->src].func != cfg->blocks[x->dst].func) {
			return "edge crosses functions";
		}
		if (cfg->blocks[x->src].kind == CFG_BLOCK_EXIT ||
		    (cfg->blocks[x->dst].kind == CFG_BLOCK_ENTRY && x->kind != CFG_EDGE_CALL))
			return "edge leaves EXIT or enters ENTRY";
	}
	return NULL;
}
