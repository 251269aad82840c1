/* Unit checks of the CFG builder: well-formed shapes (branches, loops, calls, gotol,
 * may_goto, ld_imm64) and handcrafted bad programs that must be reported, not crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/cfg.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL %s:%d: ", __func__, __LINE__); \
	printf(__VA_ARGS__); printf("\n"); } } while (0)

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV0	I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0)
#define EXIT	I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define JEQ(off)	I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, off, 0)
#define JA(off)	I(BPF_JMP | BPF_JA, 0, 0, off, 0)
#define GOTOL(imm)	I(BPF_JMP32 | BPF_JA, 0, 0, 0, imm)
#define MAYGOTO(off)	I(BPF_JMP | 0xe0, 0, 0, off, 0)
#define CALL(imm)	I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, imm)
#define HELPER(id)	I(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define LD64A	I(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 1)
#define LD64B	I(0, 0, 0, 0, 0)

static int build(const struct bpf_insn *p, uint32_t n, const uint32_t *fs, uint32_t nfs,
		 struct cfg *c)
{
	struct err e = {};
	int err = cfg_build(p, n, fs, nfs, c, &e);
	const char *bad;

	if (!err && (bad = cfg_check(c))) {
		printf("FAIL invariant: %s\n", bad);
		failed++;
	}
	return err;
}

static int count_kind(const struct cfg *c, enum cfg_edge_kind k)
{
	int n = 0;

	for (uint32_t i = 0; i < c->nr_edges; i++)
		n += c->edges[i].kind == k;
	return n;
}

static bool has_diag(const struct cfg *c, const char *sub)
{
	for (uint32_t i = 0; i < c->nr_diags; i++)
		if (strstr(c->diags[i].msg, sub))
			return true;
	return false;
}

/* edge src->dst (function-local block numbers in function 0) of kind k exists */
static bool has_edge(const struct cfg *c, uint32_t fi, uint32_t s, uint32_t d, enum cfg_edge_kind k)
{
	uint32_t base = c->funcs[fi].first_block;

	for (uint32_t i = 0; i < c->nr_edges; i++)
		if (c->edges[i].src == base + s && c->edges[i].dst == base + d && c->edges[i].kind == k)
			return true;
	return false;
}

static void t_straight(void)
{
	struct bpf_insn p[] = { MOV0, EXIT };
	struct cfg c;

	CHECK(!build(p, 2, NULL, 0, &c), "build");
	CHECK(c.nr_funcs == 1 && c.nr_blocks == 3 && c.nr_edges == 2, "shape %u %u %u",
	      c.nr_funcs, c.nr_blocks, c.nr_edges);
	CHECK(has_edge(&c, 0, 0, 2, CFG_EDGE_ENTRY) && has_edge(&c, 0, 2, 1, CFG_EDGE_EXIT), "edges");
	CHECK(c.nr_errors == 0 && c.nr_warnings == 0, "diags %u", c.nr_diags);
	cfg_free(&c);
}

static void t_diamond_and_loop(void)
{
	/* 0: if r1 == 0 goto 3; 1: r0 = 0; 2: goto 4; 3: r0 = 0; 4: if r1 == 0 goto 0 (loop); 5: exit */
	struct bpf_insn p[] = { JEQ(2), MOV0, JA(1), MOV0, JEQ(-5), EXIT };
	struct cfg c;

	CHECK(!build(p, 6, NULL, 0, &c), "build");
	/* blocks: [0] [1,2] [3] [4] [5] */
	CHECK(c.nr_blocks == 2 + 5, "blocks %u", c.nr_blocks);
	CHECK(has_edge(&c, 0, 2, 3, CFG_EDGE_FALL) && has_edge(&c, 0, 2, 4, CFG_EDGE_JUMP), "branch");
	CHECK(has_edge(&c, 0, 3, 5, CFG_EDGE_JUMP) && has_edge(&c, 0, 4, 5, CFG_EDGE_FALL), "join");
	CHECK(has_edge(&c, 0, 5, 2, CFG_EDGE_JUMP), "back edge");
	CHECK(has_edge(&c, 0, 6, 1, CFG_EDGE_EXIT), "exit");
	CHECK(c.nr_edges == 1 + 2 + 1 + 1 + 2 + 1, "edges %u", c.nr_edges);
	CHECK(!c.nr_errors && !c.nr_warnings, "diags");
	cfg_free(&c);
}

static void t_calls(void)
{
	/* main: 0 call +3 (->4 f_b) ; 1 call +0 (->2 f_a)... discovery order: f@4 first, then f@2 */
	struct bpf_insn p[] = { CALL(3), CALL(0), /* f_a */ MOV0, EXIT, /* f_b */ MOV0, EXIT };
	struct cfg c;

	/* main ends at insn 1, which is not an exit: it falls off the end */
	CHECK(!build(p, 6, NULL, 0, &c), "build");
	CHECK(c.nr_funcs == 3, "funcs %u", c.nr_funcs);
	CHECK(c.funcs[1].start == 2 && c.funcs[1].dot_idx == 2, "f_a start %u idx %u",
	      c.funcs[1].start, c.funcs[1].dot_idx);
	CHECK(c.funcs[2].start == 4 && c.funcs[2].dot_idx == 1, "f_b idx %u", c.funcs[2].dot_idx);
	CHECK(count_kind(&c, CFG_EDGE_CALL) == 2, "call edges");
	CHECK(has_diag(&c, "falls off"), "falls off reported");
	CHECK(has_diag(&c, "no exit"), "missing exit reported");
	cfg_free(&c);
}

/* the kernel's dump after its JIT pass: offset in off, subprog number in imm */
static void t_calls_dumped(void)
{
	struct bpf_insn p[] = { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 2, 1), MOV0, EXIT,
				/* sub */ MOV0, EXIT };
	uint32_t fs[] = { 0, 3 };
	struct cfg c;

	CHECK(!build(p, 5, NULL, 0, &c), "build");
	CHECK(c.nr_funcs == 2 && c.funcs[1].start == 3, "split at off, not imm");
	CHECK(count_kind(&c, CFG_EDGE_CALL) == 1 && !c.nr_errors && !c.nr_warnings, "clean");
	cfg_free(&c);
	CHECK(!build(p, 5, fs, 2, &c), "build with func_info");
	CHECK(c.nr_funcs == 2 && c.funcs[1].start == 3 && !c.nr_warnings, "func_info agrees");
	cfg_free(&c);
}

static void t_func_info(void)
{
	/* a callback only func_info knows about (bpf_loop style) */
	struct bpf_insn p[] = { HELPER(1), MOV0, EXIT, MOV0, EXIT };
	uint32_t fs[] = { 0, 3 }, bad[] = { 0, 99, 1 };
	struct cfg c;

	CHECK(!build(p, 5, fs, 2, &c), "build");
	CHECK(c.nr_funcs == 2 && c.funcs[1].start == 3 && c.funcs[1].func_info == 1, "split");
	CHECK(!c.nr_errors, "no errors");
	cfg_free(&c);
	CHECK(!build(p, 5, bad, 3, &c), "build bad");
	CHECK(has_diag(&c, "func_info start 99"), "bad func_info reported");
	CHECK(c.nr_funcs == 2, "funcs %u", c.nr_funcs);
	cfg_free(&c);
}

static void t_ld_imm64(void)
{
	/* 0: if r1 == 0 goto 2 (the middle of the ld_imm64 at 1) ; 1-2: ld_imm64 ; 3: exit */
	struct bpf_insn p[] = { JEQ(1), LD64A, LD64B, EXIT };
	struct bpf_insn q[] = { MOV0, LD64A };	/* truncated */
	struct bpf_insn r[] = { JEQ(2), LD64A, LD64B, EXIT };
	struct cfg c;

	CHECK(!build(p, 4, NULL, 0, &c), "build");
	CHECK(has_diag(&c, "middle of a ld_imm64"), "reported");
	CHECK(c.slot2[2] == 1, "slot2");
	cfg_free(&c);
	CHECK(!build(q, 2, NULL, 0, &c), "build truncated");
	CHECK(has_diag(&c, "second half"), "truncated reported");
	cfg_free(&c);
	/* a block ending in a ld_imm64 falls through by its first slot */
	CHECK(!build(r, 4, NULL, 0, &c), "build r");
	CHECK(c.blocks[3].start == 1 && c.blocks[3].end == 3, "ld block %u-%u", c.blocks[3].start,
	      c.blocks[3].end);
	CHECK(has_edge(&c, 0, 3, 4, CFG_EDGE_FALL), "fall after ld_imm64");
	cfg_free(&c);
}

static void t_gotol_maygoto(void)
{
	/* 0: may_goto +1 ; 1: gotol +1 (imm) ; 2: r0 = 0 ; 3: exit */
	struct bpf_insn p[] = { MAYGOTO(1), GOTOL(1), MOV0, EXIT };
	struct cfg c;

	CHECK(!build(p, 4, NULL, 0, &c), "build");
	/* blocks: [0] [1] [2] [3] */
	CHECK(c.nr_blocks == 6, "blocks %u", c.nr_blocks);
	CHECK(has_edge(&c, 0, 2, 3, CFG_EDGE_FALL) && has_edge(&c, 0, 2, 4, CFG_EDGE_JUMP), "may_goto");
	CHECK(has_edge(&c, 0, 3, 5, CFG_EDGE_JUMP), "gotol uses imm");
	CHECK(!c.nr_errors, "no errors");
	cfg_free(&c);
}

static void t_gotox(void)
{
	/* 0: r0 = 0 ; 1: gotox r1 ; 2: r0 = 0 ; 3: exit */
	struct bpf_insn p[] = { MOV0, I(BPF_JMP | BPF_JA | BPF_X, 1, 0, 0, 0), MOV0, EXIT };
	struct cfg c;

	CHECK(!build(p, 4, NULL, 0, &c), "build");
	CHECK(c.nr_blocks == 4 && c.blocks[2].end == 2, "gotox ends its block");
	CHECK(c.nr_edges == 2, "no static edge out of gotox (%u edges)", c.nr_edges);
	CHECK(!c.nr_errors, "no errors");
	cfg_free(&c);
}

static void t_bad(void)
{
	struct bpf_insn p1[] = { JEQ(100), EXIT };
	struct bpf_insn p2[] = { JA(-100), EXIT };
	struct bpf_insn p3[] = { CALL(-5), EXIT };
	struct bpf_insn p4[] = { CALL(0x7fffffff), EXIT };
	struct bpf_insn p5[] = { MOV0, MOV0 };
	struct bpf_insn p6[] = { I(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0), EXIT };
	struct bpf_insn p7[] = { CALL(1), JA(1), MOV0, EXIT };	/* jump into the callee */
	struct cfg c;
	struct err e = {};

	CHECK(!build(p1, 2, NULL, 0, &c) && has_diag(&c, "outside the program"), "jump out");
	cfg_free(&c);
	CHECK(!build(p2, 2, NULL, 0, &c) && has_diag(&c, "outside the program"), "jump back out");
	cfg_free(&c);
	CHECK(!build(p3, 2, NULL, 0, &c) && has_diag(&c, "call target -4"), "call out");
	cfg_free(&c);
	CHECK(!build(p4, 2, NULL, 0, &c) && has_diag(&c, "call target"), "call far");
	cfg_free(&c);
	CHECK(!build(p5, 2, NULL, 0, &c) && has_diag(&c, "falls off") && has_diag(&c, "no exit"),
	      "no exit");
	cfg_free(&c);
	CHECK(!build(p6, 2, NULL, 0, &c) && has_diag(&c, "invalid jmp32"), "jmp32 exit");
	cfg_free(&c);
	CHECK(!build(p7, 4, NULL, 0, &c) && has_diag(&c, "another function"), "cross jump");
	cfg_free(&c);
	CHECK(cfg_build(p1, 0, NULL, 0, &c, &e) < 0, "empty refused");
}

/* random programs: the structure holds whatever the bytes */
static void t_random(void)
{
	uint32_t seed = 12345;

	for (int round = 0; round < 20000; round++) {
		struct bpf_insn p[40];
		uint32_t n = 1 + round % 40, fs[3];
		struct cfg c;

		for (uint32_t i = 0; i < n; i++) {
			static const uint8_t codes[] = { 0x05, 0x06, 0x15, 0x16, 0x85, 0x95, 0x18,
							 0xb7, 0xe5, 0x96, 0x86, 0x00, 0xf5 };
			seed = seed * 1103515245 + 12345;
			p[i] = I(codes[(seed >> 8) % sizeof(codes)], 0, (seed >> 4) & 1,
				 (int16_t)((seed >> 16) % 9) - 4, (int32_t)((seed >> 20) % 9) - 4);
		}
		for (int k = 0; k < 3; k++)
			fs[k] = (seed >> (k * 5)) % (n + 2);
		if (build(p, n, fs, round % 4, &c))
			failed++;
		cfg_free(&c);
	}
}

int main(void)
{
	t_straight();
	t_diamond_and_loop();
	t_calls();
	t_calls_dumped();
	t_func_info();
	t_ld_imm64();
	t_gotol_maygoto();
	t_gotox();
	t_bad();
	t_random();
	if (failed) {
		printf("test_cfg: %d failure(s)\n", failed);
		return 1;
	}
	printf("test_cfg: ok\n");
	return 0;
}
