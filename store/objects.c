/* The objects table: one row per loaded ELF object, its bytes a content-addressed blob. */
#include <errno.h>
#include "store/objects.h"

int objects_add(struct db *db, const struct object_rec *r, int64_t *id, struct err *e)
{
	uint8_t hash[SHA256_LEN];
	sqlite3_stmt *st = NULL;
	int err;

	err = blob_put(db, "elf", r->elf, r->elf_len, hash, e);
	if (!err)
		err = db_prepare(db, "INSERT INTO objects(loaded_at, path, elf, boot_id, prog_ids,"
				 " map_ids, pin_dir) VALUES(?, ?, ?, ?, ?, ?, ?)", &st, e);
	if (!err) {
		sqlite3_bind_int64(st, 1, r->loaded_at);
		sqlite3_bind_text(st, 2, r->path, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, hash, SHA256_LEN, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->boot_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->prog_ids, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->map_ids, -1, SQLITE_STATIC);
		if (r->pin_dir)
			sqlite3_bind_text(st, 7, r->pin_dir, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
		else if (id)
			*id = sqlite3_last_insert_rowid(db->sql);
	}
	sqlite3_finalize(st);
	return err;
}

int objects_each(struct db *db, size_t max,
		 int (*fn)(void *arg, const char *path, struct buf *elf), void *arg,
		 struct err *e)
{
	struct buf b = { 0 };
	sqlite3_stmt *st;
	int err;

	err = db_prepare(db, "SELECT path, elf FROM objects ORDER BY id DESC", &st, e);
	if (err)
		return err;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct err ignore = { 0 };
		const char *path = (const char *)sqlite3_column_text(st, 0);

		b.len = 0;
		if (blob_get_col(db, st, 1, max, &b, &ignore))
			continue;
		err = fn(arg, path ? path : "", &b);
		if (err)
			break;
	}
	sqlite3_finalize(st);
	buf_free(&b);
	return err;
}
