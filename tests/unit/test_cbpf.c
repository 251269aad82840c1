/* Unit checks of the classic BPF disassembler: tcpdump -d's spelling of every instruction
 * class, Linux's extensions, unknown codes, and no read past the bytes given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include "analyze/cbpf.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static const struct { struct sock_filter in; const char *want; } cases[] = {
	{ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12), "(000) ldh      [12]" },
	{ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 5), "(000) jeq      #0x800           jt 1\tjf 6" },
	{ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0), "(000) jset     #0x1fff          jt 5\tjf 1" },
	{ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 2), "(000) jgt      x                jt 2\tjf 3" },
	{ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14), "(000) ldxb     4*([14]&0xf)" },
	{ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16), "(000) ldh      [x + 16]" },
	{ BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), "(000) ld       #pktlen" },
	{ BPF_STMT(BPF_LD | BPF_IMM, 0x1337), "(000) ld       #0x1337" },
	{ BPF_STMT(BPF_LDX | BPF_IMM, 7), "(000) ldx      #0x7" },
	{ BPF_STMT(BPF_LD | BPF_MEM, 3), "(000) ld       M[3]" },
	{ BPF_STMT(BPF_ST, 15), "(000) st       M[15]" },
	{ BPF_STMT(BPF_STX, 1), "(000) stx      M[1]" },
	{ BPF_STMT(BPF_RET | BPF_K, 262144), "(000) ret      #262144" },
	{ BPF_STMT(BPF_RET | BPF_K, 0), "(000) ret      #0" },
	{ BPF_STMT(BPF_RET | BPF_A, 0), "(000) ret      a" },
	{ BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, -4), "(000) add      #-4" },
	{ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0), "(000) and      #0xf0" },
	{ BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0), "(000) xor      x" },
	{ BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), "(000) mod      #3" },
	{ BPF_STMT(BPF_ALU | BPF_NEG, 0), "(000) neg" },
	{ BPF_STMT(BPF_MISC | BPF_TAX, 0), "(000) tax" },
	{ BPF_STMT(BPF_MISC | BPF_TXA, 0), "(000) txa" },
	{ BPF_STMT(BPF_JMP | BPF_JA, 0xffffffff), "(000) ja       4294967296" },
	{ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL), "(000) ld       #proto" },
	{ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT), "(000) ld       #vlan_avail" },
	{ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 9), "(000) ldb      [net + 9]" },
	{ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_LL_OFF), "(000) ldh      [ll + 0]" },
	{ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 2), "(000) ld       [-4094]" },
	{ BPF_STMT(0xffff, 0), "(000) unimp    0xffff" },
	{ BPF_STMT(BPF_LDX | BPF_H | BPF_ABS, 0), "(000) unimp    0x29" },
};

/* tcpdump -dd 'udp dst port 4919' on IPv4 only */
static const struct sock_filter udp_1337[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 8),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x11, 0, 6),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x1337, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 262144),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int main(void)
{
	char buf[128], small[8];
	struct cbpf_summary s;
	uint8_t *p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = malloc(sizeof(cases[i].in));
		memcpy(p, &cases[i].in, sizeof(cases[i].in));
		CHECK(cbpf_insn_text(p, 8, 0, buf, sizeof(buf)) > 0 && !strcmp(buf, cases[i].want),
		      "case %zu: got '%s', want '%s'", i, buf, cases[i].want);
		/* one byte short: no instruction at all */
		CHECK(cbpf_insn_text(p, 7, 0, buf, sizeof(buf)) == -1, "case %zu: short read", i);
		free(p);
	}
	p = malloc(sizeof(udp_1337));
	memcpy(p, udp_1337, sizeof(udp_1337));
	CHECK(cbpf_insn_text(p, sizeof(udp_1337), 11, buf, sizeof(buf)) == -1, "past the end");
	CHECK(cbpf_insn_text(p, sizeof(udp_1337), 1, small, sizeof(small)) > 8 &&
	      !strcmp(small, "(001) j"), "truncated: '%s'", small);
	CHECK(cbpf_insn_text(p, sizeof(udp_1337), 8, buf, sizeof(buf)) > 0 &&
	      !strcmp(buf, "(008) jeq      #0x1337          jt 9\tjf 10"), "jump targets: '%s'", buf);
	cbpf_summarize(p, sizeof(udp_1337), &s);
	cbpf_summary_text(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "11 insns; compares 0x800, 0x11, 0x1fff, 0x1337; accepts up to 262144 bytes"),
	      "summary: '%s'", buf);
	CHECK(s.loads_packet && !s.ancillary && !s.bad_jump && !s.magic && s.nr_ret == 2, "facts");
	cbpf_summarize(p, sizeof(udp_1337) - 3, &s);
	CHECK(s.nr_insns == 10 && s.tail == 5 && s.bad_jump, "cut: %zu insns, %zu tail", s.nr_insns, s.tail);
	free(p);
	{
		struct sock_filter magic[] = { BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0x2a),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x5293, 0, 1), BPF_STMT(BPF_RET | BPF_K, 0xffff),
			BPF_STMT(BPF_RET | BPF_K, 0) };

		cbpf_summarize(magic, sizeof(magic), &s);
		CHECK(s.magic == 0x5293, "BPFDoor's magic");
		cbpf_summarize(NULL, 0, &s);
		cbpf_summary_text(&s, buf, sizeof(buf));
		CHECK(!strcmp(buf, "0 insns; accepts no packet"), "empty: '%s'", buf);
		cbpf_summary_text(&s, small, 1);
		CHECK(small[0] == 0, "size 1");
	}
	if (failed)
		return 1;
	printf("ok\n");
	return 0;
}
