/* The SQL behind btf show: BTF rows read by named column, the programs and maps using one. */
#include "store/read_btf.h"
#include "store/read_int.h"

/* the columns of btf_sql, in order */
enum { BC_ID, BC_NAME, BC_SIZE, BC_KERNEL, BC_NCOLS };
static const char btf_sql[] =
	"SELECT id, name, size, kernel FROM btf WHERE snapshot_id = ?1"
	" AND (?2 < 0 OR id = ?2) ORDER BY id";

struct btf_walk {
	int (*fn)(const struct btf_row *r, void *arg);
	void *arg;
};

static int btf_emit(sqlite3_stmt *st, void *arg)
{
	struct btf_walk *w = arg;
	struct btf_row r;

	r.id = sqlite3_column_int64(st, BC_ID);
	r.name = read_text(st, BC_NAME);
	r.size = sqlite3_column_int64(st, BC_SIZE);
	r.kernel = sqlite3_column_int(st, BC_KERNEL);
	return w->fn(&r, w->arg);
}

int btf_rows(struct db *db, int64_t snap, int64_t id,
	     int (*fn)(const struct btf_row *r, void *arg), void *arg, struct err *e)
{
	struct btf_walk w = { fn, arg };

	return read_rows(db, btf_sql, BC_NCOLS, snap, id, btf_emit, &w, e);
}

static const char btf_progs_sql[] =
	"SELECT id FROM progs WHERE snapshot_id = ?1 AND btf_id = ?2 ORDER BY id";
static const char btf_maps_sql[] =
	"SELECT id FROM maps WHERE snapshot_id = ?1 AND btf_id = ?2 ORDER BY id";

int btf_prog_ids(struct db *db, int64_t snap, uint32_t btf_id, struct id_list *out,
		 struct err *e)
{
	return read_id_rows(db, btf_progs_sql, snap, btf_id, out, e);
}

int btf_map_ids(struct db *db, int64_t snap, uint32_t btf_id, struct id_list *out,
		struct err *e)
{
	return read_id_rows(db, btf_maps_sql, snap, btf_id, out, e);
}
