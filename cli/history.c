/* prog history PROG, map history MAP: every span of one identity across the database: first
 * and last seen, each change (tag, sizes, maps; for maps their shape and contents) and the
 * gaps (gone, then back). The identity is the one diff prints (analyze/diff.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "analyze/diff.h"
#include "cli/cli.h"
#include "store/read_objs.h"
#include "store/read_snapshot.h"

struct snap_info {
	int64_t id, taken_at_ns;
	char *label;		/* NULL: none */
};

struct snap_list {
	struct snap_info *v;
	size_t n, cap;
	int err;
};

static int snap_list_row(void *arg, const struct snapshot_row *r)
{
	struct snap_list *l = arg;

	if (!r)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n] = (struct snap_info){ r->id, r->taken_at_ns, r->label ? strdup(r->label) : NULL };
	l->n++;
	return 0;
}

static void snap_list_free(struct snap_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].label);
	free(l->v);
}

/* One snapshot's state of the identity: what tells a change from the same. */
struct hist_state {
	bool present;
	unsigned instances;		/* objects of the identity in the snapshot */
	uint32_t id;			/* the first loaded one's */
	char *facts[6];			/* per kind: prog tag, xlated, jited, maps; map ... */
};

static const char *const prog_fact_names[] = { "tag", "bytes_xlated", "bytes_jited", "maps", NULL };
static const char *const map_fact_names[] = { "max_entries", "flags", "frozen", "nr_entries", "contents", NULL };

static void state_free(struct hist_state *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(s->facts); i++)
		free(s->facts[i]);
	memset(s, 0, sizeof(*s));
}

/* facts of program i / map i, in the order of *_fact_names */
static int prog_facts(const struct snap_objs *o, size_t i, struct hist_state *st)
{
	const struct so_prog *p = &o->progs[i];

	st->id = p->id;
	st->facts[0] = strdup(p->tag);
	st->facts[1] = str_fmt("%llu", (unsigned long long)p->bytes_xlated);
	st->facts[2] = str_fmt("%llu", (unsigned long long)p->bytes_jited);
	st->facts[3] = diff_prog_maps(o, i);
	for (int k = 0; k < 4; k++)
		if (!st->facts[k])
			return -ENOMEM;
	return 0;
}

static int map_facts(const struct snap_objs *o, size_t i, struct hist_state *st)
{
	const struct so_map *m = &o->maps[i];

	st->id = m->id;
	st->facts[0] = str_fmt("%u", m->max_entries);
	st->facts[1] = str_fmt("%llu", (unsigned long long)m->flags);
	st->facts[2] = str_fmt("%lld", (long long)m->frozen);
	st->facts[3] = m->nr_entries >= 0 ? str_fmt("%lld", (long long)m->nr_entries) : strdup("");
	st->facts[4] = strdup(m->contents ? m->contents : "");
	for (int k = 0; k < 5; k++)
		if (!st->facts[k])
			return -ENOMEM;
	return 0;
}

struct history {
	bool maps;			/* map history, else prog history */
	const char *identity;
	struct snap_list snaps;
	struct hist_state *states;	/* one per snapshot */
};

/* The state of the identity in one snapshot: the first loaded object of it. */
static int history_state(struct db *db, struct history *h, size_t k, struct err *e)
{
	struct snap_objs o;
	struct hist_state *st = &h->states[k];
	size_t n;
	long first = -1;
	int err = snap_objs_read(db, h->snaps.v[k].id, h->maps ? SO_MAPS : SO_PROGS, &o, e);

	if (err)
		return err;
	n = h->maps ? o.nmaps : o.nprogs;
	for (size_t i = 0; !err && i < n; i++) {
		char *id = h->maps ? diff_map_identity(&o, i) : diff_prog_identity(&o, i);

		if (!id) {
			err = err_set(e, ENOMEM, "out of memory");
			break;
		}
		if (!strcmp(id, h->identity)) {
			st->instances++;
			if (first < 0 || (!h->maps && o.progs[i].load_time < o.progs[first].load_time))
				first = i;
		}
		free(id);
	}
	if (!err && first >= 0) {
		st->present = true;
		if ((h->maps ? map_facts : prog_facts)(&o, first, st))
			err = err_set(e, ENOMEM, "out of memory");
	}
	snap_objs_free(&o);
	return err;
}

static bool state_same(const struct hist_state *a, const struct hist_state *b)
{
	if (a->present != b->present || a->id != b->id || a->instances != b->instances)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(a->facts); i++)
		if (strcmp(a->facts[i] ? a->facts[i] : "", b->facts[i] ? b->facts[i] : ""))
			return false;
	return true;
}

static void print_snap_ref(struct out *o, const char *key, const struct snap_info *s)
{
	char when[64];

	fmt_time_utc_ns(s->taken_at_ns, when, sizeof(when));
	out_obj_start(o, key);
	out_int(o, "snapshot", "snapshot %lld", s->id);
	out_str(o, "taken_at", " %s", when);
	if (s->label) {
		char b[256];

		out_str(o, "label", NULL, s->label);
		out_plain(o, " (%s)", out_safe(s->label, b, sizeof(b)));
	}
	out_obj_end(o);
}

/* plain: "tag X  xlated 248B ..." as show prints sizes */
static void print_facts(struct out *o, const char *const *names, const struct hist_state *st)
{
	char b[512];

	for (size_t i = 0; names[i]; i++) {
		const char *v = st->facts[i] ? st->facts[i] : "";
		bool bytes = !strncmp(names[i], "bytes_", 6);

		if (!*v && !out_json(o))
			continue;
		if (*v && strspn(v, "0123456789") == strlen(v))
			out_uint(o, names[i], NULL, strtoull(v, NULL, 10));
		else
			out_str(o, names[i], NULL, v);
		out_plain(o, "  %s %s%s", bytes ? names[i] + 6 : names[i], out_safe(v, b, sizeof(b)),
			  bytes ? "B" : "");
	}
}

static void print_changed(struct out *o, const char *const *names, const struct hist_state *prev,
			  const struct hist_state *st)
{
	bool any = false;

	out_arr_start(o, "changed");
	for (size_t i = 0; prev && names[i]; i++) {
		if (!strcmp(prev->facts[i] ? prev->facts[i] : "", st->facts[i] ? st->facts[i] : ""))
			continue;
		out_str(o, NULL, any ? ", %s" : "  changed %s", names[i]);
		any = true;
	}
	if (prev && !any && prev->id != st->id)
		out_str(o, NULL, "  %s", "reloaded");
	out_arr_end(o);
}

static void print_span(struct ctx *ctx, const struct history *h, size_t k, size_t j,
		       const struct hist_state *prev)
{
	struct out *o = &ctx->out;
	const struct hist_state *st = &h->states[k];

	out_obj_start(o, NULL);
	out_plain(o, st->present ? "  " : "  gone  ");
	out_bool(o, "present", NULL, st->present);
	out_int(o, "first_snap", "snapshots %lld", h->snaps.v[k].id);
	out_int(o, "last_snap", "-%lld", h->snaps.v[j - 1].id);
	if (st->present) {
		out_uint(o, "id", "  id %u", st->id);
		print_facts(o, h->maps ? map_fact_names : prog_fact_names, st);
		if (st->instances > 1 || out_json(o))
			out_uint(o, "instances", "  instances %u", st->instances);
		print_changed(o, h->maps ? map_fact_names : prog_fact_names, prev, st);
	}
	out_plain(o, "\n");
	out_obj_end(o);
}

static int history_print(struct ctx *ctx, const struct history *h)
{
	struct out *o = &ctx->out;
	const struct hist_state *prev = NULL;
	size_t first = h->snaps.n, last = 0;
	char b[4096];

	for (size_t k = 0; k < h->snaps.n; k++)
		if (h->states[k].present) {
			if (first == h->snaps.n)
				first = k;
			last = k;
		}
	if (first == h->snaps.n)
		return p_err(ctx, "no snapshot holds %s", out_safe(h->identity, b, sizeof(b)));
	out_obj_start(o, NULL);
	out_str(o, "identity", "identity %s\n", h->identity);
	out_plain(o, "first seen ");
	print_snap_ref(o, "first_seen", &h->snaps.v[first]);
	out_plain(o, "\nlast seen  ");
	print_snap_ref(o, "last_seen", &h->snaps.v[last]);
	out_plain(o, "\n");
	out_arr_start(o, "spans");
	for (size_t k = first, j; k <= last; k = j) {
		for (j = k + 1; j <= last && state_same(&h->states[j], &h->states[k]); j++)
			;
		print_span(ctx, h, k, j, prev);
		if (h->states[k].present)
			prev = &h->states[k];
	}
	out_arr_end(o);
	out_obj_end(o);
	return 0;
}

/* The identity of the one program / map PROG / MAP names, in -s REF's snapshot, else in
 * the latest stored one, else live. */
static int selected_identity(struct ctx *ctx, bool maps, int *argc, char ***argv, char **out)
{
	const char *ref = ctx->snap_ref ? ctx->snap_ref : "latest";
	struct view v;
	struct snap_objs o = { 0 };
	struct err e = { 0 };
	uint32_t *ids = NULL;
	size_t n = 0;
	long i;
	int ret = -1;

	if (view_open_at(ctx, ref, 0, &v))
		return -1;
	if ((maps ? map_select : prog_select)(ctx, &v, argc, argv, &ids, &n))
		goto out;
	if (n != 1) {
		p_err(ctx, "%s matches %zu %s; name one (id ID)", maps ? "MAP" : "PROG", n,
		      maps ? "maps" : "programs");
		goto out;
	}
	if (snap_objs_read(&v.db, v.snap_id, maps ? SO_MAPS : SO_PROGS, &o, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	i = maps ? snap_objs_map(&o, ids[0]) : snap_objs_prog(&o, ids[0]);
	*out = i < 0 ? NULL : maps ? diff_map_identity(&o, i) : diff_prog_identity(&o, i);
	if (!*out) {
		p_err(ctx, "can't read the identity of %s id %u", maps ? "map" : "prog", ids[0]);
		goto out;
	}
	ret = 0;
out:
	free(ids);
	snap_objs_free(&o);
	view_close(&v);
	return ret;
}

static int do_history(struct ctx *ctx, int argc, char **argv, bool maps)
{
	struct history h = { .maps = maps };
	char *ident = NULL;
	struct db db = { 0 };
	struct err e = { 0 };
	int ret = -1;

	if (argc >= 1 && !strcmp(argv[0], "identity")) {
		REQ_ARGS(2);
		ident = strdup(argv[1]);
		NEXT_ARGS(2);
		if (!ident)
			return p_err(ctx, "out of memory");
	} else if (selected_identity(ctx, maps, &argc, &argv, &ident)) {
		return -1;
	}
	if (argc > 0) {
		p_err(ctx, "unexpected argument '%s'", *argv);
		goto out;
	}
	h.identity = ident;
	if (history_open(ctx, false, &db))
		goto out;
	if (snapshot_rows_read(&db, -1, snap_list_row, &h.snaps, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	h.states = calloc(h.snaps.n + 1, sizeof(*h.states));
	if (!h.states) {
		p_err(ctx, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < h.snaps.n; k++)
		if (history_state(&db, &h, k, &e)) {
			p_err_e(ctx, &e);
			goto out;
		}
	ret = history_print(ctx, &h);
out:
	for (size_t k = 0; h.states && k < h.snaps.n; k++)
		state_free(&h.states[k]);
	free(h.states);
	snap_list_free(&h.snaps);
	db_close(&db);
	free(ident);
	return ret;
}

int do_prog_history(struct ctx *ctx, int argc, char **argv)
{
	return do_history(ctx, argc, argv, false);
}

int do_map_history(struct ctx *ctx, int argc, char **argv)
{
	return do_history(ctx, argc, argv, true);
}
