/* Reading a program's code out of a snapshot: one row, its blobs, the program's BTF data and
 * the boot's kallsyms. Statements run once per program are cached (db_cached). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "store/read_code.h"

static const char code_sql[] =
	"SELECT p.type, p.name, p.tag, p.btf_id, s.arch,"
	" p.xlated, p.jited_insns, p.func_info, p.line_info, p.jited_line_info,"
	" p.jited_ksyms, p.jited_func_lens, p.prog_tags,"
	" p.nr_func_info, p.func_info_rec_size, p.nr_line_info, p.line_info_rec_size,"
	" p.nr_jited_line_info, p.jited_line_info_rec_size, p.nr_jited_ksyms,"
	" p.nr_jited_func_lens, p.nr_prog_tags"
	" FROM progs p JOIN snapshots s ON s.id = p.snapshot_id"
	" WHERE p.snapshot_id = ? AND p.id = ?";
static const char btf_sql[] = "SELECT data FROM btf WHERE snapshot_id = ? AND id = ?";
static const char stat_sql[] =
	"SELECT gpl_compatible, run_time_ns, run_cnt, recursion_misses"
	" FROM progs WHERE snapshot_id = ? AND id = ?";

static void col_text(sqlite3_stmt *st, int c, char *out, size_t len)
{
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, c) ?: "");
}

static int read_blobs(struct db *db, sqlite3_stmt *st, bool with_jited, struct code_row *r,
		      struct err *e)
{
	struct buf *bufs[] = { &r->xlated, &r->jited, &r->func_info, &r->line_info,
		&r->jited_line_info, &r->jited_ksyms, &r->jited_func_lens, &r->prog_tags };
	int64_t *counts[] = { &r->nr_func_info, &r->func_info_rec_size, &r->nr_line_info,
		&r->line_info_rec_size, &r->nr_jited_line_info, &r->jited_line_info_rec_size,
		&r->nr_jited_ksyms, &r->nr_jited_func_lens, &r->nr_prog_tags };
	int err = 0;

	for (int i = 0; !err && i < 8; i++) {
		if (i == 1 && !with_jited)
			continue;
		err = blob_get_col(db, st, 5 + i, CODE_ROW_MAX, bufs[i], e);
	}
	for (int i = 0; i < 9; i++)
		*counts[i] = sqlite3_column_int64(st, 13 + i);
	return err;
}

static int read_btf(struct db *db, int64_t snap_id, uint32_t btf_id, struct buf *out,
		    struct err *e)
{
	sqlite3_stmt *st;
	int err;

	if (!btf_id)
		return 0;
	err = db_cached(db, btf_sql, &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, btf_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		err = blob_get_col(db, st, 0, 256u << 20, out, e);
	sqlite3_reset(st);
	return err;
}

int code_row_read(struct db *db, int64_t snap_id, uint32_t prog_id, bool with_jited,
		  struct code_row *row, struct err *e)
{
	sqlite3_stmt *st;
	int err;

	memset(row, 0, sizeof(*row));
	err = db_cached(db, code_sql, &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, prog_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return err_set(e, ENOENT, "no program with id %u in snapshot %lld", prog_id,
			       (long long)snap_id);
	}
	row->type = sqlite3_column_int64(st, 0);
	col_text(st, 1, row->name, sizeof(row->name));
	col_text(st, 2, row->tag, sizeof(row->tag));
	row->btf_id = sqlite3_column_int64(st, 3);
	col_text(st, 4, row->arch, sizeof(row->arch));
	err = read_blobs(db, st, with_jited, row, e);
	sqlite3_reset(st);
	if (!err)
		err = read_btf(db, snap_id, row->btf_id, &row->btf, e);
	if (err)
		code_row_free(row);
	return err;
}

void code_row_free(struct code_row *r)
{
	struct buf *bufs[] = { &r->xlated, &r->jited, &r->func_info, &r->line_info,
		&r->jited_line_info, &r->jited_ksyms, &r->jited_func_lens, &r->prog_tags, &r->btf };

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		buf_free(bufs[i]);
	memset(r, 0, sizeof(*r));
}

int kallsyms_read(struct db *db, int64_t snap_id, struct buf *out, struct err *e)
{
	sqlite3_stmt *st;
	int err;

	/* the lines its programs' calls need (a view of the snapshot's), else the boot's whole
	 * text (snapshots before the views, and boots whose code could not all be scanned) */
	err = db_prepare(db, "SELECT coalesce((SELECT v.list FROM view_rows v WHERE v.view = '"
			 KERNEL_CALLS_VIEW "' AND v.first_snap <= ?1 AND v.last_snap >= ?1),"
			 " (SELECT b.kallsyms FROM snapshots s JOIN boots b ON b.boot_id = s.boot_id"
			 " WHERE s.id = ?1))", &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		err = blob_get_col(db, st, 0, KALLSYMS_MAX, out, e);
	sqlite3_finalize(st);
	return err;
}

int prog_stat_read(struct db *db, int64_t snap_id, uint32_t prog_id, struct prog_stat_row *r,
		   struct err *e)
{
	sqlite3_stmt *st;
	int err;

	memset(r, 0, sizeof(*r));
	err = db_cached(db, stat_sql, &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, prog_id);
	err = -ENOENT;
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->gpl = sqlite3_column_int64(st, 0);
		r->run_time_ns = sqlite3_column_int64(st, 1);
		r->run_cnt = sqlite3_column_int64(st, 2);
		r->recursion_misses = sqlite3_column_int64(st, 3);
		err = 0;
	}
	sqlite3_reset(st);
	return err;
}
