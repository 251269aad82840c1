/* A BTF object to dump, from a file or from bytes, and its two dumps: bpftool's raw listing
 * (plain or JSON through lib/output.h) and a C header through libbpf's btf_dump. */
#ifndef BPFSCOPE_BTF_RAW_H
#define BPFSCOPE_BTF_RAW_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "lib/err.h"
#include "lib/output.h"

struct btf;

#define BTF_SRC_MAX_ROOTS 16	/* bpftool's MAX_ROOT_IDS */

/* What is being dumped: the BTF, its base when it is split (a module's), and for
 * `map MAP key|value|kv` the types to dump instead of all of them. */
struct btf_src {
	struct btf *btf;
	struct btf *base;
	uint32_t roots[BTF_SRC_MAX_ROOTS];
	int nr_roots;
	bool unsorted;		/* format c: in type id order, not bpftool's sorted order */
};

void btf_src_free(struct btf_src *s);
/* A BTF file (ELF .BTF or raw); a module's /sys/kernel/btf/NAME is split over vmlinux's.
 * Errors name the file: "can't load BTF from PATH: ...". */
int btf_src_from_file(struct btf_src *s, const char *path, struct err *e);
/* Untrusted bytes (a snapshot's): the base first when the BTF is split, then the BTF over
 * it. -errno from libbpf, e untouched: the caller names the object. */
int btf_src_set_base(struct btf_src *s, const void *data, size_t len);
int btf_src_set_btf(struct btf_src *s, const void *data, size_t len);

/* bpftool's raw listing of s (its roots, else all its own types) as one object
 * {"types": [...]} in JSON, one line per type in plain. */
void btf_raw_dump(struct out *o, const struct btf_src *s);
/* The header bpftool 7.8 writes (a usable vmlinux.h: types sorted unless unsorted, the
 * __ksym/__weak/__bpf_fastcall prelude, kfunc prototypes) to f (analyze/btf_c.c); the type
 * graph is checked first. */
int btf_c_dump(FILE *f, const struct btf_src *s, struct err *e);
#endif
