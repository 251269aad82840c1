/* Private to analyze/xlated*.c: the instruction printer's context shared by the
 * single-instruction API and the whole-program dump. */
#ifndef BPFSCOPE_XLATED_INT_H
#define BPFSCOPE_XLATED_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analyze/helper_names.h"
#include "analyze/prog_code.h"

struct xl_env {
	const struct prog_code *pc;
	const struct helper_names *helpers;	/* NULL: built-in table */
	uint64_t call_base;			/* __bpf_call_base, 0 when unknown */
	bool call_base_done;
};

void xl_env_init(struct xl_env *x, const struct prog_code *pc);
/* Text of insn idx into buf (as xlated_insn_text). *bad is set to a reason when the
 * encoding is not one the kernel defines (the text then reads "(code) (bad)"). */
int xl_insn_text(struct xl_env *x, uint32_t idx, char *buf, size_t len, const char **bad);

#endif
