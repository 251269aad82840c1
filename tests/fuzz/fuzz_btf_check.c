/* Fuzz the BTF graph check as `btf dump ... format c` and `gen skeleton` use it: bytes
 * from a file or a snapshot parsed by libbpf 1.1, checked, then (if accepted) dumped as C
 * through btf_dump, which must not crash on anything the check let through.
 * Links: analyze/btf_check.c lib/err.c, -lbpf -lelf -lz. */
#include <stdint.h>
#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "analyze/btf_check.h"

static void sink_printf(void *ctx, const char *fmt, va_list ap)
{
	vfprintf(ctx, fmt, ap);
}

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
	struct btf_dump *d;
	struct btf *btf;
	uint32_t id, cnt;

	if (!sink) {
		libbpf_set_print(quiet);
		sink = fopen("/dev/null", "w");
		if (!sink)
			return 0;
	}
	btf = btf__new(data, size);
	if (!btf)
		return 0;
	if (btf_check_refs(btf, &e) == 0) {
		d = btf_dump__new(btf, sink_printf, sink, NULL);
		cnt = btf__type_cnt(btf);
		for (id = 1; d && id < cnt; id++)
			btf_dump__dump_type(d, id);
		btf_dump__free(d);
	}
	btf__free(btf);
	return 0;
}
