/* Fuzz the classic BPF disassembler and summary: any bytes as a socket filter blob (a
 * snapshot's may be hostile), every instruction printed into buffers of many sizes; nothing
 * may be read past the input and every line must be NUL-terminated inside its buffer.
 * Links: analyze/ lib/ (the fuzz runner's library). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/cbpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);	/* exact size: ASan sees any overread */
	struct cbpf_summary s;
	char buf[160], line[96];
	size_t n;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	n = cbpf_nr_insns(size);
	for (size_t i = 0; i <= n; i++) {
		size_t cap = 1 + (i * 13) % sizeof(line);
		int w = cbpf_insn_text(copy, size, i, line, cap);

		if ((i == n) != (w < 0))
			abort();
		if (w >= 0 && strnlen(line, cap) >= cap)
			abort();
	}
	cbpf_summarize(copy, size, &s);
	if (s.nr_insns != n || s.nr_consts < (s.nr_consts > CBPF_MAX_CONSTS ? CBPF_MAX_CONSTS : 0))
		abort();
	cbpf_summary_text(&s, buf, sizeof(buf));
	if (strnlen(buf, sizeof(buf)) >= sizeof(buf))
		abort();
	cbpf_summary_text(&s, buf, 7);
	free(copy);
	return 0;
}
