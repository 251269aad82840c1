/* diff's details: with code, a unified diff of a changed program's xlated code (source
 * lines interleaved, map references by name, not by id); with contents, the keys of a map
 * added, removed and changed (BTF-formatted where the map has BTF, else hex). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "analyze/dump.h"
#include "analyze/ksyms.h"
#include "analyze/map_btf.h"
#include "analyze/map_contents.h"
#include "analyze/prog_code.h"
#include "analyze/seq_diff.h"
#include "analyze/xlated.h"
#include "cli/code_load.h"
#include "cli/diff_print.h"
#include "store/read_map.h"

int strlist_push(struct strlist *l, char *s)
{
	if (!s)
		return -ENOMEM;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (!p) {
			free(s);
			return -ENOMEM;
		}
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* An instruction's text with "map[id:N]" as "map[NAME]": ids differ between snapshots */
static char *insn_by_name(const char *text, const struct snap_objs *s)
{
	const char *at = strstr(text, "map[id:");
	char *end;
	unsigned long id;
	long m;

	if (!at)
		return strdup(text);
	id = strtoul(at + 7, &end, 10);
	if (*end != ']' || (m = snap_objs_map(s, id)) < 0)
		return strdup(text);
	return str_fmt("%.*smap[%s]%s", (int)(at - text), text, s->maps[m].name, end + 1);
}

struct ksyms *diff_side_ksyms(struct diff_side *s)
{
	struct err e = { 0 };

	if (!s->ksyms) {
		s->ksyms = calloc(1, sizeof(*s->ksyms));
		if (s->ksyms && code_load_ksyms(s->db, s->snap_id, s->ksyms, &e))
			ksyms_free(s->ksyms);	/* unnamed helpers: the rest still holds */
	}
	return s->ksyms;
}

/* The program's xlated code as lines to compare */
static int code_lines(struct diff_side *s, uint32_t prog_id, struct strlist *out,
		      struct err *e)
{
	struct prog_code pc;
	struct dump d = { 0 };
	int err;

	/* helper calls are named through the boot's kernel symbols: loaded once per side */
	if (!diff_side_ksyms(s))
		return err_set(e, ENOMEM, "out of memory");
	err = code_load(s->db, s->snap_id, prog_id, PROG_CODE_XLATED, &pc, e);
	if (err)
		return err;
	prog_code_use_ksyms(&pc, s->ksyms);
	err = xlated_dump(&pc, 0, &d, e);
	for (size_t i = 0; !err && i < d.n; i++) {
		const struct dump_line *l = &d.lines[i];

		if (l->kind == DL_FUNC)
			err = strlist_push(out, str_fmt("%s:", l->text));
		else if (l->kind == DL_SRC)
			err = strlist_push(out, str_fmt("; %s", l->text));
		else if (l->kind == DL_INSN)
			err = strlist_push(out, insn_by_name(l->text, &s->objs));
		if (err)
			err = err_set(e, ENOMEM, "out of memory comparing code");
	}
	dump_free(&d);
	prog_code_free(&pc);
	return err;
}

struct hunk_out {
	const struct seq_edit *ed;
	const struct strlist *a, *b;
	struct strlist *out;
};

static int hunk_lines(void *arg, size_t from, size_t to, size_t a_start, size_t a_len,
		      size_t b_start, size_t b_len)
{
	struct hunk_out *h = arg;
	int err = strlist_push(h->out, str_fmt("@@ -%zu,%zu +%zu,%zu @@", a_start + 1, a_len,
					   b_start + 1, b_len));

	for (size_t k = from; !err && k < to; k++) {
		const struct seq_edit *x = &h->ed[k];

		if (x->op == SEQ_INS)
			err = strlist_push(h->out, str_fmt("+%s", h->b->v[x->b]));
		else
			err = strlist_push(h->out, str_fmt("%c%s", x->op == SEQ_DEL ? '-' : ' ',
							h->a->v[x->a]));
	}
	return err;
}

int diff_code_edits(struct diff_side *a, struct diff_side *b, const struct diff_change *c,
		    struct strlist *la, struct strlist *lb, struct seq_edit **ed, size_t *n,
		    struct err *e)
{
	int err;

	*ed = NULL;
	*n = 0;
	if (c->kind != DK_PROG || c->op != DIFF_CHANGED)
		return 0;
	if (!a->objs.have_code || !b->objs.have_code)
		return err_set(e, ENOENT, "code: a snapshot without code (taken with no-code)");
	err = code_lines(a, a->objs.progs[c->a].id, la, e);
	if (!err)
		err = code_lines(b, b->objs.progs[c->b].id, lb, e);
	if (!err)
		err = text_diff((const char *const *)la->v, la->n, (const char *const *)lb->v, lb->n,
				ed, n, e);
	return err;
}

int diff_code_lines(struct diff_side *a, struct diff_side *b,
		    const struct diff_change *c, struct strlist *out, struct err *e)
{
	struct strlist la = { 0 }, lb = { 0 };
	struct seq_edit *ed = NULL;
	size_t n = 0;
	int err = diff_code_edits(a, b, c, &la, &lb, &ed, &n, e);

	if (!err && ed) {
		struct hunk_out h = { ed, &la, &lb, out };

		err = text_diff_hunks(ed, n, 3, hunk_lines, &h);
		if (err)
			err = err_set(e, ENOMEM, "out of memory comparing code");
	}
	free(ed);
	strlist_free(&la);
	strlist_free(&lb);
	return err;
}

/* bytes as bpftool's plain hex ("0a 00 00 00"), at most 64 of them */
static char *hex_text(const uint8_t *p, size_t n)
{
	size_t shown = n > 64 ? 64 : n;
	char *s = malloc(shown * 3 + 8);

	if (!s)
		return NULL;
	for (size_t i = 0; i < shown; i++)
		sprintf(s + 3 * i, "%02x%s", p[i], i + 1 < shown ? " " : "");
	if (!shown)
		s[0] = 0;
	if (shown < n)
		strcat(s, " ...");
	return s;
}

static char *key_text(const struct map_btf *mb, const struct map_contents *mc, uint64_t i)
{
	char *s = mb ? map_btf_key(mb, map_contents_key(mc, i), mc->key_size, true) : NULL;

	return s ? s : hex_text(map_contents_key(mc, i), mc->key_size);
}

static char *value_text(const struct map_btf *mb, const struct map_contents *mc, uint64_t i)
{
	char *s = NULL;

	if (mb && !mc->nr_cpus)
		s = map_btf_value(mb, map_contents_value(mc, i), mc->value_size, true);
	return s ? s : hex_text(map_contents_value(mc, i), mc->nr_cpus ? mc->value_stride :
				mc->value_size);
}

struct contents_side {
	struct map_data md;
	struct map_contents mc;
	struct map_btf *mb;
};

/* Map id's stored contents, parsed, and its BTF. chunked: contents stored in chunks stay a
 * list (cs->md.chunks, nothing parsed), to be read a chunk at a time. */
static int contents_open(struct db *db, int64_t snap, uint32_t id, struct contents_side *cs,
			 bool chunked, struct err *e)
{
	int err = chunked ? map_data_read_chunked(db, snap, id, &cs->md, e) :
			    map_data_read(db, snap, id, &cs->md, e);

	if (!err && !cs->md.contents.len)
		err = -ENOENT;
	if (!err && !cs->md.chunks.nr_chunks)
		err = map_contents_parse(cs->md.contents.data, cs->md.contents.len, &cs->mc, e);
	if (!err)
		cs->mb = map_btf_open(cs->md.btf.data, cs->md.btf.len, cs->md.key_type,
				      cs->md.value_type);
	return err;
}

static char *entry_line(const struct seq_edit *x, const struct contents_side *a,
			const struct contents_side *b)
{
	char *k, *v1 = NULL, *v2 = NULL, *line = NULL;

	if (x->op == SEQ_DEL) {
		k = key_text(a->mb, &a->mc, x->a);
		v1 = value_text(a->mb, &a->mc, x->a);
		if (k && v1)
			line = str_fmt("- key %s  value %s", k, v1);
	} else if (x->op == SEQ_INS) {
		k = key_text(b->mb, &b->mc, x->b);
		v2 = value_text(b->mb, &b->mc, x->b);
		if (k && v2)
			line = str_fmt("+ key %s  value %s", k, v2);
	} else {
		k = key_text(b->mb, &b->mc, x->b);
		v1 = value_text(a->mb, &a->mc, x->a);
		v2 = value_text(b->mb, &b->mc, x->b);
		if (k && v1 && v2)
			line = str_fmt("~ key %s  value %s -> %s", k, v1, v2);
	}
	free(k);
	free(v1);
	free(v2);
	return line;
}

int diff_contents_lines(struct diff_side *a, struct diff_side *b,
			const struct diff_change *c, size_t max, struct strlist *out,
			struct err *e)
{
	struct contents_side ca = { 0 }, cb = { 0 };
	struct seq_edit *ed = NULL;
	size_t n = 0;
	int err;

	if (c->kind != DK_MAP || c->op != DIFF_CHANGED)
		return 0;
	err = contents_open(a->db, a->snap_id, a->objs.maps[c->a].id, &ca, false, e);
	if (!err)
		err = contents_open(b->db, b->snap_id, b->objs.maps[c->b].id, &cb, false, e);
	if (!err)
		err = contents_diff(&ca.mc, &cb.mc, &ed, &n, e);
	for (size_t i = 0; !err && i < n && i < max; i++)
		if (strlist_push(out, entry_line(&ed[i], &ca, &cb)))
			err = err_set(e, ENOMEM, "out of memory comparing map contents");
	if (!err && n > max && strlist_push(out, str_fmt("... %zu more", n - max)))
		err = err_set(e, ENOMEM, "out of memory comparing map contents");
	if (err == -ENOENT)
		err = 0;	/* one side has no contents: nothing to list */
	free(ed);
	map_btf_close(ca.mb);
	map_btf_close(cb.mb);
	map_data_free(&ca.md);
	map_data_free(&cb.md);
	return err;
}

/* The entries of cs->mc as text, up to max in all. */
static int entries_push(struct contents_side *cs, size_t max, struct strlist *keys,
			struct strlist *vals, struct err *e)
{
	for (uint64_t i = 0; i < cs->mc.count && keys->n < max; i++)
		if (strlist_push(keys, key_text(cs->mb, &cs->mc, i)) ||
		    strlist_push(vals, value_text(cs->mb, &cs->mc, i)))
			return err_set(e, ENOMEM, "out of memory reading map contents");
	return 0;
}

/* The first entries of a map: contents stored in chunks are read a chunk at a time, as far
 * as max entries take (a report's few lines of a 10,000,000-entry map read its first chunk). */
int map_entries_text(struct db *db, int64_t snap, uint32_t id, size_t max, struct strlist *keys,
		     struct strlist *vals, uint64_t *count, struct err *e)
{
	struct contents_side cs = { 0 };
	struct buf chunk = { 0 };
	int err = contents_open(db, snap, id, &cs, true, e);

	*count = 0;
	if (!err && !cs.md.chunks.nr_chunks) {
		err = entries_push(&cs, max, keys, vals, e);
		*count = err ? 0 : cs.mc.count;
	} else if (!err) {
		*count = cs.md.chunks.count;
		for (uint32_t ci = 0; !err && ci < cs.md.chunks.nr_chunks && keys->n < max; ci++) {
			chunk.len = 0;
			err = map_contents_chunk(db, &cs.md.chunks, ci, &chunk, e) ?:
			      map_contents_parse(chunk.data, chunk.len, &cs.mc, e) ?:
			      entries_push(&cs, max, keys, vals, e);
		}
	}
	buf_free(&chunk);
	map_btf_close(cs.mb);
	map_data_free(&cs.md);
	return err;
}
