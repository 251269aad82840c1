/* gen subskeleton: the header a BPF library's user-space half includes to reach the
 * library's maps, programs and global variables inside an object the library was linked into. */
#include <errno.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "gen/skel_gen.h"
#include "gen/skel_int.h"

/* How many exposed variables the mmaped maps hold: the size of s->vars. */
static size_t count_vars(const struct gen *g)
{
	size_t i, n = 0;

	for (i = 0; i < g->nr_maps; i++) {
		const struct btf_var_secinfo *vi;
		int k;

		if (!g->maps[i].mmaped || !g->maps[i].sec)
			continue;
		vi = btf_var_secinfos(g->maps[i].sec);
		for (k = 0; k < btf_vlen(g->maps[i].sec); k++, vi++)
			if (skel_var_exposed(btf__type_by_id(g->btf, vi->type)))
				n++;
	}
	return n;
}

static void emit_struct_head(struct gen *g)
{
	fprintf(g->out, "struct %s {\n"
		"\tstruct bpf_object *obj;\n"
		"\tstruct bpf_object_subskeleton *subskel;\n", g->name);
	skel_emit_handles(g);
}

/* s->vars[]: libbpf finds each variable by its BTF name in its map's DATASEC and stores
 * the address in the struct's pointer. */
static void emit_vars(struct gen *g, size_t nvars)
{
	size_t i, n = 0;

	if (!nvars)
		return;
	fprintf(g->out, "\n\t/* vars */\n"
		"\ts->var_cnt = %zu;\n"
		"\ts->var_skel_sz = sizeof(*s->vars);\n"
		"\ts->vars = (struct bpf_var_skeleton *)calloc(s->var_cnt, s->var_skel_sz);\n"
		"\tif (!s->vars) {\n"
		"\t\terr = -ENOMEM;\n"
		"\t\tgoto err;\n"
		"\t}\n", nvars);
	for (i = 0; i < g->nr_maps; i++) {
		const struct skel_map *m = &g->maps[i];
		const struct btf_var_secinfo *vi;
		int k;

		if (!m->mmaped || !m->sec)
			continue;
		vi = btf_var_secinfos(m->sec);
		for (k = 0; k < btf_vlen(m->sec); k++, vi++) {
			const struct btf_type *var = btf__type_by_id(g->btf, vi->type);
			const char *vname;
			char ident[256];

			if (!skel_var_exposed(var))
				continue;
			vname = btf__name_by_offset(g->btf, var->name_off) ?: "";
			skel_sanitize(vname, ident, sizeof(ident));
			fprintf(g->out, "\n\ts->vars[%zu].name = ", n);
			skel_put_cstr(g->out, vname);
			fprintf(g->out, ";\n\ts->vars[%1$zu].map = &obj->maps.%2$s;\n"
				"\ts->vars[%1$zu].addr = (void **)&obj->%2$s.%3$s;\n", n, m->ident,
				ident);
			n++;
		}
	}
}

static void emit_open(struct gen *g, size_t nvars)
{
	fprintf(g->out, "\n#ifdef __cplusplus\n"
		"\tstatic inline struct %1$s *open(const struct bpf_object *src);\n"
		"\tstatic inline void destroy(struct %1$s *skel);\n"
		"#endif /* __cplusplus */\n"
		"};\n\n"
		"static inline void\n"
		"%1$s__destroy(struct %1$s *skel)\n"
		"{\n"
		"\tif (!skel)\n"
		"\t\treturn;\n"
		"\tif (skel->subskel)\n"
		"\t\tbpf_object__destroy_subskeleton(skel->subskel);\n"
		"\tfree(skel);\n"
		"}\n\n"
		"static inline struct %1$s *\n"
		"%1$s__open(const struct bpf_object *src)\n"
		"{\n"
		"\tstruct %1$s *obj;\n"
		"\tstruct bpf_object_subskeleton *s;\n"
		"\tint err;\n\n"
		"\tobj = (struct %1$s *)calloc(1, sizeof(*obj));\n"
		"\tif (!obj) {\n"
		"\t\terrno = ENOMEM;\n"
		"\t\treturn NULL;\n"
		"\t}\n"
		"\ts = (struct bpf_object_subskeleton *)calloc(1, sizeof(*s));\n"
		"\tif (!s) {\n"
		"\t\terr = -ENOMEM;\n"
		"\t\tgoto err;\n"
		"\t}\n"
		"\ts->sz = sizeof(*s);\n"
		"\ts->obj = src;\n"
		"\tobj->subskel = s;\n"
		/* upstream leaves obj->obj NULL; the object is the one the caller passed */
		"\tobj->obj = (struct bpf_object *)src;\n", g->name);
	emit_vars(g, nvars);
	skel_emit_maps(g, false);
	skel_emit_progs(g, false);
	fprintf(g->out, "\n\terr = bpf_object__open_subskeleton(s);\n"
		"\tif (err)\n"
		"\t\tgoto err;\n\n"
		"\treturn obj;\n"
		"err:\n"
		"\t%1$s__destroy(obj);\n"
		"\terrno = -err;\n"
		"\treturn NULL;\n"
		"}\n\n"
		"#ifdef __cplusplus\n"
		"struct %1$s *%1$s::open(const struct bpf_object *src) { return %1$s__open(src); }\n"
		"void %1$s::destroy(struct %1$s *skel) { %1$s__destroy(skel); }\n"
		"#endif /* __cplusplus */\n\n", g->name);
}

int subskel_gen(const void *obj, size_t len, const char *name, FILE *out, struct err *e)
{
	struct gen g = { .out = out, .name = name, .e = e };
	char guard[SKEL_NAME_MAX + 16];
	size_t nvars;
	int err;

	if (!skel_is_ident(name) || strlen(name) >= SKEL_NAME_MAX)
		return err_set(e, EINVAL, "subskeleton name '%s' is not a C identifier (at most "
			       "%d characters, not a keyword)", name, SKEL_NAME_MAX - 1);
	/* An empty object name: libbpf names the library's global-data maps ".data",
	 * ".bss", ... the names it finds them by in whatever object the library ends up in. */
	err = skel_open(&g, obj, len, "");
	if (err)
		goto cleanup;
	if (!g.btf) {
		err = err_set(e, EINVAL, "need btf type information for %s", name);
		err_hint(e, "build the library with clang -g");
		goto cleanup;
	}
	nvars = count_vars(&g);
	skel_emit_prelude(&g, "subskeleton", "SUBSKEL_H", guard, sizeof(guard));
	emit_struct_head(&g);
	err = skel_emit_datasecs(&g, true);
	if (err)
		goto cleanup;
	emit_open(&g, nvars);
	fprintf(out, "#endif /* %s */\n", guard);
	if (ferror(out))
		err = err_set(e, EIO, "can't write the subskeleton");
cleanup:
	skel_close(&g);
	return err;
}
