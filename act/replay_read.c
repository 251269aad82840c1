/* replay REF, reading: the snapshot's programs, maps, pins, links and attachments, the
 * groups they form (programs and the maps they share came from one load), and the ELF
 * objects that might hold them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "act/replay_int.h"

#define ELF_MAX (256u << 20)
#define EM_BPF_ 247

int rs_find(int *p, int x)
{
	while (p[x] != x)
		x = p[x] = p[p[x]];
	return x;
}

static void *grow(void *p, size_t n, size_t size)
{
	/* grow by doubling at powers of two: callers append one at a time */
	if (n & (n - 1) || !n)
		return n ? p : realloc(p, size);
	return realloc(p, 2 * n * size);
}

#define APPEND(arr, n) ({ void *_p = grow((arr), (n), sizeof(*(arr))); \
	_p ? ((arr) = _p, memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++]) : NULL; })

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* Which program or map each pin belongs to; sorting would be faster, but a snapshot's
 * pins are bounded by its objects and this runs once. */
static void pin_owners(struct rs *s)
{
	for (size_t i = 0; i < s->npins; i++) {
		struct spin *p = &s->pins[i];

		p->owner = -1;
		if (!strcmp(p->kind, "prog")) {
			for (size_t k = 0; k < s->np && p->owner < 0; k++)
				if (s->progs[k].id == p->id)
					p->owner = k;
		} else if (!strcmp(p->kind, "map")) {
			for (size_t k = 0; k < s->nm && p->owner < 0; k++)
				if (s->maps[k].id == p->id)
					p->owner = s->np + k;
		} else {
			for (size_t k = 0; k < s->nl && p->owner < 0; k++)
				if (s->links[k].id == p->id)
					for (size_t q = 0; q < s->np && p->owner < 0; q++)
						if (s->progs[q].id == s->links[k].prog_id)
							p->owner = q;
		}
	}
}

int rs_read_rows(struct rs *s)
{
	struct db *db = s->o->db;
	sqlite3_stmt *st;
	int err;

	err = db_prepare(db, "SELECT id, type, name, tag FROM progs WHERE snapshot_id = ? ORDER BY id",
			 &st, s->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, s->o->snap_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sprog *p = APPEND(s->progs, s->np);

		if (!p)
			goto oom;
		p->id = sqlite3_column_int64(st, 0);
		p->type = sqlite3_column_int64(st, 1);
		snprintf(p->name, sizeof(p->name), "%s", col_text(st, 2));
		snprintf(p->tag, sizeof(p->tag), "%s", col_text(st, 3));
	}
	sqlite3_finalize(st);
	err = db_prepare(db, "SELECT id, type, name, bytes_key, bytes_value, frozen,"
			 " contents IS NOT NULL FROM maps WHERE snapshot_id = ? ORDER BY id", &st, s->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, s->o->snap_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct smap *m = APPEND(s->maps, s->nm);

		if (!m)
			goto oom;
		m->id = sqlite3_column_int64(st, 0);
		m->type = sqlite3_column_int64(st, 1);
		snprintf(m->name, sizeof(m->name), "%s", col_text(st, 2));
		m->key = sqlite3_column_int64(st, 3);
		m->value = sqlite3_column_int64(st, 4);
		m->frozen = sqlite3_column_int64(st, 5);
		m->has_contents = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	err = db_prepare(db, "SELECT path, obj_type, obj_id FROM pins WHERE snapshot_id = ?"
			 " ORDER BY path", &st, s->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, s->o->snap_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct spin *p = APPEND(s->pins, s->npins);

		if (!p || !(p->path = strdup(col_text(st, 0))))
			goto oom;
		snprintf(p->kind, sizeof(p->kind), "%s", col_text(st, 1));
		p->id = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	err = db_prepare(db, "SELECT l.id, l.type, l.prog_id, l.attach_type, l.target, l.ifindex,"
			 " l.offset, l.cookie, l.flags, coalesce((SELECT a.devname FROM attachments a"
			 " WHERE a.snapshot_id = l.snapshot_id AND a.link_id = l.id AND a.devname IS NOT"
			 " NULL), (SELECT a.devname FROM attachments a WHERE a.snapshot_id ="
			 " l.snapshot_id AND a.ifindex = l.ifindex AND a.devname IS NOT NULL))"
			 " FROM links l WHERE l.snapshot_id = ? ORDER BY l.id", &st, s->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, s->o->snap_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct slink *k = APPEND(s->links, s->nl);

		if (!k)
			goto oom;
		k->id = sqlite3_column_int64(st, 0);
		k->type = sqlite3_column_int64(st, 1);
		k->prog_id = sqlite3_column_int64(st, 2);
		k->attach_type = sqlite3_column_int64(st, 3);
		snprintf(k->target, sizeof(k->target), "%s", col_text(st, 4));
		k->ifindex = sqlite3_column_int64(st, 5);
		k->offset = sqlite3_column_int64(st, 6);
		k->cookie = sqlite3_column_int64(st, 7);
		k->pe = sqlite3_column_int64(st, 8);
		snprintf(k->devname, sizeof(k->devname), "%s", col_text(st, 9));
	}
	sqlite3_finalize(st);
	err = db_prepare(db, "SELECT kind, prog_id, ifindex, devname, mode, coalesce(link_id, 0)"
			 " FROM attachments WHERE snapshot_id = ? AND kind IN ('xdp', 'tcx')",
			 &st, s->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, s->o->snap_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct satt *a = APPEND(s->atts, s->na);

		if (!a)
			goto oom;
		snprintf(a->kind, sizeof(a->kind), "%s", col_text(st, 0));
		a->prog_id = sqlite3_column_int64(st, 1);
		a->ifindex = sqlite3_column_int64(st, 2);
		snprintf(a->devname, sizeof(a->devname), "%s", col_text(st, 3));
		snprintf(a->mode, sizeof(a->mode), "%s", col_text(st, 4));
		a->link_id = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	/* groups: programs and the maps they use */
	s->parent = calloc(s->np + s->nm + 1, sizeof(int));
	if (!s->parent)
		goto oom;
	for (size_t i = 0; i < s->np + s->nm; i++)
		s->parent[i] = i;
	err = db_prepare(db, "SELECT prog_id, map_id FROM prog_maps WHERE snapshot_id = ?", &st,
			 s->e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, s->o->snap_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint32_t pid = sqlite3_column_int64(st, 0), mid = sqlite3_column_int64(st, 1);
		int a = -1, b = -1;

		for (size_t i = 0; i < s->np; i++)
			if (s->progs[i].id == pid)
				a = i;
		for (size_t i = 0; i < s->nm; i++)
			if (s->maps[i].id == mid)
				b = s->np + i;
		if (a >= 0 && b >= 0)
			s->parent[rs_find(s->parent, a)] = rs_find(s->parent, b);
	}
	sqlite3_finalize(st);
	pin_owners(s);
	return 0;
oom:
	sqlite3_finalize(st);
	return err_set(s->e, ENOMEM, "out of memory");
}

static bool is_bpf_elf(const struct buf *b)
{
	return b->len > 20 && !memcmp(b->data, "\x7f" "ELF", 4) &&
	       (b->data[18] | b->data[19] << 8) == EM_BPF_;
}

static int add_cand(struct rs *s, const char *label, struct buf *elf)
{
	uint8_t hash[SHA256_LEN];
	const char *base = strrchr(label, '/');
	struct cand *c;

	if (!is_bpf_elf(elf))
		return 0;
	sha256(elf->data, elf->len, hash);
	for (size_t i = 0; i < s->nc; i++)
		if (!memcmp(s->cands[i].hash, hash, SHA256_LEN))
			return 0;	/* the same bytes under another name */
	c = APPEND(s->cands, s->nc);
	if (!c)
		return err_set(s->e, ENOMEM, "out of memory");
	snprintf(c->label, sizeof(c->label), "%s", label);
	/* libbpf names an object after its file up to the first dot; internal map names
	 * (xdp_drop.rodata) come from it, so an object from memory gets the same name */
	snprintf(c->objname, sizeof(c->objname), "%s", base ? base + 1 : label);
	c->objname[strcspn(c->objname, ".")] = 0;
	memcpy(c->hash, hash, SHA256_LEN);
	c->elf = *elf;
	memset(elf, 0, sizeof(*elf));
	return 0;
}

int rs_read_cands(struct rs *s)
{
	struct buf b = { 0 };
	sqlite3_stmt *st;
	int err;

	if (s->o->objects_dir) {
		DIR *d = opendir(s->o->objects_dir);
		struct dirent *de;

		if (!d)
			return err_set(s->e, errno, "can't open objects directory %s: %s",
				       s->o->objects_dir, strerror(errno));
		while ((de = readdir(d))) {
			char path[PATH_MAX];
			struct err ignore = { 0 };

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", s->o->objects_dir, de->d_name);
			b.len = 0;
			if (read_file(path, ELF_MAX, &b, &ignore))
				continue;	/* a directory, unreadable: not an object */
			err = add_cand(s, path, &b);
			if (err) {
				closedir(d);
				buf_free(&b);
				return err;
			}
		}
		closedir(d);
	}
	err = db_prepare(s->o->db, "SELECT path, elf FROM objects ORDER BY id DESC", &st, s->e);
	if (err) {
		buf_free(&b);
		return err;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct err ignore = { 0 };

		b.len = 0;
		if (blob_get_col(s->o->db, st, 1, ELF_MAX, &b, &ignore))
			continue;	/* a damaged row must not stop the others */
		err = add_cand(s, col_text(st, 0), &b);
		if (err)
			break;
	}
	sqlite3_finalize(st);
	buf_free(&b);
	return err;
}

