/* The SQL behind link show: link rows read by named column. */
#include "store/read_int.h"
#include "store/read_link.h"

/* the columns of link_sql, in order */
enum {
	LC_ID, LC_TYPE, LC_PROG_ID, LC_ATTACH_TYPE, LC_TARGET, LC_TARGET_OBJ_ID, LC_TARGET_BTF_ID,
	LC_CGROUP_ID, LC_IFINDEX, LC_NETNS_INO, LC_OFFSET, LC_COOKIE, LC_FLAGS, LC_INFO_RAW, LC_NCOLS
};
static const char link_sql[] =
	"SELECT id, type, prog_id, attach_type, target, target_obj_id, target_btf_id, cgroup_id,"
	" ifindex, netns_ino, offset, cookie, flags, info_raw FROM links WHERE snapshot_id = ?1"
	" AND (?2 < 0 OR id = ?2) ORDER BY id";

static void link_row_read(sqlite3_stmt *st, struct link_row *r)
{
	r->id = sqlite3_column_int64(st, LC_ID);
	r->type = sqlite3_column_int64(st, LC_TYPE);
	r->prog_id = sqlite3_column_int64(st, LC_PROG_ID);
	r->attach_type = sqlite3_column_int64(st, LC_ATTACH_TYPE);
	r->target = (const char *)sqlite3_column_text(st, LC_TARGET);
	r->target_obj_id = sqlite3_column_int64(st, LC_TARGET_OBJ_ID);
	r->target_btf_id = sqlite3_column_int64(st, LC_TARGET_BTF_ID);
	r->cgroup_id = sqlite3_column_int64(st, LC_CGROUP_ID);
	r->ifindex = sqlite3_column_int64(st, LC_IFINDEX);
	r->netns_ino = sqlite3_column_int64(st, LC_NETNS_INO);
	r->offset = sqlite3_column_int64(st, LC_OFFSET);
	r->cookie = sqlite3_column_int64(st, LC_COOKIE);
	r->flags = sqlite3_column_int64(st, LC_FLAGS);
}

struct link_walk {
	int (*fn)(const struct link_row *r, void *arg);
	void *arg;
	struct db *db;
	struct err *e;
	struct buf raw;		/* the row's info_raw blob */
};

/* a struct bpf_link_info is some 100 bytes; a bigger blob is not one */
#define LINK_INFO_MAX 4096

static int link_emit(sqlite3_stmt *st, void *arg)
{
	struct link_walk *w = arg;
	struct link_row r;

	link_row_read(st, &r);
	if (blob_get_col(w->db, st, LC_INFO_RAW, LINK_INFO_MAX, &w->raw, w->e))
		w->raw.len = 0;	/* the columns still say what they hold */
	r.info_raw = w->raw.len ? w->raw.data : NULL;
	r.info_len = w->raw.len;
	return w->fn(&r, w->arg);
}

int link_rows(struct db *db, int64_t snap, int64_t id,
	      int (*fn)(const struct link_row *r, void *arg), void *arg, struct err *e)
{
	struct link_walk w = { fn, arg, db, e, { 0 } };
	int err = read_rows(db, link_sql, LC_NCOLS, snap, id, link_emit, &w, e);

	buf_free(&w.raw);
	return err;
}

/* lookups by FIND_* key (read_find); links have no name or tag */
static const char *const link_find_sql[] = {
	[FIND_ALL] = "SELECT id FROM links WHERE snapshot_id = ?1 ORDER BY id",
	[FIND_ID] = "SELECT id FROM links WHERE snapshot_id = ?1 AND id = ?2",
	[FIND_PINNED] = "SELECT p.obj_id FROM pins p JOIN links l ON l.snapshot_id = p.snapshot_id"
		" AND l.id = p.obj_id WHERE p.snapshot_id = ?1 AND p.path = ?2"
		" AND p.obj_type = 'link'",
};

int link_find(struct db *db, int64_t snap, enum find_key key, const char *text, uint32_t id,
	      struct id_list *out, struct err *e)
{
	return read_find(db, link_find_sql, ARRAY_SIZE(link_find_sql), snap, key, text, id, out,
			 e);
}
