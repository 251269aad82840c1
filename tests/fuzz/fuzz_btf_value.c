/* Fuzz the readers of map contents from an untrusted snapshot: the contents blob parser,
 * and values decoded through the map's BTF (as `map dump` and `map lookup` print them),
 * plus the kernel symbol parser. Input: u16 BTF length, the BTF, then value bytes.
 * Links: analyze/btf_value.c analyze/btf_check.c analyze/map_contents.c analyze/ksyms.c
 * lib/json_writer.c lib/err.c lib/util.c, -lbpf -lelf -lz. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "analyze/btf_check.h"
#include "analyze/btf_value.h"
#include "analyze/ksyms.h"
#include "analyze/map_contents.h"

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
	struct map_contents mc;
	struct ksyms k;
	struct err e = { 0 };
	struct btf *btf;
	size_t blen;

	if (!sink) {
		sink = fopen("/dev/null", "w");
		libbpf_set_print(quiet);
	}
	/* the whole input as a contents blob and as kallsyms text */
	if (!map_contents_parse(data, size, &mc, NULL))
		for (uint64_t i = 0; i < mc.count && i < 64; i++)
			if (map_contents_key(&mc, i)[0] == 0xff && map_contents_value(&mc, i) == NULL)
				return 0;	/* touch both; the parser promised they are in bounds */
	if (!ksyms_parse((const char *)data, size, &k, NULL)) {
		ksyms_lookup(&k, 0xffffffff81000000ull, NULL);
		ksyms_addr(&k, "__bpf_call_base");
		ksyms_free(&k);
	}
	if (size < 2)
		return 0;
	blen = data[0] | (size_t)data[1] << 8;
	if (blen > size - 2)
		return 0;
	btf = btf__new(data + 2, blen);
	if (!btf)
		return 0;
	if (!btf_check_refs(btf, &e)) {
		const uint8_t *val = data + 2 + blen;
		size_t vlen = size - 2 - blen;
		uint32_t n = btf__type_cnt(btf);

		for (uint32_t id = 1; id < n && id < 64; id++) {
			struct jw w;

			jw_init(&w, sink, id & 1);
			btf_value_write(&w, btf, id, val, vlen, id & 2);
		}
	}
	btf__free(btf);
	return 0;
}
