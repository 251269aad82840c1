/* Classic BPF (socket filters: SO_ATTACH_FILTER, what tcpdump compiles) decoded from bytes:
 * a disassembler in tcpdump -d's notation and a summary the audit quotes as evidence. */
#ifndef BPFSCOPE_CBPF_H
#define BPFSCOPE_CBPF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* struct sock_filter: u16 code, u8 jt, u8 jf, u32 k, in the capturing machine's byte order */
#define CBPF_INSN_SIZE 8

struct cbpf_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

/* Whole instructions in len bytes (a trailing partial one is not one). */
size_t cbpf_nr_insns(size_t len);
/* Instruction i of bytes[0..len); false when it does not lie wholly inside. */
bool cbpf_insn_get(const void *bytes, size_t len, size_t i, struct cbpf_insn *out);
/* Instruction i as tcpdump -d prints it, "(001) jeq      #0x800           jt 2\tjf 5", with
 * Linux's extensions named ("ld       #proto", "ldb      [net + 9]", "xor", "mod"); no
 * trailing blanks. Returns the length snprintf would have written (truncated to size), or
 * -1 when i is out of range. */
int cbpf_insn_text(const void *bytes, size_t len, size_t i, char *buf, size_t size);

/* The name ss gives a packet socket's protocol (an ethertype, host order): "ip", "ipv6",
 * "all", ...; NULL for one it has no name for. */
const char *cbpf_ethertype_name(uint16_t proto);

/* What a filter does, in a few facts. */
#define CBPF_MAX_CONSTS 8
struct cbpf_summary {
	size_t nr_insns;
	size_t tail;			/* bytes after the last whole instruction */
	uint32_t consts[CBPF_MAX_CONSTS];	/* constants compared against (jeq/jgt/jge/jset #k), first seen first */
	size_t nr_consts;		/* how many distinct ones (may exceed CBPF_MAX_CONSTS) */
	size_t nr_ret, nr_ret_accept;	/* returns, and returns of a constant > 0 */
	bool ret_a;			/* returns A (a computed length) somewhere */
	uint32_t max_accept;		/* the largest constant returned */
	bool loads_packet;		/* reads packet bytes (ABS, IND, MSH) */
	bool ancillary;			/* reads SKF_AD_* metadata */
	bool bad_jump;			/* a jump beyond the end: the kernel would refuse it */
	uint32_t magic;			/* a constant of a known backdoor (BPFDoor), else 0 */
};
void cbpf_summarize(const void *bytes, size_t len, struct cbpf_summary *s);
/* One line: "11 insns; compares 0x800, 0x11, 0x1337; accepts up to 262144 bytes". */
void cbpf_summary_text(const struct cbpf_summary *s, char *buf, size_t size);
#endif
