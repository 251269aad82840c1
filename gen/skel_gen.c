/* gen skeleton: a libbpf 1.1 skeleton header (struct NAME with obj/maps/progs/links and
 * mmaped datasec pointers, NAME__open/load/attach/destroy, the object's bytes embedded). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <libelf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "analyze/btf_check.h"
#include "gen/skel_gen.h"
#include "gen/skel_int.h"
#include "lib/util.h"

static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
	"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
	"switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
	"_Complex", "_Imaginary", "_Alignas", "_Alignof", "_Atomic", "_Generic", "_Noreturn",
	"_Static_assert", "_Thread_local", "typeof", "asm", "bool", "true", "false",
	"nullptr",
};

/* Section names libbpf turns into mmapable global-data maps. */
static const char *const datasec_pfx[] = { ".data", ".rodata", ".bss", ".kconfig" };

bool skel_is_ident(const char *s)
{
	size_t i;

	if (!s || !*s || isdigit((unsigned char)*s))
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	for (i = 0; i < ARRAY_SIZE(c_keywords); i++)
		if (!strcmp(s, c_keywords[i]))
			return false;
	return true;
}

/* isalnum under the C locale only: bytes >= 0x80 are not letters. */
void skel_sanitize(const char *raw, char *out, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return;
	if (isdigit((unsigned char)*raw) && len > 1)
		out[i++] = '_';
	for (; *raw && i + 1 < len; raw++)
		out[i++] = (isascii((unsigned char)*raw) && isalnum((unsigned char)*raw)) ?
			   *raw : '_';
	out[i] = '\0';
}

void skel_default_name(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char tmp[SKEL_NAME_MAX];
	size_t n;

	base = base ? base + 1 : path;
	snprintf(tmp, sizeof(tmp), "%s", base);
	n = strlen(tmp);
	if (n > 2 && !strcmp(tmp + n - 2, ".o"))
		tmp[n - 2] = '\0';
	skel_sanitize(tmp, out, len);
}

/* A member name must be an identifier (skel_sanitize() made it one unless it is empty or a
 * keyword); distinctness is checked by the callers, which know the siblings. */
static int check_ident(struct gen *g, const char *what, const char *raw, const char *ident)
{
	if (!skel_is_ident(ident))
		return err_set(g->e, EINVAL, "%s name '%s' can't be a C identifier ('%s' is "
			       "empty or a keyword)", what, raw, ident);
	return 0;
}

/* The member name of a map: its own for a .maps map; for a global-data map the
 * section part of "<obj>.rodata" / ".data.custom" (bpftool's names, which users know). */
static bool map_ident(const struct bpf_map *map, char *buf, size_t len)
{
	const char *name = bpf_map__name(map);
	size_t i;

	if (!bpf_map__is_internal(map)) {
		skel_sanitize(name, buf, len);
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(datasec_pfx); i++) {
		const char *p = strstr(name, datasec_pfx[i]);

		if (p) {
			skel_sanitize(p + 1, buf, len);
			return true;
		}
	}
	return false;
}

static const struct btf_type *find_datasec(const struct btf *btf, const char *ident)
{
	__u32 i, n;
	size_t k;
	char sec_ident[256];

	if (!btf)
		return NULL;
	n = btf__type_cnt(btf);
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *sname;

		if (!t || !btf_is_datasec(t))
			continue;
		sname = btf__name_by_offset(btf, t->name_off);
		if (!sname)
			continue;
		for (k = 0; k < ARRAY_SIZE(datasec_pfx); k++)
			if (is_prefix(datasec_pfx[k], sname))
				break;
		if (k == ARRAY_SIZE(datasec_pfx))
			continue;
		skel_sanitize(sname + 1, sec_ident, sizeof(sec_ident));
		if (!strcmp(sec_ident, ident))
			return t;
	}
	return NULL;
}

static int collect(struct gen *g)
{
	struct bpf_map *map;
	struct bpf_program *prog;
	size_t n = 0;
	int err;

	bpf_object__for_each_map(map, g->obj)
		n++;
	g->maps = calloc(n ? n : 1, sizeof(*g->maps));
	if (!g->maps)
		return err_set(g->e, ENOMEM, "out of memory");
	bpf_object__for_each_map(map, g->obj) {
		struct skel_map *m = &g->maps[g->nr_maps];

		if (!map_ident(map, m->ident, sizeof(m->ident)))
			continue;	/* an internal map the skeleton can't name */
		err = check_ident(g, "map", bpf_map__name(map), m->ident);
		if (err)
			return err;
		for (size_t i = 0; i < g->nr_maps; i++)
			if (!strcmp(g->maps[i].ident, m->ident))
				return err_set(g->e, EEXIST, "maps '%s' and '%s' both become the C "
					       "identifier '%s'", bpf_map__name(g->maps[i].map),
					       bpf_map__name(map), m->ident);
		m->map = map;
		m->mmaped = bpf_map__is_internal(map) &&
			    (bpf_map__map_flags(map) & BPF_F_MMAPABLE);
		if (m->mmaped)
			m->sec = find_datasec(g->btf, m->ident);
		g->nr_maps++;
	}

	n = 0;
	bpf_object__for_each_program(prog, g->obj)
		n++;
	g->progs = calloc(n ? n : 1, sizeof(*g->progs));
	if (!g->progs)
		return err_set(g->e, ENOMEM, "out of memory");
	bpf_object__for_each_program(prog, g->obj) {
		struct skel_prog *p = &g->progs[g->nr_progs];

		/* A library's only function: libbpf 1.1 calls it a program while the
		 * object holds no other, but once linked it is a subprogram, which no
		 * skeleton can find (newer libbpf, upstream's reference, never lists it). */
		if (!strcmp(bpf_program__section_name(prog), ".text"))
			continue;
		skel_sanitize(bpf_program__name(prog), p->ident, sizeof(p->ident));
		err = check_ident(g, "program", bpf_program__name(prog), p->ident);
		if (err)
			return err;
		for (size_t i = 0; i < g->nr_progs; i++)
			if (!strcmp(g->progs[i].ident, p->ident))
				return err_set(g->e, EEXIST, "programs '%s' and '%s' both become "
					       "the C identifier '%s'",
					       bpf_program__name(g->progs[i].prog),
					       bpf_program__name(prog), p->ident);
		p->prog = prog;
		g->nr_progs++;
	}
	return 0;
}

/* Names come from the object: untrusted. */
void skel_put_cstr(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f || c == '?')	/* '?': no trigraphs */
			fprintf(out, "\\%03o", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void btf_dump_to_file(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

/* The type a variable of type id is, under its modifiers and typedefs (the graph was
 * checked: no cycles). */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* One variable of a subskeleton: a pointer to it. Arrays and function pointers go
 * through __typeof__ so that the '*' stays in front of the name. */
static int emit_var_pointer(struct gen *g, struct btf_dump *d, __u32 type,
			    struct btf_dump_emit_type_decl_opts *opts, const char *ident)
{
	const struct btf_type *t = skip_mods(g->btf, type);
	bool wrap = t && (btf_is_array(t) ||
			  (btf_is_ptr(t) && btf_is_func_proto(skip_mods(g->btf, t->type) ?:
							       t)));
	int err;

	opts->field_name = "";
	fputs(wrap ? "\t\t__typeof__(" : "\t\t", g->out);
	err = btf_dump__emit_type_decl(d, type, opts);
	fprintf(g->out, "%s *%s", wrap ? ")" : "", ident);
	return err;
}

/* struct NAME__IDENT { variables at their DATASEC offsets } *IDENT; or, pointers,
 * struct NAME__IDENT { one pointer per variable } IDENT; */
static int emit_datasec(struct gen *g, struct btf_dump *d, const struct skel_map *m,
			bool pointers)
{
	const struct btf_type *sec = m->sec;
	const struct btf_var_secinfo *vi;
	const char *sname;
	char (*seen)[256] = NULL;
	int i, vlen, nseen = 0, off = 0, pads = 0, err = 0;

	if (pointers && !sec)
		return 0;	/* nothing to point at: as upstream, no struct at all */
	fprintf(g->out, "\tstruct %s__%s {\n", g->name, m->ident);
	if (!sec)
		goto done;
	sname = btf__name_by_offset(g->btf, sec->name_off);
	vlen = btf_vlen(sec);
	seen = calloc(vlen ? vlen : 1, sizeof(*seen));
	if (!seen)
		return err_set(g->e, ENOMEM, "out of memory");
	vi = btf_var_secinfos(sec);
	for (i = 0; i < vlen; i++, vi++) {
		const struct btf_type *var = btf__type_by_id(g->btf, vi->type);
		LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts,
			.indent_level = 2,
			/* const volatile is how BPF code marks .rodata; user space writes it */
			.strip_mods = strcmp(sname, ".kconfig") != 0,
		);
		const char *vname;
		int align, want = vi->offset;

		if (!skel_var_exposed(var))
			continue;
		vname = btf__name_by_offset(g->btf, var->name_off);
		if (!vname)
			vname = "";
		skel_sanitize(vname, seen[nseen], sizeof(seen[0]));
		if (!skel_is_ident(seen[nseen])) {
			err = err_set(g->e, EINVAL, "variable '%s' in %s can't be a C identifier",
				      vname, sname);
			goto done;
		}
		for (int k = 0; k < nseen; k++)
			if (!strcmp(seen[k], seen[nseen])) {
				err = err_set(g->e, EEXIST, "two variables in %s become the C "
					      "identifier '%s'", sname, seen[nseen]);
				goto done;
			}
		if (pointers) {
			err = emit_var_pointer(g, d, var->type, &opts, seen[nseen]);
			goto decl_done;
		}
		if (off > want) {
			err = err_set(g->e, EINVAL, "variable '%s' in %s at offset %d overlaps "
				      "the previous one (ends at %d)", vname, sname, want, off);
			goto done;
		}
		align = btf__align_of(g->btf, var->type);
		if (align <= 0) {
			err = err_set(g->e, EINVAL, "can't get the alignment of variable '%s' in %s",
				      vname, sname);
			goto done;
		}
		/* The header may be compiled for a 32-bit host where 8-byte types align
		 * to 4: pad explicitly to the BTF offsets whenever 4-byte alignment
		 * alone would not land there. */
		if (align > 4)
			align = 4;
		if ((off + align - 1) / align * align != want)
			fprintf(g->out, "\t\tchar __pad%d[%d];\n", pads++, want - off);
		opts.field_name = seen[nseen];
		fputs("\t\t", g->out);
		err = btf_dump__emit_type_decl(d, var->type, &opts);
decl_done:
		if (err) {
			err = err_set(g->e, -err, "can't write the type of variable '%s' in %s",
				      vname, sname);
			goto done;
		}
		fputs(";\n", g->out);
		off = want + vi->size;
		nseen++;
	}
done:
	free(seen);
	if (!err)
		fprintf(g->out, "\t} %s%s;\n", pointers ? "" : "*", m->ident);
	return err;
}

int skel_emit_datasecs(struct gen *g, bool pointers)
{
	struct btf_dump *d;
	int err = 0;

	if (!g->btf)
		return 0;
	d = btf_dump__new(g->btf, btf_dump_to_file, g->out, NULL);
	if (!d)
		return err_set(g->e, errno ? errno : EINVAL, "can't start a BTF dump: %s",
			       strerror(errno ? errno : EINVAL));
	for (size_t i = 0; i < g->nr_maps && !err; i++)
		if (g->maps[i].mmaped)
			err = emit_datasec(g, d, &g->maps[i], pointers);
	btf_dump__free(d);
	return err;
}

void skel_emit_handles(struct gen *g)
{
	if (g->nr_maps) {
		fputs("\tstruct {\n", g->out);
		for (size_t i = 0; i < g->nr_maps; i++)
			fprintf(g->out, "\t\tstruct bpf_map *%s;\n", g->maps[i].ident);
		fputs("\t} maps;\n", g->out);
	}
	if (g->nr_progs) {
		fputs("\tstruct {\n", g->out);
		for (size_t i = 0; i < g->nr_progs; i++)
			fprintf(g->out, "\t\tstruct bpf_program *%s;\n", g->progs[i].ident);
		fputs("\t} progs;\n", g->out);
	}
}

static int emit_struct(struct gen *g)
{
	const char *n = g->name;
	size_t i;
	int err;

	fprintf(g->out, "struct %s {\n"
		"\tstruct bpf_object_skeleton *skeleton;\n"
		"\tstruct bpf_object *obj;\n", n);
	skel_emit_handles(g);
	if (g->nr_progs) {
		fputs("\tstruct {\n", g->out);
		for (i = 0; i < g->nr_progs; i++)
			fprintf(g->out, "\t\tstruct bpf_link *%s;\n", g->progs[i].ident);
		fputs("\t} links;\n", g->out);
	}
	err = skel_emit_datasecs(g, false);
	if (err)
		return err;
	fprintf(g->out, "\n#ifdef __cplusplus\n"
		"\tstatic inline struct %1$s *open(const struct bpf_object_open_opts *opts = nullptr);\n"
		"\tstatic inline struct %1$s *open_and_load();\n"
		"\tstatic inline int load(struct %1$s *skel);\n"
		"\tstatic inline int attach(struct %1$s *skel);\n"
		"\tstatic inline void detach(struct %1$s *skel);\n"
		"\tstatic inline void destroy(struct %1$s *skel);\n"
		"\tstatic inline const void *elf_bytes(size_t *sz);\n"
		"#endif /* __cplusplus */\n"
		"};\n\n", n);
	return 0;
}

/* open/load/attach/detach/destroy: thin wrappers over libbpf's skeleton API. */
static void emit_functions(struct gen *g)
{
	fprintf(g->out,
		"static void\n"
		"%1$s__destroy(struct %1$s *obj)\n"
		"{\n"
		"\tif (!obj)\n"
		"\t\treturn;\n"
		"\tif (obj->skeleton)\n"
		"\t\tbpf_object__destroy_skeleton(obj->skeleton);\n"
		"\tfree(obj);\n"
		"}\n\n"
		"static inline int\n"
		"%1$s__create_skeleton(struct %1$s *obj);\n\n"
		"static inline struct %1$s *\n"
		"%1$s__open_opts(const struct bpf_object_open_opts *opts)\n"
		"{\n"
		"\tstruct %1$s *obj;\n"
		"\tint err;\n\n"
		"\tobj = (struct %1$s *)calloc(1, sizeof(*obj));\n"
		"\tif (!obj) {\n"
		"\t\terrno = ENOMEM;\n"
		"\t\treturn NULL;\n"
		"\t}\n\n"
		"\terr = %1$s__create_skeleton(obj);\n"
		"\tif (err)\n"
		"\t\tgoto err_out;\n\n"
		"\terr = bpf_object__open_skeleton(obj->skeleton, opts);\n"
		"\tif (err)\n"
		"\t\tgoto err_out;\n\n"
		"\treturn obj;\n"
		"err_out:\n"
		"\t%1$s__destroy(obj);\n"
		"\terrno = -err;\n"
		"\treturn NULL;\n"
		"}\n\n"
		"static inline struct %1$s *\n"
		"%1$s__open(void)\n"
		"{\n"
		"\treturn %1$s__open_opts(NULL);\n"
		"}\n\n"
		"static inline int\n"
		"%1$s__load(struct %1$s *obj)\n"
		"{\n"
		"\treturn bpf_object__load_skeleton(obj->skeleton);\n"
		"}\n\n"
		"static inline struct %1$s *\n"
		"%1$s__open_and_load(void)\n"
		"{\n"
		"\tstruct %1$s *obj;\n"
		"\tint err;\n\n"
		"\tobj = %1$s__open();\n"
		"\tif (!obj)\n"
		"\t\treturn NULL;\n"
		"\terr = %1$s__load(obj);\n"
		"\tif (err) {\n"
		"\t\t%1$s__destroy(obj);\n"
		"\t\terrno = -err;\n"
		"\t\treturn NULL;\n"
		"\t}\n"
		"\treturn obj;\n"
		"}\n\n"
		"static inline int\n"
		"%1$s__attach(struct %1$s *obj)\n"
		"{\n"
		"\treturn bpf_object__attach_skeleton(obj->skeleton);\n"
		"}\n\n"
		"static inline void\n"
		"%1$s__detach(struct %1$s *obj)\n"
		"{\n"
		"\tbpf_object__detach_skeleton(obj->skeleton);\n"
		"}\n\n"
		"static inline const void *%1$s__elf_bytes(size_t *sz);\n\n",
		g->name);
}

void skel_emit_maps(struct gen *g, bool mmaped)
{
	size_t i;

	if (g->nr_maps) {
		fprintf(g->out, "\n\t/* maps */\n"
			"\ts->map_cnt = %zu;\n"
			"\ts->map_skel_sz = sizeof(*s->maps);\n"
			"\ts->maps = (struct bpf_map_skeleton *)calloc(s->map_cnt, s->map_skel_sz);\n"
			"\tif (!s->maps) {\n"
			"\t\terr = -ENOMEM;\n"
			"\t\tgoto err;\n"
			"\t}\n", g->nr_maps);
		for (i = 0; i < g->nr_maps; i++) {
			/* libbpf finds the map by this name: the object's, not the ident */
			fprintf(g->out, "\n\ts->maps[%zu].name = ", i);
			skel_put_cstr(g->out, bpf_map__name(g->maps[i].map));
			fprintf(g->out, ";\n\ts->maps[%zu].map = &obj->maps.%s;\n", i,
				g->maps[i].ident);
			if (mmaped && g->maps[i].mmaped)
				fprintf(g->out, "\ts->maps[%zu].mmaped = (void **)&obj->%s;\n", i,
					g->maps[i].ident);
		}
	}
}

void skel_emit_progs(struct gen *g, bool links)
{
	size_t i;

	if (g->nr_progs) {
		fprintf(g->out, "\n\t/* programs */\n"
			"\ts->prog_cnt = %zu;\n"
			"\ts->prog_skel_sz = sizeof(*s->progs);\n"
			"\ts->progs = (struct bpf_prog_skeleton *)calloc(s->prog_cnt, s->prog_skel_sz);\n"
			"\tif (!s->progs) {\n"
			"\t\terr = -ENOMEM;\n"
			"\t\tgoto err;\n"
			"\t}\n", g->nr_progs);
		for (i = 0; i < g->nr_progs; i++) {
			fprintf(g->out, "\n\ts->progs[%zu].name = ", i);
			skel_put_cstr(g->out, bpf_program__name(g->progs[i].prog));
			fprintf(g->out, ";\n\ts->progs[%zu].prog = &obj->progs.%s;\n", i,
				g->progs[i].ident);
			if (links)
				fprintf(g->out, "\ts->progs[%zu].link = &obj->links.%s;\n", i,
					g->progs[i].ident);
		}
	}
}

static void emit_create(struct gen *g)
{
	fprintf(g->out,
		"static inline int\n"
		"%1$s__create_skeleton(struct %1$s *obj)\n"
		"{\n"
		"\tstruct bpf_object_skeleton *s;\n"
		"\tint err;\n\n"
		"\ts = (struct bpf_object_skeleton *)calloc(1, sizeof(*s));\n"
		"\tif (!s) {\n"
		"\t\terr = -ENOMEM;\n"
		"\t\tgoto err;\n"
		"\t}\n\n"
		"\ts->sz = sizeof(*s);\n"
		"\ts->name = \"%1$s\";\n"
		"\ts->obj = &obj->obj;\n", g->name);
	skel_emit_maps(g, true);
	skel_emit_progs(g, true);
	fprintf(g->out, "\n\ts->data = (void *)%1$s__elf_bytes(&s->data_sz);\n\n"
		"\tobj->skeleton = s;\n"
		"\treturn 0;\n"
		"err:\n"
		"\tbpf_object__destroy_skeleton(s);\n"
		"\treturn err;\n"
		"}\n\n", g->name);
}

/* The object as one string literal: "\0" for zero bytes (most of an ELF file),
 * "\xNN" otherwise, lines kept under 80 columns. */
static void emit_bytes(struct gen *g, const unsigned char *p, size_t len)
{
	size_t i, col = 0;

	fprintf(g->out, "static inline const void *%s__elf_bytes(size_t *sz)\n"
		"{\n"
		"\t*sz = %zu;\n"
		"\treturn (const void *)\"\\\n", g->name, len);
	for (i = 0; i < len; i++) {
		size_t w = p[i] ? 4 : 2;

		if (col + w > 78) {
			fputs("\\\n", g->out);
			col = 0;
		}
		if (p[i])
			fprintf(g->out, "\\x%02x", p[i]);
		else
			fputs("\\0", g->out);
		col += w;
	}
	fputs("\";\n}\n\n", g->out);
}

static void emit_tail(struct gen *g)
{
	size_t i;

	fprintf(g->out, "#ifdef __cplusplus\n"
		"struct %1$s *%1$s::open(const struct bpf_object_open_opts *opts) { return %1$s__open_opts(opts); }\n"
		"struct %1$s *%1$s::open_and_load() { return %1$s__open_and_load(); }\n"
		"int %1$s::load(struct %1$s *skel) { return %1$s__load(skel); }\n"
		"int %1$s::attach(struct %1$s *skel) { return %1$s__attach(skel); }\n"
		"void %1$s::detach(struct %1$s *skel) { %1$s__detach(skel); }\n"
		"void %1$s::destroy(struct %1$s *skel) { %1$s__destroy(skel); }\n"
		"const void *%1$s::elf_bytes(size_t *sz) { return %1$s__elf_bytes(sz); }\n"
		"#endif /* __cplusplus */\n\n", g->name);

	/* Size checks: a header compiled with a different idea of a type's size than
	 * the BPF side (long on 32-bit hosts) fails to compile instead of corrupting data. */
	if (g->btf) {
		fprintf(g->out, "__attribute__((unused)) static void\n"
			"%1$s__assert(struct %1$s *s __attribute__((unused)))\n"
			"{\n#ifdef __cplusplus\n#define _Static_assert static_assert\n#endif\n",
			g->name);
		for (i = 0; i < g->nr_maps; i++) {
			const struct skel_map *m = &g->maps[i];
			const struct btf_var_secinfo *vi;
			int k, vlen;

			if (!m->mmaped || !m->sec)
				continue;
			vlen = btf_vlen(m->sec);
			vi = btf_var_secinfos(m->sec);
			for (k = 0; k < vlen; k++, vi++) {
				const struct btf_type *var = btf__type_by_id(g->btf, vi->type);
				char ident[256];
				long sz;

				if (!skel_var_exposed(var))
					continue;
				sz = btf__resolve_size(g->btf, var->type);
				if (sz < 0)
					continue;
				skel_sanitize(btf__name_by_offset(g->btf, var->name_off) ?: "", ident,
					 sizeof(ident));
				fprintf(g->out, "\t_Static_assert(sizeof(s->%1$s->%2$s) == %3$ld, "
					"\"unexpected size of '%2$s'\");\n", m->ident, ident, sz);
			}
		}
		fputs("#ifdef __cplusplus\n#undef _Static_assert\n#endif\n}\n\n", g->out);
	}
}

/* libbpf 1.1's bpf_object__open_mem() follows .BTF type references while it fixes up
 * datasecs and parses .maps, trusting them: check the section's graph first. */
static int check_elf_btf(const void *obj, size_t len, struct err *e)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return err_set(e, EINVAL, "libelf: %s", elf_errmsg(-1));
	elf = elf_memory((char *)obj, len);
	if (!elf)
		return err_set(e, EINVAL, "not an ELF object: %s", elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		ret = err_set(e, EINVAL, "not an ELF object");
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sname;
		Elf_Data *d;
		struct btf *btf;

		if (!gelf_getshdr(scn, &sh))
			continue;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, ".BTF"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size > UINT32_MAX)
			break;	/* libbpf will say what is wrong with it */
		btf = btf__new(d->d_buf, d->d_size);
		if (!btf)
			break;
		ret = btf_check_refs(btf, e);
		btf__free(btf);
		break;
	}
out:
	elf_end(elf);
	return ret;
}

int skel_open(struct gen *g, const void *obj, size_t len, const char *object_name)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = object_name);
	int err;

	err = check_elf_btf(obj, len, g->e);
	if (err)
		return err;
	g->obj = bpf_object__open_mem(obj, len, &opts);
	if (!g->obj) {
		err = errno ? errno : EINVAL;
		return err_set(g->e, err, "can't open the BPF object: %s", strerror(err));
	}
	g->btf = bpf_object__btf(g->obj);
	/* libbpf 1.1 trusts type references; btf_dump and btf__align_of follow them */
	if (g->btf) {
		err = btf_check_refs(g->btf, g->e);
		if (err)
			return err;
	}
	return collect(g);
}

void skel_close(struct gen *g)
{
	free(g->maps);
	free(g->progs);
	bpf_object__close(g->obj);
	g->maps = NULL;
	g->progs = NULL;
	g->obj = NULL;
}

void skel_emit_prelude(struct gen *g, const char *cmd, const char *suffix, char *guard,
		       size_t guard_len)
{
	snprintf(guard, guard_len, "__%s_%s__", g->name, suffix);
	for (size_t i = 0; guard[i]; i++)
		guard[i] = toupper((unsigned char)guard[i]);
	fprintf(g->out, "/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */\n\n"
		"/* THIS FILE IS AUTOGENERATED BY BPFSCOPE (gen %2$s)! */\n"
		"#ifndef %1$s\n#define %1$s\n\n"
		"#include <errno.h>\n#include <stdlib.h>\n#include <bpf/libbpf.h>\n\n", guard, cmd);
}

int skel_gen(const void *obj, size_t len, const char *name, FILE *out, struct err *e)
{
	struct gen g = { .out = out, .name = name, .e = e };
	char guard[SKEL_NAME_MAX + 16];
	int err;

	if (!skel_is_ident(name) || strlen(name) >= SKEL_NAME_MAX)
		return err_set(e, EINVAL, "skeleton name '%s' is not a C identifier (at most %d "
			       "characters, not a keyword)", name, SKEL_NAME_MAX - 1);
	/* The same object name the skeleton passes at open time, so the internal
	 * map names ("<name>.bss") libbpf derives from it match what we write. */
	err = skel_open(&g, obj, len, name);
	if (err)
		goto cleanup;
	skel_emit_prelude(&g, "skeleton", "SKEL_H", guard, sizeof(guard));
	err = emit_struct(&g);
	if (err)
		goto cleanup;
	emit_functions(&g);
	emit_create(&g);
	emit_bytes(&g, obj, len);
	emit_tail(&g);
	fprintf(out, "#endif /* %s */\n", guard);
	if (ferror(out))
		err = err_set(e, EIO, "can't write the skeleton");
cleanup:
	skel_close(&g);
	return err;
}
