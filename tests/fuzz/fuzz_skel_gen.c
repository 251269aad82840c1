/* Fuzz the skeleton and subskeleton generators: arbitrary bytes as a BPF ELF object
 * (libbpf parses it, we name maps/programs/variables from whatever it finds). Output goes
 * to /dev/null.
 * Links: gen/skel_gen.c gen/subskel_gen.c analyze/btf_check.c lib/err.c lib/util.c, -lbpf -lelf -lz. */
#include <stdint.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "gen/skel_gen.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct err e = { 0 };

	if (!sink) {
		libbpf_set_print(quiet);
		sink = fopen("/dev/null", "w");
		if (!sink)
			return 0;
	}
	skel_gen(data, size, "fuzz", sink, &e);
	err_clear(&e);
	subskel_gen(data, size, "fuzz", sink, &e);
	return 0;
}
