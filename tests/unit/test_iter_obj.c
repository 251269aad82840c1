/* Unit checks of the iterator object reader (capture/iter_obj.c) against libbpf's own
 * reading of the same embedded object: the instructions, FUNCs and BTF it hands the kernel
 * are what libbpf would have handed it; a cut or damaged object is refused, not overread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "capture/iter_obj.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

/* what libbpf reads of the object: the same instructions, the same FUNC, the same BTF once
 * it has filled in the DATASEC sizes */
static void check_against_libbpf(const void *obj, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "t");
	struct bpf_object *bo = bpf_object__open_mem(obj, len, &oo);
	struct iter_obj o;
	const void *raw;
	uint32_t raw_len = 0;

	CHECK(bo, "libbpf opens the object");
	CHECK(!iter_obj_read(obj, len, ITER_WANT(ITER_MAPS) | ITER_WANT(ITER_OWNERS) |
			      ITER_WANT(ITER_PROGS), &o),
	      "iter_obj_read");
	if (!bo || !o.btf)
		return;
	for (int i = 0; i < ITER_NR; i++) {
		const struct bpf_program *p = bpf_object__find_program_by_name(bo, iter_prog_name(i));
		const struct iter_obj_prog *r = &o.prog[i];

		CHECK(p, "libbpf has %s", iter_prog_name(i));
		if (!p)
			continue;
		CHECK(r->insn_cnt == bpf_program__insn_cnt(p), "%s: %u instructions, libbpf %zu",
		      iter_prog_name(i), r->insn_cnt, bpf_program__insn_cnt(p));
		CHECK(r->insn_cnt == bpf_program__insn_cnt(p) &&
		      !memcmp(r->insns, bpf_program__insns(p), r->insn_cnt * sizeof(struct bpf_insn)),
		      "%s: the instructions libbpf has", iter_prog_name(i));
		CHECK(r->func_type == (uint32_t)btf__find_by_name_kind(bpf_object__btf(bo),
				iter_prog_name(i), BTF_KIND_FUNC), "%s: its FUNC", iter_prog_name(i));
		CHECK(r->nr_relo > 0 && r->relo, "%s: CO-RE relocations", iter_prog_name(i));
	}
	raw = btf__raw_data(bpf_object__btf(bo), &raw_len);
	CHECK(raw && raw_len == o.btf_len && !memcmp(raw, o.btf, raw_len),
	      "the BTF libbpf would load (%u and %zu bytes)", raw_len, o.btf_len);
	iter_obj_free(&o);
	bpf_object__close(bo);
}

/* only the programs asked for */
static void check_want(const void *obj, size_t len)
{
	struct iter_obj o;

	CHECK(!iter_obj_read(obj, len, ITER_WANT(ITER_OWNERS), &o), "owners only");
	CHECK(!o.prog[ITER_MAPS].insns && o.prog[ITER_OWNERS].insns, "owners only: one program");
	iter_obj_free(&o);
}

/* every cut of the object short of whole is refused (a cut one has no section table), in a
 * buffer of exactly its size */
static void check_cut(const unsigned char *obj, size_t len)
{
	size_t bad = 0;

	for (size_t n = 0; n < len; n++) {
		unsigned char *c = malloc(n ? n : 1);
		struct iter_obj o;

		memcpy(c, obj, n);
		if (!iter_obj_read(c, n, 3, &o)) {
			bad++;
			iter_obj_free(&o);
		}
		free(c);
	}
	CHECK(!bad, "%zu cut objects read", bad);
}

/* a program with relocations (a map, a global) is not read as it is */
static void check_relocated(const unsigned char *obj, size_t len)
{
	unsigned char *c = malloc(len);
	struct iter_obj o;
	unsigned char *at;

	/* a relocation section of the map program's section, by renaming another one */
	memcpy(c, obj, len);
	at = memmem(c, len, ".rel.debug_str_offsets", 23);
	CHECK(at, "a long section name to rename");
	if (at) {
		memcpy(at, ".reliter/bpf_map\0", 17);
		CHECK(iter_obj_read(c, len, ITER_WANT(ITER_MAPS), &o) == -ENOTSUP,
		      "a program with relocations is refused");
		CHECK(!iter_obj_read(c, len, ITER_WANT(ITER_OWNERS), &o), "the other one is not");
		iter_obj_free(&o);
	}
	free(c);
}

int main(void)
{
	const void *obj;
	size_t len;

	libbpf_set_print(quiet);
	iter_obj_builtin(&obj, &len);
	check_against_libbpf(obj, len);
	check_want(obj, len);
	check_cut(obj, len);
	check_relocated(obj, len);
	if (failed)
		return 1;
	printf("ok\n");
	return 0;
}
