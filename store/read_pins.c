/* The SQL behind -f (pinned paths) and "pids" (the processes holding an object). */
#include "store/read_int.h"
#include "store/read_pins.h"

static int obj_stmt(struct db *db, const char *sql, int ncols, int64_t snap, const char *type,
		    uint32_t id, sqlite3_stmt **st, struct err *e)
{
	int err = read_cached(db, sql, ncols, st, e);

	if (err)
		return err;
	sqlite3_bind_int64(*st, 1, snap);
	sqlite3_bind_int64(*st, 2, id);
	sqlite3_bind_text(*st, 3, type, -1, SQLITE_STATIC);
	return 0;
}

static const char pins_sql[] =
	"SELECT path FROM pins WHERE snapshot_id = ?1 AND obj_type = ?3 AND obj_id = ?2"
	" ORDER BY path";

struct pin_walk {
	int (*fn)(const char *path, void *arg);
	void *arg;
};

static int pin_emit(sqlite3_stmt *st, void *arg)
{
	struct pin_walk *w = arg;

	return w->fn(read_text(st, 0), w->arg);
}

int pin_paths(struct db *db, int64_t snap, const char *type, uint32_t id,
	      int (*fn)(const char *path, void *arg), void *arg, struct err *e)
{
	struct pin_walk w = { fn, arg };
	sqlite3_stmt *st;
	int err = obj_stmt(db, pins_sql, 1, snap, type, id, &st, e);

	return err ?: read_each(db, st, pin_emit, &w, e);
}

static const char pins_any_sql[] =
	"SELECT 1 FROM pins WHERE snapshot_id = ?1 AND obj_type = ?3 AND ?2 = ?2 LIMIT 1";

int pins_any(struct db *db, int64_t snap, const char *type, bool *any, struct err *e)
{
	sqlite3_stmt *st;
	int rc, err = obj_stmt(db, pins_any_sql, 1, snap, type, 0, &st, e);

	if (err)
		return err;
	rc = sqlite3_step(st);
	*any = rc == SQLITE_ROW;
	err = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : read_step_err(db, rc, e);
	sqlite3_reset(st);
	return err;
}

/* the columns of owners_sql, in order */
enum { OC_PID, OC_COMM, OC_NCOLS };
static const char owners_sql[] =
	"SELECT pid, comm FROM owners WHERE snapshot_id = ?1 AND obj_type = ?3 AND obj_id = ?2"
	" ORDER BY pid";

struct owner_walk {
	int (*fn)(const struct owner_row *r, void *arg);
	void *arg;
};

static int owner_emit(sqlite3_stmt *st, void *arg)
{
	struct owner_walk *w = arg;
	struct owner_row r;

	r.pid = sqlite3_column_int64(st, OC_PID);
	r.comm = read_text(st, OC_COMM);
	return w->fn(&r, w->arg);
}

static const char owners_all_sql[] =
	"SELECT obj_id, pid, comm FROM owners WHERE snapshot_id = ?1 AND obj_type = ?3"
	" AND ?2 = ?2 ORDER BY obj_id, pid";

int owner_rows_all(struct db *db, int64_t snap, const char *type, struct id_rows *out,
		   struct err *e)
{
	sqlite3_stmt *st;
	int err = obj_stmt(db, owners_all_sql, 3, snap, type, 0, &st, e);

	return err ?: read_id_rows_all(db, st, out, e);
}

int owner_rows(struct db *db, int64_t snap, const char *type, uint32_t id,
	       int (*fn)(const struct owner_row *r, void *arg), void *arg, struct err *e)
{
	struct owner_walk w = { fn, arg };
	sqlite3_stmt *st;
	int err = obj_stmt(db, owners_sql, OC_NCOLS, snap, type, id, &st, e);

	return err ?: read_each(db, st, owner_emit, &w, e);
}
