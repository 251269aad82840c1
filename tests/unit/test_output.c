/* Unit checks of the output layer's map dump pieces: out_bytes in both modes, out_raw, and
 * the JSON writer in bpftool's pretty layout (what bpftool prints for BTF map entries). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/output.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static const uint8_t bytes[] = { 0x01, 0xab, 0x00 };

/* one entry as map dump writes it: hex key, then the formatted key and per-CPU values */
static void entry(struct out *o, bool hex)
{
	out_obj_start(o, NULL);
	if (hex)
		out_bytes(o, "key", bytes, sizeof(bytes));
	out_raw(o, "key", "7");
	out_arr_start(o, "values");
	for (int c = 0; c < 2; c++) {
		out_obj_start(o, NULL);
		out_uint(o, "cpu", NULL, c);
		out_raw(o, "value", "{\"a\":1}");
		out_obj_end(o);
	}
	out_arr_end(o);
	out_obj_end(o);
}

static char *run(int mode)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct out o;

	if (!f)
		return NULL;
	if (mode == 2)
		out_init_bpftool_json(&o, f);
	else
		out_init(&o, f, mode == 1, false);
	out_arr_start(&o, NULL);
	if (mode == 0) {
		out_bytes(&o, "key", bytes, sizeof(bytes));
	} else {
		entry(&o, mode == 1);
		entry(&o, mode == 1);
	}
	out_arr_end(&o);
	fclose(f);
	return mem;
}

int main(void)
{
	char *s;

	s = run(0);
	CHECK(s && !strcmp(s, "01 ab 00"), "plain out_bytes: %s", s);
	free(s);
	s = run(1);
	CHECK(s && !strcmp(s, "[{\"key\":[\"0x01\",\"0xab\",\"0x00\"],\"key\":7,\"values\":"
			   "[{\"cpu\":0,\"value\":{\"a\":1}},{\"cpu\":1,\"value\":{\"a\":1}}]},"
			   "{\"key\":[\"0x01\",\"0xab\",\"0x00\"],\"key\":7,\"values\":"
			   "[{\"cpu\":0,\"value\":{\"a\":1}},{\"cpu\":1,\"value\":{\"a\":1}}]}]"),
	      "json entries: %s", s);
	free(s);
	s = run(2);
	CHECK(s && !strcmp(s, "[{\n        \"key\": 7,\n        \"values\": [{\n"
			   "                \"cpu\": 0,\n                \"value\": {\"a\":1}\n"
			   "            },{\n                \"cpu\": 1,\n"
			   "                \"value\": {\"a\":1}\n            }\n        ]\n    },{\n"
			   "        \"key\": 7,\n        \"values\": [{\n"
			   "                \"cpu\": 0,\n                \"value\": {\"a\":1}\n"
			   "            },{\n                \"cpu\": 1,\n"
			   "                \"value\": {\"a\":1}\n            }\n        ]\n    }\n]"),
	      "bpftool layout: %s", s);
	free(s);
	printf("%s\n", failed ? "unit output: FAIL" : "unit output: ok");
	return failed != 0;
}
