/* Printing a diff: one plain line per change ("+ prog xdp name  /pin  tag ..."), or the JSON
 * object docs/diff.md documents; with code, a unified diff of each changed program's xlated
 * code; with contents, the keys that changed. */
#include <inttypes.h>
#include <stdlib.h>
#include "cli/diff_print.h"
#include "store/read_snapshot.h"

static const char op_chars[] = { '-', '+', '~', '*' };

/* Field names as the plain line shows them: sizes read as bpftool prints them */
static const char *field_label(const char *f, const char **unit)
{
	*unit = "";
	if (!strcmp(f, "bytes_xlated"))
		return *unit = "B", "xlated";
	if (!strcmp(f, "bytes_jited"))
		return *unit = "B", "jited";
	return f;
}

static void print_fields_plain(struct out *o, const struct diff_change *c)
{
	char b1[512], b2[512];

	if (c->moved)
		out_plain(o, "  moved");
	for (size_t i = 0; i < c->nfields; i++) {
		const struct diff_field *f = &c->fields[i];
		const char *unit, *label = field_label(f->field, &unit);

		out_plain(o, "  %s %s%s -> %s%s", label, out_safe(f->before, b1, sizeof(b1)), unit,
			  out_safe(f->after, b2, sizeof(b2)), unit);
	}
}

/* What an added or removed object is shown with: a program its tag, a map its sizes */
static void print_facts_plain(struct out *o, const struct snap_objs *s, const struct diff_change *c,
			      long i)
{
	if (i < 0)
		return;
	if (c->kind == DK_PROG && (size_t)i < s->nprogs) {
		char b[64];

		out_plain(o, "  tag %s", out_safe(s->progs[i].tag, b, sizeof(b)));
	} else if (c->kind == DK_MAP && (size_t)i < s->nmaps) {
		const struct so_map *m = &s->maps[i];

		out_plain(o, "  key %uB  value %uB  max_entries %u", m->key_size, m->value_size,
			  m->max_entries);
	}
}

/* made and gone between the two: its id, tag and when */
static void print_transient_plain(struct out *o, const struct snap_objs *b,
				  const struct diff_change *c)
{
	const struct so_load *l;
	char when[64], t[64];

	if (c->b < 0 || (size_t)c->b >= b->nloads)
		return;
	l = &b->loads[c->b];
	fmt_time_utc_ns(l->time_ns, when, sizeof(when));
	out_plain(o, "  id %u", l->id);
	if (*l->tag)
		out_plain(o, "  tag %s", out_safe(l->tag, t, sizeof(t)));
	out_plain(o, "  at %s  gone before the snapshot", when);
}

void diff_print_line(struct ctx *ctx, const struct snap_objs *a, const struct snap_objs *b,
		     const struct diff_change *c)
{
	struct out *o = &ctx->out;
	char t[128], n[512], w[4096];

	out_plain(o, "%c %s %s %s", op_chars[c->op], diff_kind_name(c->kind),
		  out_safe(c->type, t, sizeof(t)), out_safe(c->name, n, sizeof(n)));
	if (c->where[0] && strcmp(c->where, c->name))
		out_plain(o, "  %s", out_safe(c->where, w, sizeof(w)));
	if (c->op == DIFF_CHANGED)
		print_fields_plain(o, c);
	else if (c->op == DIFF_TRANSIENT)
		print_transient_plain(o, b, c);
	else
		print_facts_plain(o, c->op == DIFF_ADDED ? b : a, c, c->op == DIFF_ADDED ? c->b : c->a);
	out_plain(o, "\n");
}

/* "a"/"b": the snapshot's id, label and time, or "live" */
static int snap_row_json(void *arg, const struct snapshot_row *r)
{
	struct out *o = arg;
	char when[64];

	if (!r)
		return 0;
	out_int(o, "id", NULL, r->id);
	if (r->label)
		out_str(o, "label", NULL, r->label);
	else
		out_null(o, "label");
	fmt_time_utc_ns(r->taken_at_ns, when, sizeof(when));
	out_str(o, "taken_at", NULL, when);
	out_str(o, "host", NULL, r->host ? r->host : "");
	return 0;
}

static int print_side_json(struct ctx *ctx, const char *key, struct diff_side *s)
{
	struct err e = { 0 };
	int err;

	if (s->live) {
		out_str(&ctx->out, key, NULL, "live");
		return 0;
	}
	out_obj_start(&ctx->out, key);
	err = snapshot_rows_read(s->db, s->snap_id, snap_row_json, &ctx->out, &e);
	out_obj_end(&ctx->out);
	return err ? p_err_e(ctx, &e) : 0;
}

/* The code and contents lines of change c, as asked for; an error leaves a warning line. */
static void detail_lines(struct ctx *ctx, const struct diff_args *da, struct diff_side *a,
			 struct diff_side *b, const struct diff_change *c, struct strlist *l)
{
	struct err e = { 0 };
	int err = 0;

	if (da->code)
		err = diff_code_lines(a, b, c, l, &e);
	if (!err && da->o.contents)
		err = diff_contents_lines(a, b, c, DIFF_CONTENTS_MAX, l, &e);
	if (err)
		p_info(ctx, "Warning: %s %s: %s", diff_kind_name(c->kind), c->name, e.msg);
}

static void print_lines_json(struct out *o, const char *key, const struct strlist *l)
{
	out_arr_start(o, key);
	for (size_t i = 0; i < l->n; i++)
		out_str(o, NULL, NULL, l->v[i]);
	out_arr_end(o);
}

static void print_change_json(struct out *o, const struct snap_objs *a, const struct snap_objs *b,
			      const struct diff_change *c, const struct strlist *details)
{
	out_obj_start(o, NULL);
	out_str(o, "kind", NULL, diff_kind_name(c->kind));
	out_str(o, "type", NULL, c->type);
	out_str(o, "name", NULL, c->name);
	out_str(o, "identity", NULL, c->identity);
	out_str(o, "where", NULL, c->where);
	if (c->op == DIFF_TRANSIENT && c->b >= 0 && (size_t)c->b < b->nloads) {
		char when[64];

		fmt_time_utc_ns(b->loads[c->b].time_ns, when, sizeof(when));
		out_uint(o, "id", NULL, b->loads[c->b].id);
		out_str(o, "tag", NULL, b->loads[c->b].tag);
		out_int(o, "pid", NULL, b->loads[c->b].pid);
		out_str(o, "comm", NULL, b->loads[c->b].comm);
		out_str(o, "at", NULL, when);
	} else if (c->kind == DK_PROG || c->kind == DK_MAP) {
		bool prog = c->kind == DK_PROG;

		if (c->a >= 0)
			out_uint(o, c->b >= 0 ? "id_a" : "id", NULL,
				 prog ? a->progs[c->a].id : a->maps[c->a].id);
		if (c->b >= 0)
			out_uint(o, c->a >= 0 ? "id_b" : "id", NULL,
				 prog ? b->progs[c->b].id : b->maps[c->b].id);
		if (prog && c->op != DIFF_CHANGED)
			out_str(o, "tag", NULL, c->a >= 0 ? a->progs[c->a].tag : b->progs[c->b].tag);
	}
	if (c->op == DIFF_CHANGED) {
		out_bool(o, "moved", NULL, c->moved);
		out_arr_start(o, "fields");
		for (size_t i = 0; i < c->nfields; i++) {
			out_obj_start(o, NULL);
			out_str(o, "field", NULL, c->fields[i].field);
			out_str(o, "before", NULL, c->fields[i].before);
			out_str(o, "after", NULL, c->fields[i].after);
			out_obj_end(o);
		}
		out_arr_end(o);
		if (details->n)
			print_lines_json(o, c->kind == DK_PROG ? "code" : "contents", details);
	}
	out_obj_end(o);
}

static void print_compared_json(struct out *o, unsigned compared)
{
	/* by SO_* bit; SO_OWNERS (6) is never compared */
	static const char *const names[] = { "progs", "maps", "links", "attachments", "pins", "btf",
					     NULL, "sockets" };

	out_arr_start(o, "compared");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i] && (compared & (1u << i)))
			out_str(o, NULL, NULL, names[i]);
	out_arr_end(o);
}

static int print_json(struct ctx *ctx, const struct diff_args *da, struct diff_side *a,
		      struct diff_side *b, const struct diff_result *r)
{
	static const char *const lists[] = { "removed", "added", "changed", "transient" };
	struct out *o = &ctx->out;

	out_obj_start(o, NULL);
	if (print_side_json(ctx, "a", a) || print_side_json(ctx, "b", b))
		return -1;
	print_compared_json(o, r->compared);
	for (int op = DIFF_REMOVED; op <= DIFF_TRANSIENT; op++) {
		out_arr_start(o, lists[op]);
		for (size_t i = 0; i < r->n; i++) {
			struct strlist l = { 0 };

			if ((int)r->v[i].op != op)
				continue;
			detail_lines(ctx, da, a, b, &r->v[i], &l);
			print_change_json(o, &a->objs, &b->objs, &r->v[i], &l);
			strlist_free(&l);
		}
		out_arr_end(o);
	}
	diff_features_print(ctx, a, b);
	out_obj_end(o);
	return 0;
}

int diff_print(struct ctx *ctx, const struct diff_args *da, struct diff_side *a,
	       struct diff_side *b, const struct diff_result *r)
{
	char line[16384];

	if (out_json(&ctx->out))
		return print_json(ctx, da, a, b, r);
	for (size_t i = 0; i < r->n; i++) {
		struct strlist l = { 0 };

		diff_print_line(ctx, &a->objs, &b->objs, &r->v[i]);
		detail_lines(ctx, da, a, b, &r->v[i], &l);
		for (size_t k = 0; k < l.n; k++)
			out_plain(&ctx->out, "    %s\n", out_safe(l.v[k], line, sizeof(line)));
		strlist_free(&l);
	}
	diff_features_print(ctx, a, b);
	return 0;
}
