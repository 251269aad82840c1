/* Writing load_events (docs/schema.md): one row per object the loads recorder saw made,
 * with its code stored as a blob like a snapshot's; and their claim by a snapshot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "store/loads.h"

static const char ins_sql[] =
	"INSERT INTO load_events(time_ns, boot_ns, boot_id, kind, cmd, obj_id, pid, tid, uid,"
	" comm, type, name, attach_type, tag, load_time, bytes_xlated, bytes_jited,"
	" verified_insns, btf_id, map_ids, xlated, code_from, code_check, code_missing, alive,"
	" key_size, value_size, max_entries, map_flags, map_extra, prog_id)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	" ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)";

enum { C_TAG = 14, C_LOAD_TIME, C_XLATED_LEN, C_JITED, C_VERIFIED, C_BTF, C_MAP_IDS, C_XLATED,
       C_FROM, C_CHECK, C_MISSING, C_ALIVE, C_KEY, C_VALUE, C_MAX, C_FLAGS, C_EXTRA, C_PROG };

/* "3,7,12": up to 64 ids of 10 digits and a comma each */
static void ids_text(const uint32_t *ids, uint32_t n, char *out, size_t len)
{
	size_t at = 0;

	out[0] = 0;
	for (uint32_t i = 0; i < n && at < len; i++)
		at += snprintf(out + at, len - at, "%s%u", i ? "," : "", ids[i]);
}

static void bind_prog(sqlite3_stmt *st, const struct load_event *ev, char *tag, char *ids,
		      size_t ids_len)
{
	static const char *const from[] = { [LOAD_CODE_INFO] = "info", [LOAD_CODE_KMEM] = "kmem" };
	static const char *const check[] = { [LOAD_CHECK_SAME] = "same",
					     [LOAD_CHECK_DIFFERENT] = "different" };

	hex_encode(ev->tag, sizeof(ev->tag), tag);
	sqlite3_bind_text(st, C_TAG, tag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, C_LOAD_TIME, (int64_t)ev->load_time);
	sqlite3_bind_int64(st, C_XLATED_LEN, (int64_t)ev->insns * 8);
	sqlite3_bind_int64(st, C_JITED, ev->bytes_jited);
	sqlite3_bind_int64(st, C_VERIFIED, ev->verified_insns);
	sqlite3_bind_int64(st, C_BTF, ev->btf_id);
	ids_text(ev->map_ids, ev->map_ids ? ev->nr_map_ids : 0, ids, ids_len);
	sqlite3_bind_text(st, C_MAP_IDS, ids, -1, SQLITE_STATIC);
	if (ev->code_from < ARRAY_SIZE(from) && from[ev->code_from])
		sqlite3_bind_text(st, C_FROM, from[ev->code_from], -1, SQLITE_STATIC);
	if (ev->code_check < ARRAY_SIZE(check) && check[ev->code_check])
		sqlite3_bind_text(st, C_CHECK, check[ev->code_check], -1, SQLITE_STATIC);
	if (ev->code_missing)
		sqlite3_bind_text(st, C_MISSING, ev->code_missing, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, C_ALIVE, ev->alive);
}

int store_load_event(struct db *db, const struct load_event *ev, const char *boot_id,
		     struct err *e)
{
	const char *kind = ev->kind == LOAD_PROG ? "prog" : ev->kind == LOAD_MAP ? "map" :
			   ev->kind == LOAD_LINK ? "link" : NULL;
	char tag[2 * sizeof(ev->tag) + 1], ids[64 * 11 + 1];
	uint8_t hash[SHA256_LEN];
	sqlite3_stmt *st;
	int err;

	if (!kind)
		return err_set(e, EINVAL, "load event of unknown kind %d", ev->kind);
	err = db_cached(db, ins_sql, &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, ev->time_ns);
	sqlite3_bind_int64(st, 2, (int64_t)ev->boot_ns);
	if (boot_id && *boot_id)
		sqlite3_bind_text(st, 3, boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ev->cmd);
	sqlite3_bind_int64(st, 6, ev->id);
	sqlite3_bind_int64(st, 7, ev->pid);
	sqlite3_bind_int64(st, 8, ev->tid);
	sqlite3_bind_int64(st, 9, ev->uid);
	sqlite3_bind_text(st, 10, ev->comm, strnlen(ev->comm, sizeof(ev->comm) - 1), SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, ev->type);
	if (ev->kind != LOAD_LINK)
		sqlite3_bind_text(st, 12, ev->name, strnlen(ev->name, sizeof(ev->name) - 1),
				  SQLITE_STATIC);
	if (ev->has_attach_type)
		sqlite3_bind_int64(st, 13, ev->attach_type);
	if (ev->kind == LOAD_PROG) {
		bind_prog(st, ev, tag, ids, sizeof(ids));
		if (ev->xlated && ev->code_len) {
			err = blob_put(db, "xlated", ev->xlated, ev->code_len, hash, e);
			if (err)
				return err;
			sqlite3_bind_blob(st, C_XLATED, hash, SHA256_LEN, SQLITE_STATIC);
		}
	} else if (ev->kind == LOAD_MAP) {
		sqlite3_bind_int64(st, C_KEY, ev->key_size);
		sqlite3_bind_int64(st, C_VALUE, ev->value_size);
		sqlite3_bind_int64(st, C_MAX, ev->max_entries);
		sqlite3_bind_int64(st, C_FLAGS, ev->map_flags);
		sqlite3_bind_int64(st, C_EXTRA, (int64_t)ev->map_extra);
	} else {
		sqlite3_bind_int64(st, C_PROG, ev->prog_id);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		err = err_set(e, EIO, "database %s: load event: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_reset(st);
	return err;
}

int store_load_events_claim(struct db *db, int64_t snapshot_id, int64_t *n, struct err *e)
{
	static const char sql[] = "UPDATE load_events SET snapshot_id = ?1 WHERE snapshot_id IS NULL";
	sqlite3_stmt *st;
	int err = db_cached(db, sql, &st, e);

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snapshot_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = err_set(e, EIO, "database %s: claiming load events: %s", db->path,
			      sqlite3_errmsg(db->sql));
	else if (n)
		*n = sqlite3_changes(db->sql);
	sqlite3_reset(st);
	return err;
}
