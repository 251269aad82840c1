/* replay REF, reading: the snapshot's programs, maps, pins, links and attachments, the
 * groups they form (programs and the maps they share came from one load), and the ELF
 * objects that might hold them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/objects.h"
#include "store/read_replay.h"
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

/* ---- the snapshot's rows (store/read_replay.h), one callback per row ---- */

static int on_prog(void *arg, const struct rr_prog *r)
{
	struct rs *s = arg;
	struct sprog *p = APPEND(s->progs, s->np);

	if (!p)
		return -ENOMEM;
	p->id = r->id;
	p->type = r->type;
	snprintf(p->name, sizeof(p->name), "%s", r->name);
	snprintf(p->tag, sizeof(p->tag), "%s", r->tag);
	return 0;
}

static int on_map(void *arg, const struct rr_map *r)
{
	struct rs *s = arg;
	struct smap *m = APPEND(s->maps, s->nm);

	if (!m)
		return -ENOMEM;
	m->id = r->id;
	m->type = r->type;
	snprintf(m->name, sizeof(m->name), "%s", r->name);
	m->key = r->key_size;
	m->value = r->value_size;
	m->frozen = r->frozen;
	m->has_contents = r->has_contents;
	return 0;
}

static int on_pin(void *arg, const struct rr_pin *r)
{
	struct rs *s = arg;
	struct spin *p = APPEND(s->pins, s->npins);

	if (!p || !(p->path = strdup(r->path)))
		return -ENOMEM;
	snprintf(p->kind, sizeof(p->kind), "%s", r->kind);
	p->id = r->id;
	return 0;
}

static int on_link(void *arg, const struct rr_link *r)
{
	struct rs *s = arg;
	struct slink *k = APPEND(s->links, s->nl);

	if (!k)
		return -ENOMEM;
	k->id = r->id;
	k->type = r->type;
	k->prog_id = r->prog_id;
	k->attach_type = r->attach_type;
	snprintf(k->target, sizeof(k->target), "%s", r->target);
	k->ifindex = r->ifindex;
	k->offset = r->offset;
	k->cookie = r->cookie;
	k->pe = r->flags;
	return 0;
}

static int on_att(void *arg, const struct rr_att *r)
{
	struct rs *s = arg;
	struct satt *a = APPEND(s->atts, s->na);

	if (!a)
		return -ENOMEM;
	snprintf(a->kind, sizeof(a->kind), "%s", r->kind);
	a->prog_id = r->prog_id;
	a->ifindex = r->ifindex;
	snprintf(a->devname, sizeof(a->devname), "%s", r->devname);
	snprintf(a->mode, sizeof(a->mode), "%s", r->mode);
	a->link_id = r->link_id;
	return 0;
}

/* groups: programs and the maps they use */
static int on_prog_map(void *arg, uint32_t pid, uint32_t mid)
{
	struct rs *s = arg;
	int a = -1, b = -1;

	for (size_t i = 0; i < s->np; i++)
		if (s->progs[i].id == pid)
			a = i;
	for (size_t i = 0; i < s->nm; i++)
		if (s->maps[i].id == mid)
			b = s->np + i;
	if (a >= 0 && b >= 0)
		s->parent[rs_find(s->parent, a)] = rs_find(s->parent, b);
	return 0;
}

/* A link knows its device by index only; netlink's attachment rows name it: the row of
 * the link itself, else one at its index. */
static void link_devnames(struct rs *s)
{
	for (size_t i = 0; i < s->nl; i++) {
		struct slink *k = &s->links[i];
		const char *d = NULL;

		for (size_t j = 0; j < s->na && !d; j++)
			if (s->atts[j].link_id == k->id && s->atts[j].devname[0])
				d = s->atts[j].devname;
		for (size_t j = 0; j < s->na && !d && k->ifindex; j++)
			if (s->atts[j].ifindex == k->ifindex && s->atts[j].devname[0])
				d = s->atts[j].devname;
		snprintf(k->devname, sizeof(k->devname), "%s", d ? d : "");
	}
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
	int64_t snap = s->o->snap_id;
	int err;

	err = rr_progs(db, snap, on_prog, s, s->e);
	if (!err)
		err = rr_maps(db, snap, on_map, s, s->e);
	if (!err)
		err = rr_pins(db, snap, on_pin, s, s->e);
	if (!err)
		err = rr_links(db, snap, on_link, s, s->e);
	if (!err)
		err = rr_attachments(db, snap, on_att, s, s->e);
	if (!err && !(s->parent = calloc(s->np + s->nm + 1, sizeof(int))))
		err = -ENOMEM;
	for (size_t i = 0; !err && i < s->np + s->nm; i++)
		s->parent[i] = i;
	if (!err)
		err = rr_prog_maps(db, snap, on_prog_map, s, s->e);
	if (err == -ENOMEM)
		return err_set(s->e, ENOMEM, "out of memory");
	if (err)
		return err;
	link_devnames(s);
	pin_owners(s);
	return 0;
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

static int on_object(void *arg, const char *path, struct buf *elf)
{
	return add_cand(arg, path, elf);
}

int rs_read_cands(struct rs *s)
{
	struct buf b = { 0 };
	int err = 0;

	if (s->o->objects_dir) {
		DIR *d = opendir(s->o->objects_dir);
		struct dirent *de;

		if (!d) {
			err = errno;
			return err_set(s->e, err, "can't open objects directory %s: %s",
				       s->o->objects_dir, strerror(err));
		}
		while (!err && (de = readdir(d))) {
			char path[PATH_MAX];
			struct err ignore = { 0 };

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", s->o->objects_dir, de->d_name);
			b.len = 0;
			if (read_file(path, ELF_MAX, &b, &ignore))
				continue;	/* a directory, unreadable: not an object */
			err = add_cand(s, path, &b);
		}
		closedir(d);
		buf_free(&b);
		if (err)
			return err;
	}
	return objects_each(s->o->db, ELF_MAX, on_object, s, s->e);
}
