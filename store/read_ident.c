/* Reading what identity compares. The attach points are the ones the prog_history view
 * coalesces, here apart: which one counts is analyze/match.c's rule, not SQL's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store/read_ident.h"

static const char ident_sql[] =
	"SELECT p.id, p.type, coalesce(p.full_name, p.name), p.tag, p.load_time,"
	" (SELECT min(path) FROM pins x WHERE x.snapshot_id = p.snapshot_id AND x.obj_type = 'prog'"
	"  AND x.obj_id = p.id),"
	" (SELECT min(x.path) FROM pins x JOIN links l ON l.snapshot_id = x.snapshot_id AND l.id = x.obj_id"
	"  WHERE x.snapshot_id = p.snapshot_id AND x.obj_type = 'link' AND l.prog_id = p.id),"
	" (SELECT min(a.kind || ':' || coalesce(a.devname, a.cgroup_path, a.target, ''))"
	"  FROM attachments a WHERE a.snapshot_id = p.snapshot_id AND a.prog_id = p.id),"
	" (SELECT min(coalesce(t.name, l.type) || ':' || coalesce(l.target, l.ifindex, l.cgroup_id, ''))"
	"  FROM links l LEFT JOIN link_types t ON t.id = l.type"
	"  WHERE l.snapshot_id = p.snapshot_id AND l.prog_id = p.id)"
	" FROM progs p WHERE p.snapshot_id = ?1 AND (?2 = 0 OR p.id = ?2) ORDER BY p.id";

static int dup_col(sqlite3_stmt *st, int c, char **out, struct err *e)
{
	const char *s = (const char *)sqlite3_column_text(st, c);

	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : err_set(e, ENOMEM, "out of memory");
}

static void row_free(struct prog_ident_row *r)
{
	free(r->name);
	free(r->tag);
	free(r->pin);
	free(r->link_pin);
	free(r->attach);
	free(r->link_target);
}

static int fill(sqlite3_stmt *st, struct prog_ident_row *r, struct err *e)
{
	char **strs[] = { &r->name, &r->tag, NULL, &r->pin, &r->link_pin, &r->attach,
		&r->link_target };
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->type = sqlite3_column_int64(st, 1);
	r->load_time = sqlite3_column_int64(st, 4);
	for (int i = 0; !err && i < 7; i++)
		if (strs[i])
			err = dup_col(st, 2 + i, strs[i], e);
	if (err)
		row_free(r);
	return err;
}

int prog_ident_rows_read(struct db *db, int64_t snap_id, uint32_t prog_id,
			 struct prog_ident_rows *out, struct err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int err;

	memset(out, 0, sizeof(*out));
	err = db_prepare(db, ident_sql, &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap_id);
	sqlite3_bind_int64(st, 2, prog_id);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *p = realloc(out->rows, ncap * sizeof(*out->rows));

			if (!p) {
				err = err_set(e, ENOMEM, "out of memory");
				break;
			}
			out->rows = p;
			cap = ncap;
		}
		err = fill(st, &out->rows[out->n], e);
		if (!err)
			out->n++;
	}
	sqlite3_finalize(st);
	if (err)
		prog_ident_rows_free(out);
	return err;
}

void prog_ident_rows_free(struct prog_ident_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		row_free(&r->rows[i]);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
