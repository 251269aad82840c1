/* BTF reference checks (see btf_check.h): iterative DFS, so a hostile million-type
 * chain costs heap, not stack. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "analyze/btf_check.h"

/* The i-th type id t refers to; false past the last. by_value: not through a PTR,
 * the graph where a cycle is a type containing itself. */
static bool type_ref(const struct btf_type *t, uint32_t i, bool by_value, uint32_t *ref)
{
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		if (by_value || i)
			return false;
		*ref = t->type;
		return true;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		if (i)
			return false;
		*ref = t->type;
		return true;
	case BTF_KIND_ARRAY:
		if (i > 1)
			return false;
		*ref = i ? btf_array(t)->index_type : btf_array(t)->type;
		return true;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (i >= btf_vlen(t))
			return false;
		*ref = btf_members(t)[i].type;
		return true;
	case BTF_KIND_FUNC_PROTO:
		if (i > btf_vlen(t))
			return false;
		*ref = i ? btf_params(t)[i - 1].type : t->type;
		return true;
	case BTF_KIND_DATASEC:
		if (i >= btf_vlen(t))
			return false;
		*ref = btf_var_secinfos(t)[i].type;
		return true;
	default:	/* INT, ENUM, ENUM64, FWD, FLOAT */
		return false;
	}
}

/* Every name a type carries must be in the string section: btf_dump strdup()s them. */
static bool names_ok(const struct btf *btf, const struct btf_type *t, uint32_t *bad_off)
{
	uint32_t i, n = btf_vlen(t);

#define NAME_OK(off) (btf__name_by_offset(btf, (off)) ? true : (*bad_off = (off), false))
	if (!NAME_OK(t->name_off))
		return false;
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < n; i++)
			if (!NAME_OK(btf_members(t)[i].name_off))
				return false;
		break;
	case BTF_KIND_ENUM:
		for (i = 0; i < n; i++)
			if (!NAME_OK(btf_enum(t)[i].name_off))
				return false;
		break;
	case BTF_KIND_ENUM64:
		for (i = 0; i < n; i++)
			if (!NAME_OK(btf_enum64(t)[i].name_off))
				return false;
		break;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < n; i++)
			if (!NAME_OK(btf_params(t)[i].name_off))
				return false;
		break;
	default:
		break;
	}
#undef NAME_OK
	return true;
}

/* Sizes btf_dump computes with (the kernel's own BTF checks, in part): scalar sizes C
 * has, members inside their struct. btf_dump writes padding ("long: 64;" per 8 bytes)
 * up to each member and after the last, so a 4 GB int inside a 192-byte struct is
 * 100 million lines. Runs after the graph check: sizes resolve along sound chains. */
static int layout_check(const struct btf *btf, uint32_t id, const struct btf_type *t,
			struct err *e)
{
	uint32_t i, n = btf_vlen(t), sz = t->size;

	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint32_t v = *(const uint32_t *)(t + 1);

		if ((sz != 1 && sz != 2 && sz != 4 && sz != 8 && sz != 16) ||
		    BTF_INT_BITS(v) > 128 || BTF_INT_OFFSET(v) + BTF_INT_BITS(v) > sz * 8)
			return err_set(e, EINVAL, "BTF type %u: INT of size %u with %u bits at "
				       "bit %u", id, sz, BTF_INT_BITS(v), BTF_INT_OFFSET(v));
		return 0;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (sz != 1 && sz != 2 && sz != 4 && sz != 8)
			return err_set(e, EINVAL, "BTF type %u: enum of size %u", id, sz);
		return 0;
	case BTF_KIND_FLOAT:
		if (sz != 2 && sz != 4 && sz != 8 && sz != 12 && sz != 16)
			return err_set(e, EINVAL, "BTF type %u: float of size %u", id, sz);
		return 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		break;
	default:
		return 0;
	}
	if (sz > BTF_CHECK_MAX_SIZE)
		return err_set(e, EINVAL, "BTF type %u: struct/union of %u bytes (more than %u)",
			       id, sz, BTF_CHECK_MAX_SIZE);
	for (i = 0; i < n; i++) {
		const struct btf_member *m = &btf_members(t)[i];
		uint64_t bit = btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);

		if (!bits) {
			long msz = btf__resolve_size(btf, m->type);

			/* 0: a flexible array; < 0: void or a function, not a member */
			if (msz < 0 || bit % 8)
				return err_set(e, EINVAL, "BTF type %u: member %u has no size or "
					       "is not byte aligned", id, i);
			bits = (uint64_t)msz * 8;
		}
		if (bit + bits > (uint64_t)sz * 8)
			return err_set(e, EINVAL, "BTF type %u (size %u): member %u (bits %llu..%llu) "
				       "is outside it", id, sz, i, (unsigned long long)bit,
				       (unsigned long long)(bit + bits));
	}
	return 0;
}

struct frame {
	uint32_t id, next;
};

struct walk {
	const struct btf *btf;
	uint32_t cnt;
	uint8_t *state;		/* 0 new, 1 on the stack, 2 done */
	uint16_t *depth;	/* longest chain below a done type */
	struct frame *stack;
};

/* Where btf_dump stops following pointers: it names a struct/union/forward declaration
 * ("struct foo *") instead of writing it out. An anonymous one it writes inline. */
static bool named_stop(const struct btf_type *t)
{
	return t->name_off && (btf_is_composite(t) || btf_is_fwd(t));
}

/* Iterative DFS over every type: no cycle, no chain longer than BTF_CHECK_MAX_DEPTH.
 * by_value: edges not through pointers (a type containing itself). Otherwise every
 * edge, entering named structs only as roots: the chains btf_dump recurses along
 * when it writes one declaration (PTR -> PTR -> ... loops, anonymous self-pointers). */
static int walk(struct walk *w, bool by_value, struct err *e)
{
	uint32_t id, ref;

	memset(w->state, 0, w->cnt);
	memset(w->depth, 0, w->cnt * sizeof(*w->depth));
	for (id = 1; id < w->cnt; id++) {
		int sp = 0;

		if (w->state[id])
			continue;
		w->stack[0] = (struct frame){ id, 0 };
		w->state[id] = 1;
		while (sp >= 0) {
			struct frame *f = &w->stack[sp];
			const struct btf_type *t = btf__type_by_id(w->btf, f->id);

			if (type_ref(t, f->next++, by_value, &ref)) {
				const struct btf_type *rt;

				if (ref >= w->cnt)
					return err_set(e, EINVAL, "BTF type %u refers to type %u, "
						       "past the last one (%u)", f->id, ref,
						       w->cnt - 1);
				rt = btf__type_by_id(w->btf, ref);
				if (ref == 0 || (!by_value && named_stop(rt)))
					continue;
				if (w->state[ref] == 2) {
					if (w->depth[ref] + 1 > w->depth[f->id])
						w->depth[f->id] = w->depth[ref] + 1;
					continue;
				}
				if (w->state[ref] == 1)
					return err_set(e, EINVAL, by_value ?
						       "BTF type %u contains itself (through type %u)" :
						       "BTF type %u refers to itself (through type %u) "
						       "with no named struct in between", ref, f->id);
				if (sp >= BTF_CHECK_MAX_DEPTH)
					return err_set(e, EINVAL, "BTF type %u nests types more "
						       "than %d deep", w->stack[0].id,
						       BTF_CHECK_MAX_DEPTH);
				w->state[ref] = 1;
				w->stack[++sp] = (struct frame){ ref, 0 };
				continue;
			}
			/* all of f's references done: fold its depth into its parent */
			w->state[f->id] = 2;
			if (w->depth[f->id] > BTF_CHECK_MAX_DEPTH)
				return err_set(e, EINVAL, "BTF type %u nests types more than %d deep",
					       f->id, BTF_CHECK_MAX_DEPTH);
			if (sp > 0 && w->depth[f->id] + 1 > w->depth[w->stack[sp - 1].id])
				w->depth[w->stack[sp - 1].id] = w->depth[f->id] + 1;
			sp--;
		}
	}
	return 0;
}

int btf_check_refs(const struct btf *btf, struct err *e)
{
	struct walk w = { .btf = btf, .cnt = btf__type_cnt(btf) };
	uint32_t id, bad;
	int ret = 0;

	w.state = malloc(w.cnt);
	w.depth = malloc(w.cnt * sizeof(*w.depth));
	w.stack = calloc(BTF_CHECK_MAX_DEPTH + 1, sizeof(*w.stack));
	if (!w.state || !w.depth || !w.stack) {
		ret = err_set(e, ENOMEM, "out of memory checking BTF (%u types)", w.cnt);
		goto out;
	}
	for (id = 1; id < w.cnt && !ret; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			ret = err_set(e, EINVAL, "BTF type %u is missing", id);
		else if (!names_ok(btf, t, &bad))
			ret = err_set(e, EINVAL, "BTF type %u has a name at string offset %u, "
				      "outside the string section", id, bad);
	}
	if (!ret)
		ret = walk(&w, true, e);
	if (!ret)
		ret = walk(&w, false, e);
	for (id = 1; id < w.cnt && !ret; id++)
		ret = layout_check(btf, id, btf__type_by_id(btf, id), e);
out:
	free(w.state);
	free(w.depth);
	free(w.stack);
	return ret;
}
