/* BTF-typed values to JSON, in the forms upstream bpftool's btf_dumper prints. Every access
 * is checked against the value's size and a depth bound: BTF and bytes may both be hostile. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "analyze/btf_value.h"
#include "analyze/func_proto.h"

#define MAX_DEPTH 32

struct bv {
	struct jw *w;
	const struct btf *btf;
	bool plain;
	const struct btf_value_progs *progs;	/* NULL: pointers are numbers */
};

static int bv_type(struct bv *b, uint32_t id, const uint8_t *data, size_t size, uint32_t bit_off,
		   int depth);

/* A token bpftool writes bare (0x5, (nil), (unsupported-kind)): bare in plain mode as
 * bpftool prints it, a JSON string under -j so that the document stays valid. */
static void bv_token(struct bv *b, const char *s)
{
	if (b->plain) {
		jw_raw(b->w, s);
	} else {
		jw_string(b->w, s);
	}
}

/* What bpftool prints for a kind it cannot show, and the error that ends the value. */
static int bv_fail(struct bv *b, const char *what)
{
	bv_token(b, what);
	return -EINVAL;
}

/* nr_bits at bit bit_off of data (little endian) as bpftool's bitfield: hex, 128 bits at
 * most, "0x5" bare in plain mode and quoted in JSON. */
static int bv_bits(struct bv *b, const uint8_t *data, size_t size, uint32_t bit_off,
		   uint32_t nr_bits)
{
	uint64_t lo = 0, hi = 0;
	char hx[48];

	if (!nr_bits || nr_bits > 128 || bit_off > 1024 || (bit_off + nr_bits + 7) / 8 > size)
		return bv_fail(b, "(out-of-bounds)");
	for (uint32_t k = 0; k < nr_bits; k++) {
		uint32_t bit = bit_off + k;

		if (!(data[bit / 8] & (1u << (bit % 8))))
			continue;
		if (k < 64)
			lo |= 1ull << k;
		else
			hi |= 1ull << (k - 64);
	}
	if (hi)
		snprintf(hx, sizeof(hx), "0x%" PRIx64 "%016" PRIx64, hi, lo);
	else
		snprintf(hx, sizeof(hx), "0x%" PRIx64, lo);
	bv_token(b, hx);
	return 0;
}

static int bv_int(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		  uint32_t bit_off)
{
	uint32_t info = *(const uint32_t *)(t + 1);
	uint32_t enc = BTF_INT_ENCODING(info), bits = BTF_INT_BITS(info);
	uint64_t u = 0;
	char tok[16];

	/* bpftool: an offset, a size not of whole bytes or 128 bits print as hex bits */
	if (bit_off || BTF_INT_OFFSET(info) || bits % 8 || bits == 128 ||
	    (enc != BTF_INT_CHAR && enc != BTF_INT_BOOL && bits != 8 && bits != 16 &&
	     bits != 32 && bits != 64))
		return bv_bits(b, data, size, bit_off + BTF_INT_OFFSET(info), bits);
	if (enc == BTF_INT_CHAR || enc == BTF_INT_BOOL) {
		if (size < 1)
			return bv_fail(b, "(out-of-bounds)");
		if (enc == BTF_INT_BOOL) {
			jw_bool(b->w, data[0] != 0);
		} else if (isprint(data[0]) && data[0] < 0x80) {
			jw_string_len(b->w, (const char *)data, 1);
		} else {
			snprintf(tok, sizeof(tok), b->plain ? "0x%x" : "\"\\u00%02x\"", data[0]);
			jw_raw(b->w, tok);
		}
		return 0;
	}
	if (bits / 8 > size)
		return bv_fail(b, "(out-of-bounds)");
	memcpy(&u, data, bits / 8);
	if (enc & BTF_INT_SIGNED) {
		int64_t s = bits < 64 && (u >> (bits - 1)) & 1 ? (int64_t)(u | (~0ull << bits)) :
			    (int64_t)u;

		jw_int(b->w, s);
	} else if (enc == 0) {
		jw_uint(b->w, u);
	} else {
		return -EINVAL;	/* bpftool: "shouldn't happen", nothing printed */
	}
	return 0;
}

/* bpftool's is_str_array: elements of one byte, char-encoded or named "char" (modifiers
 * skipped, typedefs not), and a NUL before any byte outside 0x20..0x7e. */
static bool is_str_array(const struct btf *btf, const struct btf_array *a, const uint8_t *data,
			 size_t size)
{
	const struct btf_type *et = btf__type_by_id(btf, a->type);
	int hops = 0;

	if (!a->nelems)
		return false;
	while (et && (btf_is_mod(et)) && hops++ < MAX_DEPTH)
		et = btf__type_by_id(btf, et->type);
	if (!et || !btf_is_int(et) || et->size != 1)
		return false;
	if (btf_int_encoding(et) != BTF_INT_CHAR &&
	    strcmp("char", btf__name_by_offset(btf, et->name_off) ?: ""))
		return false;
	for (uint32_t i = 0; i < a->nelems && i < size; i++) {
		if (!data[i])
			return true;
		if (data[i] <= 0x1f || data[i] >= 0x7f)
			return false;
	}
	return false;
}

static int bv_array(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		    int depth)
{
	const struct btf_array *a = btf_array(t);
	int64_t esz;
	int err = 0;

	if (is_str_array(b->btf, a, data, size)) {
		jw_string(b->w, (const char *)data);	/* the NUL is within size */
		return 0;
	}
	esz = btf__resolve_size(b->btf, a->type);
	/* zero-sized elements are never read; a hostile count of them must not loop for ages */
	if (esz < 0 || (esz && a->nelems > size / esz) || (!esz && a->nelems > 4096))
		return bv_fail(b, "(out-of-bounds)");
	jw_start_array(b->w);
	for (uint32_t i = 0; i < a->nelems && !err; i++)
		err = bv_type(b, a->type, data + i * esz, size - i * esz, 0, depth + 1);
	jw_end_array(b->w);
	return err;
}

static int bv_struct(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		     int depth)
{
	const struct btf_member *m = btf_members(t);
	bool kflag = btf_kflag(t);
	int err = 0;

	jw_start_object(b->w);
	for (uint16_t i = 0; i < btf_vlen(t) && !err; i++, m++) {
		uint32_t off = kflag ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
		uint32_t bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;

		jw_name(b->w, btf__name_by_offset(b->btf, m->name_off) ?: "");
		if (off / 8 > size) {
			err = bv_fail(b, "(out-of-bounds)");
			break;
		}
		if (bits)
			err = bv_bits(b, data + off / 8, size - off / 8, off % 8, bits);
		else
			err = bv_type(b, m->type, data + off / 8, size - off / 8, off % 8, depth + 1);
	}
	jw_end_object(b->w);
	return err;
}

/* bpftool reads an enum as a signed number of its size and prints an unnamed one signed. */
static int bv_enum(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size)
{
	int64_t v;

	if (t->size > size)
		return bv_fail(b, "(out-of-bounds)");
	switch (t->size) {
	case 1: { int8_t x; memcpy(&x, data, 1); v = x; break; }
	case 2: { int16_t x; memcpy(&x, data, 2); v = x; break; }
	case 4: { int32_t x; memcpy(&x, data, 4); v = x; break; }
	case 8: memcpy(&v, data, 8); break;
	default: return -EINVAL;
	}
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (uint16_t i = 0; i < btf_vlen(t); i++)
			if (v == e[i].val) {
				jw_string(b->w, btf__name_by_offset(b->btf, e[i].name_off) ?: "");
				return 0;
			}
	} else {
		const struct btf_enum64 *e = btf_enum64(t);

		for (uint16_t i = 0; i < btf_vlen(t); i++)
			if (btf_enum64_value(&e[i]) == (uint64_t)v) {
				jw_string(b->w, btf__name_by_offset(b->btf, e[i].name_off) ?: "");
				return 0;
			}
	}
	jw_int(b->w, v);
	return 0;
}

static uint32_t bv_resolve(const struct btf *btf, uint32_t id);

/* A function pointer slot of a struct_ops value holds a program id, or 0: bpftool's
 * dump_prog_id_as_func_ptr. false: not such a slot (the pointer prints as a number). */
static bool bv_prog_ptr(struct bv *b, const struct btf_type *t, uint64_t v)
{
	const struct btf_type *pt;
	const char *name;
	char sig[1024];
	size_t n;

	if (!b->progs || v > UINT32_MAX)
		return false;
	pt = btf__type_by_id(b->btf, bv_resolve(b->btf, t->type));
	if (!pt || !btf_is_func_proto(pt) ||
	    func_proto_text(b->btf, bv_resolve(b->btf, t->type), sig, sizeof(sig)))
		return false;
	n = strlen(sig);
	name = v ? b->progs->name(b->progs->arg, (uint32_t)v) : NULL;
	if (!v)
		snprintf(sig + n, sizeof(sig) - n, " 0");
	else
		snprintf(sig + n, sizeof(sig) - n, " %s/prog_id:%u", name ? name : "<unknown_prog_name>",
			 (uint32_t)v);
	jw_string(b->w, sig);
	return true;
}

static int bv_ptr(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size)
{
	uint64_t v;
	char hx[24];

	if (size < 8)
		return bv_fail(b, "(out-of-bounds)");
	memcpy(&v, data, 8);
	if (bv_prog_ptr(b, t, v))
		return 0;
	if (!b->plain) {
		jw_uint(b->w, v);
		return 0;
	}
	if (v)	/* bpftool prints "%p" in quotes: glibc's (nil) for NULL */
		snprintf(hx, sizeof(hx), "0x%" PRIx64, v);
	else
		snprintf(hx, sizeof(hx), "(nil)");
	jw_string(b->w, hx);
	return 0;
}

static int bv_var(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		  uint32_t bit_off, int depth)
{
	int err;

	jw_start_object(b->w);
	jw_name(b->w, btf__name_by_offset(b->btf, t->name_off) ?: "");
	err = bv_type(b, t->type, data, size, bit_off, depth + 1);
	jw_end_object(b->w);
	return err;
}

static int bv_datasec(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		      int depth)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);
	int err = 0;

	jw_start_object(b->w);
	jw_name(b->w, btf__name_by_offset(b->btf, t->name_off) ?: "");
	jw_start_array(b->w);
	for (uint16_t i = 0; i < btf_vlen(t) && !err; i++, vs++) {
		if (vs->offset > size || vs->size > size - vs->offset)
			err = bv_fail(b, "(out-of-bounds)");
		else
			err = bv_type(b, vs->type, data + vs->offset, vs->size, 0, depth + 1);
	}
	jw_end_array(b->w);
	jw_end_object(b->w);
	return err;
}

/* Typedefs and qualifiers resolved as libbpf's btf__resolve_type does, bounded. */
static uint32_t bv_resolve(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int hops = 0; t && hops < MAX_DEPTH && (btf_is_mod(t) || btf_is_typedef(t) ||
						   btf_is_var(t)); hops++) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return t && !(btf_is_mod(t) || btf_is_typedef(t) || btf_is_var(t)) ? id : 0;
}

static int bv_type(struct bv *b, uint32_t id, const uint8_t *data, size_t size, uint32_t bit_off,
		   int depth)
{
	const struct btf_type *t = btf__type_by_id(b->btf, id);

	if (!t || depth > MAX_DEPTH)
		return bv_fail(b, "(out-of-bounds)");
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return bv_int(b, t, data, size, bit_off);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return bv_struct(b, t, data, size, depth);
	case BTF_KIND_ARRAY:
		return bv_array(b, t, data, size, depth);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return bv_enum(b, t, data, size);
	case BTF_KIND_PTR:
		return bv_ptr(b, t, data, size);
	case BTF_KIND_UNKN:
		bv_token(b, "(unknown)");
		return 0;
	case BTF_KIND_FWD:	/* a map key or value can't be a forward declaration */
		return bv_fail(b, "(fwd-kind-invalid)");
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
		id = bv_resolve(b->btf, id);
		if (!id)
			return bv_fail(b, "(out-of-bounds)");
		return bv_type(b, id, data, size, bit_off, depth + 1);
	case BTF_KIND_VAR:
		return bv_var(b, t, data, size, bit_off, depth);
	case BTF_KIND_DATASEC:
		return bv_datasec(b, t, data, size, depth);
	default:	/* float, type tags, functions: bpftool has no form for them */
		return bv_fail(b, "(unsupported-kind)");
	}
}

int btf_value_write(struct jw *w, const struct btf *btf, uint32_t type_id, const void *data,
		    size_t size, bool plain)
{
	return btf_value_write_progs(w, btf, type_id, data, size, plain, NULL);
}

int btf_value_write_progs(struct jw *w, const struct btf *btf, uint32_t type_id,
			  const void *data, size_t size, bool plain,
			  const struct btf_value_progs *progs)
{
	struct bv b = { .w = w, .btf = btf, .plain = plain, .progs = progs };

	return bv_type(&b, type_id, data, size, 0, 0);
}
