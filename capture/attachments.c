/* Attachments made without links (XDP and tc by netlink, cgroup queries, flow dissector,
 * perf events), plus netfilter rows from the links this snapshot captured, so that
 * `net show` and `cgroup tree` read one table. Runs inside snapshot_take's transaction; what
 * it needs of the rest of the snapshot (links, program types) it gets in memory (struct
 * att_seen), never from the database it writes. Each kind's fields: store/read_attach.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "capture/attachments_int.h"
#include "capture/snapshot.h"

void att_seen_prog(struct att_seen *s, uint32_t prog_type)
{
	s->nr_progs++;
	if (prog_type < 64)
		s->prog_types |= 1ull << prog_type;
	else
		s->odd_prog_type = true;
}

static uint32_t info_u32(const uint8_t *p, size_t off) { uint32_t v; memcpy(&v, p + off, 4); return v; }
static uint64_t info_u64(const uint8_t *p, size_t off) { uint64_t v; memcpy(&v, p + off, 8); return v; }

/* struct bpf_link_info: type, id, prog_id, then the per-type union at byte 16 (laid out
 * here by hand: the netfilter part is newer than our uapi headers) */
#define LINK_INFO_U 16

int att_seen_link(struct att_seen *s, const void *info, size_t len)
{
	const uint8_t *raw = info;
	struct att_link *l;

	if (len < LINK_INFO_U)
		return 0;
	if (s->nr_links == s->cap_links) {
		size_t cap = s->cap_links ? 2 * s->cap_links : 32;
		struct att_link *n = realloc(s->links, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->links = n;
		s->cap_links = cap;
	}
	l = &s->links[s->nr_links++];
	memset(l, 0, sizeof(*l));
	l->type = info_u32(raw, 0);
	l->id = info_u32(raw, 4);
	l->prog_id = info_u32(raw, 8);
	if (len < LINK_INFO_U + 16)
		return 0;	/* (an unreadable union leaves its numbers at 0) */
	switch (l->type) {
	case BPF_LINK_TYPE_CGROUP:
		l->cgroup_id = info_u64(raw, LINK_INFO_U);
		l->attach_type = info_u32(raw, LINK_INFO_U + 8);
		break;
	case BPF_LINK_TYPE_NETNS:
		l->attach_type = info_u32(raw, LINK_INFO_U + 4);
		break;
	case BPF_LINK_TYPE_XDP:
		l->ifindex = info_u32(raw, LINK_INFO_U);
		break;
	case BPFS_LINK_TYPE_NETFILTER:
		l->nf_pf = info_u32(raw, LINK_INFO_U);
		l->nf_hooknum = info_u32(raw, LINK_INFO_U + 4);
		l->nf_prio = (int32_t)info_u32(raw, LINK_INFO_U + 8);
		l->nf_flags = info_u32(raw, LINK_INFO_U + 12);
		break;
	default:
		break;
	}
	return 0;
}

void att_seen_free(struct att_seen *s)
{
	free(s->links);
	memset(s, 0, sizeof(*s));
}

/* Attachments that were made through a link still show up in the old queries (netlink
 * XDP, cgroup and netns queries); name the link they came from (the lowest id that fits). */
static uint32_t link_of(const struct att_ctx *c, const struct attach_row *r)
{
	uint32_t best = 0;

	for (size_t i = 0; c->seen && i < c->seen->nr_links; i++) {
		const struct att_link *l = &c->seen->links[i];
		bool fits;

		if (l->prog_id != r->prog_id || (best && l->id >= best))
			continue;
		switch (r->kind) {
		case ATTACH_XDP:
			fits = l->type == BPF_LINK_TYPE_XDP && l->ifindex == (uint32_t)r->ifindex;
			break;
		case ATTACH_CGROUP:
			fits = l->type == BPF_LINK_TYPE_CGROUP && l->cgroup_id == r->u.cgroup.cgroup_id &&
			       l->attach_type == r->attach_type;
			break;
		case ATTACH_FLOW_DISSECTOR:
			fits = l->type == BPF_LINK_TYPE_NETNS && l->attach_type == r->attach_type;
			break;
		default:
			fits = false;
		}
		if (fits)
			best = l->id;
	}
	return best;
}

int att_insert(struct att_ctx *c, struct attach_row *r)
{
	if (!r->link_id)
		r->link_id = link_of(c, r);
	return attach_write(&c->w, r, c->e);
}

/* the BPF_PROG_QUERY part of union bpf_attr as kernels since 6.6 lay it out */
struct query_attr {
	uint32_t target;
	uint32_t attach_type;
	uint32_t query_flags;
	uint32_t attach_flags;
	uint64_t prog_ids;
	uint32_t count;
	uint32_t pad;
	uint64_t prog_attach_flags;
	uint64_t link_ids;
	uint64_t link_attach_flags;
	uint64_t revision;
} __attribute__((aligned(8)));

int att_prog_query(struct att_query *q)
{
	struct query_attr a;
	long ret;

	memset(&a, 0, sizeof(a));
	a.target = q->target;
	a.attach_type = q->attach_type;
	a.query_flags = q->query_flags;
	a.prog_ids = (uintptr_t)q->prog_ids;
	a.count = q->prog_ids ? q->cnt : 0;
	a.prog_attach_flags = (uintptr_t)q->prog_flags;
	/* kernels before 6.6 reject non-zero bytes past prog_attach_flags */
	a.link_ids = (uintptr_t)q->link_ids;
	a.link_attach_flags = (uintptr_t)q->link_flags;
	ret = syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof(a));
	q->attach_flags = a.attach_flags;
	q->cnt = a.count;
	q->revision = a.revision;
	return ret < 0 ? -errno : 0;
}

void att_query_free(struct att_query *q)
{
	free(q->prog_ids);
	free(q->prog_flags);
	free(q->link_ids);
	free(q->link_flags);
	q->prog_ids = q->prog_flags = q->link_ids = q->link_flags = NULL;
}

int att_prog_query_all(struct att_query *q, bool want_links)
{
	uint32_t room = 16;

	for (int tries = 0; tries < 8; tries++) {
		int ret;

		att_query_free(q);
		q->prog_ids = calloc(room, sizeof(uint32_t));
		q->prog_flags = calloc(room, sizeof(uint32_t));
		if (want_links) {
			q->link_ids = calloc(room, sizeof(uint32_t));
			q->link_flags = calloc(room, sizeof(uint32_t));
		}
		if (!q->prog_ids || !q->prog_flags || (want_links && (!q->link_ids || !q->link_flags)))
			return -ENOMEM;
		q->cnt = room;
		ret = att_prog_query(q);
		if (ret == -ENOSPC || (!ret && q->cnt > room)) {
			/* more were attached than fit; the count may still grow meanwhile */
			room = q->cnt + 16;
			continue;
		}
		return ret;
	}
	return -ENOSPC;
}

/* Which program types are loaded: a walk that can only find programs of absent types
 * is skipped (no cgroup programs loaded: no cgroup walk). */
static void load_gate(struct att_ctx *c)
{
	const struct att_seen *s = c->seen;

	if (s && s->odd_prog_type)
		return;		/* a type we can't place: don't gate */
	c->prog_types = s ? s->prog_types : 0;
	if (s && s->nr_progs) {
		c->gated = true;
	} else {
		/* none: either nothing is loaded or the caller did not capture programs;
		 * ask the kernel whether any program exists at all */
		union bpf_attr a;

		memset(&a, 0, sizeof(a));
		if (syscall(__NR_bpf, BPF_PROG_GET_NEXT_ID, &a, sizeof(a)) < 0 && errno == ENOENT)
			c->gated = true;	/* none: every walk is skipped */
	}
}

/* netfilter hooks only exist as links: one row per netfilter link, in bpftool's order
 * (pf, hook, priority, flags) */
static int nf_cmp(const void *pa, const void *pb)
{
	const struct att_link *a = *(const struct att_link *const *)pa;
	const struct att_link *b = *(const struct att_link *const *)pb;

	if (a->nf_pf != b->nf_pf)
		return a->nf_pf < b->nf_pf ? -1 : 1;
	if (a->nf_hooknum != b->nf_hooknum)
		return a->nf_hooknum < b->nf_hooknum ? -1 : 1;
	if (a->nf_prio != b->nf_prio)
		return a->nf_prio < b->nf_prio ? -1 : 1;
	if (a->nf_flags != b->nf_flags)
		return a->nf_flags < b->nf_flags ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int attach_netfilter(struct att_ctx *c)
{
	const struct att_link **v;
	size_t n = 0;
	int ret = 0;

	if (!c->seen || !c->seen->nr_links)
		return 0;
	v = calloc(c->seen->nr_links, sizeof(*v));
	if (!v)
		return err_set(c->e, ENOMEM, "out of memory");
	for (size_t i = 0; i < c->seen->nr_links; i++)
		if (c->seen->links[i].type == BPFS_LINK_TYPE_NETFILTER)
			v[n++] = &c->seen->links[i];
	qsort(v, n, sizeof(*v), nf_cmp);
	for (size_t i = 0; i < n && !ret; i++) {
		struct attach_row r = { .kind = ATTACH_NETFILTER };

		r.prog_id = v[i]->prog_id;
		r.link_id = v[i]->id;
		r.has_attach_type = true;
		r.attach_type = BPFS_NETFILTER;
		r.u.nf.pf = v[i]->nf_pf;
		r.u.nf.hooknum = v[i]->nf_hooknum;
		r.u.nf.prio = v[i]->nf_prio;
		r.u.nf.flags = v[i]->nf_flags;
		ret = att_insert(c, &r);
	}
	free(v);
	return ret;
}

int attach_capture(struct db *db, int64_t snap_id, unsigned mask, const struct att_seen *seen,
		   uint32_t *count, struct err *e)
{
	struct att_ctx c = { .seen = seen, .e = e };
	int ret;

	*count = 0;
	/* opened without SNAP_ATTACH too: the open spans end, as the snapshot has none */
	ret = attach_writer_open(&c.w, db, snap_id, e);
	if (ret)
		return ret;
	if (mask & SNAP_ATTACH) {
		load_gate(&c);
		if (!ret && !(mask & SNAP_ATTACH_NO_NET))
			ret = attach_net(&c);
		if (!ret && !(mask & SNAP_ATTACH_NO_NET))
			ret = attach_netfilter(&c);
		if (!ret && !(mask & SNAP_ATTACH_NO_CGROUP))
			ret = attach_cgroups(&c);
		if (!ret && !(mask & SNAP_ATTACH_NO_PERF))
			ret = attach_perf(&c);
	}
	if (!ret)
		ret = attach_writer_finish(&c.w, mask & SNAP_ATTACH, e);
	*count = c.w.count;
	attach_writer_close(&c.w);
	return ret;
}

int attach_captured(struct db *db, int64_t snap_id, unsigned no_bit, struct err *e)
{
	int64_t mask = 0;
	int ret = snapshot_mask_read(db, snap_id, &mask, e);

	if (ret < 0)
		return ret;
	if (!ret || mask < 0)
		return 1;	/* unknown: assume it did, as older snapshots may not say */
	return (mask & SNAP_ATTACH) && !(mask & no_bit);
}
