/* boot_features: the feature probe of each boot, its text in the row (store/features.h):
 * some 7 KB a boot, too small for the blobs table's hashing to pay. The table comes as the
 * sockets table came, CREATE TABLE IF NOT EXISTS with the views (schema.c). */
#include <errno.h>
#include "store/features.h"

bool store_boot_has_features(struct db *db, const char *boot_id)
{
	sqlite3_stmt *st;
	bool found;

	if (db_prepare(db, "SELECT 1 FROM boot_features WHERE boot_id = ?", &st, NULL))
		return false;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int store_boot_features(struct db *db, const char *boot_id, const void *data, size_t len,
			struct err *e)
{
	sqlite3_stmt *st;
	int err = db_prepare(db, "INSERT OR REPLACE INTO boot_features(boot_id, probe)"
			     " VALUES(?, ?)", &st, e);

	if (err)
		return err;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	return err;
}

int features_read(struct db *db, int64_t snap_id, struct buf *out, struct err *e)
{
	sqlite3_stmt *st;
	int err;

	/* a file no writer of this version opened has no table: no probe, not an error */
	if (db_prepare(db, "SELECT f.probe FROM snapshots s JOIN boot_features f"
		       " ON f.boot_id = s.boot_id WHERE s.id = ?", &st, NULL))
		return -ENOENT;
	sqlite3_bind_int64(st, 1, snap_id);
	err = -ENOENT;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);

		out->len = 0;
		if (n < 0 || (size_t)n > FEATURES_BLOB_MAX)
			err = err_set(e, EINVAL, "stored feature probe of %d bytes refused", n);
		else
			err = buf_append(out, p ? p : "", (size_t)n) ? err_set(e, ENOMEM, "out of memory") : 0;
	}
	sqlite3_finalize(st);
	return err;
}
