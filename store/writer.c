/* The snapshot writer: the snapshot row, program and map spans, and the ends of spans.
 * Every statement run per object is prepared once per snapshot (writer_*_prepare) and
 * bound by name of field, not by the caller. */
#include <errno.h>
#include <string.h>
#include "lib/map_chunks.h"
#include "store/schema.h"
#include "store/writer_int.h"

/* the views of store/schema.c and snapshot_delete name these bits by number */
_Static_assert(SNAP_CODE == 1 && SNAP_PINS == 16 && SNAP_ATTACH == 32 && SNAP_NO_PROGS == 256 &&
	       SNAP_NO_MAPS == 512 && SNAP_ATTACH_NO_CGROUP == 2097152, "mask bits in SQL");

void writer_init(struct writer *w, struct db *db, int64_t snap_id, struct err *e)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
	w->snap_id = snap_id;
	w->e = e;
}

void writer_close(struct writer *w)
{
	sqlite3_stmt **all[] = { &w->ins_prog, &w->ins_prog_map, &w->copy_code, &w->ins_prog_stats,
		&w->close_prog, &w->fill_code, &w->ins_map, &w->ins_map_data, &w->close_map,
		&w->fill_map_data, &w->fill_map_data_new, &w->ins_btf, &w->fill_btf, &w->ins_link, &w->ins_pin,
		&w->close_pin, &w->ins_owner, &w->ins_socket, &w->ins_view, &w->ins_token, &w->ins_map_chunk };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
	span_set_free(&w->btf_spans);
	span_set_free(&w->link_spans);
	span_set_free(&w->owner_spans);
	span_set_free(&w->stat_spans);
	span_set_free(&w->view_spans);
	span_set_free(&w->data_spans);
}

int writer_step(struct writer *w, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return err_set(w->e, EIO, "can't store %s in %s: %s", what, w->db->path,
			       sqlite3_errmsg(w->db->sql));
	return 0;
}

int writer_bind_blob(struct writer *w, sqlite3_stmt *st, int col, const char *kind,
		     const void *data, size_t len)
{
	uint8_t hash[SHA256_LEN];
	int err;

	if (!len)
		return 0;
	err = blob_put(w->db, kind, data, len, hash, w->e);
	if (!err)
		sqlite3_bind_blob(st, col, hash, SHA256_LEN, SQLITE_TRANSIENT);
	return err;
}

int writer_stmt(struct writer *w, sqlite3_stmt **st, const char *sql)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	return db_prepare(w->db, sql, st, w->e);
}

static void bind_str(sqlite3_stmt *st, int col, const char *s)
{
	if (s)
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

/* a named parameter: text (NULL stays NULL: a fact that could not be read) */
static void bind_text_named(sqlite3_stmt *st, const char *name, const char *s)
{
	if (s)
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), s, -1, SQLITE_STATIC);
}

/* a named parameter: a number; with opt, a negative one (a sysctl not read) stays NULL */
static void bind_int_named(sqlite3_stmt *st, const char *name, int64_t v, bool opt)
{
	if (!opt || v >= 0)
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v);
}

/* The snapshot_envs row with the machine's facts, added when no snapshot had them before:
 * they are the same from one snapshot to the next, so they are stored once. */
static int snapshot_env(struct writer *w, const struct snapshot_facts *f, int64_t *env)
{
	static const char *const sql[] = {
		"INSERT INTO snapshot_envs(" ENV_COLS ") SELECT " ENV_VALUES(":")
		" WHERE NOT EXISTS (SELECT 1 FROM snapshot_envs e WHERE " ENV_SAME("e", ":") ")",
		"SELECT id FROM snapshot_envs e WHERE " ENV_SAME("e", ":"),
	};
	int err = 0;

	*env = 0;
	for (size_t i = 0; i < ARRAY_SIZE(sql) && !err; i++) {
		sqlite3_stmt *st;
		int rc;

		err = db_prepare(w->db, sql[i], &st, w->e);
		if (err)
			break;
		bind_text_named(st, ":host", f->host);
		bind_text_named(st, ":boot_id", f->boot_id);
		bind_text_named(st, ":kernel_release", f->kernel_release);
		bind_text_named(st, ":kernel_version", f->kernel_version);
		bind_text_named(st, ":arch", f->arch);
		bind_int_named(st, ":page_size", f->page_size, false);
		bind_int_named(st, ":nr_cpus", f->nr_cpus, false);
		bind_text_named(st, ":tool_version", f->tool_version);
		bind_int_named(st, ":unprivileged_bpf_disabled", f->unprivileged_bpf_disabled, true);
		bind_int_named(st, ":bpf_jit_enable", f->bpf_jit_enable, true);
		bind_int_named(st, ":bpf_jit_harden", f->bpf_jit_harden, true);
		bind_int_named(st, ":bpf_jit_kallsyms", f->bpf_jit_kallsyms, true);
		bind_int_named(st, ":bpf_stats_enabled", f->bpf_stats_enabled, true);
		rc = sqlite3_step(st);
		if (i == 1 && rc == SQLITE_ROW)
			*env = sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_DONE)
			err = err_set(w->e, EIO, "can't store the snapshot in %s: %s", w->db->path,
				      sqlite3_errmsg(w->db->sql));
		sqlite3_finalize(st);
	}
	if (!err && !*env)
		err = err_set(w->e, EIO, "can't store the snapshot in %s: no environment row",
			      w->db->path);
	return err;
}

int writer_snapshot_begin(struct writer *w, const struct snapshot_facts *f)
{
	sqlite3_stmt *st;
	int64_t env;
	int err = snapshot_env(w, f, &env);

	err = err ?: db_prepare(w->db, "INSERT INTO snapshot_rows(taken_at, label, mask, boot_time_ns,"
				" env) VALUES(?, ?, ?, ?, ?)", &st, w->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, f->taken_at);
	bind_str(st, 2, f->label);
	sqlite3_bind_int64(st, 3, f->mask);
	sqlite3_bind_int64(st, 4, f->boot_time_ns);
	sqlite3_bind_int64(st, 5, env);
	err = writer_step(w, st, "snapshot");
	sqlite3_finalize(st);
	w->snap_id = sqlite3_last_insert_rowid(w->db->sql);
	/* what this snapshot's BTF objects, links, owners, counters and map contents are
	 * compared against */
	err = err ?: span_set_load(w->db, &w->btf_spans, "btf_rows", w->snap_id, w->e);
	err = err ?: span_set_load(w->db, &w->link_spans, "link_rows", w->snap_id, w->e);
	err = err ?: span_set_load(w->db, &w->stat_spans, "prog_stat_rows", w->snap_id, w->e);
	err = err ?: span_set_load(w->db, &w->data_spans, "map_data_rows", w->snap_id, w->e);
	err = err ?: span_set_load(w->db, &w->view_spans, "view_rows", w->snap_id, w->e);
	return err ?: span_set_load(w->db, &w->owner_spans, "owner_rows", w->snap_id, w->e);
}

int writer_snapshot_finish(struct writer *w, const struct snapshot_counts *c)
{
	sqlite3_stmt *st;
	int err;

	/* what was not seen is gone, changed, or was not looked for this time */
	err = span_set_end(w->db, &w->btf_spans, w->snap_id, w->e);
	err = err ?: span_set_end(w->db, &w->link_spans, w->snap_id, w->e);
	err = err ?: span_set_end(w->db, &w->owner_spans, w->snap_id, w->e);
	err = err ?: span_set_end(w->db, &w->stat_spans, w->snap_id, w->e);
	err = err ?: span_set_end(w->db, &w->data_spans, w->snap_id, w->e);
	err = err ?: span_set_end(w->db, &w->view_spans, w->snap_id, w->e);
	err = err ?: db_prepare(w->db, "UPDATE snapshot_rows SET nr_progs = ?, nr_maps = ?, nr_btf = ?,"
			 " nr_links = ?, nr_attachments = ?, nr_pins = ?, vanished_progs = ?,"
			 " vanished_maps = ?, vanished_btf = ?, vanished_links = ?,"
			 " duration_ns = ?, warnings = ?, stats_interval_ns = ? WHERE id = ?", &st, w->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, c->nr_progs);
	sqlite3_bind_int64(st, 2, c->nr_maps);
	sqlite3_bind_int64(st, 3, c->nr_btf);
	sqlite3_bind_int64(st, 4, c->nr_links);
	sqlite3_bind_int64(st, 5, c->nr_attachments);
	sqlite3_bind_int64(st, 6, c->nr_pins);
	sqlite3_bind_int64(st, 7, c->vanished_progs);
	sqlite3_bind_int64(st, 8, c->vanished_maps);
	sqlite3_bind_int64(st, 9, c->vanished_btf);
	sqlite3_bind_int64(st, 10, c->vanished_links);
	sqlite3_bind_int64(st, 11, c->duration_ns);
	if (c->warnings && *c->warnings)
		sqlite3_bind_text(st, 12, c->warnings, -1, SQLITE_STATIC);
	if (c->stats_interval_ns >= 0)
		sqlite3_bind_int64(st, 13, c->stats_interval_ns);
	sqlite3_bind_int64(st, 14, w->snap_id);
	err = writer_step(w, st, "snapshot counts");
	sqlite3_finalize(st);
	return err;
}

/* ---- programs ---- */

#define PROG_COLS "first_snap, last_snap, digest, id, type, name, tag, gpl_compatible, load_time," \
	" loaded_at, uid, bytes_xlated, jited, bytes_jited, bytes_memlock, btf_id, ifindex, netns_dev," \
	" netns_ino, verified_insns, attach_btf_obj_id, attach_btf_id," \
	" nr_func_info, func_info_rec_size, nr_line_info, line_info_rec_size, nr_jited_line_info," \
	" jited_line_info_rec_size, nr_jited_ksyms, nr_jited_func_lens, nr_prog_tags, nr_map_ids," \
	" xlated, jited_insns, func_info, line_info, jited_line_info, jited_ksyms, jited_func_lens," \
	" prog_tags, full_name"
/* parameters: ?1 first_snap, then one per column after last_snap */
#define COL_NR_FUNC_INFO 22
#define COL_NR_MAP_IDS 31
#define COL_XLATED 32
#define COL_FULL_NAME 40

static const char *const blob_kinds[PROG_BLOB_NR] = { "xlated", "jited", "func_info",
	"line_info", "jited_line_info", "jited_ksyms", "jited_func_lens", "prog_tags" };

int writer_progs_prepare(struct writer *w)
{
	int err = db_prepare(w->db, "INSERT INTO prog_rows(" PROG_COLS ") VALUES(?1," SPAN_OPEN_SQL
			     ",?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			     &w->ins_prog, w->e);

	err = err ?: db_prepare(w->db, "INSERT INTO prog_row_maps(row, idx, map_id) VALUES(?,?,?)",
				&w->ins_prog_map, w->e);
	err = err ?: db_prepare(w->db, "UPDATE prog_rows SET (xlated, jited_insns, func_info, line_info,"
				" jited_line_info, jited_ksyms, jited_func_lens, prog_tags) = (SELECT xlated,"
				" jited_insns, func_info, line_info, jited_line_info, jited_ksyms,"
				" jited_func_lens, prog_tags FROM prog_rows WHERE row = ?2) WHERE row = ?1",
				&w->copy_code, w->e);
	err = err ?: db_prepare(w->db, "INSERT INTO prog_stat_rows(first_snap, digest, last_snap,"
				" prog_row, run_time_ns, run_cnt, recursion_misses) VALUES(?1, ?2, "
				SPAN_OPEN_SQL ", ?3, ?4, ?5, ?6)", &w->ins_prog_stats, w->e);
	return err ?: db_prepare(w->db, "UPDATE prog_rows SET last_snap = ?1 WHERE row = ?2",
				 &w->close_prog, w->e);
}

/* The nr_* code columns from col on (the insert's and the fill's share their order). */
static void bind_code_counts(sqlite3_stmt *st, int col, const struct bpf_prog_info *info)
{
	sqlite3_bind_int64(st, col++, info->nr_func_info);
	sqlite3_bind_int64(st, col++, info->func_info_rec_size);
	sqlite3_bind_int64(st, col++, info->nr_line_info);
	sqlite3_bind_int64(st, col++, info->line_info_rec_size);
	sqlite3_bind_int64(st, col++, info->nr_jited_line_info);
	sqlite3_bind_int64(st, col++, info->jited_line_info_rec_size);
	sqlite3_bind_int64(st, col++, info->nr_jited_ksyms);
	sqlite3_bind_int64(st, col++, info->nr_jited_func_lens);
	sqlite3_bind_int64(st, col, info->nr_prog_tags);
}

static int bind_code_blobs(struct writer *w, sqlite3_stmt *st, int col, const struct prog_rec *r)
{
	int err = 0;

	for (int i = 0; i < PROG_BLOB_NR && !err; i++) {
		const struct blob_packed *b = &r->packed[i];

		if (!r->packed_ok || !r->blob_len[i]) {
			err = writer_bind_blob(w, st, col + i, blob_kinds[i], r->blob[i],
					       r->blob_len[i]);
			continue;
		}
		err = blob_put_prepared(w->db, blob_kinds[i], b->hash, b->raw_size, b->codec, b->z,
					b->zlen, w->e);
		if (!err)
			sqlite3_bind_blob(st, col + i, b->hash, SHA256_LEN, SQLITE_TRANSIENT);
	}
	return err;
}

static int prog_maps_write(struct writer *w, const struct prog_rec *r, int64_t row)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < r->nr_map_ids; i++) {
		sqlite3_stmt *m = w->ins_prog_map;
		uint32_t map_id;

		memcpy(&map_id, (const uint8_t *)r->map_ids + 4 * i, 4);
		sqlite3_reset(m);
		sqlite3_bind_int64(m, 1, row);
		sqlite3_bind_int64(m, 2, i);
		sqlite3_bind_int64(m, 3, map_id);
		err = writer_step(w, m, "program map");
	}
	return err;
}

int writer_prog(struct writer *w, const struct prog_rec *r, int64_t *row)
{
	const struct bpf_prog_info *info = r->info;
	sqlite3_stmt *st = w->ins_prog;
	char tag[2 * BPF_TAG_SIZE + 1];
	int c = 1, err = 0;

	hex_encode(info->tag, BPF_TAG_SIZE, tag);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, c++, w->snap_id);
	sqlite3_bind_int64(st, c++, (int64_t)r->digest);
	sqlite3_bind_int64(st, c++, info->id);
	sqlite3_bind_int64(st, c++, info->type);
	sqlite3_bind_text(st, c++, info->name, strnlen(info->name, sizeof(info->name)), SQLITE_STATIC);
	sqlite3_bind_text(st, c++, tag, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, c++, info->gpl_compatible);
	sqlite3_bind_int64(st, c++, info->load_time);
	sqlite3_bind_int64(st, c++, r->loaded_at);
	sqlite3_bind_int64(st, c++, info->created_by_uid);
	sqlite3_bind_int64(st, c++, info->xlated_prog_len);
	sqlite3_bind_int(st, c++, info->jited_prog_len > 0);
	sqlite3_bind_int64(st, c++, info->jited_prog_len);
	sqlite3_bind_int64(st, c++, r->memlock);
	sqlite3_bind_int64(st, c++, info->btf_id);
	sqlite3_bind_int64(st, c++, info->ifindex);
	sqlite3_bind_int64(st, c++, info->netns_dev);
	sqlite3_bind_int64(st, c++, info->netns_ino);
	sqlite3_bind_int64(st, c++, info->verified_insns);
	sqlite3_bind_int64(st, c++, info->attach_btf_obj_id);
	sqlite3_bind_int64(st, c++, info->attach_btf_id);
	if (r->code) {
		bind_code_counts(st, COL_NR_FUNC_INFO, info);
		if (!r->code_from)
			err = bind_code_blobs(w, st, COL_XLATED, r);
		if (err)
			return err;
	}
	sqlite3_bind_int64(st, COL_NR_MAP_IDS, r->nr_map_ids);
	if (r->full_name && r->full_name[0])
		sqlite3_bind_text(st, COL_FULL_NAME, r->full_name, -1, SQLITE_STATIC);
	err = writer_step(w, st, "program");
	*row = sqlite3_last_insert_rowid(w->db->sql);
	if (!err && r->code && r->code_from) {
		/* the code was not fetched again: the ended span has it */
		sqlite3_reset(w->copy_code);
		sqlite3_bind_int64(w->copy_code, 1, *row);
		sqlite3_bind_int64(w->copy_code, 2, r->code_from);
		err = writer_step(w, w->copy_code, "program code");
	}
	return err ?: prog_maps_write(w, r, *row);
}

int writer_prog_stats(struct writer *w, int64_t row, const struct bpf_prog_info *info)
{
	sqlite3_stmt *st = w->ins_prog_stats;

	if (!info->run_time_ns && !info->run_cnt && !info->recursion_misses)
		return 0;	/* (an open span of counters ends: not seen) */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 3, row);
	sqlite3_bind_int64(st, 4, info->run_time_ns);
	sqlite3_bind_int64(st, 5, info->run_cnt);
	sqlite3_bind_int64(st, 6, info->recursion_misses);
	return span_set_write(w->db, &w->stat_spans, st, w->snap_id, "program stats", NULL, w->e);
}

int writer_view(struct writer *w, const char *view, uint32_t nr, const void *list, size_t len)
{
	sqlite3_stmt *st;
	int err;

	err = writer_stmt(w, &w->ins_view, "INSERT INTO view_rows(first_snap, digest, last_snap,"
			  " view, nr, list) VALUES(?1, ?2, " SPAN_OPEN_SQL ", ?3, ?4, ?5)");
	if (err)
		return err;
	st = w->ins_view;
	sqlite3_bind_text(st, 3, view, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, nr);
	err = writer_bind_blob(w, st, 5, "view", list, len);
	return err ?: span_set_write(w->db, &w->view_spans, st, w->snap_id, view, NULL, w->e);
}

int writer_prog_code(struct writer *w, const struct prog_rec *r)
{
	sqlite3_stmt *st;
	int err;

	/* the live view's one snapshot: its row of this program, as the cheap walk wrote it */
	err = writer_stmt(w, &w->fill_code, "UPDATE prog_rows SET nr_func_info = ?1,"
			  " func_info_rec_size = ?2, nr_line_info = ?3, line_info_rec_size = ?4,"
			  " nr_jited_line_info = ?5, jited_line_info_rec_size = ?6, nr_jited_ksyms = ?7,"
			  " nr_jited_func_lens = ?8, nr_prog_tags = ?9, xlated = ?10, jited_insns = ?11,"
			  " func_info = ?12, line_info = ?13, jited_line_info = ?14, jited_ksyms = ?15,"
			  " jited_func_lens = ?16, prog_tags = ?17, bytes_xlated = ?18, bytes_jited = ?19,"
			  " jited = ?19 > 0 WHERE id = ?20 AND first_snap <= ?21 AND last_snap >= ?21");
	if (err)
		return err;
	st = w->fill_code;
	bind_code_counts(st, 1, r->info);
	err = bind_code_blobs(w, st, 10, r);
	if (err)
		return err;
	sqlite3_bind_int64(st, 18, r->info->xlated_prog_len);
	sqlite3_bind_int64(st, 19, r->info->jited_prog_len);
	sqlite3_bind_int64(st, 20, r->info->id);
	sqlite3_bind_int64(st, 21, w->snap_id);
	return writer_step(w, st, "program");
}

/* ---- maps ---- */

int writer_maps_prepare(struct writer *w)
{
	int err = db_prepare(w->db, "INSERT INTO map_rows(first_snap, last_snap, digest, id, type,"
			     " name, flags, bytes_key, bytes_value, max_entries, bytes_memlock, frozen,"
			     " btf_id, btf_key_type_id, btf_value_type_id, btf_vmlinux_value_type_id,"
			     " map_extra, ifindex, netns_dev, netns_ino, owner_prog_type, owner_jited,"
			     " btf_vmlinux_id)"
			     " VALUES(?1," SPAN_OPEN_SQL ",?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			     &w->ins_map, w->e);

	err = err ?: db_prepare(w->db, "INSERT INTO map_data_rows(first_snap, digest, last_snap,"
				" map_row, contents, nr_entries, contents_error) VALUES(?1, ?2, "
				SPAN_OPEN_SQL ", ?3, ?4, ?5, ?6)", &w->ins_map_data, w->e);
	return err ?: db_prepare(w->db, "UPDATE map_rows SET last_snap = ?1 WHERE row = ?2",
				 &w->close_map, w->e);
}

int writer_map(struct writer *w, const struct map_rec *r, int64_t *row)
{
	const struct bpf_map_info *info = r->info;
	sqlite3_stmt *st = w->ins_map;
	int c = 1, err;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, c++, w->snap_id);
	sqlite3_bind_int64(st, c++, (int64_t)r->digest);
	sqlite3_bind_int64(st, c++, info->id);
	sqlite3_bind_int64(st, c++, info->type);
	sqlite3_bind_text(st, c++, info->name, strnlen(info->name, sizeof(info->name)), SQLITE_STATIC);
	sqlite3_bind_int64(st, c++, info->map_flags);
	sqlite3_bind_int64(st, c++, info->key_size);
	sqlite3_bind_int64(st, c++, info->value_size);
	sqlite3_bind_int64(st, c++, info->max_entries);
	sqlite3_bind_int64(st, c++, r->memlock);
	sqlite3_bind_int64(st, c++, r->frozen);
	sqlite3_bind_int64(st, c++, info->btf_id);
	sqlite3_bind_int64(st, c++, info->btf_key_type_id);
	sqlite3_bind_int64(st, c++, info->btf_value_type_id);
	sqlite3_bind_int64(st, c++, info->btf_vmlinux_value_type_id);
	sqlite3_bind_int64(st, c++, info->map_extra);
	sqlite3_bind_int64(st, c++, info->ifindex);
	sqlite3_bind_int64(st, c++, info->netns_dev);
	sqlite3_bind_int64(st, c++, info->netns_ino);
	if (r->has_owner)
		sqlite3_bind_int64(st, c, r->owner);
	c++;
	if (r->has_owner_jited)
		sqlite3_bind_int64(st, c, r->owner_jited);
	c++;
	sqlite3_bind_int64(st, c, r->btf_vmlinux_id);
	err = writer_step(w, st, "map");
	*row = sqlite3_last_insert_rowid(w->db->sql);
	return err;
}

int writer_map_chunk(struct writer *w, const void *data, size_t len, uint8_t hash[SHA256_LEN])
{
	return blob_put(w->db, "map_chunk", data, len, hash, w->e);
}

/* The rows naming a chunk list's chunks (once per list: an unchanged map adds none). */
static int map_chunk_rows(struct writer *w, const uint8_t *list_hash, const void *data, size_t len)
{
	struct map_chunk_list l;
	int err = map_chunk_list_parse(data, len, &l, w->e);

	err = err ?: writer_stmt(w, &w->ins_map_chunk, "INSERT OR IGNORE INTO map_chunks(list, seq,"
				 " chunk, nr_entries) VALUES(?1, ?2, ?3, ?4)");
	for (uint32_t i = 0; !err && i < l.nr_chunks; i++) {
		uint64_t n;
		const uint8_t *h = map_chunk_list_rec(&l, i, &n);

		sqlite3_reset(w->ins_map_chunk);
		sqlite3_bind_blob(w->ins_map_chunk, 1, list_hash, SHA256_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(w->ins_map_chunk, 2, i);
		sqlite3_bind_blob(w->ins_map_chunk, 3, h, SHA256_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(w->ins_map_chunk, 4, (int64_t)n);
		err = writer_step(w, w->ins_map_chunk, "map contents chunks");
	}
	return err;
}

/* contents at col, nr_entries at col + 1, contents_error at col + 2 */
static int bind_map_data(struct writer *w, sqlite3_stmt *st, int col, const struct map_data_rec *d)
{
	if (d->contents && map_chunk_list_is(d->contents, d->len)) {
		uint8_t hash[SHA256_LEN];
		int err = blob_put(w->db, "map_contents", d->contents, d->len, hash, w->e);

		err = err ?: map_chunk_rows(w, hash, d->contents, d->len);
		if (!err) {
			sqlite3_bind_int64(st, col + 1, d->count);
			sqlite3_bind_blob(st, col, hash, SHA256_LEN, SQLITE_TRANSIENT);
		}
		return err;
	}
	if (d->contents) {
		sqlite3_bind_int64(st, col + 1, d->count);
		return writer_bind_blob(w, st, col, "map_contents", d->contents, d->len);
	}
	sqlite3_bind_text(st, col + 2, d->error, -1, SQLITE_STATIC);
	return 0;
}

int writer_map_data(struct writer *w, int64_t row, const struct map_data_rec *d)
{
	sqlite3_stmt *st = w->ins_map_data;
	int err;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 3, row);
	err = bind_map_data(w, st, 4, d);
	return err ?: span_set_write(w->db, &w->data_spans, st, w->snap_id, "map contents", NULL,
				     w->e);
}

int writer_map_data_fill(struct writer *w, uint32_t map_id, const struct map_data_rec *d)
{
	/* the live view's one snapshot: the map's row of contents, or a new one */
	static const char *const sql[] = {
		"UPDATE map_data_rows SET contents = ?1, nr_entries = ?2, contents_error = ?3"
		" WHERE map_row IN (SELECT row_id FROM maps WHERE snapshot_id = ?4 AND id = ?5)"
		" AND first_snap <= ?4 AND last_snap >= ?4",
		"INSERT INTO map_data_rows(first_snap, digest, last_snap, map_row, contents,"
		" nr_entries, contents_error) SELECT ?4, 0, " SPAN_OPEN_SQL ", row_id, ?1, ?2, ?3"
		" FROM maps WHERE snapshot_id = ?4 AND id = ?5",
	};
	sqlite3_stmt **st[] = { &w->fill_map_data, &w->fill_map_data_new };
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sql) && !err; i++) {
		err = writer_stmt(w, st[i], sql[i]);
		err = err ?: bind_map_data(w, *st[i], 1, d);
		if (err)
			break;
		sqlite3_bind_int64(*st[i], 4, w->snap_id);
		sqlite3_bind_int64(*st[i], 5, map_id);
		err = writer_step(w, *st[i], "map contents");
		if (!err && sqlite3_changes(w->db->sql))
			break;
	}
	return err;
}

/* ---- spans ---- */

int writer_span_close(struct writer *w, enum span_kind k, int64_t row)
{
	sqlite3_stmt *st = k == SPAN_PROG ? w->close_prog : k == SPAN_MAP ? w->close_map : w->close_pin;

	if (!st)
		return err_set(w->e, EINVAL, "no statement to end a span with");
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, w->snap_id - 1);
	sqlite3_bind_int64(st, 2, row);
	return writer_step(w, st, "the end of a span");
}
