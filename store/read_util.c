/* Shared plumbing of the typed row readers: cached statements checked against their
 * column enums, id lists, step errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store/read_int.h"

void id_list_free(struct id_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int read_step_err(struct db *db, int rc, struct err *e)
{
	return err_set(e, EIO, "database %s: %s (%d)", db->path, sqlite3_errmsg(db->sql), rc);
}

int read_cached(struct db *db, const char *sql, int ncols, sqlite3_stmt **st, struct err *e)
{
	int err = db_cached(db, sql, st, e);

	if (err)
		return err;
	if (sqlite3_column_count(*st) != ncols)
		return err_set(e, EINVAL, "internal: a reader expects %d columns, its query gives %d",
			       ncols, sqlite3_column_count(*st));
	return 0;
}

static int id_list_push(struct id_list *l, uint32_t id, struct err *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		uint32_t *p = realloc(l->v, cap * sizeof(*p));

		if (!p)
			return err_set(e, ENOMEM, "out of memory");
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

int read_each(struct db *db, sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *arg),
	      void *arg, struct err *e)
{
	int rc, err = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = row(st, arg);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = read_step_err(db, rc, e);
	sqlite3_reset(st);
	return err;
}

int read_rows(struct db *db, const char *sql, int ncols, int64_t snap, int64_t id,
	      int (*row)(sqlite3_stmt *st, void *arg), void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int err = read_cached(db, sql, ncols, &st, e);

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap);
	sqlite3_bind_int64(st, 2, id);
	return read_each(db, st, row, arg, e);
}

struct id_push {
	struct id_list *out;
	struct err *e;
};

static int id_push_row(sqlite3_stmt *st, void *arg)
{
	struct id_push *p = arg;

	return id_list_push(p->out, (uint32_t)sqlite3_column_int64(st, 0), p->e);
}

void id_rows_free(struct id_rows *r)
{
	free(r->v);
	buf_free(&r->texts);
	memset(r, 0, sizeof(*r));
}

size_t id_rows_find(const struct id_rows *r, uint32_t key, size_t *from)
{
	size_t lo = 0, hi = r->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < r->n && r->v[end].key == key; end++)
		;
	*from = lo;
	return end - lo;
}

int id_rows_ids(const struct id_rows *r, uint32_t key, struct id_list *out, struct err *e)
{
	size_t from, n = id_rows_find(r, key, &from);
	int err = 0;

	out->n = 0;
	for (size_t i = from; !err && i < from + n; i++)
		err = id_list_push(out, (uint32_t)r->v[i].num, e);
	return err;
}

struct id_rows_fill {
	struct id_rows *out;
	struct err *e;
};

/* a row of (key, number[, text]) from columns 0, 1 and 2 (when the statement has it) */
static int id_rows_push(sqlite3_stmt *st, void *arg)
{
	struct id_rows_fill *f = arg;
	struct id_rows *r = f->out;
	int64_t key = sqlite3_column_int64(st, 0);
	struct id_row *row;

	/* no object has such an id (a hostile file's): as a look-up by id would, skip it, which
	 * also keeps the keys ascending as 32-bit ids */
	if (key < 0 || key > UINT32_MAX)
		return 0;
	if (array_room((void **)&r->v, &r->cap, r->n, sizeof(*r->v)))
		return err_set(f->e, ENOMEM, "out of memory");
	row = &r->v[r->n];
	*row = (struct id_row){ (uint32_t)key, sqlite3_column_int64(st, 1), r->texts.len };
	if (sqlite3_column_count(st) > 2) {
		const char *s = read_text(st, 2);

		if (buf_append(&r->texts, s, strlen(s) + 1))
			return err_set(f->e, ENOMEM, "out of memory");
	}
	r->n++;
	return 0;
}

int read_id_rows_all(struct db *db, sqlite3_stmt *st, struct id_rows *out, struct err *e)
{
	struct id_rows_fill f = { out, e };

	id_rows_free(out);
	return read_each(db, st, id_rows_push, &f, e);
}

int read_ids(struct db *db, sqlite3_stmt *st, struct id_list *out, struct err *e)
{
	struct id_push p = { out, e };

	out->n = 0;
	return read_each(db, st, id_push_row, &p, e);
}

int read_id_rows(struct db *db, const char *sql, int64_t snap, int64_t id, struct id_list *out,
		 struct err *e)
{
	struct id_push p = { out, e };

	out->n = 0;
	return read_rows(db, sql, 1, snap, id, id_push_row, &p, e);
}

const char *read_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

int read_find(struct db *db, const char *const *sqls, size_t nsql, int64_t snap,
	      enum find_key key, const char *text, uint32_t id, struct id_list *out,
	      struct err *e)
{
	sqlite3_stmt *st;
	int err;

	if ((size_t)key >= nsql || !sqls[key])
		return err_set(e, EINVAL, "internal: no lookup by key %d", (int)key);
	err = db_prepare(db, sqls[key], &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap);
	if (key == FIND_ID)
		sqlite3_bind_int64(st, 2, id);
	else if (key != FIND_ALL)
		sqlite3_bind_text(st, 2, text ? text : "", -1, SQLITE_TRANSIENT);
	err = read_ids(db, st, out, e);
	sqlite3_finalize(st);
	return err;
}
