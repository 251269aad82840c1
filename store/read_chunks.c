/* Reading map contents stored in chunks (schema 9): the list blob names chunk blobs, joined
 * here into the one contents blob every reader parses (keys, then values, then a trailer). */
#include <errno.h>
#include <string.h>
#include "lib/map_chunks.h"
#include "store/db.h"

/* A chunk's header, checked against its list: same sizes, the count the list says, the
 * bytes that count takes (and a trailer only in the last). */
static int chunk_check(const struct map_chunk_list *l, const struct buf *c, uint32_t i,
		       uint64_t count, uint64_t entry, struct err *e)
{
	struct map_contents_sizes s;
	bool v2;

	if (c->len < MAP_CHUNK_HDR)
		return err_set(e, EBADMSG, "map contents chunk %u: truncated", i);
	v2 = !memcmp(c->data, "BPFSMAP2", 8);
	if (!v2 && memcmp(c->data, "BPFSMAP1", 8))
		return err_set(e, EBADMSG, "map contents chunk %u: no BPFSMAP1 header", i);
	if (v2 && i + 1 != l->nr_chunks)
		return err_set(e, EBADMSG, "map contents chunk %u: an error trailer before the last", i);
	map_contents_sizes_read(c->data, &s);
	if (s.key_size != l->key_size || s.value_size != l->value_size || s.nr_cpus != l->nr_cpus ||
	    s.value_stride != l->value_stride || s.count != count)
		return err_set(e, EBADMSG, "map contents chunk %u: its header disagrees with its list", i);
	if ((c->len - MAP_CHUNK_HDR) / (entry ? entry : 1) < count ||
	    (!v2 && count * entry != c->len - MAP_CHUNK_HDR))
		return err_set(e, EBADMSG, "map contents chunk %u: %llu entries do not fit %zu bytes",
			       i, (unsigned long long)count, c->len);
	return 0;
}

/* Chunk i of list l into c, checked against the list. */
static int chunk_fetch(struct db *db, const struct map_chunk_list *l, uint32_t i, struct buf *c,
		       struct err *e)
{
	uint64_t entry = (uint64_t)l->key_size + l->value_stride, n;
	const uint8_t *h = map_chunk_list_rec(l, i, &n);
	size_t cmax = n * entry + MAP_CHUNK_HDR;
	int err;

	/* the bound before inflating: what its count takes, a trailer more for the last */
	if (i + 1 == l->nr_chunks)
		cmax += MAP_CHUNK_READ_MAX;
	err = blob_get(db, h, 32, cmax, c, e);
	if (err == -ENOENT) {	/* (to callers, ENOENT means no such map) */
		err_clear(e);
		err = err_set(e, EBADMSG, "map contents chunk %u of %u is missing from the database",
			      i, l->nr_chunks);
	}
	return err ?: chunk_check(l, c, i, n, entry, e);
}

/* list (a copy, not out) -> out: the header, every chunk's keys and values in place. */
static int chunks_join(struct db *db, const struct map_chunk_list *l, size_t max,
		       struct buf *out, struct err *e)
{
	uint64_t entry = (uint64_t)l->key_size + l->value_stride, done = 0, keys_len;
	struct buf c = { 0 };
	int err = 0;

	if (l->count && (!entry || l->count > (max - MAP_CHUNK_HDR) / entry))
		return err_set(e, EFBIG, "map contents: %llu entries of %llu bytes pass the bound"
			       " of %zu bytes", (unsigned long long)l->count,
			       (unsigned long long)entry, max);
	keys_len = l->count * l->key_size;
	out->len = 0;
	if (buf_reserve(out, MAP_CHUNK_HDR + l->count * entry + 1))
		return err_set(e, ENOMEM, "out of memory reading map contents");
	memset(out->data, 0, MAP_CHUNK_HDR);
	memcpy(out->data, "BPFSMAP1", 8);
	map_contents_sizes_write(out->data, &(struct map_contents_sizes){ l->key_size,
				 l->value_size, l->nr_cpus, l->value_stride, l->count });
	out->len = MAP_CHUNK_HDR + l->count * entry;
	for (uint32_t i = 0; !err && i < l->nr_chunks; i++) {
		uint64_t n;

		map_chunk_list_rec(l, i, &n);
		err = chunk_fetch(db, l, i, &c, e);
		if (err)
			break;
		memcpy(out->data + MAP_CHUNK_HDR + done * l->key_size, c.data + MAP_CHUNK_HDR,
		       n * l->key_size);
		memcpy(out->data + MAP_CHUNK_HDR + keys_len + done * l->value_stride,
		       c.data + MAP_CHUNK_HDR + n * l->key_size, n * l->value_stride);
		done += n;
		if (c.len > MAP_CHUNK_HDR + n * entry) {	/* the last chunk's trailer */
			memcpy(out->data, "BPFSMAP2", 8);
			if (buf_append(out, c.data + MAP_CHUNK_HDR + n * entry,
				       c.len - MAP_CHUNK_HDR - n * entry))
				err = err_set(e, ENOMEM, "out of memory reading map contents");
		}
	}
	buf_free(&c);
	return err;
}

/* Before a reader prints the first chunk: every chunk's blob is there, of the size its
 * count takes (the last with room for a trailer), without inflating any. What is wrong
 * inside a chunk is found when it is read. */
static int chunks_present(struct db *db, const struct map_chunk_list *l, struct err *e)
{
	uint64_t entry = (uint64_t)l->key_size + l->value_stride;
	sqlite3_stmt *st;
	int err = db_prepare(db, "SELECT raw_size FROM blobs WHERE hash = ?", &st, e);

	for (uint32_t i = 0; !err && i < l->nr_chunks; i++) {
		uint64_t n, want;
		const uint8_t *h = map_chunk_list_rec(l, i, &n);
		sqlite3_int64 raw;

		want = MAP_CHUNK_HDR + n * entry;
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			err = err_set(e, EBADMSG, "map contents chunk %u of %u is missing from the"
				      " database", i, l->nr_chunks);
			break;
		}
		raw = sqlite3_column_int64(st, 0);
		if (raw < 0 || (uint64_t)raw < want ||
		    (uint64_t)raw > want + (i + 1 == l->nr_chunks ? MAP_CHUNK_READ_MAX : 0))
			err = err_set(e, EBADMSG, "map contents chunk %u: %lld bytes for %llu entries",
				      i, (long long)raw, (unsigned long long)n);
	}
	sqlite3_finalize(st);
	return err;
}

int map_contents_chunk(struct db *db, const struct map_chunk_list *l, uint32_t i,
		       struct buf *out, struct err *e)
{
	if (i >= l->nr_chunks)
		return err_set(e, EINVAL, "map contents chunk %u of %u", i, l->nr_chunks);
	return chunk_fetch(db, l, i, out, e);
}

int map_contents_list_col(struct db *db, sqlite3_stmt *st, int col, size_t max, struct buf *out,
			  struct map_chunk_list *l, struct err *e)
{
	int err = blob_get_col(db, st, col, max, out, e);

	memset(l, 0, sizeof(*l));
	if (err || !map_chunk_list_is(out->data, out->len))
		return err;
	err = map_chunk_list_parse(out->data, out->len, l, e) ?: chunks_present(db, l, e);
	if (err) {
		memset(l, 0, sizeof(*l));
		out->len = 0;
	}
	return err;
}

int map_contents_get_col(struct db *db, sqlite3_stmt *st, int col, size_t max, struct buf *out,
			 struct err *e)
{
	struct map_chunk_list l;
	struct buf list = { 0 };
	int err = blob_get_col(db, st, col, max, out, e);

	if (err || !map_chunk_list_is(out->data, out->len))
		return err;
	/* the list moves aside: out becomes the joined contents */
	list = *out;
	*out = (struct buf){ 0 };
	err = map_chunk_list_parse(list.data, list.len, &l, e) ?: chunks_join(db, &l, max, out, e);
	buf_free(&list);
	if (err)
		out->len = 0;
	return err;
}
