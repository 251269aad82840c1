/* A program dump as data: lines of function headers, source lines and instructions,
 * produced by the xlated and jited decoders and printed by cli/ (plain or JSON). */
#ifndef BPFSCOPE_DUMP_H
#define BPFSCOPE_DUMP_H
#include <stdint.h>
#include <stddef.h>
#include "lib/err.h"

enum dump_line_kind {
	DL_FUNC,	/* function header: text = "int count_getpid(void * ctx)" */
	DL_ADDR,	/* jited: start address of a function (addr) */
	DL_SRC,		/* source line from line_info: text, file, line, col */
	DL_INSN,	/* one instruction: pc, bytes, text */
	DL_WARN,	/* a decoding problem: text */
};

struct dump_line {
	enum dump_line_kind kind;
	uint32_t pc;		/* xlated: insn index; jited: byte offset within the function */
	uint64_t addr;		/* jited: absolute address of the insn / function */
	const char *text;
	const uint8_t *bytes;	/* raw bytes of the instruction (points into the code) */
	uint32_t nbytes;
	const char *file;	/* DL_SRC */
	uint32_t line, col;
};

struct dump {
	struct dump_line *lines;
	size_t n, cap;
	char **strs;		/* owned strings */
	size_t nstrs, capstrs;
	unsigned nwarn;
};

/* Append a line; text/file are copied. Returns 0 or -ENOMEM. */
int dump_add(struct dump *d, const struct dump_line *l);
void dump_free(struct dump *d);
#endif
