/* Classic BPF decoded from untrusted bytes (a snapshot's filter blob): each instruction is
 * read with memcpy from inside [0, len) only, and every operand is printed, never followed. */
#include <stdio.h>
#include <string.h>
#include <linux/filter.h>
#include "analyze/cbpf.h"
#include "lib/util.h"

size_t cbpf_nr_insns(size_t len)
{
	return len / CBPF_INSN_SIZE;
}

bool cbpf_insn_get(const void *bytes, size_t len, size_t i, struct cbpf_insn *out)
{
	const uint8_t *p = bytes;

	if (!bytes || i >= cbpf_nr_insns(len))
		return false;
	p += i * CBPF_INSN_SIZE;
	memcpy(&out->code, p, 2);
	out->jt = p[2];
	out->jf = p[3];
	memcpy(&out->k, p + 4, 4);
	return true;
}

/* Linux's ancillary loads (SKF_AD_OFF + n), by bpf_asm's names */
static const char *ancillary_name(uint32_t k)
{
	static const char *const names[] = {
		[SKF_AD_PROTOCOL / 4] = "proto", [SKF_AD_PKTTYPE / 4] = "type",
		[SKF_AD_IFINDEX / 4] = "ifidx", [SKF_AD_NLATTR / 4] = "nla",
		[SKF_AD_NLATTR_NEST / 4] = "nlan", [SKF_AD_MARK / 4] = "mark",
		[SKF_AD_QUEUE / 4] = "queue", [SKF_AD_HATYPE / 4] = "hatype",
		[SKF_AD_RXHASH / 4] = "rxhash", [SKF_AD_CPU / 4] = "cpu",
		[SKF_AD_ALU_XOR_X / 4] = "xor_x", [SKF_AD_VLAN_TAG / 4] = "vlan_tci",
		[SKF_AD_VLAN_TAG_PRESENT / 4] = "vlan_avail", [SKF_AD_PAY_OFFSET / 4] = "poff",
		[SKF_AD_RANDOM / 4] = "rand", [SKF_AD_VLAN_TPID / 4] = "vlan_tpid",
	};
	/* (64 bits: k near INT32_MAX minus SKF_AD_OFF, which is negative, overflows 32) */
	int64_t off = (int64_t)(int32_t)k - SKF_AD_OFF;

	if ((int32_t)k < SKF_AD_OFF || off >= SKF_AD_MAX || off % 4 || off / 4 >= (int64_t)ARRAY_SIZE(names))
		return NULL;
	return names[off / 4];
}

/* The operand of an absolute load: "[12]", "#proto", "[net + 9]", "[ll + 0]" */
static void abs_operand(uint32_t k, char *op, size_t size)
{
	int32_t s = (int32_t)k;
	const char *anc = ancillary_name(k);

	if (anc)
		snprintf(op, size, "#%s", anc);
	else if (s >= SKF_LL_OFF && s < SKF_NET_OFF)
		snprintf(op, size, "[ll + %d]", s - SKF_LL_OFF);
	else if (s >= SKF_NET_OFF && s < SKF_AD_OFF)
		snprintf(op, size, "[net + %d]", s - SKF_NET_OFF);
	else
		snprintf(op, size, "[%d]", s);
}

static const char *load_name(uint16_t code, bool x)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return x ? "ldx" : "ld";
	case BPF_H: return x ? "ldxh" : "ldh";
	case BPF_B: return x ? "ldxb" : "ldb";
	default: return NULL;
	}
}

/* Loads into A or X; NULL name: not an instruction of classic BPF */
static const char *decode_load(const struct cbpf_insn *in, char *op, size_t size)
{
	bool x = BPF_CLASS(in->code) == BPF_LDX;
	const char *name = load_name(in->code, x);

	if (!name)
		return NULL;
	switch (BPF_MODE(in->code)) {
	case BPF_IMM:
		snprintf(op, size, "#0x%x", in->k);
		return BPF_SIZE(in->code) == BPF_W ? name : NULL;
	case BPF_MEM:
		snprintf(op, size, "M[%d]", (int32_t)in->k);
		return BPF_SIZE(in->code) == BPF_W ? name : NULL;
	case BPF_LEN:
		snprintf(op, size, "#pktlen");
		return BPF_SIZE(in->code) == BPF_W ? name : NULL;
	case BPF_ABS:
		abs_operand(in->k, op, size);
		return x ? NULL : name;
	case BPF_IND:
		snprintf(op, size, "[x + %d]", (int32_t)in->k);
		return x ? NULL : name;
	case BPF_MSH:
		snprintf(op, size, "4*([%d]&0xf)", (int32_t)in->k);
		return x && BPF_SIZE(in->code) == BPF_B ? name : NULL;
	default:
		return NULL;
	}
}

static const char *decode_alu(const struct cbpf_insn *in, char *op, size_t size)
{
	static const struct { uint8_t op; const char *name; bool hex; } ops[] = {
		{ BPF_ADD, "add", false }, { BPF_SUB, "sub", false }, { BPF_MUL, "mul", false },
		{ BPF_DIV, "div", false }, { BPF_MOD, "mod", false }, { BPF_LSH, "lsh", false },
		{ BPF_RSH, "rsh", false }, { BPF_AND, "and", true }, { BPF_OR, "or", true },
		{ BPF_XOR, "xor", true },
	};

	if (BPF_OP(in->code) == BPF_NEG)
		return BPF_SRC(in->code) == BPF_K ? "neg" : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (ops[i].op != BPF_OP(in->code))
			continue;
		if (BPF_SRC(in->code) == BPF_X)
			snprintf(op, size, "x");
		else if (ops[i].hex)
			snprintf(op, size, "#0x%x", in->k);
		else
			snprintf(op, size, "#%d", (int32_t)in->k);
		return ops[i].name;
	}
	return NULL;
}

static const char *decode_jmp(const struct cbpf_insn *in, size_t i, char *op, size_t size)
{
	static const struct { uint8_t op; const char *name; } ops[] = {
		{ BPF_JEQ, "jeq" }, { BPF_JGT, "jgt" }, { BPF_JGE, "jge" }, { BPF_JSET, "jset" },
	};

	if (BPF_OP(in->code) == BPF_JA) {
		/* 64-bit: a hostile k must not wrap the target */
		snprintf(op, size, "%llu", (unsigned long long)i + 1 + in->k);
		return BPF_SRC(in->code) == BPF_K ? "ja" : NULL;
	}
	for (size_t j = 0; j < ARRAY_SIZE(ops); j++) {
		if (ops[j].op != BPF_OP(in->code))
			continue;
		if (BPF_SRC(in->code) == BPF_X)
			snprintf(op, size, "x");
		else
			snprintf(op, size, "#0x%x", in->k);
		return ops[j].name;
	}
	return NULL;
}

/* The mnemonic of in (NULL: no such instruction) and its operand into op. */
static const char *decode(const struct cbpf_insn *in, size_t i, char *op, size_t size)
{
	op[0] = 0;
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
	case BPF_LDX:
		return decode_load(in, op, size);
	case BPF_ST:
	case BPF_STX:
		snprintf(op, size, "M[%d]", (int32_t)in->k);
		return in->code == BPF_ST ? "st" : in->code == BPF_STX ? "stx" : NULL;
	case BPF_ALU:
		return decode_alu(in, op, size);
	case BPF_JMP:
		return decode_jmp(in, i, op, size);
	case BPF_RET:
		if (BPF_RVAL(in->code) == BPF_K) {
			snprintf(op, size, "#%d", (int32_t)in->k);
			return in->code == (BPF_RET | BPF_K) ? "ret" : NULL;
		}
		snprintf(op, size, BPF_RVAL(in->code) == BPF_A ? "a" : "x");
		return in->code == (BPF_RET | BPF_A) || in->code == (BPF_RET | BPF_X) ? "ret" : NULL;
	case BPF_MISC:
		return in->code == (BPF_MISC | BPF_TAX) ? "tax" :
		       in->code == (BPF_MISC | BPF_TXA) ? "txa" : NULL;
	}
	return NULL;
}

static bool cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

int cbpf_insn_text(const void *bytes, size_t len, size_t i, char *buf, size_t size)
{
	struct cbpf_insn in;
	const char *name;
	char op[64];
	int n;

	if (!cbpf_insn_get(bytes, len, i, &in))
		return -1;
	name = decode(&in, i, op, sizeof(op));
	if (!name) {
		name = "unimp";
		snprintf(op, sizeof(op), "0x%x", in.code);
	} else if (cond_jump(in.code)) {
		return snprintf(buf, size, "(%03zu) %-8s %-16s jt %zu\tjf %zu", i, name, op,
				i + 1 + in.jt, i + 1 + in.jf);
	}
	if (*op)
		n = snprintf(buf, size, "(%03zu) %-8s %s", i, name, op);
	else
		n = snprintf(buf, size, "(%03zu) %s", i, name);
	return n;
}

const char *cbpf_ethertype_name(uint16_t proto)
{
	static const struct { uint16_t proto; const char *name; } names[] = {
		{ 0x0003, "all" }, { 0x0800, "ip" }, { 0x0806, "arp" }, { 0x86dd, "ipv6" },
		{ 0x8100, "802.1Q" }, { 0x88a8, "802.1ad" }, { 0x8035, "rarp" }, { 0x8863, "pppoe-d" },
		{ 0x8864, "pppoe-s" }, { 0x88cc, "lldp" }, { 0x888e, "802.1X" }, { 0x0004, "802.2" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].proto == proto)
			return names[i].name;
	return NULL;
}

/* BPFDoor's filter lets through only packets carrying these (UDP 0x7255, TCP 0x5293, ICMP
 * 0x39393939), as its published analyses show: a filter comparing with one is worth a look. */
static const uint32_t backdoor_magic[] = { 0x7255, 0x5293, 0x39393939 };

static void add_const(struct cbpf_summary *s, uint32_t k)
{
	for (size_t i = 0; i < s->nr_consts && i < CBPF_MAX_CONSTS; i++)
		if (s->consts[i] == k)
			return;
	if (s->nr_consts < CBPF_MAX_CONSTS)
		s->consts[s->nr_consts] = k;
	s->nr_consts++;
	for (size_t i = 0; i < ARRAY_SIZE(backdoor_magic) && !s->magic; i++)
		if (k == backdoor_magic[i])
			s->magic = k;
}

void cbpf_summarize(const void *bytes, size_t len, struct cbpf_summary *s)
{
	struct cbpf_insn in;

	memset(s, 0, sizeof(*s));
	s->nr_insns = cbpf_nr_insns(len);
	s->tail = len % CBPF_INSN_SIZE;
	for (size_t i = 0; cbpf_insn_get(bytes, len, i, &in); i++) {
		uint8_t cls = BPF_CLASS(in.code), mode = BPF_MODE(in.code);

		if (cls == BPF_LD && (mode == BPF_ABS || mode == BPF_IND)) {
			if (mode == BPF_ABS && ancillary_name(in.k))
				s->ancillary = true;
			else
				s->loads_packet = true;
		} else if (cls == BPF_LDX && mode == BPF_MSH) {
			s->loads_packet = true;
		} else if (cls == BPF_JMP) {
			uint64_t far = BPF_OP(in.code) == BPF_JA ? (uint64_t)in.k :
				       (in.jt > in.jf ? in.jt : in.jf);

			if (i + 1 + far >= s->nr_insns)
				s->bad_jump = true;
			if (BPF_OP(in.code) != BPF_JA && BPF_SRC(in.code) == BPF_K)
				add_const(s, in.k);
		} else if (cls == BPF_RET) {
			s->nr_ret++;
			if (BPF_RVAL(in.code) == BPF_A) {
				s->ret_a = true;
			} else if (BPF_RVAL(in.code) == BPF_K && in.k) {
				s->nr_ret_accept++;
				if (in.k > s->max_accept)
					s->max_accept = in.k;
			}
		}
	}
}

void cbpf_summary_text(const struct cbpf_summary *s, char *buf, size_t size)
{
	size_t n = 0;

#define PUT(...) do { int w_ = snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__); \
		      if (w_ > 0) n += (size_t)w_; } while (0)
	if (!size)
		return;
	buf[0] = 0;
	PUT("%zu insn%s", s->nr_insns, s->nr_insns == 1 ? "" : "s");
	if (s->tail)
		PUT(" (+%zu stray bytes)", s->tail);
	for (size_t i = 0; i < s->nr_consts && i < CBPF_MAX_CONSTS; i++)
		PUT("%s%#x", i ? ", " : "; compares ", s->consts[i]);
	if (s->nr_consts > CBPF_MAX_CONSTS)
		PUT(", ... (%zu constants)", s->nr_consts);
	if (s->ancillary)
		PUT("; reads packet metadata");
	if (!s->nr_ret_accept && !s->ret_a)
		PUT("; accepts no packet");
	else if (s->nr_insns == 1 && s->nr_ret_accept)
		PUT("; accepts every packet");
	else if (s->nr_ret_accept)
		PUT("; accepts up to %u bytes", s->max_accept);
	if (s->ret_a)
		PUT("; returns a computed length");
	if (s->bad_jump)
		PUT("; jumps past its end");
	if (s->magic)
		PUT("; compares with %#x, a magic value of the BPFDoor backdoor", s->magic);
#undef PUT
	if (n >= size)
		buf[size - 1] = 0;
}
