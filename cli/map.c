/* map show|list|dump and the dispatch of the map commands that change the kernel. */
#include <errno.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include "cli/map_print.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"
#include "store/read_map.h"
#include "store/read_pins.h"

struct map_show {
	struct ctx *ctx;
	struct view *v;
	bool many;		/* every map's holders read at once (as prog show does) */
	struct id_rows all_owners;
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
	/* bpftool prints fdinfo's memlock, 0 too (an arena's) */
	out_uint(o, "bytes_memlock", "  memlock %lluB", r->bytes_memlock);
	/* fdinfo has both or neither (bpftool tests each) */
	if (r->type == BPF_MAP_TYPE_PROG_ARRAY && (r->has_owner_prog_type || r->has_owner_jited))
		out_plain(o, "\n\t");
	if (r->type == BPF_MAP_TYPE_PROG_ARRAY && r->has_owner_prog_type) {
		const char *pt = prog_type_name(r->owner_prog_type);

		if (pt)
			out_str(o, "owner_prog_type", "owner_prog_type %s  ", pt);
		else
			out_uint(o, "owner_prog_type", "owner_prog_type %llu  ", r->owner_prog_type);
	}
	if (r->type == BPF_MAP_TYPE_PROG_ARRAY && r->has_owner_jited) {
		out_bool(o, "owner_jited", NULL, r->owner_jited);
		out_plain(o, "owner%s jited", r->owner_jited ? "" : " not");
	}
	/* bpftool: JSON has frozen and btf_id before pinned, plain the pins first, then
	 * btf_id and frozen on a line of their own only when there is one of them */
	out_int(o, "frozen", NULL, r->frozen);
	if (r->btf_id)
		out_uint(o, "btf_id", NULL, r->btf_id);
	if (show_pinned(ctx, ms->v, "map", r->id, &ms->e))
		return -1;
	if (r->btf_id || r->frozen)
		out_plain(o, "\n\t");
	if (r->btf_id)
		out_plain(o, "btf_id %llu", (unsigned long long)r->btf_id);
	if (r->frozen)
		out_plain(o, "%sfrozen", r->btf_id ? "  " : "");
	if (ms->many)
		show_pids_of(ctx, &ms->all_owners, r->id);
	else if (show_pids(ctx, ms->v, "map", r->id, &ms->e))
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
	ms.many = !ids || n > 1;
	err = ms.many ? owner_rows_all(&v.db, v.snap_id, "map", &ms.all_owners, &ms.e) : 0;
	err = err ?: show_selected(ctx, &v, ids, n, map_show_rows, &ms);
	if (err)
		err = p_err_e(ctx, &ms.e);
	id_rows_free(&ms.all_owners);
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
	{ "dump", do_map_dump },
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
