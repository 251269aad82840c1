/* map show|list|dump and the dispatch of the map commands that change the kernel. */
#include <stdlib.h>
#include <linux/bpf.h>
#include <bpf/btf.h>
#include "analyze/btf_check.h"
#include "analyze/btf_value.h"
#include "analyze/map_contents.h"
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"

#define MAP_SHOW_COLS "id, type, name, flags, bytes_key, bytes_value, max_entries, bytes_memlock," \
	" frozen, btf_id, owner_prog_type, ifindex"

struct map_stmts {
	sqlite3_stmt *pins, *pids;
};

static void print_map(struct ctx *ctx, sqlite3_stmt *row, void *arg)
{
	const struct map_stmts *ms = arg;
	struct out *o = &ctx->out;
	uint32_t id = sqlite3_column_int64(row, 0), type = sqlite3_column_int64(row, 1);
	const char *tname = map_type_name(type), *name = (const char *)sqlite3_column_text(row, 2);
	uint64_t memlock = sqlite3_column_int64(row, 7), frozen = sqlite3_column_int64(row, 8);
	uint64_t btf_id = sqlite3_column_int64(row, 9);

	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", id);
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %llu  ", type);
	if (name && *name)
		out_str(o, "name", "name %s  ", name);
	out_uint(o, "flags", "flags 0x%llx", sqlite3_column_int64(row, 3));
	if (sqlite3_column_int64(row, 11))
		out_uint(o, "ifindex", "  offloaded_to ifindex %llu", sqlite3_column_int64(row, 11));
	out_plain(o, "\n");
	out_uint(o, "bytes_key", "\tkey %lluB", sqlite3_column_int64(row, 4));
	out_uint(o, "bytes_value", "  value %lluB", sqlite3_column_int64(row, 5));
	out_uint(o, "max_entries", "  max_entries %llu", sqlite3_column_int64(row, 6));
	if (memlock)
		out_uint(o, "bytes_memlock", "  memlock %lluB", memlock);
	if (type == BPF_MAP_TYPE_PROG_ARRAY && sqlite3_column_type(row, 10) != SQLITE_NULL) {
		const char *pt = prog_type_name(sqlite3_column_int64(row, 10));

		out_plain(o, "\n\t");
		if (pt)
			out_str(o, "owner_prog_type", "owner_prog_type %s  ", pt);
		else
			out_uint(o, "owner_prog_type", "owner_prog_type %llu  ", sqlite3_column_int64(row, 10));
	}
	show_pinned(ctx, ms->pins, id);
	out_plain(o, "\n");
	out_int(o, "frozen", NULL, frozen);
	if (btf_id || frozen)
		out_plain(o, "\t");
	if (btf_id)
		out_uint(o, "btf_id", "btf_id %llu", btf_id);
	if (frozen)
		out_plain(o, "%sfrozen", btf_id ? "  " : "");
	show_pids(ctx, ms->pids, id);
	out_nl(o);
	out_obj_end(o);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	sqlite3_stmt *row = NULL;
	struct map_stmts ms = { NULL, NULL };
	uint32_t *ids = NULL;
	size_t n = 0;
	struct err e = { 0 };
	struct view v;
	int err = 0;

	if (show_open(ctx, SNAP_NO_PROGS | SNAP_NO_BTF | SNAP_OWNERS, argc, argv, false, &v, &ids, &n))
		return -1;
	err = db_prepare(&v.db, "SELECT " MAP_SHOW_COLS " FROM maps WHERE snapshot_id = ?1"
			 " AND (?2 IS NULL OR id = ?2) ORDER BY id", &row, &e);
	err = err ?: pins_stmt(&v, "map", &ms.pins, &e);
	err = err ?: pids_stmt(&v, "map", &ms.pids, &e);
	if (err) {
		err = p_err_e(ctx, &e);
		goto out;
	}
	show_selected(ctx, v.snap_id, row, ids, n, print_map, &ms);
out:
	sqlite3_finalize(row);
	sqlite3_finalize(ms.pins);
	sqlite3_finalize(ms.pids);
	free(ids);
	view_close(&v);
	return err;
}

/* ---- map dump ---- */

struct map_meta {
	uint32_t id, type, key_size, value_size, btf_id, key_type, value_type;
	struct btf *btf;
	struct buf btf_buf, contents;
	const char *contents_error;
	char errbuf[512];
};

static void hex_array(struct out *o, const char *key, const uint8_t *p, size_t n)
{
	char b[8];

	out_arr_start(o, key);
	for (size_t i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "0x%02x", p[i]);
		out_str(o, NULL, NULL, b);
	}
	out_arr_end(o);
}

static void hex_plain(struct out *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_plain(o, "%02x%s", p[i], i + 1 < n ? " " : "");
}

/* A BTF-formatted value rendered apart, so a type that does not fit its bytes falls back
 * to hex instead of leaving half a JSON object behind. */
static char *btf_render(const struct btf *btf, uint32_t type, const uint8_t *p, size_t n, bool plain)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct jw w;
	int err;

	if (!f)
		return NULL;
	jw_init(&w, f, false);
	err = btf_value_write(&w, btf, type, p, n, plain);
	fclose(f);
	if (err) {
		free(mem);
		return NULL;
	}
	return mem;
}

static void dump_entry(struct ctx *ctx, struct map_meta *m, const struct map_contents *mc,
		       uint64_t i, bool use_btf)
{
	struct out *o = &ctx->out;
	const uint8_t *k = map_contents_key(mc, i), *val = map_contents_value(mc, i);
	uint32_t step = (mc->value_size + 7) & ~7u;
	bool percpu = mc->nr_cpus > 0;
	char *kf = NULL;

	if (use_btf)
		kf = btf_render(m->btf, m->key_type, k, mc->key_size, !out_json(o));
	if (out_json(o)) {
		jw_start_object(&o->jw);
		hex_array(o, "key", k, mc->key_size);
		if (percpu) {
			out_arr_start(o, "values");
			for (uint32_t c = 0; c < mc->nr_cpus; c++) {
				out_obj_start(o, NULL);
				out_uint(o, "cpu", NULL, c);
				hex_array(o, "value", val + c * step, mc->value_size);
				out_obj_end(o);
			}
			out_arr_end(o);
		} else {
			hex_array(o, "value", val, mc->value_size);
		}
		if (kf) {
			jw_name(&o->jw, "formatted");
			jw_start_object(&o->jw);
			jw_name(&o->jw, "key");
			jw_raw(&o->jw, kf);
			if (percpu) {
				jw_name(&o->jw, "values");
				jw_start_array(&o->jw);
				for (uint32_t c = 0; c < mc->nr_cpus; c++) {
					char *vf = btf_render(m->btf, m->value_type, val + c * step, mc->value_size, false);

					jw_start_object(&o->jw);
					jw_name(&o->jw, "cpu");
					jw_uint(&o->jw, c);
					jw_name(&o->jw, "value");
					jw_raw(&o->jw, vf ? vf : "null");
					jw_end_object(&o->jw);
					free(vf);
				}
				jw_end_array(&o->jw);
			} else {
				char *vf = btf_render(m->btf, m->value_type, val, mc->value_size, false);

				jw_name(&o->jw, "value");
				jw_raw(&o->jw, vf ? vf : "null");
				free(vf);
			}
			jw_end_object(&o->jw);
		}
		jw_end_object(&o->jw);
	} else if (kf) {
		/* bpftool prints BTF-typed entries as JSON even in plain mode */
		fprintf(o->f, "%s{\n        \"key\": %s,\n", i ? "," : "", kf);
		if (percpu) {
			fprintf(o->f, "        \"values\": [");
			for (uint32_t c = 0; c < mc->nr_cpus; c++) {
				char *vf = btf_render(m->btf, m->value_type, val + c * step, mc->value_size, true);

				fprintf(o->f, "%s{\n                \"cpu\": %u,\n                \"value\": %s\n            }",
					c ? "," : "", c, vf ? vf : "null");
				free(vf);
			}
			fprintf(o->f, "\n        ]\n    }");
		} else {
			char *vf = btf_render(m->btf, m->value_type, val, mc->value_size, true);

			fprintf(o->f, "        \"value\": %s\n    }", vf ? vf : "null");
			free(vf);
		}
	} else {
		out_plain(o, "key: ");
		hex_plain(o, k, mc->key_size);
		if (percpu) {
			out_plain(o, "\n");
			for (uint32_t c = 0; c < mc->nr_cpus; c++) {
				out_plain(o, "value (CPU %02u): ", c);
				hex_plain(o, val + c * step, mc->value_size);
				out_plain(o, "\n");
			}
		} else {
			out_plain(o, "  value: ");
			hex_plain(o, val, mc->value_size);
			out_plain(o, "\n");
		}
	}
	free(kf);
}

static int load_map_meta(struct ctx *ctx, struct view *v, uint32_t id, struct map_meta *m)
{
	sqlite3_stmt *st;
	struct err e = { 0 };
	int err;

	memset(m, 0, sizeof(*m));
	err = db_prepare(&v->db, "SELECT m.id, m.type, m.bytes_key, m.bytes_value, m.btf_id,"
			 " m.btf_key_type_id, m.btf_value_type_id, m.contents, m.contents_error, b.data"
			 " FROM maps m LEFT JOIN btf b ON b.snapshot_id = m.snapshot_id AND b.id = m.btf_id"
			 " WHERE m.snapshot_id = ? AND m.id = ?", &st, &e);
	if (err)
		return p_err_e(ctx, &e);
	sqlite3_bind_int64(st, 1, v->snap_id);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return p_err(ctx, "no map with id %u", id);
	}
	m->id = id;
	m->type = sqlite3_column_int64(st, 1);
	m->key_size = sqlite3_column_int64(st, 2);
	m->value_size = sqlite3_column_int64(st, 3);
	m->btf_id = sqlite3_column_int64(st, 4);
	m->key_type = sqlite3_column_int64(st, 5);
	m->value_type = sqlite3_column_int64(st, 6);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		snprintf(m->errbuf, sizeof(m->errbuf), "%s", sqlite3_column_text(st, 8));
		m->contents_error = m->errbuf;
	}
	err = blob_get_col(&v->db, st, 7, BLOB_MAX_SIZE, &m->contents, &e);
	if (!err)
		err = blob_get_col(&v->db, st, 9, 256u << 20, &m->btf_buf, &e);
	sqlite3_finalize(st);
	if (err)
		return p_err_e(ctx, &e);
	if (m->btf_buf.len && (m->key_type || m->value_type)) {
		m->btf = btf__new(m->btf_buf.data, m->btf_buf.len);
		/* a snapshot's BTF may be hostile: values print in hex if it does not hold up */
		if (m->btf && btf_check_refs(m->btf, NULL)) {
			btf__free(m->btf);
			m->btf = NULL;
		}
	}
	return 0;
}

static void free_map_meta(struct map_meta *m)
{
	btf__free(m->btf);
	buf_free(&m->btf_buf);
	buf_free(&m->contents);
}

static int dump_one(struct ctx *ctx, struct view *v, uint32_t id, bool *opened_plain)
{
	struct map_contents mc;
	struct map_meta m;
	struct err e = { 0 };
	bool use_btf;
	int err;

	if (load_map_meta(ctx, v, id, &m))
		return -1;
	if (!m.contents.len) {
		err = p_err(ctx, "no contents for map %u: %s", id, m.contents_error ? m.contents_error :
			    "the snapshot was taken without maps-data");
		goto out;
	}
	if (map_contents_parse(m.contents.data, m.contents.len, &mc, &e)) {
		err = p_err_e(ctx, &e);
		goto out;
	}
	use_btf = m.btf && m.key_type && m.value_type;
	if (use_btf && !out_json(&ctx->out) && !*opened_plain) {
		fputs("[", ctx->out.f);
		*opened_plain = true;
	}
	for (uint64_t i = 0; i < mc.count; i++)
		dump_entry(ctx, &m, &mc, i, use_btf);
	if (!out_json(&ctx->out)) {
		if (use_btf)
			fputs("\n]\n", ctx->out.f);
		else
			fprintf(ctx->out.f, "Found %llu element%s\n", (unsigned long long)mc.count,
				mc.count == 1 ? "" : "s");
	}
	err = 0;
out:
	free_map_meta(&m);
	return err;
}

static int do_dump(struct ctx *ctx, int argc, char **argv)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	struct view v;
	int err;
	bool opened = false;

	if (argc < 2)
		return p_err(ctx, "expected MAP: " HELP_SPEC_MAP);
	if (view_open(ctx, SNAP_NO_PROGS | SNAP_NO_BTF | (!strcmp(argv[0], "pinned") ? SNAP_PINS : 0), &v))
		return -1;
	err = map_select(ctx, &v, &argc, &argv, &ids, &n);
	if (!err && argc > 0)
		err = p_err(ctx, "unexpected argument '%s'", argv[0]);
	if (!err)
		err = view_fill_maps(ctx, &v, ids, n);
	if (!err) {
		out_arr_start(&ctx->out, NULL);
		for (size_t i = 0; i < n && !err; i++) {
			opened = false;
			err = dump_one(ctx, &v, ids[i], &opened);
		}
		out_arr_end(&ctx->out);
	}
	free(ids);
	view_close(&v);
	return err;
}

static int do_map_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_MAP);
}

static const struct cmd map_cmds[] = {
	{ "show", do_show },
	{ "list", do_show },
	{ "dump", do_dump },
	{ "lookup", do_map_lookup },
	{ "update", do_map_update },
	{ "delete", do_map_delete },
	{ "getnext", do_map_getnext },
	{ "pin", do_map_pin },
	{ "help", do_map_help },
	{ 0 }
};

int do_map(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, map_cmds, argc, argv, do_map_help);
}
