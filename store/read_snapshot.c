/* Reading the snapshots table by column name, and running the user's read-only query. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store/read_snapshot.h"

#define SNAP_COLS "id, taken_at, label, host, kernel_release, arch, nr_progs, nr_maps, nr_btf," \
	" nr_links, nr_attachments, nr_pins," \
	" coalesce(vanished_progs, 0) + coalesce(vanished_maps, 0) + coalesce(vanished_btf, 0) +" \
	" coalesce(vanished_links, 0), duration_ns, boot_id, tool_version," \
	" unprivileged_bpf_disabled, bpf_jit_enable, bpf_jit_harden, bpf_jit_kallsyms," \
	" bpf_stats_enabled, warnings, mask"
enum { C_ID, C_TAKEN, C_LABEL, C_HOST, C_KERNEL, C_ARCH, C_NR_PROGS, C_VANISHED = 12,
       C_DURATION, C_BOOT, C_TOOL, C_POSTURE, C_WARNINGS = C_POSTURE + SNAP_ROW_POSTURE, C_MASK };

static const char *text_or_null(sqlite3_stmt *st, int c)
{
	return sqlite3_column_type(st, c) == SQLITE_NULL ? NULL :
	       (const char *)sqlite3_column_text(st, c);
}

static void fill_row(sqlite3_stmt *st, struct snapshot_row *r)
{
	uint64_t *counts[] = { &r->nr_progs, &r->nr_maps, &r->nr_btf, &r->nr_links,
		&r->nr_attachments, &r->nr_pins };

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, C_ID);
	r->taken_at_ns = sqlite3_column_int64(st, C_TAKEN);
	r->label = text_or_null(st, C_LABEL);
	r->host = text_or_null(st, C_HOST);
	r->kernel_release = text_or_null(st, C_KERNEL);
	r->arch = text_or_null(st, C_ARCH);
	for (int i = 0; i < 6; i++)
		*counts[i] = sqlite3_column_int64(st, C_NR_PROGS + i);
	r->vanished = sqlite3_column_int64(st, C_VANISHED);
	r->duration_ns = sqlite3_column_int64(st, C_DURATION);
	r->boot_id = text_or_null(st, C_BOOT);
	r->tool_version = text_or_null(st, C_TOOL);
	for (int i = 0; i < SNAP_ROW_POSTURE; i++) {
		r->has_posture[i] = sqlite3_column_type(st, C_POSTURE + i) != SQLITE_NULL;
		r->posture[i] = sqlite3_column_int64(st, C_POSTURE + i);
	}
	r->warnings = text_or_null(st, C_WARNINGS);
	r->mask = sqlite3_column_int64(st, C_MASK);
}

int snapshot_rows_read(struct db *db, int64_t snap_id,
		       int (*fn)(void *arg, const struct snapshot_row *r), void *arg,
		       struct err *e)
{
	sqlite3_stmt *st;
	struct snapshot_row r;
	int err;

	err = db_prepare(db, snap_id < 0 ? "SELECT " SNAP_COLS " FROM snapshots ORDER BY id" :
			 "SELECT " SNAP_COLS " FROM snapshots WHERE id = ?", &st, e);
	if (err)
		return err;
	if (snap_id >= 0)
		sqlite3_bind_int64(st, 1, snap_id);
	err = fn(arg, NULL);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		fill_row(st, &r);
		err = fn(arg, &r);
	}
	sqlite3_finalize(st);
	return err;
}

int snapshot_warnings_read(struct db *db, int64_t snap_id, char **out, struct err *e)
{
	sqlite3_stmt *st;
	int err;

	*out = NULL;
	err = db_prepare(db, "SELECT warnings FROM snapshots WHERE id = ?", &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		*out = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*out)
			err = err_set(e, ENOMEM, "out of memory");
	}
	sqlite3_finalize(st);
	return err;
}

static void fill_cell(sqlite3_stmt *st, int c, struct query_cell *q)
{
	memset(q, 0, sizeof(*q));
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_INTEGER:
		q->type = QCELL_INT;
		q->i = sqlite3_column_int64(st, c);
		break;
	case SQLITE_FLOAT:
		q->type = QCELL_FLOAT;
		q->d = sqlite3_column_double(st, c);
		break;
	case SQLITE_NULL:
		q->type = QCELL_NULL;
		return;
	case SQLITE_BLOB:
		q->type = QCELL_BLOB;
		q->p = sqlite3_column_blob(st, c);
		q->len = sqlite3_column_bytes(st, c);
		return;
	default:
		q->type = QCELL_TEXT;
	}
	/* text after the typed value: the conversion leaves the value read above alone */
	q->text = (const char *)sqlite3_column_text(st, c);
	q->p = q->text;
	q->len = sqlite3_column_bytes(st, c);
}

static int run_rows(struct db *db, sqlite3_stmt *st, query_row_fn fn, void *arg,
		    struct err *e)
{
	int ncol = sqlite3_column_count(st), rc = SQLITE_DONE, err = 0;
	const char **names = calloc(ncol + 1, sizeof(*names));
	struct query_cell *cells = calloc(ncol + 1, sizeof(*cells));

	if (!names || !cells) {
		err = err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	for (int c = 0; c < ncol; c++)
		names[c] = sqlite3_column_name(st, c);
	err = fn(arg, ncol, names, NULL);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < ncol; c++)
			fill_cell(st, c, &cells[c]);
		err = fn(arg, ncol, names, cells);
	}
	if (!err && rc != SQLITE_DONE)
		err = err_set(e, EIO, "query: %s", sqlite3_errmsg(db->sql));
out:
	free(names);
	free(cells);
	return err;
}

int query_run(struct db *db, const char *sql, query_row_fn fn, void *arg, struct err *e)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int err;

	/* read-only twice over: the connection is opened read-only and so is the statement */
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, &tail) != SQLITE_OK)
		return err_set(e, EINVAL, "query: %s", sqlite3_errmsg(db->sql));
	if (!st || !sqlite3_stmt_readonly(st) || (tail && strspn(tail, " \t\r\n;") != strlen(tail))) {
		sqlite3_finalize(st);
		return err_set(e, EINVAL, "query: only one read-only statement is allowed");
	}
	err = run_rows(db, st, fn, arg, e);
	sqlite3_finalize(st);
	return err;
}
