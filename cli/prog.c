/* prog show|list and the dispatch of the other prog commands. */
#include <stdlib.h>
#include "cli/cli.h"
#include "store/read_pins.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"
#include "store/read_prog.h"

struct prog_show {
	struct ctx *ctx;
	struct view *v;
	struct id_list maps;	/* reused for every program */
	/* showing many: every program's map ids and holders, read at once */
	bool many;
	struct id_rows all_maps, all_owners;
	struct err e;
};

/* The maps of program id: from the rows read at once, or asked for it alone. */
static int prog_maps(struct prog_show *ps, uint32_t id)
{
	return ps->many ? id_rows_ids(&ps->all_maps, id, &ps->maps, &ps->e) :
		prog_map_ids(&ps->v->db, ps->v->snap_id, id, &ps->maps, &ps->e);
}

static int print_prog(const struct prog_row *r, void *arg)
{
	struct prog_show *ps = arg;
	struct ctx *ctx = ps->ctx;
	struct out *o = &ctx->out;
	const char *tname = prog_type_name(r->type);

	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", r->id);
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %llu  ", r->type);
	if (*r->name)
		out_str(o, "name", "name %s  ", r->name);
	out_str(o, "tag", "tag %s", r->tag);
	if (r->ifindex)
		out_uint(o, "ifindex", "  offloaded_to ifindex %llu", r->ifindex);
	out_bool(o, "gpl_compatible", "  gpl", r->gpl_compatible);
	if (r->run_time_ns) {
		out_uint(o, "run_time_ns", " run_time_ns %llu", r->run_time_ns);
		out_uint(o, "run_cnt", " run_cnt %llu", r->run_cnt);
	}
	if (r->recursion_misses)
		out_uint(o, "recursion_misses", " recursion_misses %llu", r->recursion_misses);
	out_nl(o);
	if (r->load_time) {
		char when[64];

		fmt_time_local(r->loaded_at, when, sizeof(when));
		out_uint(o, "loaded_at", NULL, r->loaded_at);
		out_plain(o, "\tloaded_at %s", when);
		out_uint(o, "uid", "  uid %llu\n", r->uid);
	}
	out_bool(o, "orphaned", NULL, false);	/* only an offloaded program's device can go */
	out_uint(o, "bytes_xlated", "\txlated %lluB", r->bytes_xlated);
	out_bool(o, "jited", NULL, r->jited);
	if (r->jited)
		out_uint(o, "bytes_jited", "  jited %lluB", r->bytes_jited);
	else
		out_plain(o, "  not jited");
	if (r->bytes_memlock)
		out_uint(o, "bytes_memlock", "  memlock %lluB", r->bytes_memlock);
	if (prog_maps(ps, r->id))
		return -1;
	show_id_list(ctx, &ps->maps, "map_ids", "  map_ids ", false);
	/* bpftool: JSON has btf_id before pinned, plain the pins first */
	if (r->btf_id)
		out_uint(o, "btf_id", NULL, r->btf_id);
	if (show_pinned(ctx, ps->v, "prog", r->id, &ps->e))
		return -1;
	if (r->btf_id)
		out_plain(o, "\n\tbtf_id %llu", (unsigned long long)r->btf_id);
	if (ps->many)
		show_pids_of(ctx, &ps->all_owners, r->id);
	else if (show_pids(ctx, ps->v, "prog", r->id, &ps->e))
		return -1;
	out_nl(o);
	out_obj_end(o);
	return 0;
}

static int prog_show_rows(struct ctx *ctx, struct view *v, int64_t id, void *arg)
{
	struct prog_show *ps = arg;

	(void)ctx;
	return prog_rows(&v->db, v->snap_id, id, print_prog, ps, &ps->e);
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct prog_show ps = { .ctx = ctx };
	uint32_t *ids = NULL;
	size_t n = 0;
	struct view v;
	int err;

	if (show_open(ctx, SNAP_NO_MAPS | SNAP_NO_BTF | SNAP_OWNERS, argc, argv, true, &v, &ids, &n))
		return -1;
	ps.v = &v;
	/* (all, or a name or tag many programs share) */
	ps.many = !ids || n > 1;
	err = ps.many ? prog_map_ids_all(&v.db, v.snap_id, &ps.all_maps, &ps.e) ?:
			owner_rows_all(&v.db, v.snap_id, "prog", &ps.all_owners, &ps.e) : 0;
	err = err ?: show_selected(ctx, &v, ids, n, prog_show_rows, &ps);
	if (err)
		err = p_err_e(ctx, &ps.e);
	id_list_free(&ps.maps);
	id_rows_free(&ps.all_maps);
	id_rows_free(&ps.all_owners);
	free(ids);
	view_close(&v);
	return err;
}

static int do_prog_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_PROG);
}

static const struct cmd prog_cmds[] = {
	{ "show", do_show },
	{ "list", do_show },
	{ "dump", do_prog_dump },
	{ "cfg", do_prog_cfg },
	{ "history", do_prog_history },
	{ "pin", do_prog_pin },
	{ "load", do_prog_load },
	{ "loadall", do_prog_loadall },
	{ "attach", do_prog_attach },
	{ "detach", do_prog_detach },
	{ "run", do_prog_run },
	{ "tracelog", do_prog_tracelog },
	{ "profile", do_prog_profile },
	{ "help", do_prog_help },
	{ 0 }
};

int do_prog(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, prog_cmds, argc, argv, do_prog_help);
}
