/* btf dump: a BTF object (a file, a live or stored BTF id, a program's or a map's BTF)
 * as bpftool's raw listing (plain or JSON) or as a C header through libbpf's btf_dump. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>
#include "analyze/btf_check.h"
#include "cli/cli.h"
#include "capture/snapshot.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define SYSFS_BTF_DIR "/sys/kernel/btf/"
#define MAX_ROOTS 2

/* What is being dumped: the BTF, its base when it is split (a module's), and for
 * `map MAP key|value|kv` the types to dump instead of all of them. */
struct btf_src {
	struct btf *btf;
	struct btf *base;
	__u32 roots[MAX_ROOTS];
	int nr_roots;
};

static void btf_src_free(struct btf_src *s)
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
static void list_start(struct out *o, const char *key)
{
	if (out_json(o))
		out_arr_start(o, key);
}

static void list_end(struct out *o)
{
	if (out_json(o))
		out_arr_end(o);
}

static void item_start(struct out *o)
{
	if (out_json(o))
		out_obj_start(o, NULL);
	else
		out_plain(o, "\n\t");
}

static void item_end(struct out *o)
{
	if (out_json(o))
		out_obj_end(o);
}

/* One type in bpftool's raw layout ("[1] INT 'int' size=4 bits_offset=0 nr_bits=32
 * encoding=SIGNED"), or the same fields as a JSON object. */
static void dump_raw_type(struct out *o, const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	__u32 i, vlen;

	if (!t)
		return;
	vlen = btf_vlen(t);
	out_obj_start(o, NULL);
	out_uint(o, "id", "[%" PRIu64 "]", id);
	out_str(o, "kind", " %s", kind_str(t));
	out_str(o, "name", " '%s'", name_str(btf, t->name_off));

	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		__u32 v = *(const __u32 *)(t + 1);

		out_uint(o, "size", " size=%" PRIu64, t->size);
		out_uint(o, "bits_offset", " bits_offset=%" PRIu64, BTF_INT_OFFSET(v));
		out_uint(o, "nr_bits", " nr_bits=%" PRIu64, BTF_INT_BITS(v));
		out_str(o, "encoding", " encoding=%s", int_enc_str(BTF_INT_ENCODING(v)));
		break;
	}
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
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		out_uint(o, "size", " size=%" PRIu64, t->size);
		out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
		list_start(o, "members");
		for (i = 0; i < vlen; i++, m++) {
			__u32 bits = btf_member_bit_offset(t, i);
			__u32 bsz = btf_member_bitfield_size(t, i);

			item_start(o);
			out_str(o, "name", "'%s'", name_str(btf, m->name_off));
			out_uint(o, "type_id", " type_id=%" PRIu64, m->type);
			out_uint(o, "bits_offset", " bits_offset=%" PRIu64, bits);
			if (bsz)
				out_uint(o, "bitfield_size", " bitfield_size=%" PRIu64, bsz);
			item_end(o);
		}
		list_end(o);
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *v = btf_enum(t);
		bool sgn = btf_kflag(t);

		out_str(o, "encoding", " encoding=%s", sgn ? "SIGNED" : "UNSIGNED");
		out_uint(o, "size", " size=%" PRIu64, t->size);
		out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
		list_start(o, "values");
		for (i = 0; i < vlen; i++, v++) {
			item_start(o);
			out_str(o, "name", "'%s'", name_str(btf, v->name_off));
			if (sgn)
				out_int(o, "val", " val=%" PRId64, (int32_t)v->val);
			else
				out_uint(o, "val", " val=%" PRIu64, (uint32_t)v->val);
			item_end(o);
		}
		list_end(o);
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *v = btf_enum64(t);
		bool sgn = btf_kflag(t);

		out_str(o, "encoding", " encoding=%s", sgn ? "SIGNED" : "UNSIGNED");
		out_uint(o, "size", " size=%" PRIu64, t->size);
		out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
		list_start(o, "values");
		for (i = 0; i < vlen; i++, v++) {
			uint64_t val = ((uint64_t)v->val_hi32 << 32) | v->val_lo32;

			item_start(o);
			out_str(o, "name", "'%s'", name_str(btf, v->name_off));
			if (sgn)
				out_int(o, "val", " val=%" PRId64 "LL", (int64_t)val);
			else
				out_uint(o, "val", " val=%" PRIu64 "ULL", val);
			item_end(o);
		}
		list_end(o);
		break;
	}
	case BTF_KIND_FWD:
		out_str(o, "fwd_kind", " fwd_kind=%s", btf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		out_uint(o, "type_id", " type_id=%" PRIu64, t->type);
		out_str(o, "linkage", " linkage=%s", linkage_str(vlen));
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);

		out_uint(o, "ret_type_id", " ret_type_id=%" PRIu64, t->type);
		out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
		list_start(o, "params");
		for (i = 0; i < vlen; i++, p++) {
			item_start(o);
			out_str(o, "name", "'%s'", name_str(btf, p->name_off));
			out_uint(o, "type_id", " type_id=%" PRIu64, p->type);
			item_end(o);
		}
		list_end(o);
		break;
	}
	case BTF_KIND_VAR:
		out_uint(o, "type_id", " type_id=%" PRIu64 ",", t->type);
		out_str(o, "linkage", " linkage=%s", linkage_str(btf_var(t)->linkage));
		break;
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);

		out_uint(o, "size", " size=%" PRIu64, t->size);
		out_uint(o, "vlen", " vlen=%" PRIu64, vlen);
		list_start(o, "vars");
		for (i = 0; i < vlen; i++, v++) {
			const struct btf_type *vt = v->type < btf__type_cnt(btf) ?
						    btf__type_by_id(btf, v->type) : NULL;

			item_start(o);
			out_uint(o, "type_id", "type_id=%" PRIu64, v->type);
			out_uint(o, "offset", " offset=%" PRIu64, v->offset);
			out_uint(o, "size", " size=%" PRIu64, v->size);
			if (vt && !out_json(o))
				out_plain(o, " (%s '%s')", kind_str(vt), name_str(btf, vt->name_off));
			item_end(o);
		}
		list_end(o);
		break;
	}
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
	out_obj_end(o);
	out_plain(o, "\n");
}

static void dump_raw(struct ctx *ctx, const struct btf_src *s)
{
	struct out *o = &ctx->out;
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

static void c_printf(void *arg, const char *fmt, va_list ap)
{
	vfprintf(arg, fmt, ap);
}

/* The header bpftool writes, so the output is a usable vmlinux.h: CO-RE relocations
 * on every struct field access unless the program opts out. */
static int dump_c(struct ctx *ctx, const struct btf_src *s)
{
	FILE *f = ctx->out.f ? ctx->out.f : stdout;
	struct btf_dump *d;
	__u32 id, cnt = btf__type_cnt(s->btf);
	struct err e = { 0 };
	int i, err = 0;

	if (out_json(&ctx->out))
		return p_err(ctx, "JSON output for C-syntax dump is not supported");
	/* a file or a snapshot may hold any bytes: libbpf 1.1's btf_dump trusts the refs */
	if (btf_check_refs(s->btf, &e))
		return p_err_e(ctx, &e);
	d = btf_dump__new(s->btf, c_printf, f, NULL);
	if (!d)
		return p_err(ctx, "can't start a BTF dump: %s", strerror(errno));
	fprintf(f, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
		"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
		"#pragma clang attribute push (__attribute__((preserve_access_index)), "
		"apply_to = record)\n#endif\n\n");
	if (s->nr_roots) {
		for (i = 0; i < s->nr_roots && !err; i++)
			err = btf_dump__dump_type(d, s->roots[i]);
	} else {
		for (id = 1; id < cnt && !err; id++)
			err = btf_dump__dump_type(d, id);
	}
	btf_dump__free(d);
	if (err)
		return p_err(ctx, "can't dump BTF type as C: %s", strerror(-err));
	fprintf(f, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
		"#endif /* __VMLINUX_H__ */\n");
	return 0;
}

/* A module's BTF in /sys/kernel/btf/ is split: its type ids continue vmlinux's. */
static bool is_sysfs_module_btf(const char *path)
{
	return is_prefix(SYSFS_BTF_DIR, path) && strcmp(path + strlen(SYSFS_BTF_DIR), "vmlinux");
}

static int load_file(struct ctx *ctx, const char *path, struct btf_src *s)
{
	int err;

	if (is_sysfs_module_btf(path)) {
		s->base = btf__parse(VMLINUX_BTF, NULL);
		if (!s->base)
			return p_err(ctx, "can't load the base BTF %s for %s: %s", VMLINUX_BTF, path,
				     strerror(errno));
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
		return p_err(ctx, "can't load BTF from %s: %s", path, msg);
	}
	return 0;
}

/* Live: the kernel's BTF object, with vmlinux as base when it is a module's. */
static int load_live_id(struct ctx *ctx, __u32 id, struct btf_src *s)
{
	struct bpf_btf_info info = { 0 };
	__u32 len = sizeof(info);
	char name[64] = "";
	int fd, err;

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0)
		return p_err(ctx, "can't get BTF object by id (%u): %s", id, strerror(errno));
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	err = err ? errno : 0;
	close(fd);
	if (err)
		return p_err(ctx, "can't get BTF info (id %u): %s", id, strerror(err));
	if (info.kernel_btf && strcmp(name, "vmlinux")) {
		s->base = btf__load_vmlinux_btf();
		if (!s->base)
			return p_err(ctx, "can't load vmlinux BTF as base for module BTF '%s' "
				     "(id %u): %s", name, id, strerror(errno));
		s->btf = btf__load_from_kernel_by_id_split(id, s->base);
	} else {
		s->btf = btf__load_from_kernel_by_id(id);
	}
	if (!s->btf)
		return p_err(ctx, "can't load BTF (id %u): %s", id, strerror(errno));
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

/* Stored: the btf row's data blob; a module's base is the same snapshot's vmlinux
 * (never this machine's: the snapshot may come from another kernel). */
static int load_stored_id(struct ctx *ctx, struct view *v, __u32 id, struct btf_src *s)
{
	sqlite3_stmt *st = NULL;
	struct buf data = { 0 }, base = { 0 };
	struct err e = { 0 };
	char name[256] = "";
	bool kernel = false, split;
	int rc, ret = -1;

	rc = sqlite3_prepare_v2(v->db.sql, "SELECT name, kernel, data FROM btf "
				"WHERE snapshot_id = ?1 AND id = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = p_err(ctx, "can't query BTF: %s", sqlite3_errmsg(v->db.sql));
		goto out;
	}
	sqlite3_bind_int64(st, 1, v->snap_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ret = rc == SQLITE_DONE ?
		      p_err(ctx, "no BTF with id %u in snapshot %" PRId64, id, v->snap_id) :
		      p_err(ctx, "can't query BTF: %s", sqlite3_errmsg(v->db.sql));
		goto out;
	}
	if (sqlite3_column_text(st, 0))
		snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 0));
	kernel = sqlite3_column_int(st, 1) != 0;
	if (blob_get_col(&v->db, st, 2, BLOB_MAX_SIZE, &data, &e) < 0) {
		ret = p_err_e(ctx, &e);
		goto out;
	}
	if (!data.len) {
		ret = p_err(ctx, "snapshot %" PRId64 " has no data for BTF id %u (taken without "
			    "BTF data?)", v->snap_id, id);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;

	split = kernel && strcmp(name, "vmlinux");
	if (split) {
		rc = sqlite3_prepare_v2(v->db.sql, "SELECT data FROM btf WHERE snapshot_id = ?1 "
					"AND kernel = 1 AND name = 'vmlinux' LIMIT 1", -1, &st, NULL);
		if (rc != SQLITE_OK || (sqlite3_bind_int64(st, 1, v->snap_id),
					sqlite3_step(st)) != SQLITE_ROW) {
			ret = p_err(ctx, "module BTF '%s' (id %u) needs vmlinux BTF as base, and "
				    "snapshot %" PRId64 " has none", name, id, v->snap_id);
			goto out;
		}
		if (blob_get_col(&v->db, st, 0, BLOB_MAX_SIZE, &base, &e) < 0) {
			ret = p_err_e(ctx, &e);
			goto out;
		}
		s->base = btf__new(base.data, base.len);
		if (!s->base) {
			ret = p_err(ctx, "snapshot %" PRId64 ": vmlinux BTF is invalid: %s",
				    v->snap_id, strerror(errno));
			goto out;
		}
		s->btf = btf_new_split(data.data, data.len, s->base);
	} else {
		s->btf = btf__new(data.data, data.len);
	}
	if (!s->btf) {
		ret = p_err(ctx, "snapshot %" PRId64 ": BTF id %u is invalid: %s", v->snap_id, id,
			    strerror(errno));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	buf_free(&data);
	buf_free(&base);
	return ret;
}

static int parse_u32(struct ctx *ctx, const char *s, __u32 *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 0);
	if (!*s || *end || errno || n > UINT32_MAX || *s == '-')
		return p_err(ctx, "can't parse %s as ID", s);
	*v = n;
	return 0;
}

static int load_by_id(struct ctx *ctx, __u32 id, struct btf_src *s)
{
	struct view v;
	int ret;

	if (!ctx->snap_ref)
		return load_live_id(ctx, id, s);
	if (view_open(ctx, SNAP_BTF_DATA, &v))
		return -1;
	ret = load_stored_id(ctx, &v, id, s);
	view_close(&v);
	return ret;
}

/* One row's integer columns for the single object a PROG/MAP argument names. */
static int object_btf(struct ctx *ctx, struct view *v, const char *sql, uint32_t obj_id,
		      const char *what, int64_t *cols, int ncols)
{
	sqlite3_stmt *st;
	struct err e = { 0 };
	int i;

	if (db_prepare(&v->db, sql, &st, &e))
		return p_err_e(ctx, &e);
	sqlite3_bind_int64(st, 1, v->snap_id);
	sqlite3_bind_int64(st, 2, obj_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return p_err(ctx, "%s %u vanished", what, obj_id);
	}
	for (i = 0; i < ncols; i++)
		cols[i] = sqlite3_column_int64(st, i);
	sqlite3_finalize(st);
	return 0;
}

/* prog PROG | map MAP [key|value|kv|all]: the object's BTF id from the view (a live
 * one walks the kernel; pins included for 'pinned'), then that BTF from the same
 * place: the kernel, or the snapshot's stored data. */
static int load_object(struct ctx *ctx, bool is_prog, int *argcp, char ***argvp,
		       struct btf_src *s)
{
	const char *what = is_prog ? "prog" : "map";
	uint32_t *ids = NULL;
	size_t n = 0;
	int64_t cols[3] = { 0 };
	struct view v;
	int ret = -1;

	if (view_open(ctx, SNAP_PINS, &v))
		return -1;
	if ((is_prog ? prog_select : map_select)(ctx, &v, argcp, argvp, &ids, &n))
		goto out;
	if (n != 1) {
		ret = p_err(ctx, "several %ss match this handle (%zu); use 'id'", what, n);
		goto out;
	}
	if (object_btf(ctx, &v, is_prog ?
		       "SELECT btf_id FROM progs WHERE snapshot_id = ?1 AND id = ?2" :
		       "SELECT btf_id, btf_key_type_id, btf_value_type_id FROM maps "
		       "WHERE snapshot_id = ?1 AND id = ?2", ids[0], what, cols, is_prog ? 1 : 3))
		goto out;
	if (!cols[0] || cols[0] > UINT32_MAX) {
		ret = p_err(ctx, "%s %u has no BTF", what, ids[0]);
		goto out;
	}
	if (!is_prog) {
		/* bpftool's default is kv: the key and value types only */
		static const char *const parts[] = { "key", "value", "kv", "all" };
		int part = *argcp > 0 ? keyword_find(**argvp, parts, ARRAY_SIZE(parts)) : -1;
		bool key = part != 1 && part != 3, value = part != 0 && part != 3;

		if (part >= 0)	/* else "format ...": the caller's */
			NEXT_ARGV(argcp, argvp, 1);
		if (key)
			s->roots[s->nr_roots++] = (__u32)cols[1];
		if (value)
			s->roots[s->nr_roots++] = (__u32)cols[2];
	}
	ret = v.live ? load_live_id(ctx, (__u32)cols[0], s) :
		       load_stored_id(ctx, &v, (__u32)cols[0], s);
out:
	free(ids);
	view_close(&v);
	return ret;
}

static int do_btf_dump_help(struct ctx *ctx)
{
	(void)ctx;
	fputs(GRAMMAR_BTF_DUMP, stderr);
	return 0;
}

int do_btf_dump(struct ctx *ctx, int argc, char **argv)
{
	struct btf_src s = { 0 };
	bool as_c = false;
	const char *what, *arg;
	int ret = -1;

	if (argc < 1 || keyword_is(*argv, "help"))
		return do_btf_dump_help(ctx);
	REQ_ARGS(2);
	what = GET_ARG();
	if (keyword_is(what, "prog") || keyword_is(what, "map")) {
		/* resolved now: PROG/MAP take two words, a map a key/value/kv/all too */
		if (load_object(ctx, keyword_is(what, "prog"), &argc, &argv, &s))
			goto out;
		arg = NULL;
	} else if (keyword_is(what, "file") || keyword_is(what, "id")) {
		arg = GET_ARG();
	} else {
		return p_err(ctx, "unrecognized BTF source specifier: '%s' (expected id, prog, "
			     "map or file)", what);
	}
	while (argc > 0) {
		if (keyword_is(*argv, "format")) {
			NEXT_ARG();
			if (argc < 1) {
				ret = p_err(ctx, "expecting value for 'format' option");
				goto out;
			}
			if (!strcmp(*argv, "c")) {
				as_c = true;
			} else if (!strcmp(*argv, "raw")) {
				as_c = false;
			} else {
				ret = p_err(ctx, "unrecognized format specifier: '%s', possible "
					    "values: raw, c", *argv);
				goto out;
			}
			NEXT_ARG();
		} else {
			ret = p_err(ctx, "unrecognized option: '%s'", *argv);
			goto out;
		}
	}
	if (as_c && out_json(&ctx->out)) {
		ret = p_err(ctx, "JSON output for C-syntax dump is not supported");
		goto out;
	}

	if (s.btf) {
		/* prog/map: loaded above */
	} else if (keyword_is(what, "file")) {
		if (load_file(ctx, arg, &s))
			goto out;
	} else {
		__u32 id = 0;

		if (parse_u32(ctx, arg, &id) || load_by_id(ctx, id, &s))
			goto out;
	}
	if (as_c) {
		ret = dump_c(ctx, &s);
	} else {
		dump_raw(ctx, &s);
		ret = 0;
	}
out:
	btf_src_free(&s);
	return ret;
}
