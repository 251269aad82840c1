/* Attachments made without links (XDP and tc by netlink, cgroup queries, flow dissector,
 * perf events), plus netfilter rows from the links already captured, so that `net show`
 * and `cgroup tree` read one table. Runs inside snapshot_take's transaction.
 *
 * Column use by kind (numbers are the kernel's; names are for display only):
 *   xdp            ifindex devname mode(generic|driver|offload) attach_type=BPF_XDP
 *                  flags=IFLA_XDP_ATTACHED (XDP_ATTACHED_MULTI: several rows) link_id
 *   tcx, netkit    ifindex devname mode(tcx/ingress...) attach_type prog_id link_id
 *                  flags=prog attach flags, priority=position in the chain,
 *                  detail "link_flags=N" when N != 0
 *   tc             ifindex devname mode(clsact/ingress|clsact/egress|root|qdisc kind)
 *                  target=TCA_BPF_NAME prog_id handle=tcm_handle priority=prio
 *                  flags=TCA_BPF_FLAGS (1: direct-action) detail "parent=0x.. proto=0x.."
 *   flow_dissector attach_type=BPF_FLOW_DISSECTOR prog_id link_id target "net:[INO]"
 *   cgroup         cgroup_path attach_type prog_id link_id flags=attach flags (multi 2,
 *                  override 1) priority=position handle=cgroup id target=cgroup2 root
 *   netfilter      link_id prog_id attach_type=BPF_NETFILTER priority=prio flags
 *                  detail "pf=N hooknum=N"
 *   perf_event     prog_id flags=bpf_task_fd_type mode(kprobe|tracepoint...) target=func,
 *                  tracepoint or file detail "pid=N fd=N offset=N addr=N"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "capture/attachments.h"
#include "capture/attachments_int.h"
#include "capture/snapshot.h"

int att_insert(struct att_ctx *c, const struct att_row *r)
{
	sqlite3_stmt *st = c->ins;
	int rc;

#define BIND_TEXT(i, s) ((s) ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i))
#define BIND_U32(i, v) ((v) ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i))
#define BIND_I64(i, v) ((v) != ATT_NULL ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i))
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, c->snap_id);
	BIND_TEXT(2, r->kind);
	BIND_U32(3, r->prog_id);
	BIND_U32(4, r->link_id);
	BIND_U32(5, r->ifindex);
	BIND_TEXT(6, r->devname);
	BIND_I64(7, r->attach_type);
	BIND_TEXT(8, r->mode);
	BIND_I64(9, r->flags);
	BIND_I64(10, r->priority);
	BIND_I64(11, r->handle);
	BIND_TEXT(12, r->cgroup_path);
	BIND_TEXT(13, r->target);
	BIND_TEXT(14, r->detail);
#undef BIND_TEXT
#undef BIND_U32
#undef BIND_I64
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return err_set(c->e, EIO, "can't insert attachment (%s): %s", r->kind,
			       sqlite3_errmsg(c->db->sql));
	c->count++;
	return 0;
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
static int load_gate(struct att_ctx *c)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (db_prepare(c->db, "SELECT DISTINCT type FROM progs WHERE snapshot_id = ?", &st, c->e))
		return -EIO;
	sqlite3_bind_int64(st, 1, c->snap_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(st, 0);

		n++;
		if (t >= 0 && t < 64)
			c->prog_types |= 1ull << t;
		else
			n = -1000000;	/* a type we can't place: don't gate */
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(c->e, EIO, "can't read program types: %s", sqlite3_errmsg(c->db->sql));
	if (n > 0) {
		c->gated = true;
	} else if (n == 0) {
		/* no rows: either nothing is loaded or the caller did not capture programs;
		 * ask the kernel whether any program exists at all */
		union bpf_attr a;

		memset(&a, 0, sizeof(a));
		if (syscall(__NR_bpf, BPF_PROG_GET_NEXT_ID, &a, sizeof(a)) < 0 && errno == ENOENT)
			c->gated = true;	/* none: every walk is skipped */
	}
	return 0;
}

/* netfilter hooks only exist as links: copy them from the links rows, in bpftool's
 * order (pf, hook, priority, flags). struct bpf_link_info keeps them at offset 16. */
struct nf_link { uint32_t id, prog_id, pf, hooknum, flags; int32_t prio; };

static int nf_cmp(const void *pa, const void *pb)
{
	const struct nf_link *a = pa, *b = pb;

	if (a->pf != b->pf)
		return a->pf < b->pf ? -1 : 1;
	if (a->hooknum != b->hooknum)
		return a->hooknum < b->hooknum ? -1 : 1;
	if (a->prio != b->prio)
		return a->prio < b->prio ? -1 : 1;
	if (a->flags != b->flags)
		return a->flags < b->flags ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static uint32_t le32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int attach_netfilter(struct att_ctx *c)
{
	sqlite3_stmt *st = NULL;
	struct nf_link *v = NULL;
	size_t n = 0, cap = 0;
	struct buf raw = { 0 };
	int rc, ret = 0;

	if (db_prepare(c->db, "SELECT id, prog_id, info_raw FROM links WHERE snapshot_id = ?"
		       " AND type = ?", &st, c->e))
		return -EIO;
	sqlite3_bind_int64(st, 1, c->snap_id);
	sqlite3_bind_int(st, 2, ATT_LINK_TYPE_NETFILTER);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nf_link l = { .id = sqlite3_column_int64(st, 0),
				     .prog_id = sqlite3_column_int64(st, 1) };
		const uint8_t *p = NULL;
		size_t len = 0;
		struct err e2 = { 0 };

		/* info_raw names a blob; an unreadable one leaves the numbers at 0 */
		if (!blob_get_col(c->db, st, 2, 4096, &raw, &e2)) {
			p = raw.data;
			len = raw.len;
		}
		if (p && len >= 32) {
			l.pf = le32_at(p + 16);
			l.hooknum = le32_at(p + 20);
			l.prio = (int32_t)le32_at(p + 24);
			l.flags = le32_at(p + 28);
		}
		if (n == cap) {
			struct nf_link *t = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));

			if (!t) {
				ret = err_set(c->e, ENOMEM, "out of memory");
				goto out;
			}
			v = t;
		}
		v[n++] = l;
	}
	if (rc != SQLITE_DONE) {
		ret = err_set(c->e, EIO, "can't read netfilter links: %s", sqlite3_errmsg(c->db->sql));
		goto out;
	}
	qsort(v, n, sizeof(*v), nf_cmp);
	for (size_t i = 0; i < n && !ret; i++) {
		struct att_row r = ATT_ROW("netfilter");
		char detail[64];

		snprintf(detail, sizeof(detail), "pf=%u hooknum=%u", v[i].pf, v[i].hooknum);
		r.prog_id = v[i].prog_id;
		r.link_id = v[i].id;
		r.attach_type = ATT_BPF_NETFILTER;
		r.priority = v[i].prio;
		r.flags = v[i].flags;
		r.detail = detail;
		ret = att_insert(c, &r);
	}
out:
	sqlite3_finalize(st);
	buf_free(&raw);
	free(v);
	return ret;
}

/* Attachments that were made through a link still show up in the old queries (netlink
 * XDP, cgroup and netns queries); name the link they came from. */
static int match_links(struct att_ctx *c)
{
	static const char *const sql[] = {
		"UPDATE attachments SET link_id = (SELECT min(l.id) FROM links l"
		" WHERE l.snapshot_id = attachments.snapshot_id AND l.type = 6"
		" AND l.ifindex = attachments.ifindex AND l.prog_id = attachments.prog_id)"
		" WHERE snapshot_id = ?1 AND kind = 'xdp' AND link_id IS NULL",
		"UPDATE attachments SET link_id = (SELECT min(l.id) FROM links l"
		" WHERE l.snapshot_id = attachments.snapshot_id AND l.type = 3"
		" AND l.cgroup_id = attachments.handle AND l.attach_type = attachments.attach_type"
		" AND l.prog_id = attachments.prog_id)"
		" WHERE snapshot_id = ?1 AND kind = 'cgroup' AND link_id IS NULL",
		"UPDATE attachments SET link_id = (SELECT min(l.id) FROM links l"
		" WHERE l.snapshot_id = attachments.snapshot_id AND l.type = 5"
		" AND l.attach_type = attachments.attach_type AND l.prog_id = attachments.prog_id)"
		" WHERE snapshot_id = ?1 AND kind = 'flow_dissector' AND link_id IS NULL",
	};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = NULL;
		int rc;

		if (db_prepare(c->db, sql[i], &st, c->e))
			return -EIO;
		sqlite3_bind_int64(st, 1, c->snap_id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return err_set(c->e, EIO, "can't match attachments to links: %s",
				       sqlite3_errmsg(c->db->sql));
	}
	return 0;
}

int attach_capture(struct db *db, int64_t snap_id, unsigned mask, uint32_t *count,
		   struct err *e)
{
	struct att_ctx c = { .db = db, .snap_id = snap_id, .e = e };
	int ret;

	*count = 0;
	if (!(mask & SNAP_ATTACH))
		return 0;
	if (db_prepare(db, "INSERT INTO attachments(snapshot_id, kind, prog_id, link_id, ifindex,"
		       " devname, attach_type, mode, flags, priority, handle, cgroup_path, target,"
		       " detail) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &c.ins, e))
		return -EIO;
	ret = load_gate(&c);
	if (!ret && !(mask & SNAP_ATTACH_NO_NET))
		ret = attach_net(&c);
	if (!ret && !(mask & SNAP_ATTACH_NO_NET))
		ret = attach_netfilter(&c);
	if (!ret && !(mask & SNAP_ATTACH_NO_CGROUP))
		ret = attach_cgroups(&c);
	if (!ret && !(mask & SNAP_ATTACH_NO_PERF))
		ret = attach_perf(&c);
	if (!ret)
		ret = match_links(&c);
	sqlite3_finalize(c.ins);
	*count = c.count;
	return ret;
}

int attach_captured(struct db *db, int64_t snap_id, unsigned no_bit, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int64_t mask = -1;
	int rc;

	if (db_prepare(db, "SELECT mask FROM snapshots WHERE id = ?", &st, e))
		return -EIO;
	sqlite3_bind_int64(st, 1, snap_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		mask = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(e, EIO, "can't read snapshot %lld: %s", (long long)snap_id,
			       sqlite3_errmsg(db->sql));
	if (mask < 0)
		return 1;	/* unknown: assume it did, as older snapshots may not say */
	return (mask & SNAP_ATTACH) && !(mask & no_bit);
}
