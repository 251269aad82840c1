/* The SQL behind prog show and PROG: program rows read by named column, map ids, lookups. */
#include <errno.h>
#include "store/read_int.h"
#include "store/read_prog.h"

/* the columns of prog_sql, in order */
enum {
	PC_ID, PC_TYPE, PC_NAME, PC_TAG, PC_GPL, PC_LOAD_TIME, PC_LOADED_AT, PC_UID, PC_XLATED,
	PC_JITED, PC_BYTES_JITED, PC_MEMLOCK, PC_BTF_ID, PC_RUN_TIME, PC_RUN_CNT, PC_MISSES,
	PC_IFINDEX, PC_VERIFIED, PC_NCOLS
};
static const char prog_sql[] =
	"SELECT id, type, coalesce(full_name, name), tag, gpl_compatible, load_time, loaded_at,"
	" uid, bytes_xlated, jited, bytes_jited, bytes_memlock, btf_id, run_time_ns, run_cnt,"
	" recursion_misses, ifindex, verified_insns FROM progs WHERE snapshot_id = ?1"
	" AND (?2 < 0 OR id = ?2) ORDER BY id";

static void prog_row_read(sqlite3_stmt *st, struct prog_row *r)
{
	r->id = sqlite3_column_int64(st, PC_ID);
	r->type = sqlite3_column_int64(st, PC_TYPE);
	r->name = read_text(st, PC_NAME);
	r->tag = read_text(st, PC_TAG);
	r->gpl_compatible = sqlite3_column_int(st, PC_GPL);
	r->load_time = sqlite3_column_int64(st, PC_LOAD_TIME);
	r->loaded_at = sqlite3_column_int64(st, PC_LOADED_AT);
	r->uid = sqlite3_column_int64(st, PC_UID);
	r->bytes_xlated = sqlite3_column_int64(st, PC_XLATED);
	r->jited = sqlite3_column_int(st, PC_JITED);
	r->bytes_jited = sqlite3_column_int64(st, PC_BYTES_JITED);
	r->bytes_memlock = sqlite3_column_int64(st, PC_MEMLOCK);
	r->btf_id = sqlite3_column_int64(st, PC_BTF_ID);
	r->run_time_ns = sqlite3_column_int64(st, PC_RUN_TIME);
	r->run_cnt = sqlite3_column_int64(st, PC_RUN_CNT);
	r->recursion_misses = sqlite3_column_int64(st, PC_MISSES);
	r->ifindex = sqlite3_column_int64(st, PC_IFINDEX);
	r->verified_insns = sqlite3_column_int64(st, PC_VERIFIED);
}

struct prog_walk {
	int (*fn)(const struct prog_row *r, void *arg);
	void *arg;
};

static int prog_emit(sqlite3_stmt *st, void *arg)
{
	struct prog_walk *w = arg;
	struct prog_row r;

	prog_row_read(st, &r);
	return w->fn(&r, w->arg);
}

int prog_rows(struct db *db, int64_t snap, int64_t id,
	      int (*fn)(const struct prog_row *r, void *arg), void *arg, struct err *e)
{
	struct prog_walk w = { fn, arg };

	return read_rows(db, prog_sql, PC_NCOLS, snap, id, prog_emit, &w, e);
}

static const char prog_maps_sql[] =
	"SELECT map_id FROM prog_maps WHERE snapshot_id = ?1 AND prog_id = ?2 ORDER BY idx";

int prog_map_ids(struct db *db, int64_t snap, uint32_t id, struct id_list *out, struct err *e)
{
	return read_id_rows(db, prog_maps_sql, snap, id, out, e);
}

static const char prog_maps_all_sql[] =
	"SELECT prog_id, map_id FROM prog_maps WHERE snapshot_id = ?1 ORDER BY prog_id, idx";

int prog_map_ids_all(struct db *db, int64_t snap, struct id_rows *out, struct err *e)
{
	sqlite3_stmt *st;
	int err = read_cached(db, prog_maps_all_sql, 2, &st, e);

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap);
	return read_id_rows_all(db, st, out, e);
}

/* lookups by FIND_* key (read_find) */
static const char *const prog_find_sql[] = {
	[FIND_ALL] = "SELECT id FROM progs WHERE snapshot_id = ?1 ORDER BY id",
	[FIND_ID] = "SELECT id FROM progs WHERE snapshot_id = ?1 AND id = ?2",
	[FIND_NAME] = "SELECT id FROM progs WHERE snapshot_id = ?1 AND (name = ?2 OR full_name = ?2)"
		" ORDER BY id",
	[FIND_TAG] = "SELECT id FROM progs WHERE snapshot_id = ?1 AND tag = lower(?2) ORDER BY id",
	/* a pinned link stands for its program (what loadall autoattach pins) */
	[FIND_PINNED] = "SELECT obj_id FROM pins WHERE snapshot_id = ?1 AND path = ?2"
		" AND obj_type = 'prog' UNION SELECT l.prog_id FROM pins p JOIN links l ON"
		" l.snapshot_id = p.snapshot_id AND l.id = p.obj_id WHERE p.snapshot_id = ?1"
		" AND p.path = ?2 AND p.obj_type = 'link'",
};

int prog_find(struct db *db, int64_t snap, enum find_key key, const char *text, uint32_t id,
	      struct id_list *out, struct err *e)
{
	return read_find(db, prog_find_sql, ARRAY_SIZE(prog_find_sql), snap,
			 key, text, id, out, e);
}
