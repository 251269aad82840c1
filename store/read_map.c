/* The SQL behind map show, map dump and MAP: map rows read by named column, lookups, the
 * contents and BTF blobs of one map. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "store/read_int.h"
#include "store/read_map.h"

/* the columns of map_sql, in order */
enum {
	MC_ID, MC_TYPE, MC_NAME, MC_FLAGS, MC_KEY, MC_VALUE, MC_MAX_ENTRIES, MC_MEMLOCK,
	MC_FROZEN, MC_BTF_ID, MC_OWNER_PROG_TYPE, MC_IFINDEX, MC_VMLINUX_VALUE, MC_OWNER_JITED,
	MC_KEY_TYPE, MC_VALUE_TYPE, MC_VMLINUX_ID, MC_MAP_EXTRA, MC_NETNS_DEV, MC_NETNS_INO,
	MC_NCOLS
};
static const char map_sql[] =
	"SELECT id, type, name, flags, bytes_key, bytes_value, max_entries, bytes_memlock,"
	" frozen, btf_id, owner_prog_type, ifindex, btf_vmlinux_value_type_id, owner_jited,"
	" btf_key_type_id, btf_value_type_id, btf_vmlinux_id, map_extra, netns_dev, netns_ino"
	" FROM maps"
	" WHERE snapshot_id = ?1"
	" AND (?2 < 0 OR id = ?2) ORDER BY id";

static void map_row_read(sqlite3_stmt *st, struct map_row *r)
{
	r->id = sqlite3_column_int64(st, MC_ID);
	r->type = sqlite3_column_int64(st, MC_TYPE);
	r->name = read_text(st, MC_NAME);
	r->flags = sqlite3_column_int64(st, MC_FLAGS);
	r->key_size = sqlite3_column_int64(st, MC_KEY);
	r->value_size = sqlite3_column_int64(st, MC_VALUE);
	r->max_entries = sqlite3_column_int64(st, MC_MAX_ENTRIES);
	r->bytes_memlock = sqlite3_column_int64(st, MC_MEMLOCK);
	r->frozen = sqlite3_column_int64(st, MC_FROZEN);
	r->btf_id = sqlite3_column_int64(st, MC_BTF_ID);
	r->has_owner_prog_type = sqlite3_column_type(st, MC_OWNER_PROG_TYPE) != SQLITE_NULL;
	r->owner_prog_type = sqlite3_column_int64(st, MC_OWNER_PROG_TYPE);
	r->ifindex = sqlite3_column_int64(st, MC_IFINDEX);
	r->vmlinux_value_type_id = sqlite3_column_int64(st, MC_VMLINUX_VALUE);
	r->has_owner_jited = sqlite3_column_type(st, MC_OWNER_JITED) != SQLITE_NULL;
	r->owner_jited = sqlite3_column_int64(st, MC_OWNER_JITED) != 0;
	r->btf_key_type_id = sqlite3_column_int64(st, MC_KEY_TYPE);
	r->btf_value_type_id = sqlite3_column_int64(st, MC_VALUE_TYPE);
	r->btf_vmlinux_id = sqlite3_column_int64(st, MC_VMLINUX_ID);
	r->map_extra = sqlite3_column_int64(st, MC_MAP_EXTRA);
	r->netns_dev = sqlite3_column_int64(st, MC_NETNS_DEV);
	r->netns_ino = sqlite3_column_int64(st, MC_NETNS_INO);
}

struct map_walk {
	int (*fn)(const struct map_row *r, void *arg);
	void *arg;
};

static int map_emit(sqlite3_stmt *st, void *arg)
{
	struct map_walk *w = arg;
	struct map_row r;

	map_row_read(st, &r);
	return w->fn(&r, w->arg);
}

int map_rows(struct db *db, int64_t snap, int64_t id,
	     int (*fn)(const struct map_row *r, void *arg), void *arg, struct err *e)
{
	struct map_walk w = { fn, arg };

	return read_rows(db, map_sql, MC_NCOLS, snap, id, map_emit, &w, e);
}

/* lookups by FIND_* key (read_find) */
static const char *const map_find_sql[] = {
	[FIND_ALL] = "SELECT id FROM maps WHERE snapshot_id = ?1 ORDER BY id",
	[FIND_ID] = "SELECT id FROM maps WHERE snapshot_id = ?1 AND id = ?2",
	[FIND_NAME] = "SELECT id FROM maps WHERE snapshot_id = ?1 AND name = ?2 ORDER BY id",
	[FIND_PINNED] = "SELECT obj_id FROM pins WHERE snapshot_id = ?1 AND path = ?2"
		" AND obj_type = 'map'",
};

int map_find(struct db *db, int64_t snap, enum find_key key, const char *text, uint32_t id,
	     struct id_list *out, struct err *e)
{
	return read_find(db, map_find_sql, ARRAY_SIZE(map_find_sql), snap, key, text, id, out, e);
}

/* the columns of map_data_sql, in order */
enum {
	MD_TYPE, MD_KEY, MD_VALUE, MD_BTF_ID, MD_KEY_TYPE, MD_VALUE_TYPE, MD_CONTENTS,
	MD_CONTENTS_ERROR, MD_BTF, MD_VMLINUX_VALUE, MD_NCOLS
};
static const char map_data_sql[] =
	"SELECT m.type, m.bytes_key, m.bytes_value, m.btf_id, m.btf_key_type_id,"
	" m.btf_value_type_id, m.contents, m.contents_error, b.data, m.btf_vmlinux_value_type_id"
	" FROM maps m LEFT JOIN btf b ON b.snapshot_id = m.snapshot_id AND b.id = m.btf_id"
	" WHERE m.snapshot_id = ?1 AND m.id = ?2";
/* vmlinux BTF is 5-6 MiB; a map's own BTF far less */
#define MAP_BTF_MAX (256u << 20)

static int map_data_get(struct db *db, int64_t snap, uint32_t id, struct map_data *md,
			bool chunked, struct err *e)
{
	sqlite3_stmt *st;
	int rc, err = read_cached(db, map_data_sql, MD_NCOLS, &st, e);

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? -ENOENT : read_step_err(db, rc, e);
		goto out;
	}
	md->id = id;
	md->type = sqlite3_column_int64(st, MD_TYPE);
	md->key_size = sqlite3_column_int64(st, MD_KEY);
	md->value_size = sqlite3_column_int64(st, MD_VALUE);
	md->btf_id = sqlite3_column_int64(st, MD_BTF_ID);
	md->key_type = sqlite3_column_int64(st, MD_KEY_TYPE);
	md->value_type = sqlite3_column_int64(st, MD_VALUE_TYPE);
	md->vmlinux_value_type = sqlite3_column_int64(st, MD_VMLINUX_VALUE);
	md->has_error = sqlite3_column_type(st, MD_CONTENTS_ERROR) != SQLITE_NULL;
	snprintf(md->contents_error, sizeof(md->contents_error), "%s",
		 read_text(st, MD_CONTENTS_ERROR));
	if (chunked)
		err = map_contents_list_col(db, st, MD_CONTENTS, BLOB_MAX_SIZE, &md->contents,
					    &md->chunks, e);
	else
		err = map_contents_get_col(db, st, MD_CONTENTS, BLOB_MAX_SIZE, &md->contents, e);
	err = err ?: blob_get_col(db, st, MD_BTF, MAP_BTF_MAX, &md->btf, e);
out:
	sqlite3_reset(st);
	return err;
}

int map_data_read(struct db *db, int64_t snap, uint32_t id, struct map_data *md, struct err *e)
{
	memset(&md->chunks, 0, sizeof(md->chunks));
	return map_data_get(db, snap, id, md, false, e);
}

int map_data_read_chunked(struct db *db, int64_t snap, uint32_t id, struct map_data *md,
			  struct err *e)
{
	return map_data_get(db, snap, id, md, true, e);
}

void map_data_free(struct map_data *md)
{
	buf_free(&md->contents);
	buf_free(&md->btf);
}
