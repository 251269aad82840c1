/* Typed readers of the snapshots table, and the runner of `query "SQL"`: one read-only
 * statement whose rows are handed, cell by cell, to the caller's printer. */
#ifndef BPFSCOPE_READ_SNAPSHOT_H
#define BPFSCOPE_READ_SNAPSHOT_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

#define SNAP_ROW_POSTURE 5

/* One snapshots row. Strings are the stored ones (untrusted: print them escaped); NULL
 * columns are NULL pointers or has_* false. */
struct snapshot_row {
	int64_t id, taken_at_ns, duration_ns;
	const char *label, *host, *kernel_release, *arch, *boot_id, *tool_version, *warnings;
	uint64_t nr_progs, nr_maps, nr_btf, nr_links, nr_attachments, nr_pins;
	uint64_t vanished;
	int64_t posture[SNAP_ROW_POSTURE];	/* unprivileged_bpf_disabled, bpf_jit_enable,
						 * bpf_jit_harden, bpf_jit_kallsyms, bpf_stats_enabled */
	bool has_posture[SNAP_ROW_POSTURE];
	uint64_t mask;
};

/* Calls fn once with r NULL when the statement is ready, then for every snapshot in id
 * order (snap_id < 0) or for snap_id alone; fn's non-zero return ends the walk and is
 * returned. The row is valid during the call only. */
int snapshot_rows_read(struct db *db, int64_t snap_id,
		       int (*fn)(void *arg, const struct snapshot_row *r), void *arg,
		       struct err *e);
/* The warnings column of a snapshot (NULL when none); *out is the caller's to free(). */
int snapshot_warnings_read(struct db *db, int64_t snap_id, char **out, struct err *e);

enum query_cell_type { QCELL_INT, QCELL_FLOAT, QCELL_TEXT, QCELL_BLOB, QCELL_NULL };
struct query_cell {
	enum query_cell_type type;
	int64_t i;
	double d;
	const void *p;		/* text (not NUL-trusted: use len) or blob bytes */
	int len;
	const char *text;	/* the cell as text, NUL-terminated (NULL for a NULL cell) */
};
/* Called once with cells NULL (the column names, also when no row follows), then once per
 * row; a non-zero return stops the query and is returned. */
typedef int (*query_row_fn)(void *arg, int ncol, const char *const *names,
			    const struct query_cell *cells);
/* Run one read-only statement; errors are "query: <sqlite's message>" or "query: only one
 * read-only statement is allowed". */
int query_run(struct db *db, const char *sql, query_row_fn fn, void *arg, struct err *e);
#endif
