/* gen min_core_btf: libbpf's CO-RE calculator resolves every relocation of the objects
 * against INPUT; the types, members and enums it lands on are kept, the rest dropped. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "analyze/btf_check.h"
#include "config.h"
#include "gen/min_btf.h"

#ifndef HAVE_LIBBPF_CORE_RELO
bool min_core_btf_supported(struct err *e)
{
	err_set(e, ENOTSUP, "gen min_core_btf needs libbpf's CO-RE relocation calculator "
		"(bpf_core_calc_relo_insn), which this build's libbpf %u.%u does not offer: "
		"build with libbpf's static archive (STATIC=1)", libbpf_major_version(),
		libbpf_minor_version());
	return false;
}

int min_core_btf(const char *input, const char *output, char *const *objs, int n,
		 struct err *e)
{
	(void)input, (void)output, (void)objs, (void)n;
	min_core_btf_supported(e);
	return -ENOTSUP;
}
#else
#include "gen/core_relo.h"

/* A type is kept (USED); PTRS: the pointers under it were followed too (type-based
 * relocations keep what a pointer points to); MATCH_*: marked for a type-match relocation,
 * through a pointer or not. The bits make every walk visit a type once per way. */
enum { USED = 1, PTRS = 2, MATCH_VAL = 4, MATCH_PTR = 8 };
/* Pointer chains are not bounded by btf_check_refs (a PTR breaks its chains): bound ours. */
#define MARK_MAX_DEPTH 1024

struct marks {
	const struct btf *src;		/* INPUT */
	uint32_t nr_types;
	uint8_t *type;			/* per type id */
	uint32_t *mbase;		/* per struct/union: its first member's slot in member[] */
	uint8_t *member;		/* per member: kept */
	struct err *e;
};

bool min_core_btf_supported(struct err *e)
{
	__u32 major = libbpf_major_version(), minor = libbpf_minor_version();

	if (major == CORE_RELO_LIBBPF_MAJOR && minor <= CORE_RELO_LIBBPF_MINOR_MAX)
		return true;
	err_set(e, ENOTSUP, "gen min_core_btf: libbpf %u.%u is not one whose CO-RE internals "
		"bpfscope knows (1.0 to 1.%d)", major, minor, CORE_RELO_LIBBPF_MINOR_MAX);
	return false;
}

static int marks_init(struct marks *m, const struct btf *src, struct err *e)
{
	uint64_t nmem = 0;

	m->src = src;
	m->e = e;
	m->nr_types = btf__type_cnt(src);
	m->type = calloc(m->nr_types, 1);
	m->mbase = calloc(m->nr_types, sizeof(*m->mbase));
	if (!m->type || !m->mbase)
		return err_set(e, ENOMEM, "out of memory");
	for (uint32_t i = 1; i < m->nr_types; i++) {
		const struct btf_type *t = btf__type_by_id(src, i);

		if (btf_is_composite(t)) {
			m->mbase[i] = nmem;
			nmem += btf_vlen(t);
		}
	}
	if (nmem > UINT32_MAX)
		return err_set(e, E2BIG, "too many struct members");
	m->member = calloc(nmem ? nmem : 1, 1);
	if (!m->member)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

static void marks_free(struct marks *m)
{
	free(m->type);
	free(m->mbase);
	free(m->member);
}

static int unsupported(struct marks *m, const struct btf_type *t, __u32 id)
{
	return err_set(m->e, EINVAL, "unsupported kind: %u (type %u)", btf_kind(t), id);
}

static bool is_mod(const struct btf_type *t)
{
	return btf_is_mod(t) || btf_is_typedef(t);
}

/* Keep id and what it needs by value; with ptrs, what its pointers point to as well.
 * Structs and unions are kept without members: a relocation names the members it uses. */
static int mark_type(struct marks *m, __u32 id, bool ptrs, int depth)
{
	uint8_t want = USED | (ptrs ? PTRS : 0);
	const struct btf_type *t;
	int err = 0;

	if (id == 0 || (m->type[id] & want) == want)
		return 0;
	if (depth > MARK_MAX_DEPTH)
		return err_set(m->e, ELOOP, "type %u: reference chain longer than %d", id,
			       MARK_MAX_DEPTH);
	m->type[id] |= want;
	t = btf__type_by_id(m->src, id);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_FWD:
		return 0;
	case BTF_KIND_PTR:
		return ptrs ? mark_type(m, t->type, ptrs, depth + 1) : 0;
	case BTF_KIND_ARRAY:
		err = mark_type(m, btf_array(t)->type, ptrs, depth + 1);
		return err ?: mark_type(m, btf_array(t)->index_type, ptrs, depth + 1);
	case BTF_KIND_FUNC_PROTO:
		err = mark_type(m, t->type, ptrs, depth + 1);
		for (int i = 0; i < btf_vlen(t) && !err; i++)
			err = mark_type(m, btf_params(t)[i].type, ptrs, depth + 1);
		return err;
	default:
		if (is_mod(t))
			return mark_type(m, t->type, ptrs, depth + 1);
		return unsupported(m, t, id);
	}
}

/* A type-match relocation compares whole types: every member, down to pointers. */
static int mark_match(struct marks *m, __u32 id, bool behind_ptr, int depth)
{
	uint8_t want = behind_ptr ? MATCH_PTR : MATCH_VAL;
	const struct btf_type *t;
	int err = 0;

	if (id == 0 || (m->type[id] & want))
		return 0;
	if (depth > MARK_MAX_DEPTH)
		return err_set(m->e, ELOOP, "type %u: reference chain longer than %d", id,
			       MARK_MAX_DEPTH);
	m->type[id] |= want | USED;
	t = btf__type_by_id(m->src, id);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
		return 0;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		if (behind_ptr)
			return 0;
		for (int i = 0; i < btf_vlen(t) && !err; i++) {
			m->member[m->mbase[id] + i] = 1;
			err = mark_match(m, btf_members(t)[i].type, false, depth + 1);
		}
		return err;
	case BTF_KIND_PTR:
		return mark_match(m, t->type, true, depth + 1);
	case BTF_KIND_ARRAY:
		err = mark_match(m, btf_array(t)->type, false, depth + 1);
		return err ?: mark_match(m, btf_array(t)->index_type, false, depth + 1);
	case BTF_KIND_FUNC_PROTO:
		err = mark_match(m, t->type, false, depth + 1);
		for (int i = 0; i < btf_vlen(t) && !err; i++)
			err = mark_match(m, btf_params(t)[i].type, false, depth + 1);
		return err;
	default:
		if (is_mod(t))
			return mark_match(m, t->type, behind_ptr, depth + 1);
		return unsupported(m, t, id);
	}
}

/* A field relocation: the root type, then along the access path each struct/union
 * member taken (and its type); array steps go to the element type. */
static int mark_field(struct marks *m, const struct bpf_core_spec *spec)
{
	__u32 id = spec->root_type_id;
	const struct btf_type *t = btf__type_by_id(m->src, id);
	int err = mark_type(m, id, false, 0);

	for (int i = 1; i < spec->raw_len && i < BPF_CORE_SPEC_MAX_LEN && !err; i++) {
		while (t && is_mod(t)) {
			id = t->type;
			t = btf__type_by_id(m->src, id);
		}
		if (t && btf_is_composite(t)) {
			int idx = spec->raw_spec[i];

			if (idx < 0 || idx >= btf_vlen(t))
				return err_set(m->e, EINVAL, "type %u has no member #%d", id, idx);
			m->member[m->mbase[id] + idx] = 1;
			id = btf_members(t)[idx].type;
			t = btf__type_by_id(m->src, id);
			err = mark_type(m, id, false, 0);
		} else if (t && btf_is_array(t)) {
			id = btf_array(t)->type;
			t = btf__type_by_id(m->src, id);
		} else {
			return t ? unsupported(m, t, id) : err_set(m->e, EINVAL, "bad type %u", id);
		}
	}
	return err;
}

/* What the target side of one resolved relocation needs kept. */
static int record(struct marks *m, const struct bpf_core_spec *targ)
{
	if (targ->root_type_id == 0 || targ->root_type_id >= m->nr_types)
		return 0;	/* no candidate matched (the relocation is poisoned) */
	switch (targ->relo_kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET: case BPF_CORE_FIELD_BYTE_SIZE:
	case BPF_CORE_FIELD_EXISTS: case BPF_CORE_FIELD_SIGNED:
	case BPF_CORE_FIELD_LSHIFT_U64: case BPF_CORE_FIELD_RSHIFT_U64:
		return mark_field(m, targ);
	case BPF_CORE_TYPE_ID_LOCAL:
		return 0;	/* the object's own type: nothing of the kernel's */
	case BPF_CORE_TYPE_ID_TARGET: case BPF_CORE_TYPE_EXISTS: case BPF_CORE_TYPE_SIZE:
		return mark_type(m, targ->root_type_id, true, 0);
	case BPF_CORE_TYPE_MATCHES:
		return mark_match(m, targ->root_type_id, false, 0);
	case BPF_CORE_ENUMVAL_EXISTS: case BPF_CORE_ENUMVAL_VALUE:
		return mark_type(m, targ->root_type_id, false, 0);
	default:
		return err_set(m->e, EINVAL, "unknown relocation kind %d", targ->relo_kind);
	}
}

/* Per object: candidate lists by local type id (libbpf narrows a list to the candidates
 * that matched, as its loader does), and the calculator's scratch specs. */
struct obj_ctx {
	struct marks *m;
	const char *path;
	const struct btf *local;
	struct bpf_core_cand_list **cands;
	struct bpf_core_spec *specs;
};

static int one_relo(struct obj_ctx *o, const char *sec, const struct bpf_core_relo *r,
		    int idx)
{
	struct bpf_core_cand_list *cl = NULL;
	struct bpf_core_relo_res res;
	int err;

	if (r->kind > BPF_CORE_TYPE_MATCHES)
		return err_set(o->m->e, EINVAL, "relocation #%d in %s: unknown kind %u", idx, sec,
			       r->kind);
	/* the calculator looks the type up unchecked */
	if (r->type_id == 0 || r->type_id >= btf__type_cnt(o->local))
		return err_set(o->m->e, EINVAL, "relocation #%d in %s: no type %u", idx, sec,
			       r->type_id);
	if (r->kind != BPF_CORE_TYPE_ID_LOCAL) {
		cl = o->cands[r->type_id];
		if (!cl) {
			const struct btf_type *t = btf__type_by_id(o->local, r->type_id);
			struct bpf_core_cand local = { .btf = o->local, .id = r->type_id };
			const char *name = btf__name_by_offset(o->local, t->name_off) ?: "";

			cl = calloc(1, sizeof(*cl));
			if (!cl)
				return err_set(o->m->e, ENOMEM, "out of memory");
			o->cands[r->type_id] = cl;
			err = bpf_core_add_cands(&local, bpf_core_essential_name_len(name),
						 o->m->src, "vmlinux", 1, cl);
			if (err)
				return err_set(o->m->e, -err, "relocation #%d in %s: %s", idx, sec,
					       strerror(-err));
		}
	}
	memset(o->specs, 0, 3 * sizeof(*o->specs));
	memset(&res, 0, sizeof(res));
	err = bpf_core_calc_relo_insn(sec, r, idx, o->local, cl, o->specs, &res);
	if (err)
		return err_set(o->m->e, -err, "relocation #%d in %s (type %u, kind %u): %s", idx,
			       sec, r->type_id, r->kind, strerror(-err));
	return record(o->m, &o->specs[2]);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The .BTF.ext core_relo part: a record size, then per ELF section its name, a count and
 * the records. libbpf checked it; the bounds are checked again here, where it is read. */
static int walk_relos(struct obj_ctx *o, const uint8_t *d, uint32_t size)
{
	uint32_t hdr_len, off, len, rec, p;
	int idx = 0, err;

	if (size < 8 || (hdr_len = get32(d + 4)) > size)
		return err_set(o->m->e, EINVAL, "%s: .BTF.ext header truncated", o->path);
	if (hdr_len < 32)
		return 0;	/* an old header: no CO-RE relocations */
	off = get32(d + 24);
	len = get32(d + 28);
	if (off > size - hdr_len || len > size - hdr_len - off)
		return err_set(o->m->e, EINVAL, "%s: CO-RE relocations past .BTF.ext", o->path);
	if (len == 0)
		return 0;
	d += hdr_len + off;
	if (len < 4 || (rec = get32(d)) < sizeof(struct bpf_core_relo))
		return err_set(o->m->e, EINVAL, "%s: bad CO-RE relocation record size", o->path);
	for (p = 4; p < len;) {
		uint32_t nr;
		const char *sec;

		if (len - p < 8)
			return err_set(o->m->e, EINVAL, "%s: CO-RE section truncated", o->path);
		sec = btf__name_by_offset(o->local, get32(d + p)) ?: "?";
		nr = get32(d + p + 4);
		p += 8;
		if ((uint64_t)nr * rec > len - p)
			return err_set(o->m->e, EINVAL, "%s: CO-RE records past their section",
				       o->path);
		for (uint32_t i = 0; i < nr; i++, p += rec, idx++) {
			struct bpf_core_relo r;

			memcpy(&r, d + p, sizeof(r));
			err = one_relo(o, sec, &r, idx);
			if (err)
				return err;
		}
	}
	return 0;
}

static int record_obj(struct marks *m, const char *path)
{
	struct obj_ctx o = { .m = m, .path = path };
	struct btf_ext *ext = NULL;
	struct btf *local;
	const void *raw;
	__u32 raw_len, n = 0;
	int err;

	local = btf__parse(path, &ext);
	if (!local) {
		err = errno ?: EINVAL;
		return err_set(m->e, err, "failed to parse BPF object '%s': %s", path,
			       strerror(err));
	}
	o.local = local;
	if (!ext) {
		err = err_set(m->e, EINVAL, "failed to parse BPF object '%s': section .BTF.ext "
			      "not found", path);
		goto out;
	}
	/* libbpf's calculator follows the object's type references unchecked */
	err = btf_check_refs(local, m->e);
	if (err)
		goto out;
	n = btf__type_cnt(local);
	o.cands = calloc(n, sizeof(*o.cands));
	o.specs = calloc(3, sizeof(*o.specs));
	if (!o.cands || !o.specs) {
		err = err_set(m->e, ENOMEM, "out of memory");
		goto out;
	}
	/* btf_ext__raw_data is declared by 1.1's btf.h but is in neither of its libraries */
	raw = btf_ext__get_raw_data(ext, &raw_len);
	err = raw ? walk_relos(&o, raw, raw_len) : err_set(m->e, EINVAL, "no .BTF.ext data");
out:
	if (o.cands)
		for (__u32 i = 0; i < n; i++)
			bpf_core_free_cands(o.cands[i]);
	free(o.cands);
	free(o.specs);
	btf_ext__free(ext);
	btf__free(local);
	return err;
}

/* Point a copied type's references at the new ids (0, void, where the target was not kept). */
static void remap(struct btf_type *t, const __u32 *ids, __u32 n)
{
#define MAP(x) ((x) = (x) < n ? ids[x] : 0)
	int i;

	switch (btf_kind(t)) {
	case BTF_KIND_ARRAY:
		MAP(btf_array(t)->type);
		MAP(btf_array(t)->index_type);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0; i < btf_vlen(t); i++)
			MAP(btf_members(t)[i].type);
		break;
	case BTF_KIND_FUNC_PROTO:
		MAP(t->type);
		for (i = 0; i < btf_vlen(t); i++)
			MAP(btf_params(t)[i].type);
		break;
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		MAP(t->type);
		break;
	default:	/* the kinds mark_* keep refer to nothing else */
		break;
	}
#undef MAP
}

/* The kept types in INPUT's order, structs and unions with their kept members only. */
static struct btf *build(struct marks *m)
{
	struct btf *out = btf__new_empty();
	__u32 *ids = calloc(m->nr_types, sizeof(*ids));
	int id = 0;

	if (!out || !ids) {
		id = -ENOMEM;
		goto fail;
	}
	for (__u32 i = 1; i < m->nr_types && id >= 0; i++) {
		const struct btf_type *t = btf__type_by_id(m->src, i);
		const char *name;

		if (!(m->type[i] & USED))
			continue;
		if (!btf_is_composite(t)) {
			id = btf__add_type(out, m->src, t);
			ids[i] = id;
			continue;
		}
		name = btf__name_by_offset(m->src, t->name_off);
		id = btf_is_struct(t) ? btf__add_struct(out, name, t->size) :
					btf__add_union(out, name, t->size);
		ids[i] = id;
		for (int k = 0; k < btf_vlen(t) && id >= 0; k++) {
			const struct btf_member *mb = btf_members(t) + k;
			int r;

			if (!m->member[m->mbase[i] + k])
				continue;
			r = btf__add_field(out, btf__name_by_offset(m->src, mb->name_off),
					   mb->type, btf_member_bit_offset(t, k),
					   btf_member_bitfield_size(t, k));
			if (r < 0)
				id = r;
		}
	}
	if (id < 0)
		goto fail;
	for (__u32 i = 1; i < btf__type_cnt(out); i++)
		remap((struct btf_type *)btf__type_by_id(out, i), ids, m->nr_types);
	free(ids);
	return out;
fail:
	free(ids);
	btf__free(out);
	errno = -id;
	return NULL;
}

static int save(const struct btf *b, const char *path, struct err *e)
{
	__u32 len;
	const void *raw = btf__raw_data(b, &len);
	FILE *f;
	int err = 0;

	if (!raw)
		return err_set(e, ENOMEM, "error saving btf file: %s", strerror(ENOMEM));
	f = fopen(path, "wb");
	if (!f)
		return err_set(e, errno, "error saving btf file: %s", strerror(errno));
	if (fwrite(raw, 1, len, f) != len)
		err = errno ?: EIO;
	if (fclose(f) && !err)
		err = errno ?: EIO;
	return err ? err_set(e, err, "error saving btf file: %s", strerror(err)) : 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

int min_core_btf(const char *input, const char *output, char *const *objs, int n,
		 struct err *e)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet);
	struct marks m = { 0 };
	struct btf *src, *out = NULL;
	int err;

	if (!min_core_btf_supported(e)) {
		err = -ENOTSUP;
		goto done;
	}
	src = btf__parse(input, NULL);
	if (!src) {
		err = errno ?: EINVAL;
		err = err_set(e, err, "failed parsing '%s' BTF file: %s", input, strerror(err));
		goto done;
	}
	/* INPUT may be any file: libbpf's candidate search and our marks follow its ids */
	err = btf_check_refs(src, e);
	err = err ?: marks_init(&m, src, e);
	for (int i = 0; i < n && !err; i++) {
		err = record_obj(&m, objs[i]);
		if (err) {
			struct err inner = *e;

			err_clear(e);
			err = err_set(e, inner.code ?: EINVAL, "error recording relocations for "
				      "%s: %s", objs[i], inner.msg);
		}
	}
	if (!err) {
		out = build(&m);
		if (!out)
			err = err_set(e, errno ?: ENOMEM, "error generating BTF: %s",
				      strerror(errno ?: ENOMEM));
	}
	if (!err)
		err = save(out, output, e);
	btf__free(out);
	marks_free(&m);
	btf__free(src);
done:
	libbpf_set_print(old);
	return err;
}
#endif
