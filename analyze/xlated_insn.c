/* One BPF instruction as text, in the kernel verifier's notation (kernel/bpf/disasm.c) with
 * bpftool's naming of calls and 64-bit immediates (maps by id, helpers and kfuncs by kernel
 * symbol, subprograms by their kallsyms name). Input is untrusted: every index is checked. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include "analyze/xlated.h"
#include "analyze/xlated_int.h"

/* Encodings newer than the uapi header this may be built with (6.1). */
#ifndef BPF_MEMSX
#define BPF_MEMSX	0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND	0xe0
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ	0x100
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL	0x110
#endif
#define XL_MAY_GOTO		0	/* src_reg of BPF_JCOND */
#define XL_ADDR_SPACE_CAST	1	/* off of a 64-bit reg mov */
#define XL_ADDR_PERCPU		(-1)	/* kernel-internal: off of a 64-bit reg mov */
#define XL_NOSPEC		0xc0	/* kernel-internal: mode of BPF_ST */
#define XL_PSEUDO_MAP_FD	1
#define XL_PSEUDO_MAP_VALUE	2
#define XL_PSEUDO_FUNC		4
#define XL_PSEUDO_MAP_IDX_VALUE	6
#define XL_PSEUDO_CALL		1

static const char *const alu_op[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
	"neg", "%=", "^=", "=", "s>>=", "endian", NULL, NULL,
};
static const char *const jmp_op[16] = {
	"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=",
	"call", "exit", "<", "<=", "s<", "s<=", NULL, NULL,
};
/* BPF_SIZE >> 3: W, H, B, DW */
static const char *const size_u[4] = { "u32", "u16", "u8", "u64" };
static const char *const size_s[4] = { "s32", "s16", "s8", NULL };
static const char *const atomic_op[16] = {
	[BPF_ADD >> 4] = "add", [BPF_AND >> 4] = "and", [BPF_OR >> 4] = "or",
	[BPF_XOR >> 4] = "xor",
};

void xl_env_init(struct xl_env *x, const struct prog_code *pc)
{
	memset(x, 0, sizeof(*x));
	x->pc = pc;
	x->helpers = pc->helpers;
}

/* bpftool reads __bpf_call_base from kallsyms; helper and kfunc immediates are relative
 * to it. Looked up on first use: dumps without calls never pay for the scan. */
static uint64_t call_base(struct xl_env *x)
{
	if (!x->call_base_done) {
		x->call_base = ksyms_addr(&x->pc->ksyms, "__bpf_call_base");
		x->call_base_done = true;
	}
	return x->call_base;
}

static const char *ksym_at(struct xl_env *x, uint64_t addr)
{
	const struct ksym *s;

	/* bpftool drops every symbol when __bpf_call_base reads 0 (kptr_restrict) */
	if (!call_base(x))
		return NULL;
	s = ksyms_find(&x->pc->ksyms, addr);
	return s ? s->name : NULL;
}

/* bpftool's print_call: the text after "call " (helpers, kfuncs) or after "call pc"
 * (bpf-to-bpf calls, where off is the relative target and imm the subprogram index). */
static void call_target(struct xl_env *x, const struct bpf_insn *in, char *out, size_t len)
{
	const struct prog_code *pc = x->pc;
	uint64_t addr = call_base(x) + (int64_t)in->imm;
	const char *name;

	if (in->src_reg != XL_PSEUDO_CALL) {
		name = in->src_reg ? NULL : helper_name(x->helpers, in->imm);
		if (!name)
			name = ksym_at(x, addr);
		if (name)
			snprintf(out, len, "%s", name);
		else
			snprintf(out, len, "0x%" PRIx64, addr);
		return;
	}
	if (!pc->nr_jited_ksyms) {	/* interpreted: bpftool shows no address */
		snprintf(out, len, "%+d", in->off);
		return;
	}
	if ((uint32_t)in->imm < pc->nr_jited_ksyms && pc->jited_ksyms) {
		char sym[128];

		addr = pc->jited_ksyms[(uint32_t)in->imm];
		/* zeroed addresses (a capture without raw dump rights) name nothing */
		name = addr ? prog_code_func_ksym(pc, (uint32_t)in->imm, sym, sizeof(sym)) : NULL;
		if (name) {
			snprintf(out, len, "%+d#%s", in->off, name);
			return;
		}
	} else if ((name = ksym_at(x, addr))) {
		snprintf(out, len, "%+d#%s", in->off, name);
		return;
	}
	snprintf(out, len, "%+d#0x%" PRIx64, in->off, addr);
}

static int fmt_alu(const struct bpf_insn *in, char *buf, size_t len, const char **bad)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = cls == BPF_ALU ? 'w' : 'r';
	const char *ops = alu_op[op >> 4];

	if (op == BPF_END) {
		if (cls == BPF_ALU64)
			snprintf(buf, len, "(%02x) r%d = bswap%d r%d", in->code, in->dst_reg,
				 in->imm, in->dst_reg);
		else
			snprintf(buf, len, "(%02x) r%d = %s%d r%d", in->code, in->dst_reg,
				 BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le", in->imm,
				 in->dst_reg);
		return 1;
	}
	if (!ops) {
		*bad = "unknown ALU operation";
		snprintf(buf, len, "(%02x) (bad)", in->code);
		return 1;
	}
	if (op == BPF_NEG) {
		snprintf(buf, len, "(%02x) %c%d = -%c%d", in->code, r, in->dst_reg, r, in->dst_reg);
		return 1;
	}
	if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == XL_ADDR_SPACE_CAST) {
		snprintf(buf, len, "(%02x) r%d = addr_space_cast(r%d, %u, %u)", in->code,
			 in->dst_reg, in->src_reg, (uint32_t)in->imm >> 16, (uint16_t)in->imm);
		return 1;
	}
	if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == XL_ADDR_PERCPU) {
		snprintf(buf, len, "(%02x) r%d = &(void __percpu *)(r%d)", in->code, in->dst_reg,
			 in->src_reg);
		return 1;
	}
	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)	/* sdiv, smod */
		ops = op == BPF_DIV ? "s/=" : "s%=";
	if (BPF_SRC(in->code) == BPF_X) {
		const char *sx = "";

		if (op == BPF_MOV && in->off == 8)
			sx = "(s8)";
		else if (op == BPF_MOV && in->off == 16)
			sx = "(s16)";
		else if (op == BPF_MOV && in->off == 32)
			sx = "(s32)";
		snprintf(buf, len, "(%02x) %c%d %s %s%c%d", in->code, r, in->dst_reg, ops, sx, r,
			 in->src_reg);
	} else {
		snprintf(buf, len, "(%02x) %c%d %s %d", in->code, r, in->dst_reg, ops, in->imm);
	}
	return 1;
}

static int fmt_stx(const struct bpf_insn *in, char *buf, size_t len, const char **bad)
{
	const char *sz = size_u[BPF_SIZE(in->code) >> 3];
	const char *w = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	int32_t imm = in->imm;

	if (BPF_MODE(in->code) == BPF_MEM) {
		snprintf(buf, len, "(%02x) *(%s *)(r%d %+d) = r%d", in->code, sz, in->dst_reg,
			 in->off, in->src_reg);
		return 1;
	}
	if (BPF_MODE(in->code) != BPF_ATOMIC) {
		*bad = "unknown store mode";
	} else if (imm == BPF_ADD || imm == BPF_AND || imm == BPF_OR || imm == BPF_XOR) {
		snprintf(buf, len, "(%02x) lock *(%s *)(r%d %+d) %s r%d", in->code, sz,
			 in->dst_reg, in->off, alu_op[imm >> 4], in->src_reg);
		return 1;
	} else if (imm == (BPF_ADD | BPF_FETCH) || imm == (BPF_AND | BPF_FETCH) ||
		   imm == (BPF_OR | BPF_FETCH) || imm == (BPF_XOR | BPF_FETCH)) {
		snprintf(buf, len, "(%02x) r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)",
			 in->code, in->src_reg, w, atomic_op[(imm & 0xf0) >> 4], sz, in->dst_reg,
			 in->off, in->src_reg);
		return 1;
	} else if (imm == BPF_CMPXCHG) {
		snprintf(buf, len, "(%02x) r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)",
			 in->code, w, sz, in->dst_reg, in->off, in->src_reg);
		return 1;
	} else if (imm == BPF_XCHG) {
		snprintf(buf, len, "(%02x) r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", in->code,
			 in->src_reg, w, sz, in->dst_reg, in->off, in->src_reg);
		return 1;
	} else if (imm == BPF_LOAD_ACQ) {
		snprintf(buf, len, "(%02x) r%d = load_acquire((%s *)(r%d %+d))", in->code,
			 in->dst_reg, sz, in->src_reg, in->off);
		return 1;
	} else if (imm == BPF_STORE_REL) {
		snprintf(buf, len, "(%02x) store_release((%s *)(r%d %+d), r%d)", in->code, sz,
			 in->dst_reg, in->off, in->src_reg);
		return 1;
	} else {
		*bad = "unknown atomic operation";
	}
	snprintf(buf, len, "(%02x) (bad)", in->code);
	return 1;
}

static void fmt_imm64(struct xl_env *x, const struct bpf_insn *in, char *out, size_t len)
{
	uint64_t imm = ((uint64_t)(uint32_t)in[1].imm << 32) | (uint32_t)in[0].imm;

	(void)x;
	switch (in->src_reg) {
	case XL_PSEUDO_MAP_FD:
		snprintf(out, len, "map[id:%d]", in->imm);
		break;
	case XL_PSEUDO_MAP_VALUE:
		snprintf(out, len, "map[id:%d][0]+%d", in->imm, in[1].imm);
		break;
	case XL_PSEUDO_MAP_IDX_VALUE:
		snprintf(out, len, "map[idx:%d]+%d", in->imm, in[1].imm);
		break;
	case XL_PSEUDO_FUNC:
		snprintf(out, len, "subprog[%+d]", in->imm);
		break;
	default:
		snprintf(out, len, "0x%" PRIx64, imm);
	}
}

static int fmt_ld(struct xl_env *x, uint32_t idx, char *buf, size_t len, const char **bad)
{
	const struct bpf_insn *in = &x->pc->insns[idx];
	const char *sz = size_u[BPF_SIZE(in->code) >> 3];
	char tmp[96];

	switch (BPF_MODE(in->code)) {
	case BPF_ABS:
		snprintf(buf, len, "(%02x) r0 = *(%s *)skb[%d]", in->code, sz, in->imm);
		return 1;
	case BPF_IND:
		snprintf(buf, len, "(%02x) r0 = *(%s *)skb[r%d + %d]", in->code, sz, in->src_reg,
			 in->imm);
		return 1;
	case BPF_IMM:
		if (BPF_SIZE(in->code) != BPF_DW)
			break;
		if (idx + 1 >= x->pc->nr_insns) {
			*bad = "64-bit immediate load cut off at the end of the program";
			break;
		}
		fmt_imm64(x, in, tmp, sizeof(tmp));
		snprintf(buf, len, "(%02x) r%d = %s", in->code, in->dst_reg, tmp);
		return 2;
	}
	if (!*bad)
		*bad = "unknown load mode";
	snprintf(buf, len, "(%02x) (bad)", in->code);
	return 1;
}

static int fmt_jmp(struct xl_env *x, const struct bpf_insn *in, char *buf, size_t len,
		   const char **bad)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = cls == BPF_JMP32 ? 'w' : 'r';
	char tmp[160];

	if (op == BPF_CALL) {
		call_target(x, in, tmp, sizeof(tmp));
		if (in->src_reg == XL_PSEUDO_CALL)
			snprintf(buf, len, "(%02x) call pc%s", in->code, tmp);
		else
			snprintf(buf, len, "(%02x) call %s#%d", in->code, tmp, in->imm);
		return 1;
	}
	switch (in->code) {
	case BPF_JMP | BPF_JA:
		snprintf(buf, len, "(%02x) goto pc%+d", in->code, in->off);
		return 1;
	case BPF_JMP | BPF_JA | BPF_X:
		snprintf(buf, len, "(%02x) gotox r%d", in->code, in->dst_reg);
		return 1;
	case BPF_JMP32 | BPF_JA:
		snprintf(buf, len, "(%02x) gotol pc%+d", in->code, in->imm);
		return 1;
	case BPF_JMP | BPF_EXIT:
		snprintf(buf, len, "(%02x) exit", in->code);
		return 1;
	case BPF_JMP | BPF_JCOND:
		if (in->src_reg == XL_MAY_GOTO) {
			snprintf(buf, len, "(%02x) may_goto pc%+d", in->code, in->off);
			return 1;
		}
		break;
	}
	if (op == BPF_JA || op == BPF_EXIT || !jmp_op[op >> 4]) {
		*bad = "unknown jump operation";
		snprintf(buf, len, "(%02x) (bad)", in->code);
		return 1;
	}
	if (BPF_SRC(in->code) == BPF_X)
		snprintf(buf, len, "(%02x) if %c%d %s %c%d goto pc%+d", in->code, r, in->dst_reg,
			 jmp_op[op >> 4], r, in->src_reg, in->off);
	else
		snprintf(buf, len, "(%02x) if %c%d %s 0x%x goto pc%+d", in->code, r, in->dst_reg,
			 jmp_op[op >> 4], (uint32_t)in->imm, in->off);
	return 1;
}

int xl_insn_text(struct xl_env *x, uint32_t idx, char *buf, size_t len, const char **bad)
{
	const struct bpf_insn *in;
	const char *sz;

	*bad = NULL;
	if (!buf || !len)
		return 0;
	buf[0] = 0;
	if (!x->pc->insns || idx >= x->pc->nr_insns)
		return 0;
	in = &x->pc->insns[idx];
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return fmt_alu(in, buf, len, bad);
	case BPF_STX:
		return fmt_stx(in, buf, len, bad);
	case BPF_ST:
		if (BPF_MODE(in->code) == BPF_MEM) {
			snprintf(buf, len, "(%02x) *(%s *)(r%d %+d) = %d", in->code,
				 size_u[BPF_SIZE(in->code) >> 3], in->dst_reg, in->off, in->imm);
			return 1;
		}
		if (BPF_MODE(in->code) == XL_NOSPEC) {
			snprintf(buf, len, "(%02x) nospec", in->code);
			return 1;
		}
		*bad = "unknown store mode";
		break;
	case BPF_LDX:
		if (BPF_MODE(in->code) == BPF_MEM)
			sz = size_u[BPF_SIZE(in->code) >> 3];
		else if (BPF_MODE(in->code) == BPF_MEMSX)
			sz = size_s[BPF_SIZE(in->code) >> 3];
		else
			sz = NULL;
		if (sz) {
			snprintf(buf, len, "(%02x) r%d = *(%s *)(r%d %+d)", in->code, in->dst_reg, sz,
				 in->src_reg, in->off);
			return 1;
		}
		*bad = "unknown load mode";
		break;
	case BPF_LD:
		return fmt_ld(x, idx, buf, len, bad);
	default:	/* BPF_JMP, BPF_JMP32 */
		return fmt_jmp(x, in, buf, len, bad);
	}
	snprintf(buf, len, "(%02x) (bad)", in->code);
	return 1;
}

int xlated_insn_text(const struct prog_code *pc, uint32_t idx, char *buf, size_t len)
{
	struct xl_env x;
	const char *bad;

	xl_env_init(&x, pc);
	return xl_insn_text(&x, idx, buf, len, &bad);
}

int xlated_call_offsets(const void *xlated, size_t len, struct buf *out)
{
	for (size_t off = 0; off + sizeof(struct bpf_insn) <= len; off += sizeof(struct bpf_insn)) {
		struct bpf_insn in;
		int32_t imm;

		memcpy(&in, (const uint8_t *)xlated + off, sizeof(in));	/* (unaligned) */
		if (in.code != (BPF_JMP | BPF_CALL) || in.src_reg == XL_PSEUDO_CALL)
			continue;
		imm = in.imm;
		if (buf_append(out, &imm, sizeof(imm)))
			return -ENOMEM;
	}
	return 0;
}
