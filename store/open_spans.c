/* What a snapshot compares against: the open spans of the latest snapshot (programs, maps,
 * pins; BTF, links, attachments and owners: store/span_set.c), and the blobs this boot
 * stored already (BTF data, kernel symbols). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/read_code.h"	/* KALLSYMS_MAX */
#include "store/schema.h"
#include "store/snap_mask.h"
#include "store/writer.h"

/* Room for one more element of size sz in *arr (n used of *cap). */
static int grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, (*cap ? *cap * 2 : 256) * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = *cap ? *cap * 2 : 256;
	return 0;
}

int store_open_progs(struct db *db, const char *boot_id, struct open_prog **out, size_t *n,
		     struct err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int err;

	*out = NULL;
	*n = 0;
	err = db_prepare(db, "SELECT id, load_time, xlated IS NOT NULL, bytes_memlock, full_name,"
			 " row, digest, first_snap IN (SELECT id FROM snapshots WHERE boot_id = ?1),"
			 " nr_map_ids, type, attach_btf_obj_id, bytes_xlated, bytes_jited, tag, name"
			 " FROM prog_rows WHERE last_snap = " SPAN_OPEN_SQL " ORDER BY id", &st, e);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct open_prog *pc;

		if (grow((void **)out, *n, &cap, sizeof(**out))) {
			sqlite3_finalize(st);
			return err_set(e, ENOMEM, "out of memory");
		}
		pc = &(*out)[(*n)++];
		pc->id = sqlite3_column_int64(st, 0);
		pc->load_time = sqlite3_column_int64(st, 1);
		pc->code_ok = sqlite3_column_int(st, 2);
		pc->memlock = sqlite3_column_int64(st, 3);
		snprintf(pc->full_name, sizeof(pc->full_name), "%s",
			 (const char *)sqlite3_column_text(st, 4) ?: "");
		pc->row = sqlite3_column_int64(st, 5);
		pc->digest = (uint64_t)sqlite3_column_int64(st, 6);
		pc->same_boot = sqlite3_column_int(st, 7);
		pc->nr_map_ids = sqlite3_column_int64(st, 8);
		pc->type = sqlite3_column_int64(st, 9);
		pc->attach_btf_obj_id = sqlite3_column_int64(st, 10);
		pc->bytes_xlated = sqlite3_column_int64(st, 11);
		pc->bytes_jited = sqlite3_column_int64(st, 12);
		snprintf(pc->tag, sizeof(pc->tag), "%s", (const char *)sqlite3_column_text(st, 13) ?: "");
		snprintf(pc->name, sizeof(pc->name), "%s", (const char *)sqlite3_column_text(st, 14) ?: "");
		pc->seen = false;
	}
	sqlite3_finalize(st);
	return 0;
}

int store_open_maps(struct db *db, const char *boot_id, struct open_map **out, size_t *n,
		    struct err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int err;

	*out = NULL;
	*n = 0;
	err = db_prepare(db, "SELECT id, row, digest, type, flags, frozen, first_snap IN"
			 " (SELECT id FROM snapshots WHERE boot_id = ?1) FROM map_rows WHERE last_snap = "
			 SPAN_OPEN_SQL " ORDER BY id", &st, e);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (grow((void **)out, *n, &cap, sizeof(**out))) {
			sqlite3_finalize(st);
			return err_set(e, ENOMEM, "out of memory");
		}
		(*out)[(*n)++] = (struct open_map){
			.id = sqlite3_column_int64(st, 0),
			.row = sqlite3_column_int64(st, 1),
			.digest = (uint64_t)sqlite3_column_int64(st, 2),
			.type = sqlite3_column_int64(st, 3),
			.flags = sqlite3_column_int64(st, 4),
			.frozen = sqlite3_column_int(st, 5) != 0,
			.same_boot = sqlite3_column_int(st, 6),
		};
	}
	sqlite3_finalize(st);
	return 0;
}

int store_open_pins(struct db *db, const char *boot_id, struct pin_row **out, size_t *n,
		    struct err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, err;

	*out = NULL;
	*n = 0;
	err = db_prepare(db, "SELECT path, ino, obj_type, obj_id, row, first_snap IN (SELECT id"
			 " FROM snapshots WHERE boot_id = ?1) FROM pin_rows WHERE last_snap = "
			 SPAN_OPEN_SQL, &st, e);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 2);
		struct pin_row *r;

		if (grow((void **)out, *n, &cap, sizeof(**out)))
			break;
		r = &(*out)[*n];
		r->path = strdup(path ? path : "");
		if (!r->path)
			break;
		type = type ? type : "";
		r->ino = sqlite3_column_int64(st, 1);
		r->kind = type[0] == 'p' ? 'p' : type[0] == 'm' ? 'm' : 'l';
		r->id = sqlite3_column_int64(st, 3);
		r->row = sqlite3_column_int64(st, 4);
		r->same_boot = sqlite3_column_int(st, 5);
		r->seen = false;
		(*n)++;
	}
	sqlite3_finalize(st);
	/* (out of memory: the loop broke on a row) */
	return rc == SQLITE_DONE ? 0 : err_set(e, EIO, "can't read the open pin spans of %s",
					       db->path);
}

bool store_btf_known(struct db *db, const char *boot_id, int64_t snap_id, uint32_t id,
		     uint32_t size, uint8_t hash[SHA256_LEN])
{
	sqlite3_stmt *st;
	bool found = false;

	/* a span of another snapshot of this boot (an open one also covers snap_id, whose boot
	 * may be a new one; a span's own first snapshot may have been deleted) */
	if (db_prepare(db, "SELECT r.data FROM btf_rows r WHERE r.id = ?2 AND r.size = ?3"
		       " AND r.data IS NOT NULL AND EXISTS (SELECT 1 FROM snapshots s WHERE s.id"
		       " BETWEEN r.first_snap AND r.last_snap AND s.id != ?4 AND s.boot_id = ?1)"
		       " ORDER BY r.row DESC LIMIT 1", &st, NULL))
		return false;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, size);
	sqlite3_bind_int64(st, 4, snap_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SHA256_LEN) {
		memcpy(hash, sqlite3_column_blob(st, 0), SHA256_LEN);
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

static bool boot_has(struct db *db, const char *sql, const char *boot_id, int64_t snap_id)
{
	sqlite3_stmt *st;
	bool found = false;

	if (db_prepare(db, sql, &st, NULL))
		return false;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	if (snap_id)
		sqlite3_bind_int64(st, 2, snap_id);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

bool store_boot_has_kallsyms(struct db *db, const char *boot_id)
{
	return boot_has(db, "SELECT 1 FROM boots WHERE boot_id = ? AND kallsyms IS NOT NULL",
			boot_id, 0);
}

int store_boot_calls(struct db *db, const char *boot_id, struct buf *out, bool *found,
		     struct err *e)
{
	sqlite3_stmt *st;
	int err;

	*found = false;
	err = db_prepare(db, "SELECT list FROM view_rows WHERE view = '" KERNEL_CALLS_VIEW "'"
			 " AND first_snap IN (SELECT id FROM snapshots WHERE boot_id = ?1)"
			 " ORDER BY row DESC LIMIT 1", &st, e);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		err = blob_get_col(db, st, 0, KALLSYMS_MAX, out, e);
		*found = !err;
	}
	sqlite3_finalize(st);
	return err;
}

bool store_boot_had_code(struct db *db, const char *boot_id, int64_t snap_id)
{
	return boot_has(db, "SELECT 1 FROM snapshots WHERE boot_id = ?1 AND id < ?2"
			" AND (mask & " SNAP_CODE_SQL ") != 0", boot_id, snap_id);
}

bool store_boot_has_vmlinux(struct db *db, const char *boot_id, int64_t snap_id)
{
	return boot_has(db, "SELECT 1 FROM btf_rows r WHERE r.kernel AND r.name = 'vmlinux'"
			" AND r.data IS NOT NULL AND EXISTS (SELECT 1 FROM snapshots s WHERE s.id"
			" BETWEEN r.first_snap AND r.last_snap AND s.id != ?2 AND s.boot_id = ?1)",
			boot_id, snap_id);
}

int store_btf_hashes_of_size(struct db *db, uint32_t size, uint8_t (*hashes)[SHA256_LEN], int max)
{
	sqlite3_stmt *st;
	int n = 0;

	if (db_prepare(db, "SELECT hash FROM blobs WHERE kind = 'btf' AND raw_size = ?1 LIMIT 4",
		       &st, NULL))
		return 0;
	sqlite3_bind_int64(st, 1, size);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 0) == SHA256_LEN)
			memcpy(hashes[n++], sqlite3_column_blob(st, 0), SHA256_LEN);
	sqlite3_finalize(st);
	return n;
}
