/* Kernel symbols as captured once per boot: /proc/kallsyms text, parsed and sorted. */
#ifndef BPFSCOPE_KSYMS_H
#define BPFSCOPE_KSYMS_H
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"
#include "lib/util.h"

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module;	/* NULL for vmlinux */
};

struct ksyms {
	struct ksym *syms;	/* sorted by addr */
	size_t n;
	char *text;		/* owned copy the names point into */
	uint64_t bpf_call_base;	/* __bpf_call_base, asked for once per program dumped */
	/* set: the symbols are filled by load on their first lookup, so that a live dump that
	 * names no kernel symbol never reads them (load keeps these three fields) */
	int (*load)(void *arg, struct ksyms *k);
	void *load_arg;
	int load_state;		/* 0 not yet, 1 loading or done */
};

/* Parse "ADDR TYPE NAME [MODULE]" lines; malformed lines are skipped. */
int ksyms_parse(const char *text, size_t len, struct ksyms *k, struct err *e);
/* The symbol at exactly addr, or NULL. */
const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr);
/* The nearest symbol at or below addr (off = addr - sym), or NULL. */
const struct ksym *ksyms_lookup(const struct ksyms *k, uint64_t addr, uint64_t *off);
/* Address of a symbol by name (linear), 0 when absent. */
uint64_t ksyms_addr(const struct ksyms *k, const char *name);
void ksyms_free(struct ksyms *k);

/* The symbol lines of kallsyms text by address (the text's order at one address): offsets
 * into the text, which the index does not keep. */
struct ksym_line {
	uint64_t addr;
	uint32_t off, len;
};
struct ksym_index {
	struct ksym_line *v;
	size_t n;
	uint64_t call_base;	/* __bpf_call_base, 0 when absent */
};
/* -ENOMEM, -E2BIG (over 4 GB) or 0 */
int ksym_index_build(const char *text, size_t len, struct ksym_index *ix);
void ksym_index_free(struct ksym_index *ix);
/* ksyms_select with the text's index built already (text and len: the text it was built on) */
int ksym_index_select(const struct ksym_index *ix, const char *text, size_t len,
		      const uint64_t *addrs, size_t n, struct buf *out, struct err *e);

/* The lines of /proc/kallsyms text that name the given kernel addresses (sorted, unique):
 * for each, every line at the highest symbol address at or below it (what ksyms_lookup
 * answers from the whole text), and __bpf_call_base's, in the text's order; then each
 * address alone on a line, which ksyms_parse skips: the addresses the list answers for.
 * A snapshot stores this for the addresses its programs call, not the 5 MB text. */
int ksyms_select(const char *text, size_t len, const uint64_t *addrs, size_t n,
		 struct buf *out, struct err *e);
/* The addresses a ksyms_select list answers for (its lines of an address alone): out's
 * bytes become them, uint64_t, sorted and unique. */
int ksyms_selected(const char *text, size_t len, struct buf *out, struct err *e);
/* __bpf_call_base in kallsyms text (whole or selected), 0 when absent. */
uint64_t ksyms_text_call_base(const char *text, size_t len);
#endif
