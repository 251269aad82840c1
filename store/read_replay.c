/* Typed readers of the snapshot rows replay needs (store/read_replay.h). */
#include <errno.h>
#include <stdio.h>
#include "store/read_replay.h"

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* Prepare sql, bind the snapshot id as ?1 (and more ids as ?2...). */
static int start(struct db *db, const char *sql, int64_t snap, const uint32_t *more,
		 int nmore, sqlite3_stmt **st, struct err *e)
{
	int err = db_prepare(db, sql, st, e);

	if (err)
		return err;
	sqlite3_bind_int64(*st, 1, snap);
	for (int i = 0; i < nmore; i++)
		sqlite3_bind_int64(*st, 2 + i, more[i]);
	return 0;
}

/* After the last step: rc is what it returned, err what the callbacks did. */
static int finish(struct db *db, sqlite3_stmt *st, int rc, int err, struct err *e)
{
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	return err;
}

int rr_progs(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_prog *r),
	     void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT id, type, name, tag FROM progs WHERE snapshot_id = ?"
			    " ORDER BY id", snap, NULL, 0, &st, e);

	if (err)
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rr_prog r = {
			.id = sqlite3_column_int64(st, 0), .type = sqlite3_column_int64(st, 1),
			.name = col_text(st, 2), .tag = col_text(st, 3),
		};

		err = fn(arg, &r);
	}
	return finish(db, st, rc, err, e);
}

int rr_maps(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_map *r),
	    void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT id, type, name, bytes_key, bytes_value, frozen,"
			    " contents IS NOT NULL FROM maps WHERE snapshot_id = ? ORDER BY id",
			    snap, NULL, 0, &st, e);

	if (err)
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rr_map r = {
			.id = sqlite3_column_int64(st, 0), .type = sqlite3_column_int64(st, 1),
			.name = col_text(st, 2), .key_size = sqlite3_column_int64(st, 3),
			.value_size = sqlite3_column_int64(st, 4),
			.frozen = sqlite3_column_int64(st, 5),
			.has_contents = sqlite3_column_int64(st, 6),
		};

		err = fn(arg, &r);
	}
	return finish(db, st, rc, err, e);
}

int rr_pins(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_pin *r),
	    void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT path, obj_type, obj_id FROM pins WHERE snapshot_id = ?"
			    " ORDER BY path", snap, NULL, 0, &st, e);

	if (err)
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rr_pin r = {
			.path = col_text(st, 0), .kind = col_text(st, 1),
			.id = sqlite3_column_int64(st, 2),
		};

		err = fn(arg, &r);
	}
	return finish(db, st, rc, err, e);
}

int rr_links(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_link *r),
	     void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT id, type, prog_id, attach_type, target, ifindex, offset,"
			    " cookie, flags FROM links WHERE snapshot_id = ? ORDER BY id",
			    snap, NULL, 0, &st, e);

	if (err)
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rr_link r = {
			.id = sqlite3_column_int64(st, 0), .type = sqlite3_column_int64(st, 1),
			.prog_id = sqlite3_column_int64(st, 2),
			.attach_type = sqlite3_column_int64(st, 3), .target = col_text(st, 4),
			.ifindex = sqlite3_column_int64(st, 5),
			.offset = sqlite3_column_int64(st, 6),
			.cookie = sqlite3_column_int64(st, 7),
			.flags = sqlite3_column_int64(st, 8),
		};

		err = fn(arg, &r);
	}
	return finish(db, st, rc, err, e);
}

/* The one reader of the attachments table's columns for replay: a change of its columns
 * (schema 3's typed ones) is made here. */
int rr_attachments(struct db *db, int64_t snap, int (*fn)(void *arg, const struct rr_att *r),
		   void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT kind, prog_id, ifindex, devname, mode,"
			    " coalesce(link_id, 0) FROM attach_orders o JOIN json_each(o.rows) j"
			    " JOIN attach_rows a ON a.row = j.value WHERE o.first_snap <= ?1"
			    " AND o.last_snap >= ?1 ORDER BY kind, j.key", snap, NULL, 0, &st, e);

	if (err)
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rr_att r = {
			.kind = col_text(st, 0), .prog_id = sqlite3_column_int64(st, 1),
			.ifindex = sqlite3_column_int64(st, 2), .devname = col_text(st, 3),
			.mode = col_text(st, 4), .link_id = sqlite3_column_int64(st, 5),
		};

		err = fn(arg, &r);
	}
	return finish(db, st, rc, err, e);
}

int rr_prog_maps(struct db *db, int64_t snap,
		 int (*fn)(void *arg, uint32_t prog_id, uint32_t map_id), void *arg,
		 struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT prog_id, map_id FROM prog_maps WHERE snapshot_id = ?",
			    snap, NULL, 0, &st, e);

	if (err)
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW)
		err = fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	return finish(db, st, rc, err, e);
}

int rr_prog_owner(struct db *db, int64_t snap, uint32_t prog_id, int64_t *pid, char *comm,
		  size_t len, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT pid, comm FROM owners WHERE snapshot_id = ? AND"
			    " obj_type = 'prog' AND obj_id = ? LIMIT 1", snap, &prog_id, 1, &st, e);

	if (err)
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*pid = sqlite3_column_int64(st, 0);
		snprintf(comm, len, "%s", col_text(st, 1));
	}
	err = finish(db, st, rc, 0, e);
	return err ? err : rc == SQLITE_ROW;
}

/* Map map_id's stored contents: joined into b, or with l a chunk list left as a list. */
static int contents_row(struct db *db, int64_t snap, uint32_t map_id, size_t max, struct buf *b,
			struct map_chunk_list *l, struct err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT contents FROM maps WHERE snapshot_id = ? AND id = ?",
			    snap, &map_id, 1, &st, e);

	if (err)
		return err;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
		err = -ENODATA;
	else if (l)
		err = map_contents_list_col(db, st, 0, max, b, l, e);
	else
		err = map_contents_get_col(db, st, 0, max, b, e);
	sqlite3_finalize(st);
	return err;
}

int rr_map_contents(struct db *db, int64_t snap, uint32_t map_id, size_t max, struct buf *b,
		    struct err *e)
{
	return contents_row(db, snap, map_id, max, b, NULL, e);
}

int rr_map_contents_list(struct db *db, int64_t snap, uint32_t map_id, size_t max,
			 struct buf *b, struct map_chunk_list *l, struct err *e)
{
	return contents_row(db, snap, map_id, max, b, l, e);
}

int rr_maps_like(struct db *db, int64_t snap, uint32_t type, uint32_t key_size,
		 uint32_t value_size, int (*fn)(void *arg, const struct rr_map_cand *r),
		 void *arg, struct err *e)
{
	const uint32_t more[] = { type, key_size, value_size };
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = start(db, "SELECT m.id, m.name, (SELECT group_concat(path, char(10)) FROM pins p"
			 " WHERE p.snapshot_id = m.snapshot_id AND p.obj_type = 'map' AND"
			 " p.obj_id = m.id), EXISTS (SELECT 1 FROM pins p WHERE p.snapshot_id ="
			 " m.snapshot_id AND ((p.obj_type = 'map' AND p.obj_id = m.id) OR"
			 " (p.obj_type = 'prog' AND p.obj_id IN (SELECT prog_id FROM prog_maps x WHERE"
			 " x.snapshot_id = m.snapshot_id AND x.map_id = m.id)) OR (p.obj_type = 'link'"
			 " AND p.obj_id IN (SELECT l.id FROM links l JOIN prog_maps x ON x.snapshot_id ="
			 " l.snapshot_id AND x.prog_id = l.prog_id WHERE l.snapshot_id = m.snapshot_id"
			 " AND x.map_id = m.id)))) FROM maps m WHERE m.snapshot_id = ? AND m.type = ?"
			 " AND m.bytes_key = ? AND m.bytes_value = ? AND m.contents IS NOT NULL",
			 snap, more, 3, &st, e);

	if (err)
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rr_map_cand r = {
			.id = sqlite3_column_int64(st, 0), .name = col_text(st, 1),
			.pins = col_text(st, 2), .lasting = sqlite3_column_int(st, 3),
		};

		err = fn(arg, &r);
	}
	return finish(db, st, rc, err, e);
}
