/* A program's code from the view's database: store/'s row reader, then analyze/'s checks. */
#ifndef BPFSCOPE_CLI_CODE_LOAD_H
#define BPFSCOPE_CLI_CODE_LOAD_H
#include "analyze/prog_code.h"
#include "store/db.h"

/* what: PROG_CODE_* */
int code_load(struct db *db, int64_t snap_id, uint32_t prog_id, unsigned what,
	      struct prog_code *pc, struct err *e);
/* Kernel symbols of a snapshot's boot, loaded once for many programs. */
int code_load_ksyms(struct db *db, int64_t snap_id, struct ksyms *k, struct err *e);
#endif
