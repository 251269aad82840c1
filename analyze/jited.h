/* The JIT disassembler: capstone for x86-64 and arm64, symbols from the snapshot. */
#ifndef BPFSCOPE_JITED_H
#define BPFSCOPE_JITED_H
#include "analyze/dump.h"
#include "analyze/prog_code.h"

/* flags: DUMP_OPCODES, DUMP_LINUM (analyze/xlated.h) */
int jited_dump(const struct prog_code *pc, unsigned flags, struct dump *d, struct err *e);

/* The kernel addresses a program's JIT code (this machine's) calls or jumps to directly,
 * decoded as jited_dump decodes them: the addresses its dump names from kernel symbols,
 * appended to out as uint64_t. The scanner keeps capstone open from program to program. */
struct jited_scanner;
int jited_scanner_open(struct jited_scanner **s, struct err *e);
int jited_scan_targets(struct jited_scanner *s, const struct prog_code *pc, struct buf *out,
		       struct err *e);
void jited_scanner_close(struct jited_scanner *s);
#endif
