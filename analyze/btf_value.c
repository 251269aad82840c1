/* BTF-typed values to JSON. Every access is checked against the value's size and a depth
 * bound: the BTF and the bytes may both come from an untrusted snapshot. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "analyze/btf_value.h"

#define MAX_DEPTH 32

struct bv {
	struct jw *w;
	const struct btf *btf;
	bool plain;
};

static int bv_type(struct bv *b, uint32_t id, const uint8_t *data, size_t size, uint32_t bit_off,
		   uint32_t nr_bits, int depth);

static uint64_t load_bits(const uint8_t *data, size_t size, uint32_t bit_off, uint32_t nr_bits)
{
	uint64_t v = 0;

	/* little endian: bit k of the value is bit (bit_off + k) of data */
	for (uint32_t k = 0; k < nr_bits && k < 64; k++) {
		uint32_t bit = bit_off + k;

		if (bit / 8 >= size)
			break;
		if (data[bit / 8] & (1u << (bit % 8)))
			v |= 1ull << k;
	}
	return v;
}

static int bv_int(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		  uint32_t bit_off, uint32_t nr_bits)
{
	uint32_t info = *(const uint32_t *)(t + 1);
	uint32_t enc = BTF_INT_ENCODING(info), bits = nr_bits ? nr_bits : BTF_INT_BITS(info);
	uint64_t v;

	bit_off += BTF_INT_OFFSET(info);
	if (bits > 64) {	/* __int128: hex, as bpftool does */
		char hx[64];
		size_t n = bits / 8;

		if (n > 16 || bit_off % 8 || bit_off / 8 + n > size)
			return -EINVAL;
		snprintf(hx, sizeof(hx), "0x");
		for (size_t i = 0; i < n; i++)
			snprintf(hx + 2 + 2 * i, sizeof(hx) - 2 - 2 * i, "%02x", data[bit_off / 8 + n - 1 - i]);
		jw_string(b->w, hx);
		return 0;
	}
	if ((bit_off + bits + 7) / 8 > size)
		return -EINVAL;
	v = load_bits(data, size, bit_off, bits);
	if (enc & BTF_INT_BOOL) {
		jw_bool(b->w, v != 0);
	} else if (enc & BTF_INT_CHAR && bits == 8) {
		char c = (char)v;

		if (isprint((unsigned char)c)) {
			char s[2] = { c, 0 };

			jw_string(b->w, s);
		} else {
			jw_int(b->w, (int8_t)v);
		}
	} else if (enc & BTF_INT_SIGNED) {
		/* sign-extend from bit (bits - 1); a 0-bit field (hostile BTF) is just 0 */
		int64_t s = bits && bits < 64 && (v >> (bits - 1)) & 1 ? (int64_t)(v | (~0ull << bits)) :
			    (int64_t)v;

		jw_int(b->w, s);
	} else {
		jw_uint(b->w, v);
	}
	return 0;
}

/* A char array that holds a printable NUL-terminated string is shown as a string. */
static bool is_str_array(const uint8_t *data, size_t n)
{
	size_t i = 0;

	if (!n || !data[0])
		return false;
	for (; i < n && data[i]; i++)
		if (!isprint(data[i]))
			return false;
	for (; i < n; i++)
		if (data[i])
			return false;
	return true;
}

static int bv_array(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		    int depth)
{
	const struct btf_array *a = btf_array(t);
	const struct btf_type *et = btf__type_by_id(b->btf, a->type);
	int64_t esz = btf__resolve_size(b->btf, a->type);
	int err = 0;

	/* zero-sized elements are never read; a hostile count of them must not loop for ages */
	if (esz < 0 || (esz && a->nelems > size / esz) || (!esz && a->nelems > 4096))
		return -EINVAL;
	if (et && btf_is_int(et) && esz == 1 && (BTF_INT_ENCODING(*(const uint32_t *)(et + 1)) & BTF_INT_CHAR ||
						 !strcmp(btf__name_by_offset(b->btf, et->name_off) ?: "", "char")) &&
	    is_str_array(data, a->nelems)) {
		jw_string_len(b->w, (const char *)data, strnlen((const char *)data, a->nelems));
		return 0;
	}
	jw_start_array(b->w);
	for (uint32_t i = 0; i < a->nelems && !err; i++)
		err = bv_type(b, a->type, data + i * esz, esz, 0, 0, depth + 1);
	jw_end_array(b->w);
	return err;
}

static int bv_struct(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		     int depth)
{
	const struct btf_member *m = btf_members(t);
	bool kflag = btf_kflag(t);
	int err = 0;

	if (t->size > size)
		return -EINVAL;
	jw_start_object(b->w);
	for (uint16_t i = 0; i < btf_vlen(t) && !err; i++, m++) {
		uint32_t off = kflag ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
		uint32_t bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
		const char *name = btf__name_by_offset(b->btf, m->name_off);

		if (off / 8 > t->size)
			return -EINVAL;
		/* anonymous members are flattened into the parent, as bpftool does */
		if (name && *name)
			jw_name(b->w, name);
		else
			jw_name(b->w, "");
		if (bits)
			err = bv_type(b, m->type, data, t->size, off, bits, depth + 1);
		else
			err = bv_type(b, m->type, data + off / 8, t->size - off / 8, off % 8, 0, depth + 1);
	}
	jw_end_object(b->w);
	return err;
}

static int bv_enum(struct bv *b, const struct btf_type *t, const uint8_t *data, size_t size,
		   uint32_t bit_off, uint32_t nr_bits)
{
	uint32_t bits = nr_bits ? nr_bits : t->size * 8;
	uint64_t v;

	if (bits > 64 || (bit_off + bits + 7) / 8 > size)
		return -EINVAL;
	v = load_bits(data, size, bit_off, bits);
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (uint16_t i = 0; i < btf_vlen(t); i++)
			if ((uint32_t)e[i].val == (uint32_t)v) {
				jw_string(b->w, btf__name_by_offset(b->btf, e[i].name_off) ?: "");
				return 0;
			}
	} else if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t);

		for (uint16_t i = 0; i < btf_vlen(t); i++)
			if (btf_enum64_value(&e[i]) == v) {
				jw_string(b->w, btf__name_by_offset(b->btf, e[i].name_off) ?: "");
				return 0;
			}
	}
	jw_uint(b->w, v);
	return 0;
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
		const struct btf_type *var = btf__type_by_id(b->btf, vs->type);

		if (!var || vs->offset > size || vs->size > size - vs->offset)
			return -EINVAL;
		jw_start_object(b->w);
		jw_name(b->w, btf__name_by_offset(b->btf, var->name_off) ?: "");
		err = bv_type(b, var->type, data + vs->offset, vs->size, 0, 0, depth + 1);
		jw_end_object(b->w);
	}
	jw_end_array(b->w);
	jw_end_object(b->w);
	return err;
}

static int bv_type(struct bv *b, uint32_t id, const uint8_t *data, size_t size, uint32_t bit_off,
		   uint32_t nr_bits, int depth)
{
	const struct btf_type *t = btf__type_by_id(b->btf, id);

	if (!t || depth > MAX_DEPTH)
		return -EINVAL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return bv_int(b, t, data, size, bit_off, nr_bits);
	case BTF_KIND_ARRAY:
		return bv_array(b, t, data, size, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return bv_struct(b, t, data, size, depth);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return bv_enum(b, t, data, size, bit_off, nr_bits);
	case BTF_KIND_PTR:
		if (size < 8)
			return -EINVAL;
		{
			uint64_t v;
			char hx[24];

			memcpy(&v, data, 8);
			if (b->plain) {
				snprintf(hx, sizeof(hx), "0x%" PRIx64, v);
				jw_string(b->w, hx);
			} else {
				jw_uint(b->w, v);
			}
		}
		return 0;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
		return bv_type(b, t->type, data, size, bit_off, nr_bits, depth + 1);
	case BTF_KIND_DATASEC:
		return bv_datasec(b, t, data, size, depth);
	case BTF_KIND_FLOAT:
		if (t->size == 4 && size >= 4) {
			float f;

			memcpy(&f, data, 4);
			jw_double(b->w, f);
		} else if (t->size == 8 && size >= 8) {
			double d;

			memcpy(&d, data, 8);
			jw_double(b->w, d);
		} else {
			return -EINVAL;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

int btf_value_write(struct jw *w, const struct btf *btf, uint32_t type_id, const void *data,
		    size_t size, bool plain)
{
	struct bv b = { .w = w, .btf = btf, .plain = plain };

	return bv_type(&b, type_id, data, size, 0, 0, 0);
}
