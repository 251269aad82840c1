/* The JIT disassembler: capstone for x86-64 and arm64, symbols from the snapshot. */
#ifndef BPFSCOPE_JITED_H
#define BPFSCOPE_JITED_H
#include "analyze/dump.h"
#include "analyze/prog_code.h"

/* flags: DUMP_OPCODES, DUMP_LINUM (analyze/xlated.h) */
int jited_dump(const struct prog_code *pc, unsigned flags, struct dump *d, struct err *e);
#endif
