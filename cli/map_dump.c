/* map dump, and the entry printers map lookup shares: upstream bpftool's layout, plain and
 * JSON, from the contents blob a live view or a stored snapshot holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "analyze/map_contents.h"
#include "cli/map_print.h"
#include "lib/bpf_names.h"
#include "capture/snapshot.h"
#include "store/read_map.h"

static bool map_of_maps(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static void hex_plain(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%02x", i ? " " : "", p[i]);
}

/* bpftool's print_entry_plain */
static void entry_plain(FILE *f, const struct map_fmt *mf, const uint8_t *key, const uint8_t *val)
{
	uint32_t ks = mf->key_size, vs = mf->value_size, step = (vs + 7) & ~7u;
	bool break_names = ks > 16 || vs > 16, single_line = ks + vs <= 24 && !break_names;

	if (mf->nr_cpus) {
		if (ks) {
			fprintf(f, "key:\n");
			hex_plain(f, key, ks);
			fprintf(f, "\n");
		}
		for (uint32_t c = 0; vs && c < mf->nr_cpus; c++) {
			fprintf(f, "value (CPU %02u):%c", c, vs > 16 ? '\n' : ' ');
			hex_plain(f, val + (size_t)c * step, vs);
			fprintf(f, "\n");
		}
		return;
	}
	if (ks) {
		fprintf(f, "key:%c", break_names ? '\n' : ' ');
		hex_plain(f, key, ks);
		fprintf(f, single_line ? "  " : "\n");
	}
	if (vs && map_of_maps(mf->type) && vs >= 4) {
		uint32_t inner;

		memcpy(&inner, val, 4);
		fprintf(f, "inner_map_id:%c%u ", break_names ? '\n' : ' ', inner);
	} else if (vs) {
		fprintf(f, "value:%c", break_names ? '\n' : ' ');
		hex_plain(f, val, vs);
	}
	fprintf(f, "\n");
}

/* bpftool's do_dump_btf: {"key": .., "value": ..} or per CPU "values"; what a type could
 * not show ends the entry where bpftool's ends it. */
static void entry_btf(struct jw *w, const struct map_fmt *mf, const uint8_t *key,
		      const uint8_t *val, bool plain)
{
	uint32_t step = (mf->value_size + 7) & ~7u;
	int depth = w->depth;

	jw_start_object(w);
	if (map_btf_has_key(mf->mb)) {
		jw_name(w, "key");
		if (map_btf_write_key(mf->mb, w, key, mf->key_size, plain))
			goto out;
	}
	if (!mf->nr_cpus) {
		jw_name(w, "value");
		map_btf_write_value(mf->mb, w, val, mf->value_size, plain);
		goto out;
	}
	jw_name(w, "values");
	jw_start_array(w);
	for (uint32_t c = 0; c < mf->nr_cpus; c++) {
		int err;

		jw_start_object(w);
		jw_name(w, "cpu");
		jw_int(w, c);
		jw_name(w, "value");
		err = map_btf_write_value(mf->mb, w, val + (size_t)c * step, mf->value_size, plain);
		jw_end_object(w);
		if (err)
			break;
	}
out:
	jw_end_to(w, depth);
}

/* bpftool's print_entry_json */
static void entry_json(struct out *o, const struct map_fmt *mf, const uint8_t *key,
		       const uint8_t *val)
{
	uint32_t step = (mf->value_size + 7) & ~7u;

	out_obj_start(o, NULL);
	out_bytes(o, "key", key, mf->key_size);
	if (!mf->nr_cpus) {
		out_bytes(o, "value", val, mf->value_size);
		if (map_of_maps(mf->type) && mf->value_size >= 4) {
			uint32_t inner;

			memcpy(&inner, val, 4);
			out_uint(o, "inner_map_id", NULL, inner);
		}
	} else {
		out_arr_start(o, "values");
		for (uint32_t c = 0; c < mf->nr_cpus; c++) {
			out_obj_start(o, NULL);
			out_int(o, "cpu", NULL, c);
			out_bytes(o, "value", val + (size_t)c * step, mf->value_size);
			out_obj_end(o);
		}
		out_arr_end(o);
	}
	if (mf->mb) {
		jw_name(&o->jw, "formatted");
		entry_btf(&o->jw, mf, key, val, false);
	}
	out_obj_end(o);
}

void map_entry_print(struct out *o, struct jw *bw, const struct map_fmt *mf, const uint8_t *key,
		     const uint8_t *val)
{
	if (out_json(o))
		entry_json(o, mf, key, val);
	else if (bw && mf->mb)
		entry_btf(bw, mf, key, val, true);
	else
		entry_plain(o->f, mf, key, val);
}

void map_entry_error(struct out *o, const struct map_fmt *mf, const uint8_t *key, int err)
{
	const char *msg = strerror(err);
	size_t ml;
	bool break_names, single_line;

	if (out_json(o)) {
		out_obj_start(o, NULL);
		out_bytes(o, "key", key, mf->key_size);
		out_obj_start(o, "value");
		out_str(o, "error", NULL, msg);
		out_obj_end(o);
		out_obj_end(o);
		return;
	}
	if (err == ENOENT)
		msg = "<no entry>";
	else if (err == ENOSPC && mf->type == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY)
		msg = "<cannot read>";
	ml = strlen(msg);
	break_names = mf->key_size > 16 || ml > 16;
	single_line = mf->key_size + ml <= 24 && !break_names;
	fprintf(o->f, "key:%c", break_names ? '\n' : ' ');
	hex_plain(o->f, key, mf->key_size);
	fprintf(o->f, single_line ? "  " : "\n");
	fprintf(o->f, "value:%c%s\n", break_names ? '\n' : ' ', msg);
}

/* What the dump needs of a map's row: its header fields and whether it has BTF. */
struct dump_map {
	uint32_t id, type, btf_id;
	uint64_t flags;
	char name[64];
};

static int keep_row(const struct map_row *r, void *arg)
{
	struct dump_map *dm = arg;

	dm->id = r->id;
	dm->type = r->type;
	dm->btf_id = r->btf_id;
	dm->flags = r->flags;
	snprintf(dm->name, sizeof(dm->name), "%s", r->name);
	return 0;
}

/* bpftool's show_map_header_json / _plain, before each map's entries when several match. */
static void dump_header(struct out *o, struct jw *w, const struct dump_map *dm)
{
	const char *tname = map_type_name(dm->type);

	if (!w) {
		fprintf(o->f, "%u: ", dm->id);
		if (tname)
			fprintf(o->f, "%s  ", tname);
		else
			fprintf(o->f, "type %u  ", dm->type);
		if (*dm->name)
			fprintf(o->f, "name %s  ", out_safe(dm->name, (char[256]){ 0 }, 256));
		fprintf(o->f, "flags 0x%llx\n", (unsigned long long)dm->flags);
		return;
	}
	jw_start_object(w);
	jw_name(w, "id");
	jw_uint(w, dm->id);
	jw_name(w, "type");
	if (tname)
		jw_string(w, tname);
	else
		jw_uint(w, dm->type);
	if (*dm->name) {
		jw_name(w, "name");
		jw_string(w, dm->name);
	}
	jw_name(w, "flags");
	jw_uint(w, dm->flags);
	jw_name(w, "elements");
}

/* The entries of a blob (a whole map's, or one chunk's: its first entry the map's base-th),
 * failed lookups in their walk order: errs holds them (the last chunk's trailer counts its
 * positions over the whole map), *ei the next to print; last: the map's last entries, after
 * which what is left of them goes. Returns how many entries printed. */
static uint64_t dump_entries(struct out *o, struct jw *w, const struct map_fmt *mf,
			     const struct map_contents *mc, uint64_t base,
			     const struct map_contents *errs, uint32_t *ei, bool last)
{
	uint64_t printed = 0;

	for (uint64_t i = 0; i <= mc->count; i++) {
		for (; *ei < errs->nr_errs; (*ei)++) {
			struct map_contents_err me = map_contents_error(errs, *ei);

			if (me.pos > base + i)
				break;
			map_entry_error(o, mf, me.key, me.err ? (int)me.err : EIO);
		}
		if (i == mc->count || (!(i & 4095) && out_failed(o)))
			break;
		map_entry_print(o, w, mf, map_contents_key(mc, i), map_contents_value(mc, i));
		printed++;
	}
	for (; last && *ei < errs->nr_errs; (*ei)++)	/* a hostile position past the end */
		map_entry_error(o, mf, map_contents_error(errs, *ei).key, EIO);
	return printed;
}

/* A map stored in chunks, a chunk at a time: the last first, for the walk's errors (and
 * kept: it is printed last), then the others in order. *end: the last chunk's parse. */
static int dump_chunks(struct view *v, struct out *o, struct jw *w, const struct map_fmt *mf,
		       const struct map_data *md, uint64_t *printed, uint32_t *end_errno,
		       struct err *e)
{
	const struct map_chunk_list *l = &md->chunks;
	uint32_t last = l->nr_chunks - 1, ei = 0;
	struct buf lb = { 0 }, cb = { 0 };
	struct map_contents lmc, mc;
	uint64_t base = 0;
	int err;

	err = map_contents_chunk(&v->db, l, last, &lb, e) ?:
	      map_contents_parse(lb.data, lb.len, &lmc, e);
	for (uint32_t i = 0; !err && i <= last && !out_failed(o); i++) {
		if (i < last)
			err = map_contents_chunk(&v->db, l, i, &cb, e) ?:
			      map_contents_parse(cb.data, cb.len, &mc, e);
		if (err)
			break;
		*printed += dump_entries(o, w, mf, i < last ? &mc : &lmc, base, &lmc, &ei, i == last);
		base += i < last ? mc.count : lmc.count;
	}
	if (!err)
		*end_errno = lmc.end_errno;
	buf_free(&lb);
	buf_free(&cb);
	return err;
}

/* One map, as bpftool's map_dump. *end_errno: the errno its walk ended on (bpftool's exit
 * status), 0 when it ended normally. */
static int dump_one(struct ctx *ctx, struct view *v, struct jw *w, const struct dump_map *dm,
		    bool header, int *end_errno)
{
	struct out *o = &ctx->out;
	struct map_data md = { 0 };
	struct map_contents mc;
	struct map_fmt mf = { 0 };
	struct map_btf *mb = NULL;
	struct err e = { 0 };
	uint64_t n;
	int err;

	err = map_data_read_chunked(&v->db, v->snap_id, dm->id, &md, &e);
	if (err) {
		err = err == -ENOENT ? p_err(ctx, "no map with id %u", dm->id) : p_err_e(ctx, &e);
		goto out;
	}
	if (!md.contents.len) {
		err = p_err(ctx, "no contents for map %u: %s", dm->id, md.has_error ?
			    md.contents_error : "the snapshot was taken without maps-data");
		goto out;
	}
	/* (a chunk list is parsed as the sizes it shares with every chunk) */
	if (md.chunks.nr_chunks)
		mc = (struct map_contents){ .key_size = md.chunks.key_size,
					    .value_size = md.chunks.value_size,
					    .nr_cpus = md.chunks.nr_cpus };
	else if (map_contents_parse(md.contents.data, md.contents.len, &mc, &e)) {
		err = p_err_e(ctx, &e);
		goto out;
	}
	/* bpftool formats a struct_ops map's value with the kernel's type */
	if (md.vmlinux_value_type)
		mb = map_btf_wrap(view_vmlinux(v), 0, md.vmlinux_value_type);
	else
		mb = map_btf_open(md.btf.data, md.btf.len, md.key_type, md.value_type);
	mf = (struct map_fmt){ .type = dm->type, .key_size = mc.key_size,
			       .value_size = mc.value_size, .nr_cpus = mc.nr_cpus, .mb = mb };
	if (w && header) {
		dump_header(o, w, dm);
	} else if (header) {
		dump_header(o, NULL, dm);
	}
	if (w)
		jw_start_array(w);
	if (md.chunks.nr_chunks) {
		n = 0;
		err = (md.chunks.nr_chunks > 1 ? db_unmap(&v->db, &e) : 0) ?:
		      dump_chunks(v, o, w, &mf, &md, &n, &mc.end_errno, &e);
		if (err) {
			err = p_err_e(ctx, &e);
			goto out;
		}
	} else {
		uint32_t ei = 0;

		n = dump_entries(o, w, &mf, &mc, 0, &mc, &ei, true);
	}
	if (w) {
		jw_end_array(w);
		if (header)
			jw_end_object(w);
	} else {
		fprintf(o->f, "Found %llu element%s\n", (unsigned long long)n, n != 1 ? "s" : "");
	}
	*end_errno = (int)mc.end_errno;
out:
	map_btf_close(mb);
	map_data_free(&md);
	return err;
}

/* The maps' rows; with every one of them carrying BTF, plain output is bpftool's JSON. */
static int dump_rows(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n,
		     struct dump_map *dms, bool *all_btf)
{
	struct err e = { 0 };

	*all_btf = n > 0;
	for (size_t i = 0; i < n; i++) {
		if (map_rows(&v->db, v->snap_id, ids[i], keep_row, &dms[i], &e))
			return p_err_e(ctx, &e);
		if (dms[i].id != ids[i])
			return p_err(ctx, "no map with id %u", ids[i]);
		if (!dms[i].btf_id)
			*all_btf = false;
	}
	return 0;
}

static int dump_maps(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n)
{
	struct dump_map *dms = calloc(n + 1, sizeof(*dms));
	struct out bo;
	struct jw *w = NULL;
	bool all_btf;
	int err, end = 0;

	if (!dms)
		return p_err(ctx, "out of memory");
	err = dump_rows(ctx, v, ids, n, dms, &all_btf);
	if (err)
		goto out;
	if (out_json(&ctx->out)) {
		w = &ctx->out.jw;
	} else if (all_btf) {
		out_init_bpftool_json(&bo, ctx->out.f);
		w = &bo.jw;
	}
	if (w && n > 1)
		jw_start_array(w);
	for (size_t i = 0; i < n && !err && !end; i++) {
		err = dump_one(ctx, v, w, &dms[i], n > 1, &end);
		if (!w && i != n - 1)
			fprintf(ctx->out.f, "\n");
	}
	if (w && n > 1)
		jw_end_array(w);
	if (w && !out_json(&ctx->out))
		fprintf(ctx->out.f, "\n");
	if (!err && end) {
		/* bpftool returns get_next_key's -errno, silently: its exit status */
		ctx->err_status = (-end) & 0xff;
		err = -1;
	}
out:
	free(dms);
	return err;
}

int do_map_dump(struct ctx *ctx, int argc, char **argv)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	struct view v;
	int err;

	if (argc < 2)
		return p_err(ctx, "expected MAP: " HELP_SPEC_MAP);
	if (view_open(ctx, SNAP_NO_PROGS | SNAP_NO_BTF | (!strcmp(argv[0], "pinned") ? SNAP_PINS : 0), &v))
		return -1;
	err = map_select(ctx, &v, &argc, &argv, &ids, &n);
	if (!err && argc > 0)
		err = p_err(ctx, "unexpected argument '%s'", argv[0]);
	if (!err)
		err = view_fill_maps(ctx, &v, ids, n);
	if (!err)
		err = dump_maps(ctx, &v, ids, n);
	free(ids);
	view_close(&v);
	return err;
}
