/* Fuzz the iterator object reader (capture/iter_obj.c): whatever an object's bytes say,
 * reading it stays inside them, and what it hands back (instructions, relocations, BTF)
 * lies inside them too. Inputs are edits of the object the build makes, where there is one
 * (so the fuzzer starts from a well-formed ELF), else whole objects.
 * Links: capture/iter_obj.c capture/iter_targets.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "capture/iter_obj.h"
#if __has_include("build/capture/iter.bpf.h")
#include "build/capture/iter.bpf.h"
#define BASE iter_bpf_obj
#define BASE_LEN sizeof(iter_bpf_obj)
#else
static const unsigned char base_none[1];
#define BASE base_none
#define BASE_LEN 0
#endif

static volatile unsigned sink;

static void touch(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink += ((const unsigned char *)p)[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iter_obj o;
	uint8_t *obj;
	size_t n;

	if (!size)
		return 0;
	if ((data[0] & 1) || !BASE_LEN) {	/* a whole object */
		n = size - 1;
		obj = malloc(n ? n : 1);	/* exact size: ASan sees any overread */
		if (!obj)
			return 0;
		memcpy(obj, data + 1, n);
	} else {	/* the build's object, cut to a length, then (offset, byte) edits */
		size_t i = 1;

		n = BASE_LEN;
		if ((data[0] & 2) && size >= 3) {
			n = ((size_t)data[1] << 8 | data[2]) % (BASE_LEN + 1);
			i = 3;
		}
		obj = malloc(n ? n : 1);
		if (!obj)
			return 0;
		memcpy(obj, BASE, n);
		for (; n && i + 3 <= size; i += 3)
			obj[((size_t)data[i] << 8 | data[i + 1]) % n] = data[i + 2];
	}
	if (!iter_obj_read(obj, n, ITER_WANT(ITER_MAPS) | ITER_WANT(ITER_OWNERS), &o)) {
		for (int p = 0; p < ITER_NR; p++) {
			touch(o.prog[p].insns, (size_t)o.prog[p].insn_cnt * 8);
			touch(o.prog[p].relo, (size_t)o.prog[p].nr_relo * 16);
		}
		touch(o.btf, o.btf_len);
		iter_obj_free(&o);
	}
	free(obj);
	return 0;
}
