/* map show|list|dump and the dispatch of the map commands that change the kernel. */
#include <errno.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include "analyze/map_btf.h"
#include "analyze/map_contents.h"
#include "cli/cli.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"
#include "store/read_map.h"

struct map_show {
	struct ctx *ctx;
	struct view *v;
	struct err e;
};

static int print_map(const struct map_row *r, void *arg)
{
	struct map_show *ms = arg;
	struct ctx *ctx = ms->ctx;
	struct out *o = &ctx->out;
	const char *tname = map_type_name(r->type);

	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", r->id);
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %llu  ", r->type);
	if (*r->name)
		out_str(o, "name", "name %s  ", r->name);
	out_uint(o, "flags", "flags 0x%llx", r->flags);
	if (r->ifindex)
		out_uint(o, "ifindex", "  offloaded_to ifindex %llu", r->ifindex);
	out_plain(o, "\n");
	out_uint(o, "bytes_key", "\tkey %lluB", r->key_size);
	out_uint(o, "bytes_value", "  value %lluB", r->value_size);
	out_uint(o, "max_entries", "  max_entries %llu", r->max_entries);
	if (r->bytes_memlock)
		out_uint(o, "bytes_memlock", "  memlock %lluB", r->bytes_memlock);
	if (r->type == BPF_MAP_TYPE_PROG_ARRAY && r->has_owner_prog_type) {
		const char *pt = prog_type_name(r->owner_prog_type);

		out_plain(o, "\n\t");
		if (pt)
			out_str(o, "owner_prog_type", "owner_prog_type %s  ", pt);
		else
			out_uint(o, "owner_prog_type", "owner_prog_type %llu  ", r->owner_prog_type);
	}
	if (show_pinned(ctx, ms->v, "map", r->id, &ms->e))
		return -1;
	out_plain(o, "\n");
	out_int(o, "frozen", NULL, r->frozen);
	if (r->btf_id || r->frozen)
		out_plain(o, "\t");
	if (r->btf_id)
		out_uint(o, "btf_id", "btf_id %llu", r->btf_id);
	if (r->frozen)
		out_plain(o, "%sfrozen", r->btf_id ? "  " : "");
	if (show_pids(ctx, ms->v, "map", r->id, &ms->e))
		return -1;
	out_nl(o);
	out_obj_end(o);
	return 0;
}

static int map_show_rows(struct ctx *ctx, struct view *v, int64_t id, void *arg)
{
	struct map_show *ms = arg;

	(void)ctx;
	return map_rows(&v->db, v->snap_id, id, print_map, ms, &ms->e);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct map_show ms = { .ctx = ctx };
	uint32_t *ids = NULL;
	size_t n = 0;
	struct view v;
	int err;

	if (show_open(ctx, SNAP_NO_PROGS | SNAP_NO_BTF | SNAP_OWNERS, argc, argv, false, &v, &ids, &n))
		return -1;
	ms.v = &v;
	err = show_selected(ctx, &v, ids, n, map_show_rows, &ms);
	if (err)
		err = p_err_e(ctx, &ms.e);
	free(ids);
	view_close(&v);
	return err;
}

/* ---- map dump ---- */

/* The hex of one entry: JSON "key" and "value" (per-CPU maps: "values") arrays, plain
 * bpftool's "key: ..  value: .." lines. */
static void dump_hex(struct out *o, const struct map_contents *mc, uint64_t i)
{
	const uint8_t *val = map_contents_value(mc, i);
	uint32_t step = (mc->value_size + 7) & ~7u;

	out_plain(o, "key: ");
	out_bytes(o, "key", map_contents_key(mc, i), mc->key_size);
	if (mc->nr_cpus) {
		out_plain(o, "\n");
		out_arr_start(o, "values");
		for (uint32_t c = 0; c < mc->nr_cpus; c++) {
			out_obj_start(o, NULL);
			out_uint(o, "cpu", "value (CPU %02llu): ", c);
			out_bytes(o, "value", val + c * step, mc->value_size);
			out_plain(o, "\n");
			out_obj_end(o);
		}
		out_arr_end(o);
	} else {
		out_plain(o, "  value: ");
		out_bytes(o, "value", val, mc->value_size);
		out_plain(o, "\n");
	}
}

/* The BTF-formatted key (kf) and value(s) of one entry, as JSON; a value its type does not
 * fit is null. */
static void dump_formatted(struct out *o, const struct map_btf *mb, const struct map_contents *mc,
			   uint64_t i, const char *kf, bool plain)
{
	const uint8_t *val = map_contents_value(mc, i);
	uint32_t step = (mc->value_size + 7) & ~7u;
	char *vf;

	out_raw(o, "key", kf);
	if (!mc->nr_cpus) {
		vf = map_btf_value(mb, val, mc->value_size, plain);
		out_raw(o, "value", vf ? vf : "null");
		free(vf);
		return;
	}
	out_arr_start(o, "values");
	for (uint32_t c = 0; c < mc->nr_cpus; c++) {
		vf = map_btf_value(mb, val + c * step, mc->value_size, plain);
		out_obj_start(o, NULL);
		out_uint(o, "cpu", NULL, c);
		out_raw(o, "value", vf ? vf : "null");
		out_obj_end(o);
		free(vf);
	}
	out_arr_end(o);
}

/* One entry. JSON: the hex, and with BTF its "formatted" object. Plain: the hex, or with
 * BTF the formatted entry alone on fo, which writes JSON in bpftool's layout (bpftool prints
 * BTF-typed entries as JSON even in plain mode). A key its type does not fit shows hex. */
static void dump_entry(struct ctx *ctx, struct out *fo, const struct map_btf *mb,
		       const struct map_contents *mc, uint64_t i)
{
	struct out *o = &ctx->out;
	bool json = out_json(o);
	char *kf = mb ? map_btf_key(mb, map_contents_key(mc, i), mc->key_size, !json) : NULL;

	if (kf && !json) {
		out_obj_start(fo, NULL);
		dump_formatted(fo, mb, mc, i, kf, true);
		out_obj_end(fo);
		free(kf);
		return;
	}
	out_obj_start(o, NULL);
	dump_hex(o, mc, i);
	if (kf) {
		out_obj_start(o, "formatted");
		dump_formatted(o, mb, mc, i, kf, false);
		out_obj_end(o);
	}
	out_obj_end(o);
	free(kf);
}

static int dump_one(struct ctx *ctx, struct view *v, uint32_t id)
{
	struct map_data md = { 0 };
	struct map_contents mc;
	struct map_btf *mb = NULL;
	struct err e = { 0 };
	struct out fo;
	bool formatted;
	int err;

	err = map_data_read(&v->db, v->snap_id, id, &md, &e);
	if (err) {
		err = err == -ENOENT ? p_err(ctx, "no map with id %u", id) : p_err_e(ctx, &e);
		goto out;
	}
	if (!md.contents.len) {
		err = p_err(ctx, "no contents for map %u: %s", id, md.has_error ? md.contents_error :
			    "the snapshot was taken without maps-data");
		goto out;
	}
	if (map_contents_parse(md.contents.data, md.contents.len, &mc, &e)) {
		err = p_err_e(ctx, &e);
		goto out;
	}
	mb = map_btf_open(md.btf.data, md.btf.len, md.key_type, md.value_type);
	formatted = mb && !out_json(&ctx->out);
	if (formatted && !mc.count) {
		out_plain(&ctx->out, "[\n]\n");	/* as bpfscope always printed it (bpftool: "[]") */
		goto done;
	}
	out_init_bpftool_json(&fo, ctx->out.f);
	if (formatted)
		out_arr_start(&fo, NULL);
	for (uint64_t i = 0; i < mc.count; i++)
		dump_entry(ctx, &fo, mb, &mc, i);
	if (formatted) {
		out_arr_end(&fo);
		out_plain(&ctx->out, "\n");
	} else {
		out_plain(&ctx->out, "Found %llu element%s\n", (unsigned long long)mc.count,
			  mc.count == 1 ? "" : "s");
	}
done:
	err = 0;
out:
	map_btf_close(mb);
	map_data_free(&md);
	return err;
}

static int do_dump(struct ctx *ctx, int argc, char **argv)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	struct view v;
	int err;

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
		for (size_t i = 0; i < n && !err; i++)
			err = dump_one(ctx, &v, ids[i]);
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
	{ "create", do_map_create },
	{ "freeze", do_map_freeze },
	{ "peek", do_map_lookup },
	{ "push", do_map_update },
	{ "enqueue", do_map_update },
	{ "pop", do_map_pop },
	{ "dequeue", do_map_pop },
	{ "event_pipe", do_map_event_pipe },
	{ "history", do_map_history },
	{ "help", do_map_help },
	{ 0 }
};

int do_map(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, map_cmds, argc, argv, do_map_help);
}
