/* Comparing the CFG of one program in two snapshots, block by block: which blocks of
 * the newer one are unchanged, changed or new. */
#ifndef BPFSCOPE_CFG_DIFF_H
#define BPFSCOPE_CFG_DIFF_H
#include <stddef.h>
#include <stdint.h>
#include "analyze/cfg.h"
#include "analyze/prog_code.h"

/* one per block of the newer CFG (ENTRY/EXIT are always SAME) */
enum cfg_mark { CFG_MARK_SAME, CFG_MARK_CHANGED, CFG_MARK_NEW };

struct cfg_diff_stats {
	uint32_t same, changed, added, removed;	/* code blocks; removed: only in the older */
	uint32_t funcs_added, funcs_removed;
};

/* Mark every block of a (program pa) against b (program pb): marks must hold
 * a->nr_blocks bytes. Functions are paired by BTF name (else by position), blocks by
 * the longest common subsequence of their instruction texts with the values that
 * differ between loads (map ids, kernel addresses, program tags) and branch offsets
 * normalised. */
int cfg_diff(const struct prog_code *pa, const struct cfg *a, const struct prog_code *pb,
	     const struct cfg *b, uint8_t *marks, struct cfg_diff_stats *st, struct err *e);

/* An insn text with load-specific values replaced by '*': "map[id:12]" -> "map[id:*]",
 * "call foo#123" -> "call foo#*", "bpf_prog_<tag>_f" -> "bpf_prog_*_f", long hex
 * constants (kernel addresses) -> "0x*", branch offsets "pc+3" -> "pc*". */
void cfg_insn_normalize(const char *in, char *out, size_t len);
#endif
