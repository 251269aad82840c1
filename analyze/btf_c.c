/* btf dump ... format c as bpftool 7.8 writes it: its prelude, the types in its stable
 * order (by rank, then names, then a hash of the shape; "unsorted": by id), and the kfuncs'
 * prototypes, so a BPF program can call them against the header alone. libbpf 1.1's
 * btf_dump writes "(*fn)()" for a prototype without parameters; newer ones "(*fn)(void)",
 * which is what C means: the printer below puts the void in. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "analyze/btf_check.h"
#include "analyze/btf_raw.h"

#define WORST_RANK 10

struct cprint {
	FILE *f;
	bool paren;	/* a "(" held back: "()" becomes "(void)" */
};

static void c_printf(void *arg, const char *fmt, va_list ap)
{
	struct cprint *c = arg;

	if (c->paren) {
		c->paren = false;
		fputs(strcmp(fmt, ")") ? "(" : "(void", c->f);
	}
	if (!strcmp(fmt, "(")) {
		c->paren = true;
		return;
	}
	vfprintf(c->f, fmt, ap);
}

/* ---- the order ---------------------------------------------------------------------- */
struct sort_key {
	uint32_t id;
	int rank;
	const char *sort_name, *own_name;
	uint64_t hash;
};

static const char *name_of(const struct btf *btf, uint32_t off)
{
	const char *s = btf__name_by_offset(btf, off);

	return s ? s : "";
}

/* enums first (anonymous before named), then ints and floats, named structs and unions,
 * named prototypes; what a name reaches through modifiers ranks as its target */
static int rank_of(const struct btf *btf, uint32_t id, bool named, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t || depth > 32)
		return WORST_RANK;
	named = named || t->name_off;
	switch (btf_kind(t)) {
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return named ? 1 : 0;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		return 2;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return named ? 3 : WORST_RANK;
	case BTF_KIND_FUNC_PROTO:
		return named ? 4 : WORST_RANK;
	case BTF_KIND_ARRAY:
		return named ? rank_of(btf, btf_array(t)->type, true, depth + 1) : WORST_RANK;
	case BTF_KIND_TYPE_TAG: case BTF_KIND_CONST: case BTF_KIND_PTR: case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPEDEF: case BTF_KIND_DECL_TAG:
		return named ? rank_of(btf, t->type, true, depth + 1) : WORST_RANK;
	default:
		return WORST_RANK;
	}
}

/* the name a type sorts by: its own, its target's through modifiers, an anonymous enum's
 * first enumerator */
static const char *sort_name_of(const struct btf *btf, uint32_t id, bool via_ref, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t || depth > 32)
		return "";
	switch (btf_kind(t)) {
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!via_ref && !t->name_off && btf_vlen(t))
			return name_of(btf, btf_is_enum(t) ? btf_enum(t)->name_off
							   : btf_enum64(t)->name_off);
		return name_of(btf, t->name_off);
	case BTF_KIND_ARRAY:
		return sort_name_of(btf, btf_array(t)->type, true, depth + 1);
	case BTF_KIND_TYPE_TAG: case BTF_KIND_CONST: case BTF_KIND_PTR: case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPEDEF: case BTF_KIND_DECL_TAG:
		return sort_name_of(btf, t->type, true, depth + 1);
	default:
		return name_of(btf, t->name_off);
	}
}

static uint64_t mix(uint64_t h, uint64_t v) { return h * 31 + v; }

static uint64_t mix_name(uint64_t h, const struct btf *btf, uint32_t off)
{
	uint64_t s = 0;

	if (!off)
		return h;
	for (const char *p = name_of(btf, off); *p; p++)
		s = s * 31 + (uint64_t)*p;
	return mix(h, s);
}

/* tells apart same-named types by their shape: enumerators, members and their types */
static uint64_t shape_hash(const struct btf *btf, uint32_t id, bool members, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	uint64_t h;

	if (!t || depth > 32)
		return 0;
	h = mix_name(0, btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			h = mix_name(h, btf, btf_is_enum(t) ? btf_enum(t)[i].name_off
							    : btf_enum64(t)[i].name_off);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (uint32_t i = 0; members && i < btf_vlen(t); i++) {
			h = mix_name(h, btf, btf_members(t)[i].name_off);
			h = mix(h, shape_hash(btf, btf_members(t)[i].type, false, depth + 1));
		}
		break;
	case BTF_KIND_TYPE_TAG: case BTF_KIND_CONST: case BTF_KIND_PTR: case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPEDEF: case BTF_KIND_DECL_TAG:
		h = mix(h, shape_hash(btf, t->type, members, depth + 1));
		break;
	case BTF_KIND_ARRAY:
		h = mix(h, btf_array(t)->nelems);
		h = mix(h, shape_hash(btf, btf_array(t)->type, members, depth + 1));
		break;
	default:
		break;
	}
	return h;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct sort_key *a = pa, *b = pb;
	int r = a->rank - b->rank;

	r = r ?: strcmp(a->sort_name, b->sort_name);
	r = r ?: strcmp(a->own_name, b->own_name);
	if (r)
		return r;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static struct sort_key *sorted_ids(const struct btf *btf, uint32_t cnt)
{
	struct sort_key *k = calloc(cnt, sizeof(*k));

	if (!k)
		return NULL;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		k[i].id = i;
		k[i].rank = i ? rank_of(btf, i, false, 0) : -1;
		k[i].sort_name = i ? sort_name_of(btf, i, false, 0) : "";
		k[i].own_name = t ? name_of(btf, t->name_off) : "";
		k[i].hash = i ? shape_hash(btf, i, true, 0) : 0;
	}
	qsort(k, cnt, sizeof(*k), key_cmp);
	return k;
}

/* ---- kfuncs --------------------------------------------------------------------------- */

struct kfunc {
	uint32_t id;		/* the FUNC */
	const char *name;
	bool fastcall;
};

static int kfunc_cmp(const void *pa, const void *pb)
{
	const struct kfunc *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

/* FUNCs a decl tag "bpf_kfunc" marks (and "bpf_fastcall"), by name */
static int kfuncs_of(const struct btf *btf, struct kfunc **out, size_t *n)
{
	uint32_t cnt = btf__type_cnt(btf);
	struct kfunc *v = NULL;
	size_t nv = 0;

	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 1; i < cnt; i++) {
			const struct btf_type *t = btf__type_by_id(btf, i), *ft;
			const char *tag;

			if (!t || !btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1)
				continue;
			ft = btf__type_by_id(btf, t->type);
			if (!ft || !btf_is_func(ft))
				continue;
			tag = name_of(btf, t->name_off);
			if (pass == 0 && !strcmp(tag, "bpf_kfunc")) {
				void *p = realloc(v, (nv + 1) * sizeof(*v));

				if (!p) {
					free(v);
					return -ENOMEM;
				}
				v = p;
				v[nv++] = (struct kfunc){ t->type, name_of(btf, ft->name_off), false };
			} else if (pass == 1 && !strcmp(tag, "bpf_fastcall")) {
				for (size_t k = 0; k < nv; k++)
					if (v[k].id == t->type)
						v[k].fastcall = true;
			}
		}
	if (nv)
		qsort(v, nv, sizeof(*v), kfunc_cmp);
	*out = v;
	*n = nv;
	return 0;
}

static int dump_kfuncs(FILE *f, struct btf_dump *d, const struct btf *btf)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, o);
	struct kfunc *v;
	size_t n;
	int err = kfuncs_of(btf, &v, &n);

	if (err)
		return err;
	fprintf(f, "\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
	for (size_t i = 0; i < n && !err; i++) {
		const struct btf_type *ft = btf__type_by_id(btf, v[i].id);

		fprintf(f, "extern %s", v[i].fastcall ? "__bpf_fastcall " : "");
		o.field_name = v[i].name;
		err = btf_dump__emit_type_decl(d, ft->type, &o);
		fprintf(f, " __weak __ksym;\n");
	}
	fprintf(f, "#endif\n\n");
	free(v);
	return err;
}

int btf_c_dump(FILE *f, const struct btf_src *s, struct err *e)
{
	struct cprint cp = { .f = f };
	uint32_t cnt = btf__type_cnt(s->btf);
	struct sort_key *order = NULL;
	struct btf_dump *d;
	int err;

	/* a file or a snapshot may hold any bytes: libbpf 1.1's btf_dump trusts the refs */
	err = btf_check_refs(s->btf, e);
	if (err)
		return err;
	d = btf_dump__new(s->btf, c_printf, &cp, NULL);
	if (!d)
		return err_set(e, errno, "can't start a BTF dump: %s", strerror(errno));
	fprintf(f, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
		"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
		"#pragma clang attribute push (__attribute__((preserve_access_index)), "
		"apply_to = record)\n#endif\n\n"
		"#ifndef __ksym\n#define __ksym __attribute__((section(\".ksyms\")))\n#endif\n\n"
		"#ifndef __weak\n#define __weak __attribute__((weak))\n#endif\n\n"
		"#ifndef __bpf_fastcall\n#if __has_attribute(bpf_fastcall)\n"
		"#define __bpf_fastcall __attribute__((bpf_fastcall))\n#else\n"
		"#define __bpf_fastcall\n#endif\n#endif\n\n");
	if (s->nr_roots) {
		for (int i = 0; i < s->nr_roots && !err; i++)
			err = btf_dump__dump_type(d, s->roots[i]);
	} else {
		/* (bpftool skips the first of its sorted list, which is void only by chance:
		 * here void sorts first, so no type is lost) */
		order = s->unsorted ? NULL : sorted_ids(s->btf, cnt);
		if (!s->unsorted && !order)
			err = -ENOMEM;
		for (uint32_t i = 1; i < cnt && !err; i++)
			err = btf_dump__dump_type(d, order ? order[i].id : i);
		err = err ?: dump_kfuncs(f, d, s->btf);
	}
	btf_dump__free(d);
	free(order);
	if (err)
		return err_set(e, -err, "can't dump BTF type as C: %s", strerror(-err));
	fprintf(f, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
		"#endif /* __VMLINUX_H__ */\n");
	return 0;
}
