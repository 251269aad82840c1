/* One mechanism for the spans of BTF objects, links, attachments and owners: a row's digest
 * is taken over the values bound to its INSERT, so it covers exactly the columns stored and
 * cannot drift from them when a column is added. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/schema.h"
#include "store/span_set.h"

static int open_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct span_open *)a)->digest, y = ((const struct span_open *)b)->digest;

	return x < y ? -1 : x > y;
}

/* The hash of the snapshot's boot id, read once per snapshot (a snapshot loads nine sets,
 * and the view this reads is a join SQLite compiles anew for each statement). */
static uint64_t boot_seed(struct db *db, int64_t snap_id, struct err *e, int *err)
{
	sqlite3_stmt *st;
	uint64_t h = HASH64_INIT;

	*err = 0;
	if (db->seed_snap == snap_id && snap_id)
		return db->seed;
	*err = db_prepare(db, "SELECT boot_id FROM snapshots WHERE id = ?", &st, e);
	if (*err)
		return h;
	sqlite3_bind_int64(st, 1, snap_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		h = hash64(h, sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	db->seed_snap = snap_id;
	db->seed = h;
	return h;
}

int span_set_load(struct db *db, struct span_set *s, const char *table, int64_t snap_id,
		  struct err *e)
{
	char sql[160];
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, err;

	span_set_free(s);
	s->table = table;
	s->seed = boot_seed(db, snap_id, e, &err);
	snprintf(sql, sizeof(sql), "SELECT digest, row FROM %s WHERE last_snap = " SPAN_OPEN_SQL,
		 table);
	err = err ?: db_prepare(db, sql, &st, e);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->n == cap) {
			struct span_open *v = realloc(s->v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!v) {
				sqlite3_finalize(st);
				return err_set(e, ENOMEM, "out of memory");
			}
			s->v = v;
		}
		s->v[s->n++] = (struct span_open){ .digest = (uint64_t)sqlite3_column_int64(st, 0),
						   .row = sqlite3_column_int64(st, 1) };
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(e, EIO, "can't read the open spans of %s in %s: %s", table, db->path,
			       sqlite3_errmsg(db->sql));
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), open_cmp);
	s->loaded = true;
	return 0;
}

/* An unseen open span with digest d, marked seen; NULL when there is none. Rows can repeat
 * in one snapshot (one object twice in a walk): each keeps one span. */
static const struct span_open *keep(struct span_set *s, uint64_t d)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].digest < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n && s->v[lo].digest == d; lo++) {
		if (!s->v[lo].seen) {
			s->v[lo].seen = true;
			return &s->v[lo];
		}
	}
	return NULL;
}

int span_set_write(struct db *db, struct span_set *s, sqlite3_stmt *ins, int64_t snap_id,
		   const char *what, int64_t *row, struct err *e)
{
	/* the statement's text with its values in it: ?1 and ?2 are still NULL */
	char *text = sqlite3_expanded_sql(ins);
	const struct span_open *o;
	uint64_t d;
	int rc;

	if (!text) {
		sqlite3_reset(ins);
		return err_set(e, ENOMEM, "out of memory storing %s", what);
	}
	d = hash64(s->seed, text, strlen(text));
	sqlite3_free(text);
	if (s->loaded && (o = keep(s, d))) {
		sqlite3_reset(ins);
		if (row)
			*row = o->row;
		return 0;
	}
	sqlite3_bind_int64(ins, 1, snap_id);
	sqlite3_bind_int64(ins, 2, (int64_t)d);
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	if (rc != SQLITE_DONE)
		return err_set(e, EIO, "can't store %s in %s: %s", what, db->path,
			       sqlite3_errmsg(db->sql));
	if (row)
		*row = sqlite3_last_insert_rowid(db->sql);
	return 0;
}

int span_set_write_order(struct db *db, struct span_set *s, const int64_t *rows, size_t n,
			 int64_t snap_id, const char *what, struct err *e)
{
	struct buf b = { 0 };
	sqlite3_stmt *st = NULL;
	char sql[160];
	int err = buf_append(&b, "[", 1);

	for (size_t i = 0; !err && i < n; i++) {
		char num[32];
		int len = snprintf(num, sizeof(num), "%s%lld", i ? "," : "", (long long)rows[i]);

		err = buf_append(&b, num, len);
	}
	err = err ?: buf_append(&b, "]", 1);
	if (err) {
		buf_free(&b);
		return err_set(e, ENOMEM, "out of memory");
	}
	snprintf(sql, sizeof(sql), "INSERT INTO %s(first_snap, digest, last_snap, rows)"
		 " VALUES(?1, ?2, " SPAN_OPEN_SQL ", ?3)", s->table);
	err = db_prepare(db, sql, &st, e);
	if (!err) {
		sqlite3_bind_text(st, 3, (const char *)b.data, b.len, SQLITE_STATIC);
		err = span_set_write(db, s, st, snap_id, what, NULL, e);
	}
	sqlite3_finalize(st);
	buf_free(&b);
	return err;
}

int span_set_end(struct db *db, struct span_set *s, int64_t snap_id, struct err *e)
{
	int err = 0;

	if (!s->loaded)
		return 0;
	for (size_t i = 0; !err && i < s->n; i++) {
		if (s->v[i].seen)
			continue;
		if (!s->end) {
			char sql[96];

			snprintf(sql, sizeof(sql), "UPDATE %s SET last_snap = ?1 WHERE row = ?2",
				 s->table);
			err = db_prepare(db, sql, &s->end, e);
			if (err)
				break;
		}
		sqlite3_bind_int64(s->end, 1, snap_id - 1);
		sqlite3_bind_int64(s->end, 2, s->v[i].row);
		if (sqlite3_step(s->end) != SQLITE_DONE)
			err = err_set(e, EIO, "can't end a span of %s in %s: %s", s->table, db->path,
				      sqlite3_errmsg(db->sql));
		sqlite3_reset(s->end);
		s->v[i].seen = true;
	}
	return err;
}

void span_set_free(struct span_set *s)
{
	sqlite3_finalize(s->end);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
