/* bpftool's raw BTF listing and its C header dump, over a BTF object loaded from a file or
 * from a snapshot's bytes. The bytes are untrusted: libbpf checks record sizes, btf_check the
 * references, and every index here is checked against the type count. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>
#include "analyze/btf_check.h"
#include "analyze/btf_raw.h"
#include "lib/util.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define SYSFS_BTF_DIR "/sys/kernel/btf/"

void btf_src_free(struct btf_src *s)
{
	btf__free(s->btf);
	btf__free(s->base);
	memset(s, 0, sizeof(*s));
}

static const char *const kind_names[] = {
	[BTF_KIND_UNKN] = "UNKNOWN",	[BTF_KIND_INT] = "INT",
	[BTF_KIND_PTR] = "PTR",		[BTF_KIND_ARRAY] = "ARRAY",
	[BTF_KIND_STRUCT] = "STRUCT",	[BTF_KIND_UNION] = "UNION",
	[BTF_KIND_ENUM] = "ENUM",	[BTF_KIND_FWD] = "FWD",
	[BTF_KIND_TYPEDEF] = "TYPEDEF",	[BTF_KIND_VOLATILE] = "VOLATILE",
	[BTF_KIND_CONST] = "CONST",	[BTF_KIND_RESTRICT] = "RESTRICT",
	[BTF_KIND_FUNC] = "FUNC",	[BTF_KIND_FUNC_PROTO] = "FUNC_PROTO",
	[BTF_KIND_VAR] = "VAR",		[BTF_KIND_DATASEC] = "DATASEC",
	[BTF_KIND_FLOAT] = "FLOAT",	[BTF_KIND_DECL_TAG] = "DECL_TAG",
	[BTF_KIND_TYPE_TAG] = "TYPE_TAG", [BTF_KIND_ENUM64] = "ENUM64",
};

static const char *kind_str(const struct btf_type *t)
{
	unsigned k = btf_kind(t);

	return k < ARRAY_SIZE(kind_names) && kind_names[k] ? kind_names[k] : "UNKNOWN";
}

static const char *name_str(const struct btf *btf, __u32 off)
{
	const char *s;

	if (!off)
		return "(anon)";
	s = btf__name_by_offset(btf, off);
	return s ? s : "(invalid)";
}

static const char *int_enc_str(__u8 enc)
{
	switch (enc) {
	case 0: return "(none)";
	case BTF_INT_SIGNED: return "SIGNED";
	case BTF_INT_CHAR: return "CHAR";
	case BTF_INT_BOOL: return "BOOL";
	default: return "UNKN";
	}
}

static const char *linkage_str(__u32 linkage)
{
	switch (linkage) {
	case 0: return "static";	/* BTF_VAR_STATIC, BTF_FUNC_STATIC */
	case 1: return "global";	/* ..._GLOBAL(_ALLOCATED) */
	case 2: return "extern";
	default: return "(unknown)";
	}
}

/* Members, enumerators, params, datasec vars: plain "\n\t..." lines or a JSON array. */
static void item_start(struct out *o)
{
	if (out_json(o))
		out_obj_start(o, NULL);
	else
		out_plain(o, "\n\t");
}

static void dump_int(struct out *o, const struct btf_type *t)
{
	__u32 v = *(const __u32 *)(t + 1);

	out_uint(o, "size", " size=%" PRIu64, t->size);
	out_uint(o, "bits_offset", " bits_offset=%" PRIu64, BTF_INT_OFFSET(v));
	out_uint(o, "nr_bits", " nr_bits=%" PRIu64, BTF_INT_BITS(v));
	out_str(o, "encoding", " encoding=%s", int_enc_str(BTF_INT_ENCODING(v)));
}

static void dump_members(struct out *o, const struct btf *btf, const struct btf_type *t)
{
	const struct btf_member *m = btf_members(t);
	__u32 vlen = btf_vlen(t);

	out_uint(o, "size", " size=%" PRIu64, t->size);
	out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
	out_arr_start(o, "members");
	for (__u32 i = 0; i < vlen; i++, m++) {
		__u32 bits = btf_member_bit_offset(t, i);
		__u32 bsz = btf_member_bitfield_size(t, i);

		item_start(o);
		out_str(o, "name", "'%s'", name_str(btf, m->name_off));
		out_uint(o, "type_id", " type_id=%" PRIu64, m->type);
		out_uint(o, "bits_offset", " bits_offset=%" PRIu64, bits);
		if (bsz)
			out_uint(o, "bitfield_size", " bitfield_size=%" PRIu64, bsz);
		out_obj_end(o);
	}
	out_arr_end(o);
}

/* ENUM and ENUM64: kflag says signed; 64-bit values print with bpftool's LL/ULL */
static void dump_enum(struct out *o, const struct btf *btf, const struct btf_type *t)
{
	bool sgn = btf_kflag(t), wide = btf_kind(t) == BTF_KIND_ENUM64;
	__u32 vlen = btf_vlen(t);

	out_str(o, "encoding", " encoding=%s", sgn ? "SIGNED" : "UNSIGNED");
	out_uint(o, "size", " size=%" PRIu64, t->size);
	out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
	out_arr_start(o, "values");
	for (__u32 i = 0; i < vlen; i++) {
		uint64_t val;
		__u32 name_off;

		if (wide) {
			const struct btf_enum64 *v = btf_enum64(t) + i;

			val = ((uint64_t)v->val_hi32 << 32) | v->val_lo32;
			name_off = v->name_off;
		} else {
			const struct btf_enum *v = btf_enum(t) + i;

			val = sgn ? (uint64_t)(int64_t)(int32_t)v->val : (uint32_t)v->val;
			name_off = v->name_off;
		}
		item_start(o);
		out_str(o, "name", "'%s'", name_str(btf, name_off));
		if (sgn)
			out_int(o, "val", wide ? " val=%" PRId64 "LL" : " val=%" PRId64, (int64_t)val);
		else
			out_uint(o, "val", wide ? " val=%" PRIu64 "ULL" : " val=%" PRIu64, val);
		out_obj_end(o);
	}
	out_arr_end(o);
}

static void dump_proto(struct out *o, const struct btf *btf, const struct btf_type *t)
{
	const struct btf_param *p = btf_params(t);
	__u32 vlen = btf_vlen(t);

	out_uint(o, "ret_type_id", " ret_type_id=%" PRIu64, t->type);
	out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
	out_arr_start(o, "params");
	for (__u32 i = 0; i < vlen; i++, p++) {
		item_start(o);
		out_str(o, "name", "'%s'", name_str(btf, p->name_off));
		out_uint(o, "type_id", " type_id=%" PRIu64, p->type);
		out_obj_end(o);
	}
	out_arr_end(o);
}

static void dump_datasec(struct out *o, const struct btf *btf, const struct btf_type *t)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(t);
	__u32 vlen = btf_vlen(t);

	out_uint(o, "size", " size=%" PRIu64, t->size);
	out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
	out_arr_start(o, "vars");
	for (__u32 i = 0; i < vlen; i++, v++) {
		const struct btf_type *vt = v->type < btf__type_cnt(btf) ?
					    btf__type_by_id(btf, v->type) : NULL;

		item_start(o);
		out_uint(o, "type_id", "type_id=%" PRIu64, v->type);
		out_uint(o, "offset", " offset=%" PRIu64, v->offset);
		out_uint(o, "size", " size=%" PRIu64, v->size);
		if (vt)
			out_plain(o, " (%s '%s')", kind_str(vt), name_str(btf, vt->name_off));
		out_obj_end(o);
	}
	out_arr_end(o);
}

/* The kinds whose fields follow the common header in one shape or another. */
static void dump_kind_fields(struct out *o, const struct btf *btf, const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		dump_int(o, t);
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		out_uint(o, "type_id", " type_id=%" PRIu64, t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		out_uint(o, "type_id", " type_id=%" PRIu64, a->type);
		out_uint(o, "index_type_id", " index_type_id=%" PRIu64, a->index_type);
		out_uint(o, "nr_elems", " nr_elems=%" PRIu64, a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		dump_members(o, btf, t);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		dump_enum(o, btf, t);
		break;
	case BTF_KIND_FWD:
		out_str(o, "fwd_kind", " fwd_kind=%s", btf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		out_uint(o, "type_id", " type_id=%" PRIu64, t->type);
		out_str(o, "linkage", " linkage=%s", linkage_str(btf_vlen(t)));
		break;
	case BTF_KIND_FUNC_PROTO:
		dump_proto(o, btf, t);
		break;
	case BTF_KIND_VAR:
		out_uint(o, "type_id", " type_id=%" PRIu64 ",", t->type);
		out_str(o, "linkage", " linkage=%s", linkage_str(btf_var(t)->linkage));
		break;
	case BTF_KIND_DATASEC:
		dump_datasec(o, btf, t);
		break;
	case BTF_KIND_FLOAT:
		out_uint(o, "size", " size=%" PRIu64, t->size);
		break;
	case BTF_KIND_DECL_TAG:
		out_uint(o, "type_id", " type_id=%" PRIu64, t->type);
		out_int(o, "component_idx", " component_idx=%" PRId64,
			btf_decl_tag(t)->component_idx);
		break;
	default:
		break;
	}
}

/* One type in bpftool's raw layout ("[1] INT 'int' size=4 bits_offset=0 nr_bits=32
 * encoding=SIGNED"), or the same fields as a JSON object. */
static void dump_raw_type(struct out *o, const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t)
		return;
	out_obj_start(o, NULL);
	out_uint(o, "id", "[%" PRIu64 "]", id);
	out_str(o, "kind", " %s", kind_str(t));
	out_str(o, "name", " '%s'", name_str(btf, t->name_off));
	dump_kind_fields(o, btf, t);
	out_obj_end(o);
	out_plain(o, "\n");
}

void btf_raw_dump(struct out *o, const struct btf_src *s)
{
	__u32 id, start = 1, cnt = btf__type_cnt(s->btf);
	int i;

	out_obj_start(o, NULL);
	out_arr_start(o, "types");
	if (s->nr_roots) {
		for (i = 0; i < s->nr_roots; i++)
			dump_raw_type(o, s->btf, s->roots[i]);
	} else {
		/* split BTF: only its own types, the base is another object */
		if (s->base)
			start = btf__type_cnt(s->base);
		for (id = start; id < cnt; id++)
			dump_raw_type(o, s->btf, id);
	}
	out_arr_end(o);
	out_obj_end(o);
	out_flush_end(o);
}

/* A module's BTF in /sys/kernel/btf/ is split: its type ids continue vmlinux's. */
static bool is_sysfs_module_btf(const char *path)
{
	return !strncmp(path, SYSFS_BTF_DIR, strlen(SYSFS_BTF_DIR)) && strcmp(path + strlen(SYSFS_BTF_DIR), "vmlinux");
}

int btf_src_from_file(struct btf_src *s, const char *path, struct err *e)
{
	int err;

	if (is_sysfs_module_btf(path)) {
		s->base = btf__parse(VMLINUX_BTF, NULL);
		if (!s->base)
			return err_set(e, errno, "can't load the base BTF %s for %s: %s", VMLINUX_BTF,
				       path, strerror(errno));
		s->btf = btf__parse_split(path, s->base);
	} else {
		s->btf = btf__parse(path, NULL);
	}
	if (!s->btf) {
		char msg[128];

		err = errno;
		/* an ELF file without .BTF comes back as ENOENT: say which one it was */
		if (err == ENOENT && access(path, R_OK) == 0)
			snprintf(msg, sizeof(msg), "no .BTF section (built without -g?)");
		else
			libbpf_strerror(err, msg, sizeof(msg));
		return err_set(e, err, "can't load BTF from %s: %s", path, msg);
	}
	return 0;
}

/* libbpf 1.1 declares btf__new_split() but does not export it: parse the bytes
 * from a memfd with btf__parse_raw_split() instead. */
static struct btf *btf_new_split(const void *data, size_t len, struct btf *base)
{
	char path[64];
	struct btf *btf = NULL;
	ssize_t n;
	size_t off = 0;
	int fd, err = 0;

	fd = memfd_create("bpfscope-btf", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	while (off < len) {
		n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			goto out;
		}
		off += n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	btf = btf__parse_raw_split(path, base);
	err = btf ? 0 : errno;
out:
	close(fd);
	errno = err;
	return btf;
}

int btf_src_set_base(struct btf_src *s, const void *data, size_t len)
{
	s->base = btf__new(data, len);
	return s->base ? 0 : -(errno ? errno : EINVAL);
}

int btf_src_set_btf(struct btf_src *s, const void *data, size_t len)
{
	if (s->base)
		s->btf = btf_new_split(data, len, s->base);
	else
		s->btf = btf__new(data, len);
	return s->btf ? 0 : -(errno ? errno : EINVAL);
}
