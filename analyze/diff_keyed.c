/* diff: links, attachments, pins, BTF and socket filters by their identity strings (kind,
 * target, attach type and program identity; path; name and content; analyze/diff_sock.c),
 * and the objects the loads recorder
 * saw made and gone between the two snapshots. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/diff_int.h"
#include "lib/bpf_names.h"
#include "lib/util.h"

/* ---- links, attachments, pins, BTF: identity strings ---- */

struct keyed_kind {
	enum diff_kind kind;
	size_t (*count)(const struct snap_objs *s);
	char *(*key)(const struct builder *bd, const struct snap_objs *s, char **pids, size_t i);
	/* type, name and where of object i */
	void (*describe)(const struct snap_objs *s, size_t i, const char **type, const char **name,
			 const char **where, char *buf, size_t len);
	void (*fields)(struct builder *bd, struct diff_change *c, size_t x, size_t y);
	/* non-NULL: key gives the object's own string (a pin's path), not a copy, and the
	 * identity is this prefix and it: no string made per pin of the two snapshots */
	const char *prefix;
};

static const char *pid_of(const struct snap_objs *s, char **pids, uint32_t prog_id)
{
	long k = prog_id ? snap_objs_prog(s, prog_id) : -1;

	return k >= 0 ? pids[k] : prog_id ? "prog:?" : "";
}

static size_t links_n(const struct snap_objs *s) { return s->nlinks; }
static size_t atts_n(const struct snap_objs *s) { return s->natts; }
static size_t pins_n(const struct snap_objs *s) { return s->npins; }
static size_t btfs_n(const struct snap_objs *s) { return s->nbtfs; }
static size_t socks_n(const struct snap_objs *s) { return s->nsocks; }

/* sockets with classic filters: analyze/diff_sock.c says who they are */
static char *sock_key(const struct builder *bd, const struct snap_objs *s, char **pids, size_t i)
{
	(void)bd, (void)pids;
	return diff_sock_identity(s, i);
}

static char *link_key(const struct builder *bd, const struct snap_objs *s, char **pids, size_t i)
{
	const struct so_link *l = &s->links[i];

	(void)bd;
	return str_cat("link:", l->target, ":", attach_type_name(l->attach_type) ?: "", ":(",
		       pid_of(s, pids, l->prog_id), ")", NULL);
}

static void link_describe(const struct snap_objs *s, size_t i, const char **type,
			  const char **name, const char **where, char *buf, size_t len)
{
	const struct so_link *l = &s->links[i];
	long k = snap_objs_prog(s, l->prog_id);

	*type = dx_type_or_num(link_type_name(l->type), l->type, buf, len);
	*name = k >= 0 ? s->progs[k].name : "";
	*where = l->pin ? l->pin : l->target;
}

static void link_fields(struct builder *bd, struct diff_change *c, size_t x, size_t y)
{
	dx_field_u64(bd, c, "cookie", bd->a->links[x].cookie, bd->b->links[y].cookie);
}

static char *att_key(const struct builder *bd, const struct snap_objs *s, char **pids, size_t i)
{
	const struct so_attach *a = &s->atts[i];

	(void)bd;
	return str_cat("attachment:", a->kind, ":", a->target, ":",
		       attach_type_name(a->attach_type) ?: "", ":", a->mode, ":(",
		       pid_of(s, pids, a->prog_id), ")", NULL);
}

static void att_describe(const struct snap_objs *s, size_t i, const char **type,
			 const char **name, const char **where, char *buf, size_t len)
{
	const struct so_attach *a = &s->atts[i];
	long k = snap_objs_prog(s, a->prog_id);

	(void)buf, (void)len;
	*type = a->kind;
	*name = k >= 0 ? s->progs[k].name : "";
	*where = a->target;
}

static void att_fields(struct builder *bd, struct diff_change *c, size_t x, size_t y)
{
	const struct so_attach *a = &bd->a->atts[x], *b = &bd->b->atts[y];

	dx_field_u64(bd, c, "position", a->position, b->position);
	dx_field_u64(bd, c, "flags", a->flags, b->flags);
}

/* (the path itself: "pin:" is the kind's prefix) */
static char *pin_key(const struct builder *bd, const struct snap_objs *s, char **pids, size_t i)
{
	(void)bd, (void)pids;
	return s->pins[i].path;
}

static void pin_describe(const struct snap_objs *s, size_t i, const char **type,
			 const char **name, const char **where, char *buf, size_t len)
{
	(void)buf, (void)len;
	*type = s->pins[i].obj_type;
	*name = s->pins[i].path;
	*where = s->pins[i].path;
}

/* What a pin points at, by identity: a program's or map's, a link's key (*owned: what to
 * free after; NULL returned on ENOMEM). */
static const char *pin_object(struct builder *bd, bool side_b, size_t i, char **owned)
{
	const struct snap_objs *s = side_b ? bd->b : bd->a;
	const struct so_pin *p = &s->pins[i];
	char **pids = side_b ? bd->pid_b : bd->pid_a;
	long k;

	*owned = NULL;
	if (!strcmp(p->obj_type, "prog") && pids && (k = snap_objs_prog(s, p->obj_id)) >= 0)
		return pids[k];
	if (!strcmp(p->obj_type, "map") && (k = snap_objs_map(s, p->obj_id)) >= 0)
		return dx_map_ident(bd, side_b, k);
	if (!strcmp(p->obj_type, "link") && pids && (k = snap_objs_link(s, p->obj_id)) >= 0)
		return *owned = link_key(bd, s, pids, k);
	return *owned = str_fmt("%s:?", p->obj_type);
}

static void pin_fields(struct builder *bd, struct diff_change *c, size_t x, size_t y)
{
	char *oa, *ob;
	const char *a = pin_object(bd, false, x, &oa), *b = pin_object(bd, true, y, &ob);

	if (!a || !b)
		dx_oom(bd);
	else
		dx_field_str(bd, c, "object", a, b);
	free(oa);
	free(ob);
}

static char *btf_key(const struct builder *bd, const struct snap_objs *s, char **pids, size_t i)
{
	const struct so_btf *b = &s->btfs[i];

	(void)pids;
	/* content when both snapshots hold BTF data, else the size stands for it */
	if (bd->a->have_btf_data && bd->b->have_btf_data && b->data)
		return str_fmt("btf:%s:%.16s", b->name, b->data);
	return str_fmt("btf:%s:size %llu", b->name, (unsigned long long)b->size);
}

static void btf_describe(const struct snap_objs *s, size_t i, const char **type,
			 const char **name, const char **where, char *buf, size_t len)
{
	const struct so_btf *b = &s->btfs[i];

	*type = b->kernel ? "kernel" : "user";
	*name = b->name[0] ? b->name : "(anon)";
	snprintf(buf, len, "size %llu", (unsigned long long)b->size);
	*where = buf;
}

/* Change c (its op, kind, indices and fields) into the list, named by key. */
static void keyed_change(struct builder *bd, const struct keyed_kind *k, struct diff_change *c,
			 const char *type, const char *name, char *key, const char *where)
{
	char *ident = k->prefix ? str_cat(k->prefix, key, NULL) : NULL;

	if (k->prefix && !ident)
		dx_oom(bd);	/* (keep and add then do nothing, keep frees the fields) */
	if (c->op == DIFF_CHANGED)
		dx_change_keep(bd, c, type, name, ident ? ident : key, where);
	else
		dx_change_add(bd, c->op, c->kind, c->a, c->b, type, name, ident ? ident : key, where);
	free(ident);
}

static void diff_keyed(struct builder *bd, const struct keyed_kind *k)
{
	size_t na = k->count(bd->a), nb = k->count(bd->b);
	char **ka = calloc(na + 1, sizeof(*ka)), **kb = calloc(nb + 1, sizeof(*kb));
	long *pair = calloc(na + 1, sizeof(*pair));
	bool *taken = calloc(nb + 1, 1);
	const char *type, *name, *where;
	char buf[64];

	if (!ka || !kb || !pair || !taken)
		goto nomem;
	for (size_t i = 0; i < na; i++)
		if (!(ka[i] = k->key(bd, bd->a, bd->pid_a, i)))
			goto nomem;
	for (size_t i = 0; i < nb; i++)
		if (!(kb[i] = k->key(bd, bd->b, bd->pid_b, i)))
			goto nomem;
	if ((bd->err = dx_pair_by_key(ka, na, kb, nb, pair, bd->e)))
		goto out;
	for (size_t i = 0; i < na && !bd->err; i++) {
		struct diff_change c;

		k->describe(bd->a, i, &type, &name, &where, buf, sizeof(buf));
		if (pair[i] < 0) {
			c = (struct diff_change){ .op = DIFF_REMOVED, .kind = k->kind, .a = i, .b = -1 };
			keyed_change(bd, k, &c, type, name, ka[i], where);
			continue;
		}
		taken[pair[i]] = true;
		if (!k->fields)
			continue;
		c = (struct diff_change){ .op = DIFF_CHANGED, .kind = k->kind, .a = i, .b = pair[i] };
		k->fields(bd, &c, i, pair[i]);
		if (!c.nfields)
			continue;
		k->describe(bd->b, pair[i], &type, &name, &where, buf, sizeof(buf));
		keyed_change(bd, k, &c, type, name, ka[i], where);
	}
	for (size_t i = 0; i < nb && !bd->err; i++) {
		struct diff_change c = { .op = DIFF_ADDED, .kind = k->kind, .a = -1, .b = i };

		if (taken[i])
			continue;
		k->describe(bd->b, i, &type, &name, &where, buf, sizeof(buf));
		keyed_change(bd, k, &c, type, name, kb[i], where);
	}
	goto out;
nomem:
	dx_oom(bd);
out:
	dx_free_strs(k->prefix ? NULL : ka, na);
	dx_free_strs(k->prefix ? NULL : kb, nb);
	if (k->prefix) {
		free(ka);
		free(kb);
	}
	free(pair);
	free(taken);
}

/* ---- objects made and gone between A and B ---- */

void dx_transient(struct builder *bd)
{
	const struct snap_objs *b = bd->b;
	char tb[TYPE_BUF], *ident, *where;

	for (size_t i = 0; !bd->err && i < b->nloads; i++) {
		const struct so_load *l = &b->loads[i];
		bool prog = !strcmp(l->kind, "prog"), map = !strcmp(l->kind, "map");
		enum diff_kind k = prog ? DK_PROG : map ? DK_MAP : DK_LINK;
		unsigned bit = prog ? SO_PROGS : map ? SO_MAPS : SO_LINKS;
		const char *type = prog ? PROG_TYPE(l->type, tb) :
				   map ? dx_type_or_num(map_type_name(l->type), l->type, tb, sizeof(tb)) :
				   dx_type_or_num(link_type_name(l->type), l->type, tb, sizeof(tb));

		if (!(bd->r->compared & bit) ||
		    (prog ? snap_objs_prog(b, l->id) : map ? snap_objs_map(b, l->id) :
		     snap_objs_link(b, l->id)) >= 0)
			continue;	/* still there: B lists it (added) */
		ident = str_fmt("%s:%s:%s@", l->kind, type, l->name);
		where = str_fmt("pid %u %s", l->pid, l->comm);
		if (!ident || !where)
			dx_oom(bd);
		else
			dx_change_add(bd, DIFF_TRANSIENT, k, -1, i, type, l->name, ident, where);
		free(ident);
		free(where);
	}
}

static const struct keyed_kind keyed_kinds[] = {
	{ DK_LINK, links_n, link_key, link_describe, link_fields, NULL },
	{ DK_ATTACH, atts_n, att_key, att_describe, att_fields, NULL },
	{ DK_PIN, pins_n, pin_key, pin_describe, pin_fields, "pin:" },
	{ DK_BTF, btfs_n, btf_key, btf_describe, NULL, NULL },
	{ DK_SOCK, socks_n, sock_key, diff_sock_describe, NULL, NULL },
};
static const unsigned keyed_bits[] = { SO_LINKS, SO_ATTACH, SO_PINS, SO_BTF, SO_SOCKS };

void dx_keyed(struct builder *bd)
{
	for (size_t i = 0; !bd->err && i < ARRAY_SIZE(keyed_kinds); i++)
		if (bd->r->compared & keyed_bits[i])
			diff_keyed(bd, &keyed_kinds[i]);
}

