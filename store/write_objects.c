/* The snapshot writer's other rows: BTF objects, links, pins, owners (spans, store/span_set.c),
 * kernel symbols; and deleting a snapshot. */
#include <errno.h>
#include <string.h>
#include "store/schema.h"
#include "store/writer_int.h"

/* The live view's fill: the data goes into the row its snapshot has, or a new one. */
static int btf_fill(struct writer *w, const struct btf_rec *r)
{
	sqlite3_stmt *st;
	int err = writer_stmt(w, &w->fill_btf, "UPDATE btf_rows SET data = ?3 WHERE id = ?2"
			      " AND first_snap <= ?1 AND last_snap >= ?1");

	if (err)
		return err;
	st = w->fill_btf;
	sqlite3_bind_int64(st, 1, w->snap_id);
	sqlite3_bind_int64(st, 2, r->id);
	if (r->hash)
		sqlite3_bind_blob(st, 3, r->hash, SHA256_LEN, SQLITE_STATIC);
	else
		err = writer_bind_blob(w, st, 3, "btf", r->data, r->data ? r->len : 0);
	err = err ?: writer_step(w, st, "BTF data");
	if (err || sqlite3_changes(w->db->sql))
		return err;
	return writer_btf(w, r, false);
}

int writer_btf(struct writer *w, const struct btf_rec *r, bool fill)
{
	sqlite3_stmt *st;
	int err;

	if (fill)
		return btf_fill(w, r);
	err = writer_stmt(w, &w->ins_btf, "INSERT INTO btf_rows(first_snap, digest, last_snap, id,"
			  " name, size, kernel, data) VALUES(?1, ?2, " SPAN_OPEN_SQL ", ?3, ?4, ?5, ?6, ?7)");
	if (err)
		return err;
	st = w->ins_btf;
	sqlite3_bind_int64(st, 3, r->id);
	sqlite3_bind_text(st, 4, r->name ? r->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, r->size);
	sqlite3_bind_int(st, 6, r->kernel);
	if (r->hash)
		sqlite3_bind_blob(st, 7, r->hash, SHA256_LEN, SQLITE_STATIC);
	else
		err = writer_bind_blob(w, st, 7, "btf", r->data, r->data ? r->len : 0);
	return err ?: span_set_write(w->db, &w->btf_spans, st, w->snap_id, "BTF", NULL, w->e);
}

int writer_link(struct writer *w, const struct link_rec *r)
{
	static const struct { unsigned bit; int col; } opt32[] = {
		{ LINK_ATTACH_TYPE, 6 }, { LINK_TARGET_OBJ_ID, 8 }, { LINK_TARGET_BTF_ID, 9 },
		{ LINK_IFINDEX, 11 }, { LINK_NETNS_INO, 12 }, { LINK_FLAGS, 15 } };
	const uint32_t v32[] = { r->attach_type, r->target_obj_id, r->target_btf_id, r->ifindex,
		r->netns_ino, r->flags };
	sqlite3_stmt *st;
	int err;

	/* ?1 first_snap and ?2 digest are span_set_write's */
	err = writer_stmt(w, &w->ins_link, "INSERT INTO link_rows(first_snap, digest, id, type,"
			  " prog_id, attach_type, target, target_obj_id, target_btf_id, cgroup_id,"
			  " ifindex, netns_ino, offset, cookie, flags, info_raw, last_snap)"
			  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
			  SPAN_OPEN_SQL ")");
	if (err)
		return err;
	st = w->ins_link;
	sqlite3_bind_int64(st, 3, r->id);
	sqlite3_bind_int64(st, 4, r->type);
	sqlite3_bind_int64(st, 5, r->prog_id);
	if (r->target && *r->target)
		sqlite3_bind_text(st, 7, r->target, -1, SQLITE_STATIC);
	for (size_t i = 0; i < ARRAY_SIZE(opt32); i++)
		if (r->set & opt32[i].bit)
			sqlite3_bind_int64(st, opt32[i].col, v32[i]);
	if (r->set & LINK_CGROUP_ID)
		sqlite3_bind_int64(st, 10, r->cgroup_id);
	if (r->set & LINK_OFFSET)
		sqlite3_bind_int64(st, 13, r->offset);
	if (r->set & LINK_COOKIE)
		sqlite3_bind_int64(st, 14, r->cookie);
	err = writer_bind_blob(w, st, 16, "link_info", r->info_raw, r->info_len);
	return err ?: span_set_write(w->db, &w->link_spans, st, w->snap_id, "link", NULL, w->e);
}

int writer_pins_prepare(struct writer *w)
{
	int err = db_prepare(w->db, "INSERT INTO pin_rows(first_snap, last_snap, path, obj_type,"
			     " obj_id, ino) VALUES(?1, " SPAN_OPEN_SQL ", ?, ?, ?, ?)", &w->ins_pin, w->e);

	return err ?: db_prepare(w->db, "UPDATE pin_rows SET last_snap = ?1 WHERE row = ?2",
				 &w->close_pin, w->e);
}

int writer_pin(struct writer *w, const char *path, char kind, uint32_t id, uint64_t ino)
{
	sqlite3_stmt *st = w->ins_pin;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, w->snap_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind == 'p' ? "prog" : kind == 'm' ? "map" : "link", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	sqlite3_bind_int64(st, 5, ino);
	return writer_step(w, st, "pin");
}

int writer_owner(struct writer *w, char kind, uint32_t id, uint32_t pid, const char *comm)
{
	const char *type = kind == 'p' ? "prog" : kind == 'm' ? "map" : kind == 'l' ? "link" :
			   kind == 'b' ? "btf" : NULL;
	int err;

	if (!type)
		return 0;
	err = writer_stmt(w, &w->ins_owner, "INSERT INTO owner_rows(first_snap, digest, last_snap,"
			  " obj_type, obj_id, pid, comm) VALUES(?1, ?2, " SPAN_OPEN_SQL ", ?3, ?4, ?5, ?6)");
	if (err)
		return err;
	sqlite3_bind_text(w->ins_owner, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(w->ins_owner, 4, id);
	sqlite3_bind_int64(w->ins_owner, 5, pid);
	sqlite3_bind_text(w->ins_owner, 6, comm, strnlen(comm, 16), SQLITE_STATIC);
	return span_set_write(w->db, &w->owner_spans, w->ins_owner, w->snap_id, "owner", NULL, w->e);
}

int writer_token(struct writer *w, uint32_t seq, const char *dir, const char *opts)
{
	int err = writer_stmt(w, &w->ins_token, "INSERT INTO tokens(snapshot_id, seq, dir, opts)"
			      " VALUES(?, ?, ?, ?)");

	if (err)
		return err;
	sqlite3_bind_int64(w->ins_token, 1, w->snap_id);
	sqlite3_bind_int64(w->ins_token, 2, seq);
	sqlite3_bind_text(w->ins_token, 3, dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_token, 4, opts, -1, SQLITE_STATIC);
	return writer_step(w, w->ins_token, "token");
}

int writer_socket(struct writer *w, const struct socket_rec *r)
{
	sqlite3_stmt *st;
	int err = writer_stmt(w, &w->ins_socket, "INSERT INTO sockets(snapshot_id, netns_ino,"
			      " family, type, protocol, ino, ifindex, devname, uid, fanout, pid, comm, fd,"
			      " filter, nr_insns) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (err)
		return err;
	st = w->ins_socket;
	sqlite3_bind_int64(st, 1, w->snap_id);
	if (r->netns_ino)
		sqlite3_bind_int64(st, 2, r->netns_ino);
	sqlite3_bind_int(st, 3, r->family);
	sqlite3_bind_int(st, 4, r->type);
	sqlite3_bind_int(st, 5, r->protocol);
	sqlite3_bind_int64(st, 6, r->ino);
	if (r->ifindex)
		sqlite3_bind_int64(st, 7, r->ifindex);
	if (r->devname && *r->devname)
		sqlite3_bind_text(st, 8, r->devname, -1, SQLITE_STATIC);
	if (r->uid >= 0)
		sqlite3_bind_int64(st, 9, r->uid);
	if (r->fanout >= 0)
		sqlite3_bind_int64(st, 10, r->fanout);
	if (r->pid >= 0) {
		sqlite3_bind_int64(st, 11, r->pid);
		sqlite3_bind_text(st, 12, r->comm ? r->comm : "", r->comm ? (int)strnlen(r->comm, 16) : 0,
				  SQLITE_STATIC);
		sqlite3_bind_int64(st, 13, r->fd);
	}
	if (r->filter) {
		/* an empty program is still a filter the kernel reported (it never attaches one) */
		err = r->filter_len ? writer_bind_blob(w, st, 14, "sock_filter", r->filter, r->filter_len) : 0;
		sqlite3_bind_int64(st, 15, r->filter_len / 8);
	}
	return err ?: writer_step(w, st, "socket");
}

/* The sockets are rows of each snapshot, not spans: the ones written now against those of
 * the last snapshot before that took them (none before: changed when there are any). */
_Static_assert(SNAP_SOCK == 128, "writer_sockets_changed names SNAP_SOCK as 128");

int writer_sockets_changed(struct writer *w, bool *changed)
{
#define SOCK_COLS "netns_ino, family, type, protocol, ino, ifindex, devname, uid, fanout, pid," \
		  " comm, fd, filter, nr_insns FROM sockets WHERE snapshot_id = "
	sqlite3_stmt *st;
	int err = db_prepare(w->db,
		"WITH prev(id) AS (SELECT coalesce(max(id), -1) FROM snapshot_rows WHERE id < ?1"
		"  AND (mask & 128) != 0)"
		" SELECT EXISTS (SELECT " SOCK_COLS "?1 EXCEPT SELECT " SOCK_COLS "(SELECT id FROM prev))"
		"  OR EXISTS (SELECT " SOCK_COLS "(SELECT id FROM prev) EXCEPT SELECT " SOCK_COLS "?1)",
		&st, w->e);
#undef SOCK_COLS

	*changed = true;
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, w->snap_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		*changed = sqlite3_column_int(st, 0) != 0;
	else
		err = err_set(w->e, EIO, "database %s: %s", w->db->path, sqlite3_errmsg(w->db->sql));
	sqlite3_finalize(st);
	return err;
}

int writer_boot_kallsyms(struct writer *w, const char *boot_id, const uint8_t hash[SHA256_LEN])
{
	sqlite3_stmt *st;
	int err = db_prepare(w->db, "INSERT INTO boots(boot_id, first_seen, kallsyms) VALUES(?, ?, ?)"
			     " ON CONFLICT(boot_id) DO UPDATE SET kallsyms = excluded.kallsyms", &st,
			     w->e);

	if (err)
		return err;
	sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_realtime_ns());
	sqlite3_bind_blob(st, 3, hash, SHA256_LEN, SQLITE_STATIC);
	err = writer_step(w, st, "boot");
	sqlite3_finalize(st);
	return err;
}

int snapshot_delete(struct db *db, int64_t id, struct err *e)
{
	sqlite3_stmt *st;
	int err = db_begin(db, e);

	if (err)
		return err;
	/* (through the view: its trigger drops the environment row no snapshot has any more) */
	err = db_prepare(db, "DELETE FROM snapshots WHERE id = ?", &st, e);
	if (!err) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = err_set(e, EIO, "can't delete snapshot %lld: %s", (long long)id,
				      sqlite3_errmsg(db->sql));
		sqlite3_finalize(st);
	}
	/* spans no snapshot falls in any more go, and then blobs no row refers to */
	if (!err)
		err = db_exec(db, "DELETE FROM prog_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN prog_rows.first_snap AND prog_rows.last_snap"
			      " AND (s.mask & " SNAP_NO_PROGS_SQL ") = 0);"
			      "DELETE FROM map_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN map_rows.first_snap AND map_rows.last_snap"
			      " AND (s.mask & " SNAP_NO_MAPS_SQL ") = 0);"
			      "DELETE FROM pin_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN pin_rows.first_snap AND pin_rows.last_snap"
			      " AND (s.mask & " SNAP_PINS_SQL ") != 0);"
			      "DELETE FROM cgroup_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN cgroup_rows.first_snap AND cgroup_rows.last_snap"
			      " AND (s.mask & " SNAP_ATTACH_SQL ") != 0);"
			      /* (these four end their spans when a snapshot did not look: no mask) */
			      "DELETE FROM btf_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN btf_rows.first_snap AND btf_rows.last_snap);"
			      "DELETE FROM link_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN link_rows.first_snap AND link_rows.last_snap);"
			      "DELETE FROM attach_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN attach_rows.first_snap AND attach_rows.last_snap);"
			      "DELETE FROM owner_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN owner_rows.first_snap AND owner_rows.last_snap);"
			      "DELETE FROM prog_stat_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN prog_stat_rows.first_snap AND prog_stat_rows.last_snap);"
			      "DELETE FROM map_data_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN map_data_rows.first_snap AND map_data_rows.last_snap);"
			      "DELETE FROM map_chunks WHERE list NOT IN (SELECT contents FROM"
			      " map_data_rows WHERE contents IS NOT NULL);"
			      "DELETE FROM view_rows WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN view_rows.first_snap AND view_rows.last_snap);"
			      "DELETE FROM cgroup_orders WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN cgroup_orders.first_snap AND cgroup_orders.last_snap"
			      " AND (s.mask & " SNAP_ATTACH_SQL ") != 0);"
			      "DELETE FROM attach_orders WHERE NOT EXISTS (SELECT 1 FROM snapshot_rows s"
			      " WHERE s.id BETWEEN attach_orders.first_snap AND attach_orders.last_snap);", e);
	if (!err)
		err = db_exec(db, "DELETE FROM blobs WHERE hash NOT IN (SELECT h FROM ("
			      "SELECT xlated AS h FROM prog_rows UNION SELECT jited_insns FROM prog_rows"
			      " UNION SELECT func_info FROM prog_rows UNION SELECT line_info FROM prog_rows"
			      " UNION SELECT jited_line_info FROM prog_rows"
			      " UNION SELECT jited_ksyms FROM prog_rows"
			      " UNION SELECT jited_func_lens FROM prog_rows UNION SELECT prog_tags FROM prog_rows"
			      " UNION SELECT contents FROM map_data_rows UNION SELECT data FROM btf_rows"
			      " UNION SELECT info_raw FROM link_rows UNION SELECT kallsyms FROM boots"
			      " UNION SELECT elf FROM objects UNION SELECT xlated FROM load_events"
			      " UNION SELECT filter FROM sockets UNION SELECT list FROM view_rows"
			      " UNION SELECT chunk FROM map_chunks)"
			      " WHERE h IS NOT NULL)", e);
	if (err) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, e);
}
