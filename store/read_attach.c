/* Typed readers of the attachments table (schema 3) and of what the attachment walk
 * recorded beside it (visited cgroups, the snapshot's mask). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store/read_attach.h"

static const char *const kind_names[ATTACH_NR_KINDS] = {
	[ATTACH_XDP] = "xdp",
	[ATTACH_TCX] = "tcx",
	[ATTACH_NETKIT] = "netkit",
	[ATTACH_TC] = "tc",
	[ATTACH_FLOW_DISSECTOR] = "flow_dissector",
	[ATTACH_CGROUP] = "cgroup",
	[ATTACH_NETFILTER] = "netfilter",
	[ATTACH_PERF_EVENT] = "perf_event",
};

const char *attach_kind_name(enum attach_kind k)
{
	return (unsigned)k < ATTACH_NR_KINDS ? kind_names[k] : NULL;
}

static enum attach_kind kind_by_name(const char *s)
{
	for (unsigned k = 0; s && k < ATTACH_NR_KINDS; k++)
		if (!strcmp(kind_names[k], s))
			return k;
	return ATTACH_OTHER;
}

/* the columns, in the order of the SELECT below. The spans themselves are read (not the view
 * attachments), in the order the walk found them (attach_orders), which the view does not give. */
enum {
	C_KIND, C_PROG_ID, C_LINK_ID, C_IFINDEX, C_DEVNAME, C_ATTACH_TYPE, C_MODE, C_CGROUP_PATH,
	C_TARGET, C_POSITION, C_ATTACH_FLAGS, C_LINK_FLAGS, C_XDP_ATTACHED, C_TC_HANDLE, C_TC_PRIO,
	C_TC_PARENT, C_TC_PROTOCOL, C_TC_FLAGS, C_CGROUP_ID, C_NF_PF, C_NF_HOOKNUM, C_NF_PRIO,
	C_NF_FLAGS, C_PE_PID, C_PE_FD, C_PE_FD_TYPE, C_PE_OFFSET, C_PE_ADDR, C_PROG_FOUND,
	C_PROG_NAME, C_ATTACH_BTF_OBJ_ID, C_ATTACH_BTF_ID,
};
static const char rows_sql[] =
	"SELECT a.kind, a.prog_id, a.link_id, a.ifindex, a.devname, a.attach_type, a.mode,"
	" a.cgroup_path, a.target, a.position, a.attach_flags, a.link_flags, a.xdp_attached,"
	" a.tc_handle, a.tc_prio, a.tc_parent, a.tc_protocol, a.tc_flags, a.cgroup_id, a.nf_pf,"
	" a.nf_hooknum, a.nf_prio, a.nf_flags, a.pe_pid, a.pe_fd, a.pe_fd_type, a.pe_offset,"
	" a.pe_addr, p.id IS NOT NULL, coalesce(p.full_name, p.name), p.attach_btf_obj_id,"
	" p.attach_btf_id"
	" FROM attach_orders o JOIN json_each(o.rows) j JOIN attach_rows a ON a.row = j.value"
	" LEFT JOIN progs p ON p.snapshot_id = ?1 AND p.id = a.prog_id"
	" WHERE o.first_snap <= ?1 AND o.last_snap >= ?1"
	" AND (?2 IS NULL OR a.devname = ?2 OR a.devname IS NULL)"
	" ORDER BY j.key";

static int64_t col_i64(sqlite3_stmt *st, int c) { return sqlite3_column_int64(st, c); }
static uint32_t col_u32(sqlite3_stmt *st, int c) { return (uint32_t)sqlite3_column_int64(st, c); }

static int col_dup(sqlite3_stmt *st, int c, const char **out)
{
	const char *s = (const char *)sqlite3_column_text(st, c);

	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static void row_kind_read(sqlite3_stmt *st, struct attach_row *r)
{
	switch (r->kind) {
	case ATTACH_XDP:
		r->u.xdp.attached = col_u32(st, C_XDP_ATTACHED);
		break;
	case ATTACH_TCX:
	case ATTACH_NETKIT:
		r->u.mprog.position = col_u32(st, C_POSITION);
		r->u.mprog.prog_flags = col_u32(st, C_ATTACH_FLAGS);
		r->u.mprog.link_flags = col_u32(st, C_LINK_FLAGS);
		break;
	case ATTACH_TC:
		r->u.tc.handle = col_u32(st, C_TC_HANDLE);
		r->u.tc.prio = col_u32(st, C_TC_PRIO);
		r->u.tc.parent = col_u32(st, C_TC_PARENT);
		r->u.tc.protocol = col_u32(st, C_TC_PROTOCOL);
		r->u.tc.flags = col_u32(st, C_TC_FLAGS);
		break;
	case ATTACH_FLOW_DISSECTOR:
		r->u.flow.position = col_u32(st, C_POSITION);
		break;
	case ATTACH_CGROUP:
		r->u.cgroup.position = col_u32(st, C_POSITION);
		r->u.cgroup.attach_flags = col_u32(st, C_ATTACH_FLAGS);
		r->u.cgroup.cgroup_id = (uint64_t)col_i64(st, C_CGROUP_ID);
		break;
	case ATTACH_NETFILTER:
		r->u.nf.pf = col_u32(st, C_NF_PF);
		r->u.nf.hooknum = col_u32(st, C_NF_HOOKNUM);
		r->u.nf.prio = (int32_t)col_i64(st, C_NF_PRIO);
		r->u.nf.flags = col_u32(st, C_NF_FLAGS);
		break;
	case ATTACH_PERF_EVENT:
		r->u.perf.pid = (int32_t)col_i64(st, C_PE_PID);
		r->u.perf.fd = (int32_t)col_i64(st, C_PE_FD);
		r->u.perf.fd_type = col_u32(st, C_PE_FD_TYPE);
		r->u.perf.offset = (uint64_t)col_i64(st, C_PE_OFFSET);
		r->u.perf.addr = (uint64_t)col_i64(st, C_PE_ADDR);
		break;
	default:
		break;
	}
}

static int row_read(sqlite3_stmt *st, struct attach_row *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind_by_name((const char *)sqlite3_column_text(st, C_KIND));
	r->prog_id = col_u32(st, C_PROG_ID);
	r->link_id = col_u32(st, C_LINK_ID);
	r->ifindex = (int32_t)col_i64(st, C_IFINDEX);
	r->has_attach_type = sqlite3_column_type(st, C_ATTACH_TYPE) != SQLITE_NULL;
	r->attach_type = col_u32(st, C_ATTACH_TYPE);
	row_kind_read(st, r);
	r->prog_found = col_i64(st, C_PROG_FOUND);
	r->attach_btf_obj_id = col_u32(st, C_ATTACH_BTF_OBJ_ID);
	r->attach_btf_id = col_u32(st, C_ATTACH_BTF_ID);
	if (col_dup(st, C_MODE, &r->mode) || col_dup(st, C_DEVNAME, &r->devname) ||
	    col_dup(st, C_CGROUP_PATH, &r->cgroup_path) || col_dup(st, C_TARGET, &r->target) ||
	    col_dup(st, C_PROG_NAME, &r->prog_name))
		return -ENOMEM;
	return 0;
}

static void row_free(struct attach_row *r)
{
	free((char *)r->mode);
	free((char *)r->devname);
	free((char *)r->cgroup_path);
	free((char *)r->target);
	free((char *)r->prog_name);
}

void attach_rows_free(struct attach_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		row_free(&rows->v[i]);
	free(rows->v);
	rows->v = NULL;
	rows->n = 0;
}

int attach_rows_read(struct db *db, int64_t snap_id, unsigned kinds, const char *devname,
		     struct attach_rows *rows, struct err *e)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = SQLITE_DONE, err = 0;

	memset(rows, 0, sizeof(*rows));
	if (db_prepare(db, rows_sql, &st, e))
		return -EIO;
	sqlite3_bind_int64(st, 1, snap_id);
	if (devname)
		sqlite3_bind_text(st, 2, devname, -1, SQLITE_STATIC);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, C_KIND);
		enum attach_kind kind = kind_by_name(k);

		if (kind == ATTACH_OTHER || !(kinds & ATTACH_BIT(kind)))
			continue;
		if (rows->n == cap) {
			struct attach_row *v = realloc(rows->v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!v) {
				err = err_set(e, ENOMEM, "out of memory");
				break;
			}
			rows->v = v;
		}
		if (row_read(st, &rows->v[rows->n++]))
			err = err_set(e, ENOMEM, "out of memory");
	}
	if (!err && rc != SQLITE_DONE)
		err = err_set(e, EIO, "can't read attachments: %s", sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	if (err)
		attach_rows_free(rows);
	return err;
}

void cgroup_paths_free(struct cgroup_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

int cgroup_paths_read(struct db *db, int64_t snap_id, struct cgroup_paths *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = SQLITE_DONE, err = 0;

	memset(out, 0, sizeof(*out));
	if (db_prepare(db, "SELECT path FROM cgroups WHERE snapshot_id = ?1 ORDER BY seq", &st, e))
		return -EIO;
	sqlite3_bind_int64(st, 1, snap_id);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);

		if (!path)
			continue;
		if (out->n == cap) {
			char **v = realloc(out->v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!v) {
				err = err_set(e, ENOMEM, "out of memory");
				break;
			}
			out->v = v;
		}
		if (!(out->v[out->n] = strdup(path)))
			err = err_set(e, ENOMEM, "out of memory");
		else
			out->n++;
	}
	if (!err && rc != SQLITE_DONE)
		err = err_set(e, EIO, "can't read cgroups: %s", sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	if (err)
		cgroup_paths_free(out);
	return err;
}

int snapshot_mask_read(struct db *db, int64_t snap_id, int64_t *mask, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	if (db_prepare(db, "SELECT mask FROM snapshots WHERE id = ?", &st, e))
		return -EIO;
	sqlite3_bind_int64(st, 1, snap_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*mask = sqlite3_column_int64(st, 0);
		ret = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(e, EIO, "can't read snapshot %lld: %s", (long long)snap_id,
			       sqlite3_errmsg(db->sql));
	return ret;
}
