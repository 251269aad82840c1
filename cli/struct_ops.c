/* struct_ops show|list|dump|register|unregister as bpftool 7.8 (src/struct_ops.c): the maps
 * of type struct_ops, live or from a snapshot (-s REF), named with the kernel struct they
 * implement, dumped through the kernel's BTF; register and unregister change the live
 * kernel (act/struct_ops.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include "cli/cli.h"
#include "act/struct_ops.h"
#include "analyze/btf_check.h"
#include "analyze/btf_value.h"
#include "analyze/map_contents.h"
#include "analyze/struct_ops.h"
#include "store/read_map.h"
#include "store/read_prog.h"
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
		struct struct_ops_info mi;	/* mi.name unset: v moves */
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
	f->v[f->n].mi = (struct struct_ops_info){
		.type = r->type, .id = r->id, .key_size = r->key_size, .value_size = r->value_size,
		.max_entries = r->max_entries, .map_flags = r->flags, .ifindex = r->ifindex,
		.btf_vmlinux_value_type_id = r->vmlinux_value_type_id, .netns_dev = r->netns_dev,
		.netns_ino = r->netns_ino, .btf_id = r->btf_id, .btf_key_type_id = r->btf_key_type_id,
		.btf_value_type_id = r->btf_value_type_id, .btf_vmlinux_id = r->btf_vmlinux_id,
		.map_extra = r->map_extra };
	f->n++;
	return 0;
}

static int collect_copy(struct found *f, const struct map_row_copy *c)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		void *p = realloc(f->v, cap * sizeof(*f->v));

		if (!p)
			return -ENOMEM;
		f->v = p;
		f->cap = cap;
	}
	f->v[f->n++] = *c;
	return 0;
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

/* The BTF name of a program's main function, as bpftool reads it from the program's func
 * info: the stored full name of a program with BTF (libbpf names a program after its
 * function); NULL for one the snapshot lacks or without BTF. */
struct prog_names {
	struct view *v;
	char name[128];
	bool found;
};

static int keep_name(const struct prog_row *r, void *arg)
{
	struct prog_names *pn = arg;

	pn->found = r->btf_id != 0;
	snprintf(pn->name, sizeof(pn->name), "%s", r->name);
	return 0;
}

static const char *prog_name(void *arg, uint32_t id)
{
	struct prog_names *pn = arg;
	struct err e = { 0 };

	pn->found = false;
	if (prog_rows(&pn->v->db, pn->v->snap_id, id, keep_name, pn, &e))
		return NULL;
	return pn->found ? pn->name : NULL;
}

/* bpftool's __do_dump: {"bpf_map_info": ...},{"bpf_struct_ops_<name>": ...} through the
 * kernel's BTF, the value being the one the snapshot read (key 0). */
static int dump_one(struct ctx *ctx, struct view *v, struct jw *w, const struct btf *vml,
		    struct map_row_copy *c)
{
	struct btf_value_progs progs = { prog_name, &(struct prog_names){ .v = v } };
	const char *vname = struct_ops_value_name(vml, c->value_type);
	struct map_data md = { 0 };
	struct map_contents mc;
	struct err e = { 0 };
	uint8_t *info = NULL;
	uint32_t info_type;
	size_t info_len;
	int err;

	if (!vname)
		return p_err(ctx, "struct_ops map %s id %u: no value type %u in the kernel's BTF",
			     c->name, c->id, c->value_type);
	err = map_data_read(&v->db, v->snap_id, c->id, &md, &e);
	if (err || !md.contents.len ||
	    map_contents_parse(md.contents.data, md.contents.len, &mc, &e) || !mc.count) {
		err = p_err(ctx, "can't lookup struct_ops map %s id %u", c->name, c->id);
		goto out;
	}
	c->mi.name = c->name;
	err = struct_ops_map_info(vml, &c->mi, &info, &info_len, &info_type);
	if (err) {
		err = p_err(ctx, "can't find bpf_map_info from btf_vmlinux");
		goto out;
	}
	jw_start_object(w);
	jw_name(w, "bpf_map_info");
	btf_value_write_progs(w, vml, info_type, info, info_len, !out_json(&ctx->out), &progs);
	jw_end_object(w);
	jw_start_object(w);
	jw_name(w, vname);
	btf_value_write_progs(w, vml, c->value_type, map_contents_value(&mc, 0), mc.value_size,
			      !out_json(&ctx->out), &progs);
	jw_end_object(w);
out:
	free(info);
	map_data_free(&md);
	return err;
}

static int do_dump(struct ctx *ctx, int argc, char **argv)
{
	struct found f = { 0 };
	struct btf *vml = NULL;
	struct jw *w = &ctx->out.jw;
	struct err e = { 0 };
	struct out bo;
	struct sel s;
	struct view v;
	int ret, errs = 0, dumped = 0, depth;

	if (parse_sel(ctx, argc, argv, &s, false)) {
		if (argc == 2 && is_prefix(argv[0], "id") && !out_json(&ctx->out))
			fprintf(ctx->out.f, "\n");	/* bpftool's writer was open */
		return -1;
	}
	if (view_open(ctx, SNAP_NO_BTF, &v))
		return -1;
	vml = view_vmlinux(&v);
	if (!vml) {
		ret = p_err(ctx, v.live ? "struct_ops requires kernel CONFIG_DEBUG_INFO_BTF=y" :
			    "struct_ops dump needs the kernel's BTF, which this snapshot did not store");
		goto out;
	}
	/* a stored BTF may be hostile: its references checked before libbpf follows them */
	if (!v.live && btf_check_refs(vml, &e)) {
		ret = p_err_e(ctx, &e);
		goto out;
	}
	/* bpftool prints no error for a name nothing has: its empty list says so */
	ret = select_maps(ctx, &v, &(struct sel){ s.by_id, s.id, NULL }, &f);
	if (ret) {
		if (!out_json(&ctx->out))	/* bpftool's writer was open: its newline */
			fprintf(ctx->out.f, "\n");
		goto out;
	}
	if (!out_json(&ctx->out)) {
		out_init_bpftool_json(&bo, ctx->out.f);
		w = &bo.jw;
	}
	depth = w->depth;
	jw_start_array(w);
	for (size_t i = 0; i < f.n; i++) {
		if (s.name && strcmp(s.name, f.v[i].name))
			continue;
		if (dump_one(ctx, &v, w, vml, &f.v[i]))
			errs++;
		else
			dumped++;
	}
	jw_end_to(w, depth);
	if (!out_json(&ctx->out))
		fprintf(ctx->out.f, "\n");
	ret = errs || (s.name && !dumped) ? -1 : 0;
out:
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
		{ "dump", do_dump },
		{ "register", do_register },
		{ "unregister", do_unregister },
		{ "help", do_help },
		{ 0 }
	};

	return cmd_select(ctx, cmds, argc, argv, do_help);
}
