/* btf dump: a BTF object (a file, a live or stored BTF id, a program's or a map's BTF)
 * as bpftool's raw listing (plain or JSON) or as a C header through libbpf's btf_dump. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/btf_raw.h"
#include "capture/btf_live.h"
#include "cli/cli.h"
#include "capture/snapshot.h"
#include "store/read_btf_data.h"

/* The header through libbpf's btf_dump, to the output stream. */
static int dump_c(struct ctx *ctx, const struct btf_src *s)
{
	struct err e = { 0 };

	if (btf_c_dump(ctx->out.f ? ctx->out.f : stdout, s, &e))
		return p_err_e(ctx, &e);
	return 0;
}

static int load_live_id(struct ctx *ctx, uint32_t id, struct btf_src *s)
{
	struct err e = { 0 };

	return btf_src_from_kernel(s, id, &e) ? p_err_e(ctx, &e) : 0;
}

/* Stored: the btf row's data blob; a module's base is the same snapshot's vmlinux
 * (never this machine's: the snapshot may come from another kernel). */
static int load_stored_id(struct ctx *ctx, struct view *v, uint32_t id, struct btf_src *s)
{
	struct btf_data_row r;
	struct buf base = { 0 };
	struct err e = { 0 };
	int err, ret = -1;

	if (btf_data_read(&v->db, v->snap_id, id, &r, &e))
		return p_err_e(ctx, &e);
	if (!r.data.len) {
		ret = p_err(ctx, "snapshot %" PRId64 " has no data for BTF id %u (taken without "
			    "BTF data?)", v->snap_id, id);
		goto out;
	}
	if (r.kernel && strcmp(r.name, "vmlinux")) {
		err = btf_vmlinux_read(&v->db, v->snap_id, &base, &e);
		if (err == -ENOENT) {
			ret = p_err(ctx, "module BTF '%s' (id %u) needs vmlinux BTF as base, and "
				    "snapshot %" PRId64 " has none", r.name, id, v->snap_id);
			goto out;
		}
		if (err) {
			ret = p_err_e(ctx, &e);
			goto out;
		}
		err = btf_src_set_base(s, base.data, base.len);
		if (err) {
			ret = p_err(ctx, "snapshot %" PRId64 ": vmlinux BTF is invalid: %s",
				    v->snap_id, strerror(-err));
			goto out;
		}
	}
	err = btf_src_set_btf(s, r.data.data, r.data.len);
	if (err) {
		ret = p_err(ctx, "snapshot %" PRId64 ": BTF id %u is invalid: %s", v->snap_id, id,
			    strerror(-err));
		goto out;
	}
	ret = 0;
out:
	btf_data_free(&r);
	buf_free(&base);
	return ret;
}

static int parse_u32(struct ctx *ctx, const char *s, uint32_t *v)
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

static int load_by_id(struct ctx *ctx, uint32_t id, struct btf_src *s)
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

/* The BTF ids of the single object a PROG/MAP argument names. */
static int object_btf(struct ctx *ctx, struct view *v, bool is_prog, uint32_t obj_id,
		      int64_t cols[3])
{
	struct err e = { 0 };
	int err;

	err = is_prog ? prog_btf_id_read(&v->db, v->snap_id, obj_id, cols, &e) :
			map_btf_ids_read(&v->db, v->snap_id, obj_id, cols, &e);
	if (err == -ENOENT && !e.msg[0])
		return p_err(ctx, "%s %u vanished", is_prog ? "prog" : "map", obj_id);
	return err ? p_err_e(ctx, &e) : 0;
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
	if (object_btf(ctx, &v, is_prog, ids[0], cols))
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
			s->roots[s->nr_roots++] = (uint32_t)cols[1];
		if (value)
			s->roots[s->nr_roots++] = (uint32_t)cols[2];
	}
	ret = v.live ? load_live_id(ctx, (uint32_t)cols[0], s) :
		       load_stored_id(ctx, &v, (uint32_t)cols[0], s);
out:
	free(ids);
	view_close(&v);
	return ret;
}

/* root_id ID: the types to dump instead of all (bpftool's checks and words); argv at it */
static int parse_root_id(struct ctx *ctx, int *argcp, char ***argvp, struct btf_src *s,
			 bool had_roots)
{
	char *end;
	unsigned long id;

	if (had_roots)
		return p_err(ctx, "cannot use root_id with other type filtering");
	if (s->nr_roots == BTF_SRC_MAX_ROOTS)
		return p_err(ctx, "only %d root_id are supported", BTF_SRC_MAX_ROOTS);
	NEXT_ARGV(argcp, argvp, 1);
	if (*argcp < 1)
		return p_err(ctx, "expected 1 more argument(s) after 'root_id'");
	errno = 0;
	id = strtoul(**argvp, &end, 0);
	if (*end || errno || id > UINT32_MAX)
		return p_err(ctx, "can't parse %s as root ID", **argvp);
	for (int i = 0; i < s->nr_roots; i++)
		if (s->roots[i] == id)
			return p_err(ctx, "duplicate root_id %lu supplied", id);
	s->roots[s->nr_roots++] = (uint32_t)id;
	NEXT_ARGV(argcp, argvp, 1);
	return 0;
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
	bool as_c = false, had_roots;
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
	had_roots = s.nr_roots > 0;
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
		} else if (is_prefix(*argv, "root_id")) {
			if (parse_root_id(ctx, &argc, &argv, &s, had_roots))
				goto out;
		} else if (is_prefix(*argv, "unsorted")) {
			s.unsorted = true;
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
		struct err e = { 0 };

		if (btf_src_from_file(&s, arg, &e)) {
			ret = p_err_e(ctx, &e);
			goto out;
		}
	} else {
		uint32_t id = 0;

		if (parse_u32(ctx, arg, &id) || load_by_id(ctx, id, &s))
			goto out;
	}
	if (as_c) {
		ret = dump_c(ctx, &s);
	} else {
		btf_raw_dump(&ctx->out, &s);
		ret = 0;
	}
out:
	btf_src_free(&s);
	return ret;
}
