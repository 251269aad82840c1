/* replay OBJ.o: load an object, pin its maps and programs under one directory, attach
 * as its sections say (or to a device), fill its maps from a stored snapshot. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf_names.h"
#include "lib/map_chunks.h"
#include "act/map_edit.h"
#include "act/net_attach.h"
#include "store/db.h"
#include "store/read_replay.h"
#include "act/replay_int.h"

#define CONTENTS_MAX (1ull << 30)

void replay_report_free(struct replay_report *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

const char *replay_status_name(enum replay_status s)
{
	switch (s) {
	case RS_PLANNED: return "planned";
	case RS_RESTORED: return "restored";
	case RS_SKIPPED: return "skipped";
	default: return "failed";
	}
}

struct replay_row *replay_row_add(struct replay_report *r, const char *kind, const char *name,
				  struct err *e)
{
	struct replay_row *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct replay_row *p = realloc(r->rows, cap * sizeof(*p));

		if (!p) {
			err_set(e, ENOMEM, "out of memory");
			return NULL;
		}
		r->rows = p;
		r->cap = cap;
	}
	row = &r->rows[r->n++];
	memset(row, 0, sizeof(*row));
	snprintf(row->kind, sizeof(row->kind), "%s", kind);
	snprintf(row->name, sizeof(row->name), "%s", name);
	return row;
}

void replay_row_note(struct replay_row *row, const char *fmt, ...)
{
	size_t n = strlen(row->detail);
	va_list ap;

	if (n && n + 2 < sizeof(row->detail)) {
		memcpy(row->detail + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(row->detail + n, sizeof(row->detail) - n, fmt, ap);
	va_end(ap);
}

bool replay_name_eq(const char *obj_name, const char *kernel_name)
{
	/* BPF_OBJ_NAME_LEN is 16: the kernel keeps 15 bytes */
	return !strncmp(obj_name, kernel_name, 15) && strlen(kernel_name) <= 15 &&
	       (strlen(obj_name) >= 15 ? strlen(kernel_name) == 15 : !strcmp(obj_name, kernel_name));
}

/* Replay's identity differs from analyze/match.c's (snapshot against snapshot): one side
 * is an ELF object that is not loaded yet, so it has no attach point, no pin and no tag to
 * compare. What an object can say is its name (which the kernel cut to 15 bytes), its
 * type and, for a map, its key and value sizes; the pins and the tag (after load) are the
 * callers' tie-breakers. */
bool replay_ident_eq(const struct replay_ident *obj, const struct replay_ident *stored)
{
	return replay_name_eq(obj->name, stored->name) && obj->type == stored->type &&
	       obj->key_size == stored->key_size && obj->value_size == stored->value_size;
}

int replay_contents(struct db *db, int64_t snap, uint32_t map_id, struct buf *b,
		    struct map_contents *mc, struct err *e)
{
	int err = rr_map_contents(db, snap, map_id, CONTENTS_MAX, b, e);

	if (err)
		return err;
	return map_contents_parse(b->data, b->len, mc, e);
}

int replay_restore_map(struct db *db, int64_t snap, uint32_t map_id, struct loaded *l, size_t i,
		       uint64_t *n, struct err *e)
{
	struct buf b = { 0 }, c = { 0 };
	struct map_chunk_list cl;
	struct map_contents mc;
	struct mapedit_info mi;
	uint64_t k = 0;
	int err = mapedit_info(l->maps[i].fd, &mi, e);

	*n = 0;
	err = err ?: rr_map_contents_list(db, snap, map_id, CONTENTS_MAX, &b, &cl, e);
	/* chunks read through read(), not mapped: mapped pages would stay in RSS */
	if (!err && cl.nr_chunks)
		err = db_unmap(db, e);
	if (!err && !cl.nr_chunks)
		err = map_contents_parse(b.data, b.len, &mc, e) ?:
		      mapedit_restore(l->maps[i].fd, &mi, &mc, n, e);
	for (uint32_t ci = 0; !err && ci < cl.nr_chunks; ci++) {
		c.len = 0;
		err = map_contents_chunk(db, &cl, ci, &c, e) ?:
		      map_contents_parse(c.data, c.len, &mc, e) ?:
		      mapedit_restore(l->maps[i].fd, &mi, &mc, &k, e);
		*n += k;
	}
	buf_free(&c);
	buf_free(&b);
	return err;
}

int replay_set_initial(struct loaded *l, size_t i, const struct map_contents *mc, struct err *e)
{
	struct bpf_map *map = load_map_ptr(l, i);
	int err;

	/* internal maps are one-entry arrays whose value is the whole section */
	if (!map || mc->count != 1 || mc->nr_cpus || mc->value_size != bpf_map__value_size(map))
		return err_set(e, EINVAL, "map %s: stored contents don't fit its initial value",
			       l->maps[i].name);
	err = bpf_map__set_initial_value(map, map_contents_value(mc, 0), mc->value_size);
	if (err)
		return err_set(e, err, "map %s: can't set its initial value: %s", l->maps[i].name,
			       strerror(-err));
	return 0;
}

int replay_tp_category(const char *name, char *cat, size_t len)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };

	for (size_t r = 0; r < 2; r++) {
		DIR *d = opendir(roots[r]);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			char path[PATH_MAX];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", roots[r], de->d_name, name);
			if (!access(path, F_OK)) {
				snprintf(cat, len, "%s", de->d_name);
				closedir(d);
				return 0;
			}
		}
		closedir(d);
	}
	return -ENOENT;
}

/* ---- object mode ---- */

static int join3(char *out, size_t len, const char *dir, const char *sub, const char *name,
		 struct err *e)
{
	if ((size_t)snprintf(out, len, "%s/%s/%s", dir, sub, name) >= len)
		return err_set(e, ENAMETOOLONG, "path too long: %s/%s/%s", dir, sub, name);
	for (char *p = out + strlen(dir) + strlen(sub) + 2; *p; p++)
		if (*p == '.')
			*p = '_';	/* libbpf's rule for pin names */
	return 0;
}

struct stored_map_match {
	const struct load_map *m;
	const char *our_pin;
	uint32_t found, by_pin, pinned, nfound, npinned;
};

static int on_stored_map(void *arg, const struct rr_map_cand *c)
{
	struct stored_map_match *x = arg;
	struct replay_ident obj = { .name = x->m->name, .type = x->m->type,
				    .key_size = x->m->key_size, .value_size = x->m->value_size };
	struct replay_ident snap = obj;
	size_t ours = strlen(x->our_pin);

	snap.name = c->name;	/* the type and sizes were asked of the store */
	if (!replay_ident_eq(&obj, &snap))
		return 0;
	x->nfound++;
	x->found = c->id;
	if (c->lasting) {
		x->npinned++;
		x->pinned = c->id;
	}
	for (const char *p = c->pins; *p;) {
		size_t n = strcspn(p, "\n");

		if (ours == n && !strncmp(p, x->our_pin, n))
			x->by_pin = c->id;
		p += n + (p[n] == '\n');
	}
	return 0;
}

/* The snapshot map to restore object map i from: same name, type, sizes, with contents;
 * several: the one pinned where we pin, else the only pinned one. */
static int match_stored_map(struct db *db, int64_t snap, const struct load_map *m,
			    const char *our_pin, uint32_t *id, char *why, size_t why_len,
			    struct err *e)
{
	struct stored_map_match x = { .m = m, .our_pin = our_pin };
	int err = rr_maps_like(db, snap, m->type, m->key_size, m->value_size, on_stored_map, &x,
			       e);

	if (err)
		return err;
	*id = x.by_pin ? x.by_pin : x.nfound == 1 ? x.found : x.npinned == 1 ? x.pinned : 0;
	if (!*id)
		snprintf(why, why_len, x.nfound ? "%u maps of the snapshot match and not exactly one is pinned (%s is not)" :
			 "no map of the snapshot matches (name, type, sizes, with contents)",
			 x.nfound, our_pin);
	return 0;
}

/* Attach program i to dev: xdp programs by netlink, tc programs as tcx links. */
static int attach_dev(struct loaded *l, size_t i, const char *dev, const char *pin,
		      struct replay_row *row, struct err *e)
{
	const struct load_prog *p = &l->progs[i];
	struct netattach_result nr;
	int kind, ifindex = if_nametoindex(dev), err;

	if (p->type == BPF_PROG_TYPE_XDP)
		kind = NA_XDP;
	else if (p->type == BPF_PROG_TYPE_SCHED_CLS)
		kind = strstr(p->sec, "egress") ? NA_TCX_EGRESS : NA_TCX_INGRESS;
	else
		return 1;	/* not a device program */
	if (!ifindex)
		return err_set(e, ENODEV, "no device %s", dev);
	err = net_attach(kind, load_prog_fd(l, i), ifindex, false,
			 netattach_is_tcx(kind) ? pin : NULL, &l->undo, &nr, e);
	if (err)
		return err;
	if (nr.link_id)
		replay_row_note(row, "%s %s (link %u pinned at %s)", netattach_kind_name(kind), dev,
				nr.link_id, nr.pin);
	else
		replay_row_note(row, "%s %s", netattach_kind_name(kind), dev);
	return 0;
}

static int object_restore(const struct replay_obj_opts *o, struct loaded *l, const char *dir,
			  bool before_load, struct replay_report *r, size_t first_map_row,
			  struct err *e)
{
	struct buf b = { 0 };
	int err = 0;

	for (size_t i = 0; i < l->nr_maps && !err; i++) {
		struct replay_row *row = &r->rows[first_map_row + i];
		char pin[PATH_MAX], why[256] = "";
		struct map_contents mc;
		/* libbpf freezes these after load: they take their value before */
		bool frozen = strstr(l->maps[i].name, ".rodata") || strstr(l->maps[i].name, ".kconfig");
		uint32_t id;
		uint64_t n;

		if (before_load != frozen)
			continue;
		err = join3(pin, sizeof(pin), dir, "maps", l->maps[i].name, e);
		if (!err)
			err = match_stored_map(o->db, o->restore_snap, &l->maps[i], pin, &id, why,
					       sizeof(why), e);
		if (err)
			break;
		if (!id) {
			replay_row_note(row, "not restored: %s", why);
			continue;
		}
		row->old_id = id;
		if (o->dry_run) {
			replay_row_note(row, "restore from map %u of snapshot %lld", id,
					(long long)o->restore_snap);
			continue;
		}
		if (frozen)
			err = replay_contents(o->db, o->restore_snap, id, &b, &mc, e) ?:
			      replay_set_initial(l, i, &mc, e);
		else
			err = replay_restore_map(o->db, o->restore_snap, id, l, i, &n, e);
		if (err == -ENODATA) {
			err = 0;
			replay_row_note(row, "not restored: map %u has no stored contents", id);
			continue;
		}
		if (err)
			break;
		if (frozen)
			replay_row_note(row, "initial value from map %u", id);
		else
			replay_row_note(row, "restored %llu entries from map %u",
					(unsigned long long)n, id);
	}
	buf_free(&b);
	return err;
}

/* The verifier's last word as the error's hint, for a report that has one line per
 * error: the line before its "processed N insns" summary. */
static void verifier_hint(const struct loaded *l, struct err *e)
{
	char tail[512], *line = tail, *nl;

	load_log_tail(l, 2, tail, sizeof(tail));
	nl = strchr(tail, '\n');
	if (nl && !strncmp(nl + 1, "processed ", 10))
		*nl = 0;
	else if (nl)
		line = nl + 1;
	if (line[0])
		err_hint(e, "verifier: %.200s", line);
}

/* One report row per program, then one per map; *first_map_row: where the maps start. */
static int object_rows(const struct replay_obj_opts *o, const struct loaded *l,
		       struct replay_report *r, size_t *first_map_row, struct err *e)
{
	enum replay_status st = o->dry_run ? RS_PLANNED : RS_RESTORED;

	for (size_t i = 0; i < l->nr_progs; i++) {
		struct replay_row *row = replay_row_add(r, "prog", l->progs[i].name, e);

		if (!row)
			return -ENOMEM;
		snprintf(row->type, sizeof(row->type), "%s", prog_type_name(l->progs[i].type) ?: "?");
		row->status = st;
	}
	*first_map_row = r->n;
	for (size_t i = 0; i < l->nr_maps; i++) {
		struct replay_row *row = replay_row_add(r, "map", l->maps[i].name, e);

		if (!row)
			return -ENOMEM;
		snprintf(row->type, sizeof(row->type), "%s", map_type_name(l->maps[i].type) ?: "?");
		row->status = st;
	}
	return 0;
}

/* Pin program i as DIR/progs/NAME and attach it: to the device, or as its section says
 * (autoattach), its link pinned as DIR/links/NAME. */
static int object_prog(const struct replay_obj_opts *o, struct loaded *l, size_t i,
		       const char *dir, struct replay_row *row, struct err *e)
{
	struct bpf_link *link = NULL;
	char pin[PATH_MAX];
	int err;

	err = join3(pin, sizeof(pin), dir, "progs", l->progs[i].name, e);
	if (!err && !o->dry_run)
		err = pin_fd_undo(load_prog_fd(l, i), pin, &l->undo, e);
	if (err)
		return err;
	row->new_id = l->progs[i].id;
	snprintf(row->tag, sizeof(row->tag), "%s", l->progs[i].tag);
	replay_row_note(row, "pin %s", pin);
	err = join3(pin, sizeof(pin), dir, "links", l->progs[i].name, e);
	if (err)
		return err;
	if (o->dev && (l->progs[i].type == BPF_PROG_TYPE_XDP ||
		       l->progs[i].type == BPF_PROG_TYPE_SCHED_CLS)) {
		if (o->dry_run) {
			replay_row_note(row, "attach to %s", o->dev);
			return 0;
		}
		err = attach_dev(l, i, o->dev, pin, row, e);
		return err < 0 ? err : 0;
	}
	if (!o->autoattach)
		return 0;
	if (o->dry_run) {
		replay_row_note(row, "attach as section '%s' says", l->progs[i].sec);
		return 0;
	}
	err = load_attach(l, i, &link, e);
	if (err == -EOPNOTSUPP) {
		replay_row_note(row, "section '%s' does not say where to attach", l->progs[i].sec);
		return 0;
	}
	if (!err)
		err = load_pin_link(l, link, i, pin, e);
	if (err)
		return err;
	replay_row_note(row, "attached %s (link %u pinned at %s)", load_attach_kind(&l->progs[i]),
			l->progs[i].link_id, pin);
	return 0;
}

int replay_object(const struct replay_obj_opts *o, struct replay_report *r, struct err *e)
{
	struct load_opts lo = { 0 };
	struct loaded l;
	char dir[PATH_MAX], pin[PATH_MAX];
	size_t first_map_row;
	int err;

	memset(r, 0, sizeof(*r));
	err = load_open(o->path, NULL, 0, &lo, &l, e);
	if (err)
		goto fail;
	if (o->pin_dir)
		snprintf(dir, sizeof(dir), "%s", o->pin_dir);
	else
		snprintf(dir, sizeof(dir), REPLAY_PIN_ROOT "/%s", bpf_object__name(l.obj));
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = 0;
	snprintf(r->pin_dir, sizeof(r->pin_dir), "%s", dir);
	if (!o->dry_run && !access(dir, F_OK)) {
		err = err_set(e, EEXIST, "%s exists: remove it or give another 'pin DIR'", dir);
		goto fail;
	}
	err = object_rows(o, &l, r, &first_map_row, e);
	if (!err && o->restore_snap)
		err = object_restore(o, &l, dir, true, r, first_map_row, e);
	if (!err && !o->dry_run) {
		err = load_load(&l, e);
		if (err)
			verifier_hint(&l, e);
	}
	for (size_t i = 0; i < l.nr_maps && !err; i++) {
		struct replay_row *row = &r->rows[first_map_row + i];

		err = join3(pin, sizeof(pin), dir, "maps", l.maps[i].name, e);
		if (!err && !o->dry_run)
			err = pin_fd_undo(l.maps[i].fd, pin, &l.undo, e);
		if (err)
			break;
		row->new_id = l.maps[i].id;
		replay_row_note(row, "pin %s", pin);
	}
	for (size_t i = 0; i < l.nr_progs && !err; i++)
		err = object_prog(o, &l, i, dir, &r->rows[i], e);
	if (!err && o->restore_snap)
		err = object_restore(o, &l, dir, false, r, first_map_row, e);
	if (err)
		goto fail;
	if (o->dry_run)
		load_abort(&l);		/* nothing was created: just close */
	else
		load_close(&l);
	buf_free(&l.log);
	return 0;
fail:
	load_abort(&l);
	buf_free(&l.log);
	return err;
}
