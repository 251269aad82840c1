/* A program's code from the view's database: store/'s row reader, then analyze/'s checks. */
#ifndef BPFSCOPE_CLI_CODE_LOAD_H
#define BPFSCOPE_CLI_CODE_LOAD_H
#include "analyze/match.h"
#include "analyze/prog_code.h"
#include "store/read_ident.h"
#include "store/db.h"

/* what: PROG_CODE_* */
int code_load(struct db *db, int64_t snap_id, uint32_t prog_id, unsigned what,
	      struct prog_code *pc, struct err *e);
/* Kernel symbols of a snapshot's boot, loaded once for many programs. */
int code_load_ksyms(struct db *db, int64_t snap_id, struct ksyms *k, struct err *e);

/* Programs of a snapshot (prog_id 0: all) as analyze/match.h's identities; *ids point into
 * rows, so both are freed together (prog_idents_free). */
int prog_idents_load(struct db *db, int64_t snap_id, uint32_t prog_id,
		     struct prog_ident_rows *rows, struct prog_ident **ids, struct err *e);
void prog_idents_free(struct prog_ident_rows *rows, struct prog_ident *ids);
#endif
