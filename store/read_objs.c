/* Reading a whole snapshot into lib/snap_objs.h's plain objects, one statement per kind;
 * the attach points that identity needs are joined here in C, over lists already read,
 * instead of four correlated subqueries per program (prog_history's way, slow at 5,000). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/read_int.h"
#include "store/read_objs.h"
#include "store/read_sock.h"
#include "store/snap_mask.h"

/* Where a row of a kind's list came from: the list is put in the order ORDER BY id gave
 * through the id index (id, then the span's row, then the joined row; -1: none), sorted in C
 * since the snapshot's rows are found through the span index, in another order. */
struct row_key {
	uint32_t id;
	int64_t row, sub;
	size_t at;			/* the element's index as read */
};

struct objs_read {
	struct db *db;
	struct snap_objs *s;
	size_t cap;
	struct err *e;
	struct row_key *keys;		/* one per element of the list being read */
	size_t nkeys, kcap;
};

/* Room for one more element of size sz in *arr (n used); NULL on ENOMEM. */
static void *grow(void **arr, size_t n, size_t *cap, size_t sz, struct err *e)
{
	if (n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		void *p = realloc(*arr, ncap * sz);

		if (!p) {
			err_set(e, ENOMEM, "out of memory reading a snapshot");
			return NULL;
		}
		*arr = p;
		*cap = ncap;
	}
	return (char *)*arr + n * sz;
}

/* A column as a string of the snapshot's storage: "" for NULL when never_null, else NULL;
 * false on ENOMEM. */
static bool col_str(struct objs_read *r, sqlite3_stmt *st, int c, bool never_null, char **out)
{
	const char *s = (const char *)sqlite3_column_text(st, c);

	*out = NULL;
	if (!s && !never_null)
		return true;
	*out = snap_objs_str(r->s, s ? s : "", s ? strlen(s) : 0);
	return *out != NULL;
}

/* A column as an owned string (the loads', freed each): as col_str. */
static bool col_dup(sqlite3_stmt *st, int c, bool never_null, char **out)
{
	const char *s = (const char *)sqlite3_column_text(st, c);

	*out = NULL;
	if (!s && !never_null)
		return true;
	*out = strdup(s ? s : "");
	return *out != NULL;
}

/* A blob column (a blob hash) as lower-case hex in the snapshot's storage, as lower(hex(col))
 * gave it: NULL for NULL and for no bytes; false on ENOMEM. */
static bool col_hex(struct objs_read *r, sqlite3_stmt *st, int c, char **out)
{
	const uint8_t *p = sqlite3_column_blob(st, c);
	size_t n = sqlite3_column_bytes(st, c);

	*out = NULL;
	if (!p || !n)
		return true;
	*out = snap_objs_alloc(r->s, 2 * n + 1);
	if (!*out)
		return false;
	hex_encode(p, n, *out);
	return true;
}

/* The row key of the element just added (columns row and sub of st; sub -1: none). */
static int key_push(struct objs_read *r, sqlite3_stmt *st, uint32_t id, int row, int sub)
{
	struct row_key *k;

	if (array_room((void **)&r->keys, &r->kcap, r->nkeys, sizeof(*k)))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	k = &r->keys[r->nkeys];
	k->id = id;
	k->row = sqlite3_column_int64(st, row);
	k->sub = sub < 0 || sqlite3_column_type(st, sub) == SQLITE_NULL ? -1 :
		 sqlite3_column_int64(st, sub);
	k->at = r->nkeys++;
	return 0;
}

static int key_cmp(const void *x, const void *y, void *arg)
{
	const struct row_key *a = x, *b = y;

	(void)arg;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return (a->sub > b->sub) - (a->sub < b->sub);
}

/* pins by path (SQLite's BINARY order for text without NULs), then row */
static int pin_key_cmp(const void *x, const void *y, void *arg)
{
	const struct row_key *a = x, *b = y;
	const struct so_pin *p = arg;
	int c = strcmp(p[a->at].path, p[b->at].path);

	return c ? c : (a->row > b->row) - (a->row < b->row);
}

/* Put the n elements of sz bytes at arr in their keys' order by cmp (most often already so:
 * the span index lists the latest snapshot's rows by id), in place: element i takes
 * keys[i].at's, one cycle of the permutation after the other. */
static int order_by_keys(struct objs_read *r, void *arr, size_t n, size_t sz,
			 int (*cmp)(const void *, const void *, void *))
{
	struct row_key *k = r->keys;
	bool sorted = true;
	char *a = arr, *tmp;

	r->nkeys = 0;		/* (the next kind pushes its own) */
	for (size_t i = 1; sorted && i < n; i++)
		sorted = cmp(&k[i - 1], &k[i], arr) <= 0;
	if (sorted)
		return 0;
	tmp = malloc(sz);
	if (!tmp)
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	qsort_r(k, n, sizeof(*k), cmp, arr);
	for (size_t i = 0; i < n; i++) {
		size_t j = i, from;

		if (k[i].at == i)
			continue;	/* in place, or placed by an earlier cycle */
		memcpy(tmp, a + i * sz, sz);
		while ((from = k[j].at) != i) {
			memcpy(a + j * sz, a + from * sz, sz);
			k[j].at = j;
			j = from;
		}
		memcpy(a + j * sz, tmp, sz);
		k[j].at = j;
	}
	free(tmp);
	return 0;
}

/* The span tables themselves rather than the views progs, prog_maps, maps and pins: the
 * views' plan walks every span of the file through the id index to give ORDER BY id,
 * where the span index finds only the snapshot's (the mask checks are snap_have's). */
#define IN_SNAP(t) " " t ".last_snap >= ?1 AND " t ".first_snap <= ?1"
/* A program's row with each map it uses (m.map_id NULL: none), in the order of prog_row_maps'
 * key (row, idx): the rows of one program come one after the other. */
static const char progs_sql[] =
	"SELECT r.id, r.type, r.uid, r.btf_id, coalesce(r.full_name, r.name), r.tag, r.load_time,"
	" r.loaded_at, r.bytes_xlated, r.bytes_jited, r.verified_insns, coalesce(t.run_cnt, 0),"
	" coalesce(t.run_time_ns, 0), r.gpl_compatible, r.xlated, r.row, t.row, m.map_id"
	" FROM prog_rows r LEFT JOIN prog_stat_rows t ON t.prog_row = r.row AND" IN_SNAP("t")
	" LEFT JOIN prog_row_maps m ON m.row = r.row WHERE" IN_SNAP("r");

/* Add map id to p's (false on ENOMEM). */
static bool prog_map_add(struct so_prog *p, uint32_t id)
{
	uint32_t *v;

	if (p->nr_maps >= 4096)
		return true;	/* the kernel allows 64 used maps; a hostile file more */
	if (!(p->nr_maps & (p->nr_maps - 1))) {	/* 0, 1, 2, 4, ...: room doubles */
		v = realloc(p->map_ids, (p->nr_maps ? 2 * p->nr_maps : 1) * sizeof(*v));
		if (!v)
			return false;
		p->map_ids = v;
	}
	p->map_ids[p->nr_maps++] = id;
	return true;
}

static int prog_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_prog *p;
	const struct row_key *last = r->nkeys ? &r->keys[r->nkeys - 1] : NULL;
	bool map = sqlite3_column_type(st, 17) != SQLITE_NULL;

	/* the same program's next map (t.row NULL: no stats, sub -1) */
	if (last && map && last->row == sqlite3_column_int64(st, 15) &&
	    last->sub == (sqlite3_column_type(st, 16) == SQLITE_NULL ? -1 :
			  sqlite3_column_int64(st, 16))) {
		if (!prog_map_add(&r->s->progs[r->s->nprogs - 1], sqlite3_column_int64(st, 17)))
			return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
		return 0;
	}
	p = grow((void **)&r->s->progs, r->s->nprogs, &r->cap, sizeof(*p), r->e);
	if (!p)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	r->s->nprogs++;
	p->id = sqlite3_column_int64(st, 0);
	p->type = sqlite3_column_int64(st, 1);
	p->uid = sqlite3_column_int64(st, 2);
	p->btf_id = sqlite3_column_int64(st, 3);
	p->load_time = sqlite3_column_int64(st, 6);
	p->loaded_at = sqlite3_column_int64(st, 7);
	p->bytes_xlated = sqlite3_column_int64(st, 8);
	p->bytes_jited = sqlite3_column_int64(st, 9);
	p->verified_insns = sqlite3_column_int64(st, 10);
	p->run_cnt = sqlite3_column_int64(st, 11);
	p->run_time_ns = sqlite3_column_int64(st, 12);
	p->gpl = sqlite3_column_int64(st, 13);
	if (!col_str(r, st, 4, true, &p->name) || !col_str(r, st, 5, true, &p->tag) ||
	    !col_hex(r, st, 14, &p->xlated) || (map && !prog_map_add(p, sqlite3_column_int64(st, 17))))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return key_push(r, st, p->id, 15, 16);
}

static const char maps_sql[] =
	"SELECT r.id, r.type, r.bytes_key, r.bytes_value, r.max_entries, r.btf_id, r.name, r.flags,"
	" r.map_extra, coalesce(r.frozen, 0), d.contents, coalesce(d.nr_entries, -1),"
	" r.bytes_memlock, r.row, d.row FROM map_rows r"
	" LEFT JOIN map_data_rows d ON d.map_row = r.row AND" IN_SNAP("d")
	" WHERE" IN_SNAP("r");

static int map_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_map *m = grow((void **)&r->s->maps, r->s->nmaps, &r->cap, sizeof(*m), r->e);

	if (!m)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	r->s->nmaps++;
	m->id = sqlite3_column_int64(st, 0);
	m->type = sqlite3_column_int64(st, 1);
	m->key_size = sqlite3_column_int64(st, 2);
	m->value_size = sqlite3_column_int64(st, 3);
	m->max_entries = sqlite3_column_int64(st, 4);
	m->btf_id = sqlite3_column_int64(st, 5);
	m->flags = sqlite3_column_int64(st, 7);
	m->map_extra = sqlite3_column_int64(st, 8);
	m->frozen = sqlite3_column_int64(st, 9);
	m->nr_entries = sqlite3_column_int64(st, 11);
	m->bytes_memlock = sqlite3_column_int64(st, 12);
	m->owner = -1;
	if (!col_str(r, st, 6, true, &m->name) || !col_hex(r, st, 10, &m->contents))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return key_push(r, st, m->id, 13, 14);
}

/* the link's target as prog_history spells it: "type name:target" */
static const char links_sql[] =
	"SELECT l.id, l.type, l.prog_id, l.attach_type,"
	" coalesce(t.name, l.type) || ':' || coalesce(l.target, l.ifindex, l.cgroup_id, ''),"
	" l.cookie FROM links l LEFT JOIN link_types t ON t.id = l.type"
	" WHERE l.snapshot_id = ?1 ORDER BY l.id";

static int link_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_link *l = grow((void **)&r->s->links, r->s->nlinks, &r->cap, sizeof(*l), r->e);

	if (!l)
		return -ENOMEM;
	memset(l, 0, sizeof(*l));
	r->s->nlinks++;
	l->id = sqlite3_column_int64(st, 0);
	l->type = sqlite3_column_int64(st, 1);
	l->prog_id = sqlite3_column_int64(st, 2);
	l->attach_type = sqlite3_column_int64(st, 3);
	l->cookie = sqlite3_column_int64(st, 5);
	if (!col_str(r, st, 4, true, &l->target))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return 0;
}

static const char atts_sql[] =
	"SELECT kind, coalesce(devname, cgroup_path, target, ''), coalesce(mode, ''),"
	" coalesce(prog_id, 0), coalesce(link_id, 0), coalesce(attach_type, -1),"
	" coalesce(position, -1), coalesce(attach_flags, tc_flags, -1) FROM attachments"
	" WHERE snapshot_id = ?1"
	" ORDER BY kind, coalesce(devname, cgroup_path, target, ''), position, prog_id";

static int att_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_attach *a = grow((void **)&r->s->atts, r->s->natts, &r->cap, sizeof(*a), r->e);

	if (!a)
		return -ENOMEM;
	memset(a, 0, sizeof(*a));
	r->s->natts++;
	a->prog_id = sqlite3_column_int64(st, 3);
	a->link_id = sqlite3_column_int64(st, 4);
	a->attach_type = sqlite3_column_int64(st, 5);
	a->position = sqlite3_column_int64(st, 6);
	a->flags = sqlite3_column_int64(st, 7);
	if (!col_str(r, st, 0, true, &a->kind) || !col_str(r, st, 1, true, &a->target) ||
	    !col_str(r, st, 2, true, &a->mode))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return 0;
}

/* ORDER BY path: in C, cheaper than SQLite's sorter for 5,000 rows */
static const char pins_sql[] =
	"SELECT path, obj_type, obj_id, row FROM pin_rows r WHERE" IN_SNAP("r");

static int pin_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_pin *p = grow((void **)&r->s->pins, r->s->npins, &r->cap, sizeof(*p), r->e);

	if (!p)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	r->s->npins++;
	p->obj_id = sqlite3_column_int64(st, 2);
	if (!col_str(r, st, 0, true, &p->path) || !col_str(r, st, 1, true, &p->obj_type))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return key_push(r, st, 0, 3, -1);
}

static const char btfs_sql[] =
	"SELECT id, coalesce(name, ''), data, size, kernel FROM btf WHERE snapshot_id = ?1"
	" ORDER BY id";

static int btf_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_btf *b = grow((void **)&r->s->btfs, r->s->nbtfs, &r->cap, sizeof(*b), r->e);

	if (!b)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	r->s->nbtfs++;
	b->id = sqlite3_column_int64(st, 0);
	b->size = sqlite3_column_int64(st, 3);
	b->kernel = sqlite3_column_int64(st, 4);
	if (!col_str(r, st, 1, true, &b->name) || !col_hex(r, st, 2, &b->data))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return 0;
}

static const char owners_sql[] =
	"SELECT obj_type, obj_id, pid, coalesce(comm, '') FROM owners WHERE snapshot_id = ?1"
	" ORDER BY obj_type, obj_id, pid";

static int owner_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_owner *o = grow((void **)&r->s->owners, r->s->nowners, &r->cap, sizeof(*o), r->e);

	if (!o)
		return -ENOMEM;
	memset(o, 0, sizeof(*o));
	r->s->nowners++;
	o->obj_id = sqlite3_column_int64(st, 1);
	o->pid = sqlite3_column_int64(st, 2);
	if (!col_str(r, st, 0, true, &o->obj_type) || !col_str(r, st, 3, true, &o->comm))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return 0;
}

/* sockets with a classic filter, the program's bytes read from its blob */
static const char socks_sql[] =
	"SELECT coalesce(comm, ''), coalesce(devname, ''), lower(hex(filter)), filter,"
	" coalesce(pid, -1), coalesce(fd, -1), ino, coalesce(netns_ino, 0), coalesce(ifindex, 0),"
	" coalesce(protocol, 0), family, coalesce(type, 0) FROM sockets"
	" WHERE snapshot_id = ?1 AND nr_insns IS NOT NULL ORDER BY netns_ino, ino, pid";

static int sock_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_sockfilter *k = grow((void **)&r->s->socks, r->s->nsocks, &r->cap, sizeof(*k), r->e);
	struct buf b = { 0 };
	int err;

	if (!k)
		return -ENOMEM;
	memset(k, 0, sizeof(*k));
	r->s->nsocks++;
	k->pid = sqlite3_column_int64(st, 4);
	k->fd = sqlite3_column_int64(st, 5);
	k->ino = sqlite3_column_int64(st, 6);
	k->netns_ino = sqlite3_column_int64(st, 7);
	k->ifindex = sqlite3_column_int64(st, 8);
	k->protocol = sqlite3_column_int64(st, 9);
	k->family = sqlite3_column_int64(st, 10);
	k->type = sqlite3_column_int64(st, 11);
	if (!col_str(r, st, 0, true, &k->comm) || !col_str(r, st, 1, true, &k->devname) ||
	    !col_str(r, st, 2, true, &k->filter))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	err = blob_get_col(r->db, st, 3, SOCK_FILTER_MAX, &b, r->e);
	if (err) {
		buf_free(&b);
		return err;
	}
	k->insns = b.len ? b.data : NULL;	/* the buffer's bytes are the list's now */
	k->insns_len = b.len;
	if (!b.len)
		buf_free(&b);
	return 0;
}

/* Keep the least string: the attach points are each the least of their kind. str is
 * kept as it is when it is already in s's storage (a pin's path, a link's target), else
 * copied there (one replaced stays there, unused). */
static int set_least(struct snap_objs *s, char **slot, char *str, bool stored, struct err *e)
{
	if (*slot && strcmp(*slot, str) <= 0)
		return 0;
	if (!stored && !(str = snap_objs_str(s, str, strlen(str))))
		return err_set(e, ENOMEM, "out of memory reading a snapshot");
	*slot = str;
	return 0;
}

static int pin_points(struct snap_objs *s, struct err *e)
{
	int err = 0;

	for (size_t i = 0; !err && i < s->npins; i++) {
		const struct so_pin *pin = &s->pins[i];
		long k;

		if (!strcmp(pin->obj_type, "prog") && (k = snap_objs_prog(s, pin->obj_id)) >= 0)
			err = set_least(s, &s->progs[k].pin, pin->path, true, e);
		else if (!strcmp(pin->obj_type, "map") && (k = snap_objs_map(s, pin->obj_id)) >= 0)
			err = set_least(s, &s->maps[k].pin, pin->path, true, e);
		else if (!strcmp(pin->obj_type, "link") && (k = snap_objs_link(s, pin->obj_id)) >= 0) {
			long l = k;

			err = set_least(s, &s->links[l].pin, pin->path, true, e);
			if (!err && (k = snap_objs_prog(s, s->links[l].prog_id)) >= 0)
				err = set_least(s, &s->progs[k].link_pin, pin->path, true, e);
		}
	}
	return err;
}

/* Each program's attachment and link target, each map's owner: the first loaded program
 * that uses it (the kernel names .bss/.data/.rodata maps by object, not by program). */
static int join_points(struct snap_objs *s, struct err *e)
{
	char buf[8192];
	int err = pin_points(s, e);

	for (size_t i = 0; !err && i < s->natts; i++) {
		long k = snap_objs_prog(s, s->atts[i].prog_id);

		if (k < 0)
			continue;
		snprintf(buf, sizeof(buf), "%s:%s", s->atts[i].kind, s->atts[i].target);
		err = set_least(s, &s->progs[k].attach, buf, false, e);
	}
	for (size_t i = 0; !err && i < s->nlinks; i++) {
		long k = snap_objs_prog(s, s->links[i].prog_id);

		if (k >= 0)
			err = set_least(s, &s->progs[k].link_target, s->links[i].target, true,
					 e);
	}
	for (size_t i = 0; !err && i < s->nprogs; i++) {
		const struct so_prog *p = &s->progs[i];

		for (size_t j = 0; j < p->nr_maps; j++) {
			long m = snap_objs_map(s, p->map_ids[j]);
			const struct so_prog *o;

			if (m < 0)
				continue;
			o = s->maps[m].owner >= 0 ? &s->progs[s->maps[m].owner] : NULL;
			if (!o || p->load_time < o->load_time ||
			    (p->load_time == o->load_time && p->id < o->id))
				s->maps[m].owner = i;
		}
	}
	return err;
}

static int snap_have(struct db *db, int64_t snap, struct snap_objs *out, struct err *e)
{
	sqlite3_stmt *st;
	uint64_t mask;
	int err = db_prepare(db, "SELECT mask FROM snapshots WHERE id = ?1", &st, e);

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, snap);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return err_set(e, ENOENT, "database %s: no snapshot %lld", db->path, (long long)snap);
	}
	mask = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	out->have = SO_LINKS;
	if (!(mask & SNAP_NO_PROGS))
		out->have |= SO_PROGS;
	if (!(mask & SNAP_NO_MAPS))
		out->have |= SO_MAPS;
	if (!(mask & SNAP_NO_BTF))
		out->have |= SO_BTF;
	if (mask & SNAP_PINS)
		out->have |= SO_PINS;
	if (mask & SNAP_ATTACH)
		out->have |= SO_ATTACH;
	if (mask & SNAP_OWNERS)
		out->have |= SO_OWNERS;
	if (mask & SNAP_SOCK)
		out->have |= SO_SOCKS;
	out->have_code = mask & SNAP_CODE;
	out->have_contents = mask & SNAP_MAPS_DATA;
	out->have_stats = mask & SNAP_STATS;
	out->have_btf_data = mask & SNAP_BTF_DATA;
	return 0;
}

#define VIEW_LIST_MAX (64u << 20)	/* a view's text: a million programs' lines */

/* The views of schema 7 (none in a file from before it, or a snapshot that took none) */
static int views_read(struct db *db, int64_t snap, struct snap_objs *out, struct err *e)
{
	sqlite3_stmt *st;
	int err = 0, rc;

	if (sqlite3_prepare_v2(db->sql, "SELECT view, list FROM view_rows WHERE first_snap <= ?1"
			       " AND last_snap >= ?1", -1, &st, NULL) != SQLITE_OK)
		return 0;	/* (no such table) */
	sqlite3_bind_int64(st, 1, snap);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *view = (const char *)sqlite3_column_text(st, 0);
		struct buf *b = NULL;
		bool *have = NULL;

		if (view && !strcmp(view, "iter_progs"))
			b = &out->view_iter, have = &out->have_view_iter;
		else if (view && !strcmp(view, "kallsyms"))
			b = &out->view_ksyms, have = &out->have_view_ksyms;
		else if (view && !strcmp(view, "deleted_exe"))
			b = &out->view_deleted_exe, have = &out->have_view_deleted_exe;
		if (!b)
			continue;
		buf_free(b);
		err = blob_get_col(db, st, 1, VIEW_LIST_MAX, b, e);
		*have = !err;
	}
	sqlite3_finalize(st);
	return err;
}

int snap_objs_read(struct db *db, int64_t snap, unsigned kinds, struct snap_objs *out,
		   struct err *e)
{
	static const struct {
		unsigned kind;
		const char *sql;
		int ncols;
		int (*row)(sqlite3_stmt *st, void *arg);
	} steps[] = {
		{ SO_PROGS, progs_sql, 18, prog_row },
		{ SO_MAPS, maps_sql, 15, map_row },
		{ SO_LINKS, links_sql, 6, link_row },
		{ SO_ATTACH, atts_sql, 8, att_row },
		{ SO_PINS, pins_sql, 4, pin_row },
		{ SO_BTF, btfs_sql, 5, btf_row },
		{ SO_OWNERS, owners_sql, 4, owner_row },
		{ SO_SOCKS, socks_sql, 12, sock_row },
	};
	struct objs_read r = { .db = db, .s = out, .e = e };
	int err;

	memset(out, 0, sizeof(*out));
	out->snap_id = snap;
	err = snap_have(db, snap, out, e);
	/* identity needs links, pins and attachments whenever programs or maps are read, and
	 * programs and maps each other (a map's owner, a program's maps) */
	if (kinds & (SO_PROGS | SO_MAPS))
		kinds |= SO_PROGS | SO_MAPS | SO_LINKS | SO_PINS | SO_ATTACH;
	out->have &= kinds;
	for (size_t i = 0; !err && i < ARRAY_SIZE(steps); i++) {
		if (!(out->have & steps[i].kind))
			continue;
		r.cap = 0;	/* each step fills an array of its own */
		r.nkeys = 0;
		err = read_rows(db, steps[i].sql, steps[i].ncols, snap, 0, steps[i].row, &r, e);
		if (!err && steps[i].row == prog_row)
			err = order_by_keys(&r, out->progs, out->nprogs, sizeof(*out->progs), key_cmp);
		else if (!err && steps[i].row == map_row)
			err = order_by_keys(&r, out->maps, out->nmaps, sizeof(*out->maps), key_cmp);
		else if (!err && steps[i].row == pin_row)
			err = order_by_keys(&r, out->pins, out->npins, sizeof(*out->pins), pin_key_cmp);
	}
	free(r.keys);
	if (!err)
		err = join_points(out, e);
	if (!err && (out->have & SO_PROGS) && (kinds & SO_VIEWS))
		err = views_read(db, snap, out, e);
	if (err)
		snap_objs_free(out);
	return err;
}

static const char loads_sql[] =
	"SELECT kind, obj_id, coalesce(type, 0), coalesce(pid, 0), time_ns, coalesce(name, ''),"
	" coalesce(comm, ''), coalesce(tag, '') FROM load_events"
	" WHERE snapshot_id > ?1 AND snapshot_id <= ?2 ORDER BY time_ns, seq";

static int load_row(sqlite3_stmt *st, void *arg)
{
	struct objs_read *r = arg;
	struct so_load *l = grow((void **)&r->s->loads, r->s->nloads, &r->cap, sizeof(*l), r->e);

	if (!l)
		return -ENOMEM;
	memset(l, 0, sizeof(*l));
	r->s->nloads++;
	l->id = sqlite3_column_int64(st, 1);
	l->type = sqlite3_column_int64(st, 2);
	l->pid = sqlite3_column_int64(st, 3);
	l->time_ns = sqlite3_column_int64(st, 4);
	if (!col_dup(st, 0, true, &l->kind) || !col_dup(st, 5, true, &l->name) ||
	    !col_dup(st, 6, true, &l->comm) || !col_dup(st, 7, true, &l->tag))
		return err_set(r->e, ENOMEM, "out of memory reading a snapshot");
	return 0;
}

int snap_loads_read(struct db *db, int64_t after, int64_t upto, struct snap_objs *out,
		    struct err *e)
{
	struct objs_read r = { .s = out, .e = e };

	for (size_t i = 0; i < out->nloads; i++) {
		free(out->loads[i].kind); free(out->loads[i].name); free(out->loads[i].comm);
		free(out->loads[i].tag);
	}
	free(out->loads);
	out->loads = NULL;
	out->nloads = 0;
	return read_rows(db, loads_sql, 8, after, upto, load_row, &r, e);
}
