/* Typed readers of a program's code as a snapshot stores it: the blobs and the counts beside
 * them, exactly as stored (nothing checked but blob hashes and size bounds: analyze/prog_code.c
 * clamps the counts), the boot's kallsyms, and the BTF objects programs and maps refer to. */
#ifndef BPFSCOPE_READ_CODE_H
#define BPFSCOPE_READ_CODE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

/* No code blob may inflate beyond this (a program's xlated or jited image). */
#define CODE_ROW_MAX (64u << 20)
#define KALLSYMS_MAX (256u << 20)

/* One progs row's code columns. The nr_* and *_rec_size fields are the stored ones,
 * untrusted: a count may exceed its blob. */
struct code_row {
	uint32_t type, btf_id;
	char name[64], tag[17], arch[32];
	struct buf xlated, jited, func_info, line_info, jited_line_info, jited_ksyms,
		jited_func_lens, prog_tags;
	struct buf btf;		/* the program's BTF data (empty when it has none) */
	int64_t nr_func_info, func_info_rec_size, nr_line_info, line_info_rec_size,
		nr_jited_line_info, jited_line_info_rec_size, nr_jited_ksyms, nr_jited_func_lens,
		nr_prog_tags;
};

/* Program prog_id of snapshot snap_id; with_jited false leaves row->jited empty.
 * -ENOENT when the snapshot has no such program. */
int code_row_read(struct db *db, int64_t snap_id, uint32_t prog_id, bool with_jited,
		  struct code_row *row, struct err *e);
void code_row_free(struct code_row *row);
/* The lines of /proc/kallsyms a snapshot's programs' calls need (analyze/ksyms.h's
 * ksyms_select), kept as a view of the snapshot (view_rows) */
#define KERNEL_CALLS_VIEW "kernel_calls"
/* /proc/kallsyms of the snapshot's boot: the lines its programs' calls need, or the whole
 * text before them (empty when not recorded). */
int kallsyms_read(struct db *db, int64_t snap_id, struct buf *out, struct err *e);

/* The run figures and licence bpftool prints in a program's header line. */
struct prog_stat_row {
	bool gpl;
	uint64_t run_time_ns, run_cnt, recursion_misses;
};
/* -ENOENT (e untouched) when the row is missing. */
int prog_stat_read(struct db *db, int64_t snap_id, uint32_t prog_id, struct prog_stat_row *r,
		   struct err *e);
#endif
