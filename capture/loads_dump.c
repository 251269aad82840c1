/* The loads recorder's copy of a program's code made the same bytes BPF_OBJ_GET_INFO_BY_FD
 * gives: the kernel sanitizes prog->insnsi before handing it out, and so must we. */
#include <string.h>
#include <linux/bpf.h>
#include "capture/loads.h"
#include "capture/loads_rec.h"

/* the kernel's internal opcodes (include/linux/filter.h), not in the uapi */
#define K_TAIL_CALL	0xf0	/* BPF_JMP: bpf_tail_call made a jump */
#define K_CALL_ARGS	0xe0	/* BPF_JMP: a call to the interpreter with arguments */
#define K_PROBE_MEM	0x20	/* BPF_LDX mode: a load that may fault */
#define K_PROBE_MEM32	0xa0	/* BPF_LDX, BPF_STX, BPF_ST mode: arena access */

/* The map an address names (kernel/bpf/syscall.c, bpf_map_from_imm): the map itself, or the
 * value of a one-element array (array_map_direct_value_meta); *type as the dump marks it. */
static const struct loads_map_ref *map_of(uint64_t addr, const struct loads_map_ref *maps,
					  uint32_t n, uint32_t *off, uint8_t *type)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct loads_map_ref *m = &maps[i];

		if (m->addr == addr) {
			*off = 0;
			*type = BPF_PSEUDO_MAP_FD;
			return m;
		}
		if (m->value_addr && m->max_entries == 1 && addr >= m->value_addr &&
		    addr - m->value_addr < m->elem_size) {
			*off = addr - m->value_addr;
			*type = BPF_PSEUDO_MAP_VALUE;
			return m;
		}
	}
	return NULL;
}

void loads_code_dump(void *code, uint32_t len, const struct loads_map_ref *maps,
		     uint32_t nr_maps)
{
	uint32_t n = len / sizeof(struct bpf_insn);
	unsigned char *p = code;

	for (uint32_t i = 0; i < n; i++) {
		struct bpf_insn in, next;
		const struct loads_map_ref *m;
		uint32_t off;
		uint8_t type, cls;
		uint64_t addr;

		memcpy(&in, p + i * sizeof(in), sizeof(in));
		cls = BPF_CLASS(in.code);
		if (in.code == (BPF_JMP | K_TAIL_CALL)) {
			in.code = BPF_JMP | BPF_CALL;
			in.imm = BPF_FUNC_tail_call;
		} else if (in.code == (BPF_JMP | K_CALL_ARGS)) {
			in.code = BPF_JMP | BPF_CALL;
		} else if (cls == BPF_LDX && BPF_MODE(in.code) == K_PROBE_MEM) {
			in.code = BPF_LDX | BPF_SIZE(in.code) | BPF_MEM;
		} else if ((cls == BPF_LDX || cls == BPF_STX || cls == BPF_ST) &&
			   BPF_MODE(in.code) == K_PROBE_MEM32) {
			in.code = cls | BPF_SIZE(in.code) | BPF_MEM;
		} else if (in.code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < n) {
			memcpy(&next, p + (i + 1) * sizeof(next), sizeof(next));
			addr = (uint64_t)(uint32_t)next.imm << 32 | (uint32_t)in.imm;
			m = map_of(addr, maps, nr_maps, &off, &type);
			if (m) {
				in.src_reg = type;
				in.imm = m->id;
				next.imm = off;
				memcpy(p + (i + 1) * sizeof(next), &next, sizeof(next));
			}
		}
		memcpy(p + i * sizeof(in), &in, sizeof(in));
	}
}
