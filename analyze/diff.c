/* Two snapshots compared by identity: programs and maps through analyze/match.c's rule,
 * links, attachments, pins and BTF by their identity strings (kind, target, attach type
 * and program identity; path; name and content). What identity leaves unpaired is paired
 * once more by type, name and tag: a program whose pin or attachment moved is one change. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/diff.h"
#include "analyze/diff_int.h"
#include "analyze/match.h"
#include "lib/bpf_names.h"
#include "lib/util.h"

static const char *const kind_names[DK_NR] = { "prog", "map", "link", "attachment", "pin", "btf",
						"socket" };

const char *diff_kind_name(enum diff_kind k)
{
	return (unsigned)k < DK_NR ? kind_names[k] : "?";
}

const char *dx_nz(const char *s)
{
	return s ? s : "";
}

const char *dx_type_or_num(const char *name, uint32_t t, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "type%u", t);
	return buf;
}


/* prog_ident views of a snapshot's programs (strings alias s's; maps: diff_progs') */
static void prog_idents(const struct snap_objs *s, struct prog_ident *v)
{
	for (size_t i = 0; i < s->nprogs; i++) {
		const struct so_prog *p = &s->progs[i];

		v[i] = (struct prog_ident){
			.id = p->id, .type = p->type, .name = p->name, .tag = p->tag,
			.pin = p->pin, .link_pin = p->link_pin, .attach = p->attach,
			.link_target = p->link_target, .load_order = p->load_time,
		};
	}
}

static void map_idents(const struct snap_objs *s, const struct prog_ident *progs,
		       struct map_ident *v)
{
	for (size_t i = 0; i < s->nmaps; i++) {
		const struct so_map *m = &s->maps[i];

		v[i] = (struct map_ident){
			.id = m->id, .type = m->type, .name = m->name, .key_size = m->key_size,
			.value_size = m->value_size, .pin = m->pin,
			.owner = m->owner >= 0 ? &progs[m->owner] : NULL, .load_order = m->id,
		};
	}
}

static const char *prog_point(const struct so_prog *q)
{
	struct prog_ident p = { .pin = q->pin, .link_pin = q->link_pin, .attach = q->attach,
				.link_target = q->link_target };

	return prog_attach_point(&p);
}

char *diff_prog_identity(const struct snap_objs *s, size_t i)
{
	const struct so_prog *q = &s->progs[i];
	char buf[TYPE_BUF];

	return str_cat("prog:", PROG_TYPE(q->type, buf), ":", q->name, "@", prog_point(q), NULL);
}

/* "KEY/VALUE" (sizes) in out, without printf: one per map of a snapshot */
static void key_value_sizes(uint32_t k, uint32_t v, char out[24])
{
	char tmp[24];
	size_t n = 0, at = 0;

	do
		tmp[n++] = '0' + v % 10;
	while ((v /= 10));
	tmp[n++] = '/';
	do
		tmp[n++] = '0' + k % 10;
	while ((k /= 10));
	while (n)
		out[at++] = tmp[--n];
	out[at] = 0;
}

/* Map i's identity; pids: the identities of s's programs, for its owner's (NULL: made here). */
static char *map_identity(const struct snap_objs *s, size_t i, char *const *pids)
{
	const struct so_map *m = &s->maps[i];
	char buf[TYPE_BUF], sizes[24], *owner = NULL, *r;
	const char *type = dx_type_or_num(map_type_name(m->type), m->type, buf, sizeof(buf));

	key_value_sizes(m->key_size, m->value_size, sizes);
	if (m->pin && *m->pin)
		return str_cat("map:", type, ":", m->name, ":", sizes, "@", m->pin, NULL);
	if (m->owner < 0)
		return str_cat("map:", type, ":", m->name, ":", sizes, "@", NULL);
	if (!pids && !(owner = diff_prog_identity(s, m->owner)))
		return NULL;
	r = str_cat("map:", type, ":", m->name, ":", sizes, "@(", owner ? owner : pids[m->owner], ")",
		    NULL);
	free(owner);
	return r;
}

char *diff_map_identity(const struct snap_objs *s, size_t i)
{
	return map_identity(s, i, NULL);
}

/* ---- the change list ---- */


bool dx_oom(struct builder *bd)
{
	if (!bd->err)
		bd->err = err_set(bd->e, ENOMEM, "out of memory comparing snapshots");
	return false;
}

/* A new change (identity and name are copied); NULL after an error. */
struct diff_change *dx_change_add(struct builder *bd, enum diff_op op, enum diff_kind kind,
				      long ia, long ib, const char *type, const char *name,
				      const char *identity, const char *where)
{
	struct diff_change *c;

	if (bd->err)
		return NULL;
	if (bd->r->n == bd->cap) {
		size_t cap = bd->cap ? bd->cap * 2 : 32;
		void *p = realloc(bd->r->v, cap * sizeof(*c));

		if (!p)
			return dx_oom(bd), NULL;
		bd->r->v = p;
		bd->cap = cap;
	}
	c = &bd->r->v[bd->r->n];
	*c = (struct diff_change){ .op = op, .kind = kind, .a = ia, .b = ib };
	c->type = strdup(dx_nz(type));
	c->name = strdup(dx_nz(name));
	c->identity = strdup(dx_nz(identity));
	c->where = strdup(dx_nz(where));
	bd->r->n++;
	if (!c->type || !c->name || !c->identity || !c->where)
		return dx_oom(bd), NULL;
	return c;
}

/* Add field f to c when before and after differ (both are taken over, freed if unused). */
void dx_field_add(struct builder *bd, struct diff_change *c, const char *f, char *before,
		      char *after)
{
	struct diff_field *v;

	if (!before || !after) {
		free(before);
		free(after);
		dx_oom(bd);
		return;
	}
	if (!c || !strcmp(before, after)) {
		free(before);
		free(after);
		return;
	}
	v = realloc(c->fields, (c->nfields + 1) * sizeof(*v));
	if (!v) {
		free(before);
		free(after);
		dx_oom(bd);
		return;
	}
	c->fields = v;
	v[c->nfields++] = (struct diff_field){ f, before, after };
}

void dx_field_u64(struct builder *bd, struct diff_change *c, const char *f, uint64_t x,
		      uint64_t y)
{
	if (x != y)
		dx_field_add(bd, c, f, str_fmt("%llu", (unsigned long long)x),
			  str_fmt("%llu", (unsigned long long)y));
}

void dx_field_str(struct builder *bd, struct diff_change *c, const char *f, const char *x,
		      const char *y)
{
	if (strcmp(dx_nz(x), dx_nz(y)))
		dx_field_add(bd, c, f, strdup(dx_nz(x)), strdup(dx_nz(y)));
}

/* A change looked at outside the list (most pairs are equal: no copy of their strings, no
 * field), now kept: copied into the list with these strings; its fields are taken over. */
void dx_change_keep(struct builder *bd, struct diff_change *c, const char *type, const char *name,
		    const char *identity, const char *where)
{
	struct diff_change *k = dx_change_add(bd, c->op, c->kind, c->a, c->b, type, name, identity,
					      where);

	if (!k) {
		for (size_t f = 0; f < c->nfields; f++) {
			free(c->fields[f].before);
			free(c->fields[f].after);
		}
		free(c->fields);
		return;
	}
	k->moved = c->moved;
	k->fields = c->fields;
	k->nfields = c->nfields;
}

/* ---- pairing by identity strings ---- */

static int key_cmp(const void *x, const void *y, void *arg)
{
	char *const *k = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = strcmp(k[i], k[j]);

	return c ? c : (i > j) - (i < j);
}

/* o (0..n-1) sorted by k[o[i]], then i; pins come sorted by path, their keys already so */
static void key_order(size_t *o, size_t n, char **k)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(k[i - 1], k[i]) > 0) {
			qsort_r(o, n, sizeof(*o), key_cmp, k);
			return;
		}
}

/* pair[i]: the index in kb of the k-th object of ka whose key is ka[i]'s, in list order. */
int dx_pair_by_key(char **ka, size_t na, char **kb, size_t nb, long *pair, struct err *e)
{
	size_t *oa = malloc((na + 1) * sizeof(*oa)), *ob = malloc((nb + 1) * sizeof(*ob));
	size_t x = 0, y = 0;

	if (!oa || !ob) {
		free(oa);
		free(ob);
		return err_set(e, ENOMEM, "out of memory comparing snapshots");
	}
	for (size_t i = 0; i < na; i++)
		oa[i] = i, pair[i] = -1;
	for (size_t i = 0; i < nb; i++)
		ob[i] = i;
	key_order(oa, na, ka);
	key_order(ob, nb, kb);
	while (x < na && y < nb) {
		int c = strcmp(ka[oa[x]], kb[ob[y]]);

		if (c < 0)
			x++;
		else if (c > 0)
			y++;
		else
			pair[oa[x++]] = ob[y++];
	}
	free(oa);
	free(ob);
	return 0;
}

void dx_free_strs(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Each program's identity string in s. */
static char **prog_identities(const struct snap_objs *s)
{
	char **v = calloc(s->nprogs + 1, sizeof(*v));

	for (size_t i = 0; v && i < s->nprogs; i++) {
		v[i] = diff_prog_identity(s, i);
		if (!v[i]) {
			dx_free_strs(v, i);
			return NULL;
		}
	}
	return v;
}

const char *dx_map_ident(struct builder *bd, bool side_b, size_t i)
{
	char **v = side_b ? bd->mid_b : bd->mid_a;

	if (!v[i])
		v[i] = map_identity(side_b ? bd->b : bd->a, i, side_b ? bd->pid_b : bd->pid_a);
	if (!v[i])
		dx_oom(bd);
	return v[i];
}

/* The paired lists' unpaired ends, paired once more by same(): the moved ones. */
static void pair_moved(long *pair, size_t na, bool *taken, size_t nb, bool *moved,
		       bool (*same)(const struct builder *bd, size_t x, size_t y),
		       const struct builder *bd)
{
	for (size_t x = 0; x < na; x++) {
		if (pair[x] >= 0)
			continue;
		for (size_t y = 0; y < nb; y++) {
			if (taken[y] || !same(bd, x, y))
				continue;
			pair[x] = y;
			taken[y] = moved[x] = true;
			break;
		}
	}
}

/* ---- programs ---- */

char *diff_prog_maps(const struct snap_objs *s, size_t i)
{
	const struct so_prog *p = &s->progs[i];
	size_t len = 1, at = 0;
	char *out;

	/* the length first, then one copy: no string built again per map */
	for (size_t k = 0; k < p->nr_maps; k++) {
		long m = snap_objs_map(s, p->map_ids[k]);

		len += (k ? 1 : 0) + strlen(m >= 0 ? s->maps[m].name : "?");
	}
	out = malloc(len);
	for (size_t k = 0; out && k < p->nr_maps; k++) {
		long m = snap_objs_map(s, p->map_ids[k]);
		const char *name = m >= 0 ? s->maps[m].name : "?";
		size_t n = strlen(name);

		if (k)
			out[at++] = ',';
		memcpy(out + at, name, n);
		at += n;
	}
	if (out)
		out[at] = 0;
	return out;
}

static bool prog_same_name_tag(const struct builder *bd, size_t x, size_t y)
{
	const struct so_prog *p = &bd->a->progs[x], *q = &bd->b->progs[y];

	return p->type == q->type && !strcmp(p->name, q->name) && !strcmp(p->tag, q->tag);
}

static void prog_changed(struct builder *bd, size_t x, size_t y, bool moved, char *maps_a,
			 char *maps_b)
{
	const struct so_prog *p = &bd->a->progs[x], *q = &bd->b->progs[y];
	struct diff_change c = { .op = DIFF_CHANGED, .kind = DK_PROG, .a = x, .b = y,
				 .moved = moved };
	char tb[TYPE_BUF];

	if (moved)
		dx_field_str(bd, &c, "attach_point", prog_point(p), prog_point(q));
	dx_field_str(bd, &c, "tag", p->tag, q->tag);
	dx_field_u64(bd, &c, "bytes_xlated", p->bytes_xlated, q->bytes_xlated);
	dx_field_u64(bd, &c, "bytes_jited", p->bytes_jited, q->bytes_jited);
	dx_field_u64(bd, &c, "gpl_compatible", p->gpl, q->gpl);
	dx_field_str(bd, &c, "maps", maps_a, maps_b);
	if (bd->o->stats) {
		dx_field_u64(bd, &c, "run_cnt", p->run_cnt, q->run_cnt);
		dx_field_u64(bd, &c, "run_time_ns", p->run_time_ns, q->run_time_ns);
	}
	if (c.nfields || c.moved)
		dx_change_keep(bd, &c, PROG_TYPE(q->type, tb), q->name, bd->pid_a[x], prog_point(q));
}

static void diff_progs(struct builder *bd)
{
	const struct snap_objs *a = bd->a, *b = bd->b;
	struct prog_ident *ia = bd->pia, *ib = bd->pib;
	long *pair = calloc(a->nprogs + 1, sizeof(*pair));
	bool *taken = calloc(b->nprogs + 1, 1), *moved = calloc(a->nprogs + 1, 1);
	char **ma = calloc(a->nprogs + 1, sizeof(*ma)), **mb = calloc(b->nprogs + 1, sizeof(*mb));
	char tb[TYPE_BUF];

	if (!pair || !taken || !moved || !ma || !mb) {
		dx_oom(bd);
		goto out;
	}
	for (size_t i = 0; i < a->nprogs; i++)
		if (!(ma[i] = diff_prog_maps(a, i)))
			goto nomem;
	for (size_t i = 0; i < b->nprogs; i++)
		if (!(mb[i] = diff_prog_maps(b, i)))
			goto nomem;
	for (size_t i = 0; i < a->nprogs; i++)
		ia[i].maps = ma[i];
	for (size_t i = 0; i < b->nprogs; i++)
		ib[i].maps = mb[i];
	if ((bd->err = prog_match(ia, a->nprogs, ib, b->nprogs, pair, bd->e)))
		goto out;
	for (size_t i = 0; i < a->nprogs; i++)
		if (pair[i] >= 0)
			taken[pair[i]] = true;
	pair_moved(pair, a->nprogs, taken, b->nprogs, moved, prog_same_name_tag, bd);
	memcpy(bd->prog_pair, pair, a->nprogs * sizeof(*pair));
	for (size_t i = 0; i < a->nprogs && !bd->err; i++) {
		const struct so_prog *p = &a->progs[i];

		if (pair[i] < 0)
			dx_change_add(bd, DIFF_REMOVED, DK_PROG, i, -1, PROG_TYPE(p->type, tb), p->name,
				   bd->pid_a[i], prog_point(p));
		else
			prog_changed(bd, i, pair[i], moved[i], ma[i], mb[pair[i]]);
	}
	for (size_t i = 0; i < b->nprogs && !bd->err; i++)
		if (!taken[i])
			dx_change_add(bd, DIFF_ADDED, DK_PROG, -1, i, PROG_TYPE(b->progs[i].type, tb),
				   b->progs[i].name, bd->pid_b[i], prog_point(&b->progs[i]));
	goto out;
nomem:
	dx_oom(bd);
out:
	for (size_t i = 0; i < a->nprogs; i++)
		ia[i].maps = NULL;	/* (freed here; diff_maps reads the rest) */
	for (size_t i = 0; i < b->nprogs; i++)
		ib[i].maps = NULL;
	dx_free_strs(ma, a->nprogs);
	dx_free_strs(mb, b->nprogs);
	free(pair); free(taken); free(moved);
}

/* ---- maps ---- */

static bool map_same_shape(const struct builder *bd, size_t x, size_t y)
{
	const struct so_map *m = &bd->a->maps[x], *n = &bd->b->maps[y];

	return m->type == n->type && !strcmp(m->name, n->name) && m->key_size == n->key_size &&
	       m->value_size == n->value_size;
}

/* A map is shown where it is pinned, else by its owner's identity (malloc'ed) */
static char *map_where(char **pids, const struct so_map *m)
{
	return m->pin ? strdup(m->pin) : m->owner >= 0 ? str_fmt("(%s)", pids[m->owner]) : strdup("");
}

static void map_changed(struct builder *bd, size_t x, size_t y, bool moved)
{
	const struct so_map *m = &bd->a->maps[x], *n = &bd->b->maps[y];
	struct diff_change c = { .op = DIFF_CHANGED, .kind = DK_MAP, .a = x, .b = y };
	char *where;

	/* an unpinned map moves with its owner: the owner's move is the one change */
	if (moved && !m->pin && !n->pin && m->owner >= 0 && n->owner >= 0 &&
	    bd->prog_pair[m->owner] == n->owner)
		moved = false;
	c.moved = moved;
	if (moved)
		dx_field_str(bd, &c, "identity", dx_map_ident(bd, false, x), dx_map_ident(bd, true, y));
	dx_field_u64(bd, &c, "max_entries", m->max_entries, n->max_entries);
	dx_field_u64(bd, &c, "flags", m->flags, n->flags);
	dx_field_u64(bd, &c, "map_extra", m->map_extra, n->map_extra);
	dx_field_u64(bd, &c, "frozen", m->frozen, n->frozen);
	if (bd->o->contents && m->contents && n->contents &&
	    strcmp(m->contents, n->contents)) {
		dx_field_add(bd, &c, "contents", str_fmt("%.16s", m->contents), str_fmt("%.16s", n->contents));
		dx_field_u64(bd, &c, "nr_entries", m->nr_entries, n->nr_entries);
	}
	if (!c.nfields && !c.moved)
		return;
	where = map_where(bd->pid_b, n);
	if (!where)
		dx_oom(bd);	/* (keep then frees the fields) */
	dx_change_keep(bd, &c, map_type_name(n->type) ?: "?", n->name, dx_map_ident(bd, false, x),
		       where);
	free(where);
}

static void map_added_removed(struct builder *bd, enum diff_op op, size_t i)
{
	const struct snap_objs *s = op == DIFF_ADDED ? bd->b : bd->a;
	char *where = map_where(op == DIFF_ADDED ? bd->pid_b : bd->pid_a, &s->maps[i]);

	if (!where) {
		dx_oom(bd);
		return;
	}
	dx_change_add(bd, op, DK_MAP, op == DIFF_ADDED ? -1 : (long)i, op == DIFF_ADDED ? (long)i : -1,
		   map_type_name(s->maps[i].type) ?: "?", s->maps[i].name,
		   dx_map_ident(bd, op == DIFF_ADDED, i), where);
	free(where);
}

static void diff_maps(struct builder *bd)
{
	const struct snap_objs *a = bd->a, *b = bd->b;
	struct map_ident *ia = calloc(a->nmaps + 1, sizeof(*ia)), *ib = calloc(b->nmaps + 1, sizeof(*ib));
	long *pair = calloc(a->nmaps + 1, sizeof(*pair));
	bool *taken = calloc(b->nmaps + 1, 1), *moved = calloc(a->nmaps + 1, 1);

	if (!ia || !ib || !pair || !taken || !moved) {
		dx_oom(bd);
		goto out;
	}
	map_idents(a, bd->pia, ia);
	map_idents(b, bd->pib, ib);
	if ((bd->err = map_match(ia, a->nmaps, ib, b->nmaps, pair, bd->e)))
		goto out;
	for (size_t i = 0; i < a->nmaps; i++)
		if (pair[i] >= 0)
			taken[pair[i]] = true;
	pair_moved(pair, a->nmaps, taken, b->nmaps, moved, map_same_shape, bd);
	for (size_t i = 0; i < a->nmaps && !bd->err; i++)
		if (pair[i] < 0)
			map_added_removed(bd, DIFF_REMOVED, i);
		else
			map_changed(bd, i, pair[i], moved[i]);
	for (size_t i = 0; i < b->nmaps && !bd->err; i++)
		if (!taken[i])
			map_added_removed(bd, DIFF_ADDED, i);
out:
	free(ia); free(ib); free(pair); free(taken); free(moved);
}

static int change_cmp(const void *x, const void *y)
{
	const struct diff_change *a = x, *b = y;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if ((c = strcmp(a->identity, b->identity)))
		return c;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

int diff_compute(const struct snap_objs *a, const struct snap_objs *b,
		 const struct diff_opts *o, struct diff_result *out, struct err *e)
{
	struct builder bd = { .r = out, .e = e, .o = o, .a = a, .b = b };

	memset(out, 0, sizeof(*out));
	out->compared = o->kinds & a->have & b->have;
	bd.prog_pair = malloc((a->nprogs + 1) * sizeof(*bd.prog_pair));
	for (size_t i = 0; bd.prog_pair && i < a->nprogs; i++)
		bd.prog_pair[i] = -1;
	bd.pia = calloc(a->nprogs + 1, sizeof(*bd.pia));
	bd.pib = calloc(b->nprogs + 1, sizeof(*bd.pib));
	bd.mid_a = calloc(a->nmaps + 1, sizeof(*bd.mid_a));
	bd.mid_b = calloc(b->nmaps + 1, sizeof(*bd.mid_b));
	if (!bd.prog_pair || !bd.pia || !bd.pib || !bd.mid_a || !bd.mid_b ||
	    !(bd.pid_a = prog_identities(a)) || !(bd.pid_b = prog_identities(b))) {
		dx_oom(&bd);
		goto out;
	}
	prog_idents(a, bd.pia);
	prog_idents(b, bd.pib);
	if (out->compared & SO_PROGS)
		diff_progs(&bd);
	if (!bd.err && (out->compared & SO_MAPS))
		diff_maps(&bd);
	if (!bd.err)
		dx_keyed(&bd);
	if (!bd.err)
		dx_transient(&bd);
	if (!bd.err && out->n)	/* (qsort takes no NULL base, even for no elements) */
		qsort(out->v, out->n, sizeof(*out->v), change_cmp);
out:
	free(bd.prog_pair);
	free(bd.pia);
	free(bd.pib);
	dx_free_strs(bd.pid_a, a->nprogs);
	dx_free_strs(bd.pid_b, b->nprogs);
	dx_free_strs(bd.mid_a, a->nmaps);
	dx_free_strs(bd.mid_b, b->nmaps);
	if (bd.err)
		diff_result_free(out);
	return bd.err;
}

void diff_result_free(struct diff_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct diff_change *c = &r->v[i];

		for (size_t f = 0; f < c->nfields; f++) {
			free(c->fields[f].before);
			free(c->fields[f].after);
		}
		free(c->fields);
		free(c->type);
		free(c->name);
		free(c->identity);
		free(c->where);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
