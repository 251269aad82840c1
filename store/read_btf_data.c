/* Reading BTF objects and the BTF ids of programs and maps out of a snapshot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "store/read_btf_data.h"

int btf_data_read(struct db *db, int64_t snap_id, uint32_t id, struct btf_data_row *r, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, err;

	memset(r, 0, sizeof(*r));
	rc = sqlite3_prepare_v2(db->sql, "SELECT name, kernel, data FROM btf "
				"WHERE snapshot_id = ?1 AND id = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return err_set(e, EIO, "can't query BTF: %s", sqlite3_errmsg(db->sql));
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ?
		      err_set(e, ENOENT, "no BTF with id %u in snapshot %lld", id, (long long)snap_id) :
		      err_set(e, EIO, "can't query BTF: %s", sqlite3_errmsg(db->sql));
		goto out;
	}
	if (sqlite3_column_text(st, 0))
		snprintf(r->name, sizeof(r->name), "%s", (const char *)sqlite3_column_text(st, 0));
	r->kernel = sqlite3_column_int(st, 1) != 0;
	err = blob_get_col(db, st, 2, BLOB_MAX_SIZE, &r->data, e);
out:
	sqlite3_finalize(st);
	if (err)
		btf_data_free(r);
	return err;
}

void btf_data_free(struct btf_data_row *r)
{
	buf_free(&r->data);
	memset(r, 0, sizeof(*r));
}

int btf_vmlinux_read(struct db *db, int64_t snap_id, struct buf *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int err;

	err = db_prepare(db, "SELECT data FROM btf WHERE snapshot_id = ? AND kernel = 1"
			 " AND name = 'vmlinux' AND data IS NOT NULL LIMIT 1", &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		err = blob_get_col(db, st, 0, VMLINUX_BTF_MAX, out, e);
		if (!err && !out->len)
			err = -ENOENT;
	} else {
		err = -ENOENT;
	}
	sqlite3_finalize(st);
	return err;
}

static int int_cols(struct db *db, const char *sql, int64_t snap_id, uint32_t id,
		    int64_t *cols, int ncols, struct err *e)
{
	sqlite3_stmt *st;
	int err;

	err = db_prepare(db, sql, &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, id);
	err = -ENOENT;
	if (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++)
			cols[i] = sqlite3_column_int64(st, i);
		err = 0;
	}
	sqlite3_finalize(st);
	return err;
}

int prog_btf_id_read(struct db *db, int64_t snap_id, uint32_t prog_id, int64_t ids[1],
		     struct err *e)
{
	return int_cols(db, "SELECT btf_id FROM progs WHERE snapshot_id = ?1 AND id = ?2",
			snap_id, prog_id, ids, 1, e);
}

int map_btf_ids_read(struct db *db, int64_t snap_id, uint32_t map_id, int64_t ids[3],
		     struct err *e)
{
	return int_cols(db, "SELECT btf_id, btf_key_type_id, btf_value_type_id FROM maps "
			"WHERE snapshot_id = ?1 AND id = ?2", snap_id, map_id, ids, 3, e);
}
