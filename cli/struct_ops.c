/* struct_ops show|list|register|unregister as bpftool 7.8 (src/struct_ops.c): the maps of
 * type struct_ops, live or from a snapshot (-s REF), named with the kernel struct they
 * implement; register and unregister change the live kernel (act/struct_ops.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include "cli/cli.h"
#include "act/struct_ops.h"
#include "analyze/struct_ops.h"
#include "store/read_btf_data.h"
#include "store/read_map.h"
#include "store/snap_mask.h"

#define MAX_REGS 64

struct sel {
	bool by_id;
	uint32_t id;
	const char *name;	/* NULL: every struct_ops map */
};

struct found {
	struct map_row_copy {
		uint32_t id, type, value_type;
		char name[64];
	} *v;
	size_t n, cap;
};

static int collect(const struct map_row *r, void *arg)
{
	struct found *f = arg;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		void *p = realloc(f->v, cap * sizeof(*f->v));

		if (!p)
			return -ENOMEM;
		f->v = p;
		f->cap = cap;
	}
	f->v[f->n].id = r->id;
	f->v[f->n].type = r->type;
	f->v[f->n].value_type = r->vmlinux_value_type_id;
	snprintf(f->v[f->n].name, sizeof(f->v[f->n].name), "%s", r->name);
	f->n++;
	return 0;
}

static int collect_copy(struct found *f, const struct map_row_copy *c)
{
	struct map_row r = { .id = c->id, .type = c->type, .vmlinux_value_type_id = c->value_type,
			     .name = c->name };

	return collect(&r, f);
}

/* STRUCT_OPS_MAP := [ id ID | name NAME ]: no words, or two */
static int parse_sel(struct ctx *ctx, int argc, char **argv, struct sel *s, bool required)
{
	char *end;
	unsigned long id;

	memset(s, 0, sizeof(*s));
	if ((argc != 0 || required) && argc != 2) {
		p_usage(ctx, GRAMMAR_STRUCT_OPS);
		return -1;
	}
	if (!argc)
		return 0;
	if (is_prefix(argv[0], "id")) {
		errno = 0;
		id = strtoul(argv[1], &end, 0);
		if (*end || !id || id > UINT32_MAX)
			return p_err(ctx, "invalid id %s", argv[1]);
		s->by_id = true;
		s->id = id;
	} else if (is_prefix(argv[0], "name")) {
		s->name = argv[1];
	} else {
		p_usage(ctx, GRAMMAR_STRUCT_OPS);
		return -1;
	}
	return 0;
}

/* The struct_ops maps s selects, from view v, with bpftool's errors for none. */
static int select_maps(struct ctx *ctx, struct view *v, const struct sel *s, struct found *out)
{
	struct found all = { 0 };
	struct err e = { 0 };
	int ret = 0;

	if (map_rows(&v->db, v->snap_id, s->by_id ? (int64_t)s->id : -1, collect, &all, &e)) {
		free(all.v);
		return p_err_e(ctx, &e);
	}
	if (s->by_id && !all.n)
		ret = p_err(ctx, "can't get map by id (%u): %s", s->id, strerror(ENOENT));
	else if (s->by_id && all.v[0].type != BPF_MAP_TYPE_STRUCT_OPS)
		ret = p_err(ctx, "%s id %u is not a struct_ops map", all.v[0].name, s->id);
	for (size_t i = 0; !ret && i < all.n; i++)
		if (all.v[i].type == BPF_MAP_TYPE_STRUCT_OPS &&
		    (!s->name || !strcmp(s->name, all.v[i].name)) && collect_copy(out, &all.v[i]))
			ret = p_err(ctx, "out of memory");
	free(all.v);
	if (!ret && s->name && !out->n)
		ret = p_err(ctx, "no struct_ops found for %s", s->name);
	return ret;
}

/* vmlinux BTF of the view: the snapshot's stored data, else (live) the kernel's */
static struct btf *view_vmlinux(struct view *v)
{
	struct buf b = { 0 };
	struct err e = { 0 };
	struct btf *btf;

	if (!v->live)
		btf_vmlinux_read(&v->db, v->snap_id, &b, &e);
	btf = struct_ops_btf_load(b.data, b.len, v->live);
	buf_free(&b);
	return btf;
}

static int do_show(struct ctx *ctx, int argc, char **argv)
{
	struct out *o = &ctx->out;
	struct found f = { 0 };
	struct btf *vml = NULL;
	struct sel s;
	struct view v;
	int ret;

	if (parse_sel(ctx, argc, argv, &s, false))
		return -1;
	if (view_open(ctx, SNAP_NO_PROGS | SNAP_NO_BTF, &v))
		return -1;
	ret = select_maps(ctx, &v, &s, &f);
	if (!ret) {
		vml = view_vmlinux(&v);
		out_arr_start(o, NULL);
		for (size_t i = 0; i < f.n; i++) {
			const char *k = struct_ops_kernel_name(vml, f.v[i].value_type);
			char safe[128], ksafe[256];

			if (out_json(o)) {
				out_obj_start(o, NULL);
				out_uint(o, "id", NULL, f.v[i].id);
				out_str(o, "name", NULL, f.v[i].name);
				out_str(o, "kernel_struct_ops", NULL, k);
				out_obj_end(o);
			} else {
				out_plain(o, "%u: %-15s %-32s\n", f.v[i].id,
					  out_safe(f.v[i].name, safe, sizeof(safe)),
					  out_safe(k, ksafe, sizeof(ksafe)));
			}
		}
		out_arr_end(o);
	}
	struct_ops_btf_free(vml);
	free(f.v);
	view_close(&v);
	return ret;
}

static int do_register(struct ctx *ctx, int argc, char **argv)
{
	struct struct_ops_reg *regs;
	struct err e = { 0 };
	int n = 0, err, ret = 0;

	if (ctx->snap_ref)
		return p_err(ctx, "struct_ops register changes the live kernel: no -s REF");
	if (argc != 1 && argc != 2) {
		p_usage(ctx, GRAMMAR_STRUCT_OPS);
		return -1;
	}
	regs = calloc(MAX_REGS, sizeof(*regs));
	if (!regs)
		return p_err(ctx, "out of memory");
	err = struct_ops_register(argv[0], argc == 2 ? argv[1] : NULL, regs, MAX_REGS, &n, &e);
	for (int i = 0; i < n; i++) {
		struct struct_ops_reg *r = &regs[i];

		if (r->error[0] && !r->map_id)
			ret = p_err(ctx, "%s", r->error);
		else if (!r->map_id)
			p_info(ctx, "Registered %s but can't find id", r->name);
		else if (r->link_id)
			p_info(ctx, "Registered %s %s map id %u link id %u", r->kernel, r->name,
			       r->map_id, r->link_id);
		else
			p_info(ctx, "Registered %s %s id %u", r->kernel, r->name, r->map_id);
		if (r->error[0] && r->map_id)
			ret = p_err(ctx, "%s", r->error);
	}
	free(regs);
	if (err && !ret)
		ret = p_err_e(ctx, &e);
	if (!ret && out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return ret;
}

static int do_unregister(struct ctx *ctx, int argc, char **argv)
{
	struct found f = { 0 };
	struct btf *vml = NULL;
	struct sel s;
	struct view v;
	int ret;

	if (ctx->snap_ref)
		return p_err(ctx, "struct_ops unregister changes the live kernel: no -s REF");
	if (parse_sel(ctx, argc, argv, &s, true))
		return -1;
	if (view_open(ctx, SNAP_NO_PROGS | SNAP_NO_BTF, &v))
		return -1;
	ret = select_maps(ctx, &v, &s, &f);
	vml = ret ? NULL : view_vmlinux(&v);
	for (size_t i = 0; !ret && i < f.n; i++) {
		const char *k = struct_ops_kernel_name(vml, f.v[i].value_type);
		struct err e = { 0 };
		int err = struct_ops_unregister(f.v[i].id, &e);

		if (err)
			ret = p_err(ctx, "can't unload %s %s id %u: %s", k, f.v[i].name, f.v[i].id,
				    strerror(-err));
		else
			p_info(ctx, "Unregistered %s %s id %u", k, f.v[i].name, f.v[i].id);
	}
	if (!ret && out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	struct_ops_btf_free(vml);
	free(f.v);
	view_close(&v);
	return ret;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_usage(ctx, GRAMMAR_STRUCT_OPS);
}

int do_struct_ops(struct ctx *ctx, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "list", do_show },
		{ "register", do_register },
		{ "unregister", do_unregister },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
