/* The BPF instruction printer: kernel verifier notation as bpftool prints it. */
#ifndef BPFSCOPE_XLATED_H
#define BPFSCOPE_XLATED_H
#include <stddef.h>
#include <stdint.h>
#include "analyze/dump.h"
#include "analyze/prog_code.h"

#define DUMP_OPCODES	(1u << 0)	/* raw bytes of each insn */
#define DUMP_LINUM	(1u << 1)	/* file:line:col on source lines */

/* Text of instruction idx ("r1 = 0", "call bpf_map_lookup_elem#1") into buf.
 * Returns how many insn slots it spans (1, or 2 for a 64-bit immediate), 0 when idx
 * is out of range. Never reads outside pc->insns[0..nr_insns). */
int xlated_insn_text(const struct prog_code *pc, uint32_t idx, char *buf, size_t len);
/* The whole program: function headers, source lines, instructions. */
int xlated_dump(const struct prog_code *pc, unsigned flags, struct dump *d, struct err *e);
/* The immediates of the calls in xlated code that are not BPF-to-BPF (helpers, kfuncs):
 * the kernel addresses less __bpf_call_base that the dump names from kernel symbols,
 * appended to out as int32_t. -ENOMEM or 0. */
int xlated_call_offsets(const void *xlated, size_t len, struct buf *out);
#endif
