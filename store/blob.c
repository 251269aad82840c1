/* Content-addressed blobs: sha256 of the raw bytes names zlib-compressed bytes.
 * Reads trust nothing: the size bound is checked before inflating, the hash after. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "store/db.h"

static int stmt(struct db *db, sqlite3_stmt **st, const char *sql, struct err *e)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	return db_prepare(db, sql, st, e);
}

/* Below this size a blob is stored as it is: zlib's header and trailer eat the gain. */
#define BLOB_RAW_BELOW 128
/* at and above this, a blob is written into its row in steps of this (blob_write_in) */
#define BLOB_INCREMENTAL (1u << 20)

/* len bytes compressed into zbuf through the stream at *zsp (made on first use, reset after:
 * its init costs more than a small blob's compression) */
static int deflate_into(void **zsp, struct buf *zbuf, const void *data, size_t len,
			const void **out, size_t *olen)
{
	z_stream *zs = *zsp;
	uLong bound = compressBound(len);

	if (!zs) {
		zs = calloc(1, sizeof(*zs));
		/* level 1: snapshots are on the hot path; blobs are written once */
		if (!zs || deflateInit(zs, 1) != Z_OK) {
			free(zs);
			return -ENOMEM;
		}
		*zsp = zs;
	} else if (deflateReset(zs) != Z_OK) {
		return -EIO;
	}
	if (buf_reserve(zbuf, bound - zbuf->len + 1))
		return -ENOMEM;
	zs->next_in = (Bytef *)data;
	zs->avail_in = len;
	zs->next_out = zbuf->data;
	zs->avail_out = bound;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return -EIO;
	*out = zbuf->data;
	*olen = bound - zs->avail_out;
	return 0;
}

static void deflate_free(void **zsp, struct buf *zbuf)
{
	if (*zsp) {
		deflateEnd(*zsp);
		free(*zsp);
		*zsp = NULL;
	}
	buf_free(zbuf);
}

void blob_cleanup(struct db *db)
{
	deflate_free(&db->zs, &db->zbuf);
}

int blob_pack(struct blob_packer *pk, const void *data, size_t len, struct blob_packed *out)
{
	memset(out, 0, sizeof(*out));
	sha256(data, len, out->hash);
	out->raw_size = len;
	out->z = data;
	out->zlen = len;
	if (len < BLOB_RAW_BELOW)
		return 0;
	out->codec = 1;
	return deflate_into(&pk->zs, &pk->zbuf, data, len, &out->z, &out->zlen);
}

void blob_packer_free(struct blob_packer *pk)
{
	deflate_free(&pk->zs, &pk->zbuf);
}

/* the bytes of the blob row just inserted with a zeroblob, written in place */
static int blob_write_in(struct db *db, sqlite3_int64 rowid, const void *z, size_t zlen,
			 struct err *e)
{
	sqlite3_blob *b = NULL;
	int rc = sqlite3_blob_open(db->sql, "main", "blobs", "zdata", rowid, 1, &b);

	for (size_t off = 0; rc == SQLITE_OK && off < zlen; off += BLOB_INCREMENTAL) {
		size_t n = zlen - off < BLOB_INCREMENTAL ? zlen - off : BLOB_INCREMENTAL;

		rc = sqlite3_blob_write(b, (const uint8_t *)z + off, (int)n, (int)off);
	}
	if (b && sqlite3_blob_close(b) != SQLITE_OK && rc == SQLITE_OK)
		rc = SQLITE_ERROR;
	return rc == SQLITE_OK ? 0 : err_set(e, EIO, "database %s: %s", db->path,
					     sqlite3_errmsg(db->sql));
}

int blob_put_prepared(struct db *db, const char *kind, const uint8_t hash[SHA256_LEN],
		      size_t raw_size, int codec, const void *z, size_t zlen, struct err *e)
{
	int rc, err = stmt(db, &db->blob_ins,
		       "INSERT OR IGNORE INTO blobs(hash, kind, raw_size, codec, zdata) VALUES(?, ?, ?, ?, ?)", e);

	if (err)
		return err;
	sqlite3_bind_blob(db->blob_ins, 1, hash, SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_text(db->blob_ins, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(db->blob_ins, 3, raw_size);
	sqlite3_bind_int(db->blob_ins, 4, codec);
	/* a large one (vmlinux BTF, 5.5 MB) is written into its pages as it is: bound whole,
	 * SQLite would first copy it into a record of its own */
	if (zlen >= BLOB_INCREMENTAL)
		rc = sqlite3_bind_zeroblob64(db->blob_ins, 5, zlen);
	else
		rc = sqlite3_bind_blob64(db->blob_ins, 5, zlen ? z : "", zlen, SQLITE_STATIC);
	/* (a bind refused, too big, would leave the last blob's bytes bound) */
	if (rc != SQLITE_OK)
		err = err_set(e, rc == SQLITE_TOOBIG ? EFBIG : EIO,
			      "database %s: a %s blob of %zu bytes: %s", db->path, kind, zlen,
			      sqlite3_errstr(rc));
	else if (sqlite3_step(db->blob_ins) != SQLITE_DONE)
		err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_reset(db->blob_ins);
	if (!err && zlen >= BLOB_INCREMENTAL && sqlite3_changes(db->sql) == 1)
		err = blob_write_in(db, sqlite3_last_insert_rowid(db->sql), z, zlen, e);
	return err;
}

int blob_put(struct db *db, const char *kind, const void *data, size_t len,
	     uint8_t hash[SHA256_LEN], struct err *e)
{
	const void *z = data;
	size_t zlen = len;
	int codec = 0, err, rc;

	sha256(data, len, hash);
	err = stmt(db, &db->blob_has, "SELECT 1 FROM blobs WHERE hash = ?", e);
	if (err)
		return err;
	sqlite3_bind_blob(db->blob_has, 1, hash, SHA256_LEN, SQLITE_STATIC);
	rc = sqlite3_step(db->blob_has);
	sqlite3_reset(db->blob_has);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	/* a live view's blobs live as long as one command: compressing them is time lost */
	if (len >= BLOB_RAW_BELOW && !db->memory) {
		if (deflate_into(&db->zs, &db->zbuf, data, len, &z, &zlen))
			return err_set(e, EIO, "can't compress a %s blob of %zu bytes", kind, len);
		codec = 1;
	}
	return blob_put_prepared(db, kind, hash, len, codec, z, zlen, e);
}

static void hash_hex(const void *hash, size_t len, char *out)
{
	hex_encode(hash, len > 8 ? 8 : len, out);
}

int blob_get(struct db *db, const void *hash, size_t hash_len, size_t max, struct buf *out,
	     struct err *e)
{
	char hx[17];
	uint8_t got[SHA256_LEN];
	sqlite3_int64 raw;
	const void *z;
	uLongf dlen;
	int zlen, err, rc;

	out->len = 0;
	hash_hex(hash, hash_len, hx);
	if (hash_len != SHA256_LEN)
		return err_set(e, EINVAL, "blob reference of %zu bytes is not a sha256", hash_len);
	err = stmt(db, &db->blob_get, "SELECT raw_size, zdata, codec FROM blobs WHERE hash = ?", e);
	if (err)
		return err;
	sqlite3_bind_blob(db->blob_get, 1, hash, SHA256_LEN, SQLITE_STATIC);
	rc = sqlite3_step(db->blob_get);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(db->blob_get);
		if (rc == SQLITE_DONE)
			return err_set(e, ENOENT, "blob %s is missing from the database", hx);
		return err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	}
	raw = sqlite3_column_int64(db->blob_get, 0);
	z = sqlite3_column_blob(db->blob_get, 1);
	zlen = sqlite3_column_bytes(db->blob_get, 1);
	if (raw < 0 || (uint64_t)raw > max || (uint64_t)raw > BLOB_MAX_SIZE) {
		sqlite3_reset(db->blob_get);
		return err_set(e, EFBIG, "blob %s claims %lld bytes, over the bound of %zu",
			       hx, (long long)raw, max);
	}
	err = buf_reserve(out, raw + 1);
	if (err) {
		sqlite3_reset(db->blob_get);
		return err_set(e, ENOMEM, "out of memory reading blob %s", hx);
	}
	dlen = raw;
	if (sqlite3_column_int(db->blob_get, 2) == 0) {
		if (zlen != raw) {
			sqlite3_reset(db->blob_get);
			return err_set(e, EBADMSG, "blob %s is corrupt (%d bytes stored, %lld claimed)",
				       hx, zlen, (long long)raw);
		}
		if (raw)
			memcpy(out->data, z, raw);
	} else if (raw && (!z || uncompress(out->data, &dlen, z, zlen) != Z_OK || dlen != (uLongf)raw)) {
		sqlite3_reset(db->blob_get);
		return err_set(e, EBADMSG, "blob %s is corrupt (does not inflate to %lld bytes)",
			       hx, (long long)raw);
	}
	sqlite3_reset(db->blob_get);
	out->len = raw;
	out->data[raw] = 0;	/* text blobs can be read as strings */
	if (db->memory)		/* written by this process a moment ago */
		return 0;
	sha256(out->data, out->len, got);
	if (memcmp(got, hash, SHA256_LEN))
		return err_set(e, EBADMSG, "blob %s is corrupt (hash mismatch)", hx);
	return 0;
}

int blob_get_col(struct db *db, sqlite3_stmt *st, int col, size_t max, struct buf *out,
		 struct err *e)
{
	uint8_t hash[SHA256_LEN];
	int n;

	out->len = 0;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	n = sqlite3_column_bytes(st, col);
	if (n != SHA256_LEN)
		return err_set(e, EINVAL, "blob reference of %d bytes is not a sha256", n);
	/* copy: blob_get runs another statement on the same connection */
	memcpy(hash, sqlite3_column_blob(st, col), SHA256_LEN);
	return blob_get(db, hash, SHA256_LEN, max, out, e);
}

int snapshot_resolve(struct db *db, const char *ref, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = NULL;
	char *end;
	long long n;
	int err;

	if (!ref || !*ref || !strcmp(ref, "latest")) {
		err = db_prepare(db, "SELECT id FROM snapshots ORDER BY id DESC LIMIT 1", &st, e);
	} else if (!strncmp(ref, "latest~", 7)) {
		n = strtoll(ref + 7, &end, 10);
		if (*end || n < 0 || end == ref + 7)
			return err_set(e, EINVAL, "bad snapshot reference '%s' (latest~N wants a number)", ref);
		err = db_prepare(db, "SELECT id FROM snapshots ORDER BY id DESC LIMIT 1 OFFSET ?", &st, e);
		if (!err)
			sqlite3_bind_int64(st, 1, n);
	} else {
		n = strtoll(ref, &end, 10);
		if (!*end && end != ref) {
			err = db_prepare(db, "SELECT id FROM snapshots WHERE id = ?", &st, e);
			if (!err)
				sqlite3_bind_int64(st, 1, n);
		} else {
			err = db_prepare(db, "SELECT id FROM snapshots WHERE label = ? ORDER BY id DESC LIMIT 1",
					 &st, e);
			if (!err)
				sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
		}
	}
	if (err)
		return err;
	if (sqlite3_step(st) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else
		err = err_set(e, ENOENT, "no snapshot '%s' in %s", ref ? ref : "latest", db->path);
	sqlite3_finalize(st);
	return err;
}
