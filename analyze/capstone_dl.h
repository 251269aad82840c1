/* capstone, loaded when a JIT dump first needs it: linked in, its tables' 77,000 pointer
 * relocations cost every run of bpfscope 2 ms, a snapshot's whole database work. */
#ifndef BPFSCOPE_CAPSTONE_DL_H
#define BPFSCOPE_CAPSTONE_DL_H
#include <capstone/capstone.h>
#include "lib/err.h"

struct cs_api {
	cs_err (*open)(cs_arch arch, cs_mode mode, csh *h);
	cs_err (*option)(csh h, cs_opt_type type, size_t value);
	cs_insn *(*malloc)(csh h);
	bool (*disasm_iter)(csh h, const uint8_t **code, size_t *size, uint64_t *addr,
			    cs_insn *insn);
	void (*free)(cs_insn *insn, size_t count);
	cs_err (*close)(csh *h);
};

/* Fill api from the shared capstone library (loaded once; later calls find it loaded). */
int cs_api_load(struct cs_api *api, struct err *e);
#endif
