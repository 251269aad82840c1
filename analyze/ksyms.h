/* Kernel symbols as captured once per boot: /proc/kallsyms text, parsed and sorted. */
#ifndef BPFSCOPE_KSYMS_H
#define BPFSCOPE_KSYMS_H
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"

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
#endif
