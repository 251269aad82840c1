/* btf show|list, and dispatch of btf dump. */
#include <errno.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "capture/snapshot.h"
#include "store/read_btf.h"

struct btf_show {
	struct ctx *ctx;
	struct view *v;
	struct id_list progs, maps;	/* reused for every object */
	struct err e;
	size_t shown;
};

static int print_btf(const struct btf_row *r, void *arg)
{
	struct btf_show *bs = arg;
	struct ctx *ctx = bs->ctx;
	struct view *v = bs->v;
	struct out *o = &ctx->out;
	char safe[1024];	/* a name out_str would print; JSON has it below */

	bs->shown++;
	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", r->id);
	if (r->kernel)
		out_plain(o, "name [%s]  ", out_safe(r->name, safe, sizeof(safe)));
	else if (*r->name)
		out_plain(o, "name %s  ", out_safe(r->name, safe, sizeof(safe)));
	else
		out_plain(o, "name <anon>  ");
	out_uint(o, "size", "size %lluB", r->size);
	if (btf_prog_ids(&v->db, v->snap_id, r->id, &bs->progs, &bs->e) ||
	    btf_map_ids(&v->db, v->snap_id, r->id, &bs->maps, &bs->e))
		return -1;
	show_id_list(ctx, &bs->progs, "prog_ids", "  prog_ids ", true);
	show_id_list(ctx, &bs->maps, "map_ids", "  map_ids ", true);
	if (show_pids(ctx, v, "btf", r->id, &bs->e))
		return -1;
	out_bool(o, "kernel", NULL, r->kernel);
	if (*r->name)
		out_str(o, "name", NULL, r->name);
	out_nl(o);
	out_obj_end(o);
	return 0;
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct btf_show bs = { .ctx = ctx };
	struct view v;
	int64_t only;
	int err;

	if (show_only_id(ctx, argc, argv, &only))
		return -1;
	if (view_open(ctx, SNAP_OWNERS, &v))
		return -1;
	bs.v = &v;
	if (only < 0)
		out_arr_start(&ctx->out, NULL);
	err = btf_rows(&v.db, v.snap_id, only, print_btf, &bs, &bs.e);
	if (only < 0)
		out_arr_end(&ctx->out);
	if (err)
		err = p_err_e(ctx, &bs.e);
	else if (only >= 0 && !bs.shown)	/* bpftool's words, live */
		err = v.live ? p_err(ctx, "can't get BTF object by id (%lld): %s", (long long)only,
				     strerror(ENOENT)) :
			       p_err(ctx, "can't find BTF object with id %lld in the snapshot",
				     (long long)only);
	id_list_free(&bs.progs);
	id_list_free(&bs.maps);
	view_close(&v);
	return err;
}

static int do_btf_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_BTF);
}

static const struct cmd btf_cmds[] = {
	{ "show", do_show },
	{ "list", do_show },
	{ "dump", do_btf_dump },
	{ "help", do_btf_help },
	{ 0 }
};

int do_btf(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, btf_cmds, argc, argv, do_btf_help);
}
