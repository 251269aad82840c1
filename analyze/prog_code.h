/* One program's code as a snapshot holds it: xlated and jited bytes, func/line info,
 * jited symbols, the program's BTF and the boot's kernel symbols. Every count is checked
 * against the blob it indexes when loaded, so readers may trust counts, never contents. */
#ifndef BPFSCOPE_PROG_CODE_H
#define BPFSCOPE_PROG_CODE_H
#include <linux/bpf.h>
#include <stdint.h>
#include "lib/err.h"
#include "lib/util.h"
#include "analyze/ksyms.h"

struct btf;
struct helper_names;

struct prog_code {
	uint32_t id, type;
	char name[64];
	char tag[17];
	char arch[32];			/* machine of the snapshot: "x86_64", "aarch64" */

	const struct bpf_insn *insns;	/* xlated */
	uint32_t nr_insns;
	uint32_t xlated_tail;		/* bytes past the last whole insn (corrupt input) */
	const uint8_t *jited;
	uint32_t jited_len;

	/* records of rec_size bytes each (>= the struct we read; newer kernels may grow them) */
	const uint8_t *func_info;
	uint32_t nr_func_info, func_info_rec_size;
	const uint8_t *line_info;
	uint32_t nr_line_info, line_info_rec_size;
	const uint64_t *jited_line_info;	/* one address per line_info record */
	uint32_t nr_jited_line_info;
	const uint64_t *jited_ksyms;	/* start address of each function (main first) */
	uint32_t nr_jited_ksyms;
	const uint32_t *jited_func_lens;
	uint32_t nr_jited_func_lens;
	const uint8_t *prog_tags;	/* 8 bytes per function */
	uint32_t nr_prog_tags;

	struct btf *btf;		/* the program's BTF (NULL when it has none) */
	struct ksyms ksyms;		/* kernel symbols of the snapshot's boot (may be empty) */
	bool ksyms_borrowed;		/* ksyms belong to the caller (prog_code_use_ksyms) */
	/* names of helper ids from the kernel's enum (analyze/helper_names.h); NULL: the
	 * built-in table. Not loaded here (32 ms of vmlinux BTF): set by callers that need it. */
	const struct helper_names *helpers;

	struct buf xlated_buf, jited_buf, func_info_buf, line_info_buf, jited_line_info_buf,
		jited_ksyms_buf, jited_func_lens_buf, prog_tags_buf, btf_buf;
};

/* what to load beyond the row itself (the reader is cli/code_load.h's code_load) */
#define PROG_CODE_XLATED	(1u << 0)
#define PROG_CODE_JITED		(1u << 1)
#define PROG_CODE_KSYMS		(1u << 2)
#define PROG_CODE_ALL		(~0u)

/* The counts a snapshot stores beside the blobs: untrusted, a count may exceed its blob. */
struct prog_code_counts {
	int64_t nr_func_info, func_info_rec_size, nr_line_info, line_info_rec_size,
		nr_jited_line_info, jited_line_info_rec_size, nr_jited_ksyms, nr_jited_func_lens,
		nr_prog_tags;
};

/* pc holds its identity fields and its *_buf blobs (now pc's, freed by prog_code_free):
 * point the arrays into the blobs with the counts clamped to what they hold, and parse the
 * program's BTF from btf_buf (a corrupt one just leaves names out). */
int prog_code_adopt(struct prog_code *pc, const struct prog_code_counts *c, struct err *e);
void prog_code_free(struct prog_code *pc);
/* Lend k to pc (loaded without PROG_CODE_KSYMS); prog_code_free leaves it alone. */
void prog_code_use_ksyms(struct prog_code *pc, const struct ksyms *k);

/* Name of function i (func_info order) from BTF; "" when unknown. */
const char *prog_code_func_name(const struct prog_code *pc, uint32_t i);
/* kallsyms name of function i as the kernel spells it: bpf_prog_<tag>_<name>;
 * out must hold 128 bytes. Returns out, or NULL when the info to build it is missing. */
const char *prog_code_func_ksym(const struct prog_code *pc, uint32_t i, char *out, size_t len);
#endif
