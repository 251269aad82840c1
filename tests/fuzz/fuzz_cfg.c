/* Fuzz the CFG builder: random instructions and func_info starts, as a hostile snapshot
 * could hold them. The structure must stay sound (cfg_check) whatever the bytes. The
 * same bytes as text go through the --against normaliser, into a buffer of their size.
 * Needs only the library (analyze/cfg.c); tests/fuzz/run.sh builds it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/cfg.h"
#include "analyze/cfg_diff.h"

/* opcodes that shape a CFG; a flag in the input maps raw codes onto them so the
 * fuzzer does not spend its time on ALU noise */
static const uint8_t shaping[] = {
	BPF_JMP | BPF_JA, BPF_JMP32 | BPF_JA, BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP32 | BPF_JNE | BPF_X,
	BPF_JMP | BPF_CALL, BPF_JMP | BPF_EXIT, BPF_LD | BPF_IMM | BPF_DW, BPF_ALU64 | BPF_MOV | BPF_K,
	BPF_JMP | 0xe0, BPF_JMP32 | BPF_EXIT, BPF_JMP32 | BPF_CALL, BPF_JMP | 0xf0, 0,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t starts[8], nr_starts = 0, n, i;
	struct bpf_insn *insns;
	struct err e = {};
	struct cfg cfg;
	bool shape;

	if (size < 2)
		return 0;
	{
		char *text = malloc(size + 1), *out = malloc(data[0] % 64 + 1);

		if (text && out) {
			memcpy(text, data, size);
			text[size] = 0;
			cfg_insn_normalize(text, out, data[0] % 64 + 1);
			if (strlen(out) > (size_t)(data[0] % 64))
				abort();
		}
		free(text);
		free(out);
	}
	nr_starts = data[0] & 7;
	shape = data[0] & 0x80;
	data++, size--;
	for (i = 0; i < nr_starts && size >= 2; i++, data += 2, size -= 2)
		starts[i] = data[0] | (uint32_t)data[1] << 8;
	nr_starts = i;
	n = size / sizeof(struct bpf_insn);
	if (!n)
		return 0;
	/* a copy of exactly n insns, so ASan sees any read past the end */
	insns = malloc((size_t)n * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data, (size_t)n * sizeof(*insns));
	if (shape)
		for (i = 0; i < n; i++)
			insns[i].code = shaping[insns[i].code % sizeof(shaping)];
	if (!cfg_build(insns, n, nr_starts ? starts : NULL, nr_starts, &cfg, &e)) {
		if (cfg_check(&cfg))
			abort();
		for (i = 0; i < n; i++)
			if (cfg_func_of_insn(&cfg, i) < 0)
				abort();
		cfg_free(&cfg);
	}
	free(insns);
	return 0;
}
