/* The BPF instruction printer against the kernel's notation for every class and mode
 * (RFC 9669 encodings), call/immediate naming from symbols, and hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "analyze/helper_names.h"
#include "analyze/xlated.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

struct tc {
	struct bpf_insn in[2];
	const char *want;
};

static const struct tc cases[] = {
	/* ALU64 / ALU, K and X */
	{ { I(0xb7, 0, 0, 0, 0) }, "(b7) r0 = 0" },
	{ { I(0x07, 2, 0, 0, -4) }, "(07) r2 += -4" },
	{ { I(0x0f, 0, 1, 0, 0) }, "(0f) r0 += r1" },
	{ { I(0x1c, 4, 5, 0, 0) }, "(1c) w4 -= w5" },
	{ { I(0x24, 1, 0, 0, 3) }, "(24) w1 *= 3" },
	{ { I(0x37, 1, 0, 0, 10) }, "(37) r1 /= 10" },
	{ { I(0x44, 1, 0, 0, 1) }, "(44) w1 |= 1" },
	{ { I(0x5f, 1, 2, 0, 0) }, "(5f) r1 &= r2" },
	{ { I(0x67, 0, 0, 0, 3) }, "(67) r0 <<= 3" },
	{ { I(0x7c, 1, 2, 0, 0) }, "(7c) w1 >>= w2" },
	{ { I(0x87, 1, 0, 0, 0) }, "(87) r1 = -r1" },
	{ { I(0x84, 3, 0, 0, 0) }, "(84) w3 = -w3" },
	{ { I(0x97, 1, 0, 0, 7) }, "(97) r1 %= 7" },
	{ { I(0xaf, 1, 8, 0, 0) }, "(af) r1 ^= r8" },
	{ { I(0xbc, 2, 2, 0, 0) }, "(bc) w2 = w2" },
	{ { I(0xc7, 1, 0, 0, 56) }, "(c7) r1 s>>= 56" },
	{ { I(0xcc, 1, 2, 0, 0) }, "(cc) w1 s>>= w2" },
	/* v4: signed division and modulo (off 1), sign-extending moves (off 8/16/32) */
	{ { I(0x3f, 0, 5, 1, 0) }, "(3f) r0 s/= r5" },
	{ { I(0x3c, 3, 1, 1, 0) }, "(3c) w3 s/= w1" },
	{ { I(0x37, 1, 0, 1, -2) }, "(37) r1 s/= -2" },
	{ { I(0x9f, 1, 2, 1, 0) }, "(9f) r1 s%= r2" },
	{ { I(0x94, 1, 0, 1, 3) }, "(94) w1 s%= 3" },
	{ { I(0xbf, 5, 3, 8, 0) }, "(bf) r5 = (s8)r3" },
	{ { I(0xbf, 2, 3, 16, 0) }, "(bf) r2 = (s16)r3" },
	{ { I(0xbf, 5, 3, 32, 0) }, "(bf) r5 = (s32)r3" },
	{ { I(0xbc, 1, 2, 8, 0) }, "(bc) w1 = (s8)w2" },
	{ { I(0xbc, 1, 2, 16, 0) }, "(bc) w1 = (s16)w2" },
	/* byte swaps: ALU END to_le/to_be, ALU64 END = bswap */
	{ { I(0xdc, 1, 0, 0, 16) }, "(dc) r1 = be16 r1" },
	{ { I(0xd4, 1, 0, 0, 32) }, "(d4) r1 = le32 r1" },
	{ { I(0xdc, 3, 0, 0, 64) }, "(dc) r3 = be64 r3" },
	{ { I(0xd7, 0, 0, 0, 64) }, "(d7) r0 = bswap64 r0" },
	{ { I(0xd7, 1, 0, 0, 32) }, "(d7) r1 = bswap32 r1" },
	{ { I(0xd7, 2, 0, 0, 16) }, "(d7) r2 = bswap16 r2" },
	/* kernel-internal movs */
	{ { I(0xbf, 0, 0, -1, 0) }, "(bf) r0 = &(void __percpu *)(r0)" },
	{ { I(0xbf, 1, 2, 1, 1) }, "(bf) r1 = addr_space_cast(r2, 0, 1)" },
	/* loads and stores */
	{ { I(0x61, 0, 2, 0, 0) }, "(61) r0 = *(u32 *)(r2 +0)" },
	{ { I(0x79, 2, 1, 8, 0) }, "(79) r2 = *(u64 *)(r1 +8)" },
	{ { I(0x71, 1, 1, 12, 0) }, "(71) r1 = *(u8 *)(r1 +12)" },
	{ { I(0x69, 0, 1, 176, 0) }, "(69) r0 = *(u16 *)(r1 +176)" },
	{ { I(0x91, 1, 10, -1, 0) }, "(91) r1 = *(s8 *)(r10 -1)" },
	{ { I(0x89, 3, 10, -4, 0) }, "(89) r3 = *(s16 *)(r10 -4)" },
	{ { I(0x81, 3, 1, 0, 0) }, "(81) r3 = *(s32 *)(r1 +0)" },
	{ { I(0x63, 10, 1, -4, 0) }, "(63) *(u32 *)(r10 -4) = r1" },
	{ { I(0x7b, 10, 2, -8, 0) }, "(7b) *(u64 *)(r10 -8) = r2" },
	{ { I(0x72, 10, 0, -1, 253) }, "(72) *(u8 *)(r10 -1) = 253" },
	{ { I(0x62, 10, 0, -8, -70000) }, "(62) *(u32 *)(r10 -8) = -70000" },
	{ { I(0x7a, 10, 0, -48, 65535) }, "(7a) *(u64 *)(r10 -48) = 65535" },
	{ { I(0xc2, 0, 0, 0, 0) }, "(c2) nospec" },
	/* atomics */
	{ { I(0xdb, 0, 1, 0, BPF_ADD) }, "(db) lock *(u64 *)(r0 +0) += r1" },
	{ { I(0xc3, 2, 4, 0, BPF_ADD) }, "(c3) lock *(u32 *)(r2 +0) += r4" },
	{ { I(0xdb, 2, 3, 0, BPF_OR) }, "(db) lock *(u64 *)(r2 +0) |= r3" },
	{ { I(0xdb, 2, 3, 0, BPF_AND) }, "(db) lock *(u64 *)(r2 +0) &= r3" },
	{ { I(0xdb, 2, 3, 0, BPF_XOR) }, "(db) lock *(u64 *)(r2 +0) ^= r3" },
	{ { I(0xdb, 2, 3, 0, BPF_ADD | BPF_FETCH) }, "(db) r3 = atomic64_fetch_add((u64 *)(r2 +0), r3)" },
	{ { I(0xc3, 2, 1, 0, BPF_ADD | BPF_FETCH) }, "(c3) r1 = atomic_fetch_add((u32 *)(r2 +0), r1)" },
	{ { I(0xdb, 2, 6, 0, BPF_XOR | BPF_FETCH) }, "(db) r6 = atomic64_fetch_xor((u64 *)(r2 +0), r6)" },
	{ { I(0xdb, 2, 6, 0, BPF_OR | BPF_FETCH) }, "(db) r6 = atomic64_fetch_or((u64 *)(r2 +0), r6)" },
	{ { I(0xdb, 2, 6, 0, BPF_AND | BPF_FETCH) }, "(db) r6 = atomic64_fetch_and((u64 *)(r2 +0), r6)" },
	{ { I(0xdb, 2, 1, 0, BPF_XCHG) }, "(db) r1 = atomic64_xchg((u64 *)(r2 +0), r1)" },
	{ { I(0xdb, 2, 3, 0, BPF_CMPXCHG) }, "(db) r0 = atomic64_cmpxchg((u64 *)(r2 +0), r0, r3)" },
	{ { I(0xc3, 2, 3, -4, BPF_CMPXCHG) }, "(c3) r0 = atomic_cmpxchg((u32 *)(r2 -4), r0, r3)" },
	{ { I(0xdb, 1, 10, -8, 0x100) }, "(db) r1 = load_acquire((u64 *)(r10 -8))" },
	{ { I(0xd3, 1, 2, 0, 0x100) }, "(d3) r1 = load_acquire((u8 *)(r2 +0))" },
	{ { I(0xdb, 10, 1, -8, 0x110) }, "(db) store_release((u64 *)(r10 -8), r1)" },
	/* legacy packet access */
	{ { I(0x30, 0, 0, 0, 12) }, "(30) r0 = *(u8 *)skb[12]" },
	{ { I(0x28, 0, 0, 0, 14) }, "(28) r0 = *(u16 *)skb[14]" },
	{ { I(0x40, 0, 7, 0, 2) }, "(40) r0 = *(u32 *)skb[r7 + 2]" },
	/* 64-bit immediates */
	{ { I(0x18, 1, 0, 0, 0x5678), I(0, 0, 0, 0, 0x1234) }, "(18) r1 = 0x123400005678" },
	{ { I(0x18, 1, 1, 0, 147), I(0, 0, 0, 0, 0) }, "(18) r1 = map[id:147]" },
	{ { I(0x18, 1, 2, 0, 147), I(0, 0, 0, 0, 16) }, "(18) r1 = map[id:147][0]+16" },
	{ { I(0x18, 2, 4, 0, 103), I(0, 0, 0, 0, 0) }, "(18) r2 = subprog[+103]" },
	{ { I(0x18, 3, 6, 0, 2), I(0, 0, 0, 0, 8) }, "(18) r3 = map[idx:2]+8" },
	{ { I(0x18, 0, 3, 0, -1), I(0, 0, 0, 0, -1) }, "(18) r0 = 0xffffffffffffffff" },
	/* jumps */
	{ { I(0x05, 0, 0, 1, 0) }, "(05) goto pc+1" },
	{ { I(0x05, 0, 0, -6, 0) }, "(05) goto pc-6" },
	{ { I(0x06, 0, 0, 0, 70000) }, "(06) gotol pc+70000" },
	{ { I(0x06, 0, 0, 0, -2) }, "(06) gotol pc-2" },
	{ { I(0xe5, 0, 0, 3, 0) }, "(e5) may_goto pc+3" },
	{ { I(0x0d, 3, 0, 0, 0) }, "(0d) gotox r3" },
	{ { I(0x95, 0, 0, 0, 0) }, "(95) exit" },
	{ { I(0x15, 0, 0, 3, 0) }, "(15) if r0 == 0x0 goto pc+3" },
	{ { I(0x35, 0, 0, 3, 1) }, "(35) if r0 >= 0x1 goto pc+3" },
	{ { I(0x2d, 3, 2, 4, 0) }, "(2d) if r3 > r2 goto pc+4" },
	{ { I(0x55, 1, 0, -4, 100) }, "(55) if r1 != 0x64 goto pc-4" },
	{ { I(0x45, 1, 0, 2, 8) }, "(45) if r1 & 0x8 goto pc+2" },
	{ { I(0x65, 1, 0, 2, -1) }, "(65) if r1 s> 0xffffffff goto pc+2" },
	{ { I(0x75, 1, 0, 2, 0) }, "(75) if r1 s>= 0x0 goto pc+2" },
	{ { I(0xa5, 1, 0, 2, 5) }, "(a5) if r1 < 0x5 goto pc+2" },
	{ { I(0xbd, 1, 2, 2, 0) }, "(bd) if r1 <= r2 goto pc+2" },
	{ { I(0xcd, 1, 2, 2, 0) }, "(cd) if r1 s< r2 goto pc+2" },
	{ { I(0xd5, 1, 0, 2, 0) }, "(d5) if r1 s<= 0x0 goto pc+2" },
	{ { I(0xa6, 8, 0, 7, 0x65) }, "(a6) if w8 < 0x65 goto pc+7" },
	{ { I(0x16, 8, 0, 6, 1000) }, "(16) if w8 == 0x3e8 goto pc+6" },
	{ { I(0x66, 8, 0, 2, -6) }, "(66) if w8 s> 0xfffffffa goto pc+2" },
	{ { I(0x2e, 1, 2, 3, 0) }, "(2e) if w1 > w2 goto pc+3" },
	{ { I(0x56, 0, 0, 14, 0) }, "(56) if w0 != 0x0 goto pc+14" },
	/* helper ids (no symbols: the id table names them), tail calls after dump fixup */
	{ { I(0x85, 0, 0, 0, 1) }, "(85) call bpf_map_lookup_elem#1" },
	{ { I(0x85, 0, 0, 0, 12) }, "(85) call bpf_tail_call#12" },
	{ { I(0x85, 0, 0, 0, 0) }, "(85) call bpf_unspec#0" },
	/* undefined encodings */
	{ { I(0xe7, 1, 0, 0, 0) }, "(e7) (bad)" },
	{ { I(0xf4, 1, 0, 0, 0) }, "(f4) (bad)" },
	{ { I(0x99, 1, 2, 0, 0) }, "(99) (bad)" },
	{ { I(0x9d, 0, 0, 0, 0) }, "(9d) (bad)" },
	{ { I(0xf5, 0, 0, 0, 0) }, "(f5) (bad)" },
	{ { I(0xe5, 0, 1, 0, 0) }, "(e5) (bad)" },
	{ { I(0x0e, 0, 0, 0, 0) }, "(0e) (bad)" },
	{ { I(0xdb, 1, 2, 0, 0x42) }, "(db) (bad)" },
	{ { I(0x9b, 1, 2, 0, 0) }, "(9b) (bad)" },
	{ { I(0x92, 1, 0, 0, 0) }, "(92) (bad)" },
	{ { I(0x99, 1, 2, 0, 0) }, "(99) (bad)" },
	{ { I(0x00, 0, 0, 0, 0) }, "(00) (bad)" },
	{ { I(0x60, 0, 0, 0, 0) }, "(60) (bad)" },
};

static void check_one(const struct tc *t)
{
	struct prog_code pc = { 0 };
	char buf[256];
	int n, want_n = t->in[0].code == 0x18 ? 2 : 1;

	pc.insns = t->in;
	pc.nr_insns = want_n;
	n = xlated_insn_text(&pc, 0, buf, sizeof(buf));
	CHECK(n == want_n && !strcmp(buf, t->want), "code 0x%02x: got %d '%s', want %d '%s'",
	      t->in[0].code, n, buf, want_n, t->want);
}

/* Calls named as bpftool names them: helpers and kfuncs by the kernel symbol at
 * __bpf_call_base + imm, subprograms by their kallsyms name, unknown ones by address. */
static void check_calls(void)
{
	static const char syms[] =
		"ffffffff81000000 T __bpf_call_base\n"
		"ffffffff81005b90 T bpf_user_rnd_u32\n"
		"ffffffff81000100 t __htab_map_lookup_elem\n"
		"ffffffff81a16e70 T bpf_dynptr_from_skb\n";
	struct bpf_insn in[] = {
		I(0x85, 0, 0, 0, 0x5b90),		/* helper through kallsyms */
		I(0x85, 0, 0, 0, 0x100),
		I(0x85, 0, 2, 0, 0xa16e70),		/* kfunc */
		I(0x85, 0, 0, 0, 0x7777),		/* nothing there */
		I(0x85, 0, 1, 8, 1),			/* bpf-to-bpf: off = pc delta, imm = subprog */
		I(0x85, 0, 1, -3, 5),			/* subprog index beyond jited_ksyms */
		I(0x85, 0, 0, 0, 1),			/* helper id: the table wins */
	};
	static const char *want[] = {
		"(85) call bpf_user_rnd_u32#23440",
		"(85) call __htab_map_lookup_elem#256",
		"(85) call bpf_dynptr_from_skb#10579568",
		"(85) call 0xffffffff81007777#30583",
		"(85) call pc+8#bpf_prog_0102030405060708",
		"(85) call pc-3#0xffffffff81000005",
		"(85) call bpf_map_lookup_elem#1",
	};
	uint64_t ksyms[2] = { 0xffffffffc0000000ull, 0xffffffffc0001000ull };
	uint8_t tags[16] = { 9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct prog_code pc = { 0 };
	struct err e = { 0 };
	char buf[256];

	pc.insns = in;
	pc.nr_insns = sizeof(in) / sizeof(in[0]);
	pc.jited_ksyms = ksyms;
	pc.nr_jited_ksyms = 2;
	pc.prog_tags = tags;
	pc.nr_prog_tags = 2;
	CHECK(!ksyms_parse(syms, sizeof(syms) - 1, &pc.ksyms, &e), "ksyms_parse: %s", e.msg);
	for (uint32_t i = 0; i < pc.nr_insns; i++) {
		xlated_insn_text(&pc, i, buf, sizeof(buf));
		/* subprog 1 has no func_info here: its kallsyms name has no function name */
		CHECK(!strcmp(buf, want[i]), "call %u: got '%s', want '%s'", i, buf, want[i]);
	}
	/* interpreted programs (no jited ksyms): bpftool prints the offset alone */
	pc.nr_jited_ksyms = 0;
	xlated_insn_text(&pc, 4, buf, sizeof(buf));
	CHECK(!strcmp(buf, "(85) call pc+8"), "interpreted call: got '%s'", buf);
	ksyms_free(&pc.ksyms);
}

/* Hostile shapes: a 64-bit immediate in the last slot, indexes out of range, tiny buffers,
 * func_info pointing past the end: no crash, "(bad)" and warnings. */
static void check_hostile(void)
{
	struct bpf_insn in[] = { I(0xb7, 0, 0, 0, 0), I(0x18, 1, 1, 0, 3) };
	uint32_t finfo[4] = { 0, 1, 99, 2 };	/* insn_off, type_id; second one out of range */
	struct prog_code pc = { 0 };
	struct dump d = { 0 };
	struct err e = { 0 };
	char buf[8];
	bool warned = false, bad = false;

	pc.insns = in;
	pc.nr_insns = 2;
	CHECK(xlated_insn_text(&pc, 1, buf, sizeof(buf)) == 1, "truncated ld_imm64 spans 1 slot");
	CHECK(xlated_insn_text(&pc, 2, buf, sizeof(buf)) == 0, "idx past the end");
	CHECK(xlated_insn_text(&pc, 0, buf, 3) == 1 && strlen(buf) == 2, "tiny buffer truncates");
	pc.func_info = (const uint8_t *)finfo;
	pc.nr_func_info = 2;
	pc.func_info_rec_size = 8;
	pc.xlated_tail = 3;
	CHECK(!xlated_dump(&pc, DUMP_OPCODES | DUMP_LINUM, &d, &e), "dump: %s", e.msg);
	for (size_t i = 0; i < d.n; i++) {
		warned |= d.lines[i].kind == DL_WARN;
		bad |= d.lines[i].kind == DL_INSN && strstr(d.lines[i].text, "(bad)");
	}
	CHECK(warned && bad, "hostile dump warns (%d) and prints (bad) (%d)", warned, bad);
	dump_free(&d);
}

static void check_helper_table(void)
{
	struct helper_names h = { 0 };

	CHECK(!strcmp(helper_name(NULL, 1), "bpf_map_lookup_elem"), "builtin id 1");
	CHECK(!strcmp(helper_name(NULL, 6), "bpf_trace_printk"), "builtin id 6");
	CHECK(helper_name(NULL, -1) == NULL && helper_name(NULL, 100000) == NULL, "out of range");
	/* the kernel's enum, when this machine has one */
	if (!helper_names_load(NULL, 0, true, &h, &(struct err){ 0 })) {
		CHECK(h.n >= 200, "vmlinux enum bpf_func_id has %u ids", h.n);
		CHECK(h.names[1] && !strcmp(h.names[1], "bpf_map_lookup_elem"), "btf id 1");
		for (uint32_t i = 0; i < h.n; i++)
			if (helper_name(NULL, i) && h.names[i])
				CHECK(!strcmp(helper_name(NULL, i), h.names[i]),
				      "id %u: header says %s, kernel says %s", i,
				      helper_name(NULL, i), h.names[i]);
		helper_names_free(&h);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_one(&cases[i]);
	check_calls();
	check_hostile();
	check_helper_table();
	if (failed) {
		printf("%d check(s) failed\n", failed);
		return 1;
	}
	printf("xlated: %zu encodings ok\n", sizeof(cases) / sizeof(cases[0]));
	return 0;
}
