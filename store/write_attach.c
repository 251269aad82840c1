/* The attachments writer: one INSERT per row, each column named by its parameter, each
 * kind's fields into that kind's columns (docs/schema.md, schema 3), kept as spans (schema 4:
 * a row found as the last snapshot left it writes nothing), and their order as one more span.
 * And the cgroup spans. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store/schema.h"
#include "store/write_attach.h"

/* :first_snap and :digest are ?1 and ?2 (span_set_write binds them) */
static const char ins_sql[] =
	"INSERT INTO attach_rows(first_snap, digest, last_snap, kind, prog_id, link_id,"
	" ifindex, devname, attach_type, mode, cgroup_path, target, position, attach_flags,"
	" link_flags, xdp_attached, tc_handle, tc_prio, tc_parent, tc_protocol, tc_flags,"
	" cgroup_id, nf_pf, nf_hooknum, nf_prio, nf_flags, pe_pid, pe_fd, pe_fd_type, pe_offset,"
	" pe_addr) VALUES(?1, ?2, " SPAN_OPEN_SQL ", :kind,"
	" :prog_id, :link_id, :ifindex, :devname, :attach_type, :mode, :cgroup_path, :target,"
	" :position, :attach_flags, :link_flags, :xdp_attached, :tc_handle, :tc_prio, :tc_parent,"
	" :tc_protocol, :tc_flags, :cgroup_id, :nf_pf, :nf_hooknum, :nf_prio, :nf_flags, :pe_pid,"
	" :pe_fd, :pe_fd_type, :pe_offset, :pe_addr)";

int attach_writer_open(struct attach_writer *w, struct db *db, int64_t snap_id, struct err *e)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
	w->snap_id = snap_id;
	if (span_set_load(db, &w->spans, "attach_rows", snap_id, e) ||
	    span_set_load(db, &w->orders, "attach_orders", snap_id, e) ||
	    db_prepare(db, ins_sql, &w->ins, e)) {
		attach_writer_close(w);
		return -EIO;
	}
	return 0;
}

int attach_writer_finish(struct attach_writer *w, bool captured, struct err *e)
{
	int err = captured ? span_set_write_order(w->db, &w->orders, w->rows, w->count, w->snap_id,
						  "the attachments' order", e) : 0;

	err = err ?: span_set_end(w->db, &w->spans, w->snap_id, e);
	return err ?: span_set_end(w->db, &w->orders, w->snap_id, e);
}

void attach_writer_close(struct attach_writer *w)
{
	sqlite3_finalize(w->ins);
	w->ins = NULL;
	span_set_free(&w->spans);
	span_set_free(&w->orders);
	free(w->rows);
	w->rows = NULL;
}

static void bind_i64(sqlite3_stmt *st, const char *name, int64_t v)
{
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v);
}

/* 0 is NULL for ids and ifindexes, as the kernel means by 0 */
static void bind_id(sqlite3_stmt *st, const char *name, int64_t v)
{
	if (v)
		bind_i64(st, name, v);
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *s)
{
	if (s)
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), s, -1, SQLITE_TRANSIENT);
}

static void bind_kind(sqlite3_stmt *st, const struct attach_row *r)
{
	switch (r->kind) {
	case ATTACH_XDP:
		bind_i64(st, ":xdp_attached", r->u.xdp.attached);
		break;
	case ATTACH_TCX:
	case ATTACH_NETKIT:
		bind_i64(st, ":position", r->u.mprog.position);
		bind_i64(st, ":attach_flags", r->u.mprog.prog_flags);
		bind_i64(st, ":link_flags", r->u.mprog.link_flags);
		break;
	case ATTACH_TC:
		bind_i64(st, ":tc_handle", r->u.tc.handle);
		bind_i64(st, ":tc_prio", r->u.tc.prio);
		bind_i64(st, ":tc_parent", r->u.tc.parent);
		bind_i64(st, ":tc_protocol", r->u.tc.protocol);
		bind_i64(st, ":tc_flags", r->u.tc.flags);
		break;
	case ATTACH_FLOW_DISSECTOR:
		bind_i64(st, ":position", r->u.flow.position);
		break;
	case ATTACH_CGROUP:
		bind_i64(st, ":position", r->u.cgroup.position);
		bind_i64(st, ":attach_flags", r->u.cgroup.attach_flags);
		bind_i64(st, ":cgroup_id", (int64_t)r->u.cgroup.cgroup_id);
		break;
	case ATTACH_NETFILTER:
		bind_i64(st, ":nf_pf", r->u.nf.pf);
		bind_i64(st, ":nf_hooknum", r->u.nf.hooknum);
		bind_i64(st, ":nf_prio", r->u.nf.prio);
		bind_i64(st, ":nf_flags", r->u.nf.flags);
		break;
	case ATTACH_PERF_EVENT:
		bind_i64(st, ":pe_pid", r->u.perf.pid);
		bind_i64(st, ":pe_fd", r->u.perf.fd);
		bind_i64(st, ":pe_fd_type", r->u.perf.fd_type);
		/* u64 in an INTEGER column: read back through the same cast */
		bind_i64(st, ":pe_offset", (int64_t)r->u.perf.offset);
		bind_i64(st, ":pe_addr", (int64_t)r->u.perf.addr);
		break;
	default:
		break;
	}
}

int attach_write(struct attach_writer *w, const struct attach_row *r, struct err *e)
{
	const char *kind = attach_kind_name(r->kind);
	sqlite3_stmt *st = w->ins;

	if (!kind)
		return err_set(e, EINVAL, "can't insert attachment of unknown kind %d", r->kind);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	bind_text(st, ":kind", kind);
	bind_id(st, ":prog_id", r->prog_id);
	bind_id(st, ":link_id", r->link_id);
	bind_id(st, ":ifindex", r->ifindex);
	bind_text(st, ":devname", r->devname);
	if (r->has_attach_type)
		bind_i64(st, ":attach_type", r->attach_type);
	bind_text(st, ":mode", r->mode);
	bind_text(st, ":cgroup_path", r->cgroup_path);
	bind_text(st, ":target", r->target);
	bind_kind(st, r);
	if (w->count == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		int64_t *rows = realloc(w->rows, cap * sizeof(*rows));

		if (!rows)
			return err_set(e, ENOMEM, "out of memory");
		w->rows = rows;
		w->cap = cap;
	}
	if (span_set_write(w->db, &w->spans, st, w->snap_id, "attachment", &w->rows[w->count], e))
		return -EIO;
	w->count++;
	return 0;
}

/* An open cgroup span. */
struct cg_span {
	char *path;
	int64_t row;
	uint64_t ino;
	bool seen;
};

static int cg_span_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cg_span *)a)->path, ((const struct cg_span *)b)->path);
}

static struct cg_span *span_find(struct cg_span *o, size_t n, const char *path)
{
	struct cg_span key = { .path = (char *)path };

	return n ? bsearch(&key, o, n, sizeof(key), cg_span_cmp) : NULL;
}

/* the open spans, by path */
static int open_spans_read(struct db *db, struct cg_span **out, size_t *nout, struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct cg_span *o = NULL;
	size_t n = 0, cap = 0;
	int err;

	err = db_prepare(db, "SELECT path, row, ino FROM cgroup_rows WHERE last_snap = "
			 SPAN_OPEN_SQL " ORDER BY path", &st, e);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);

		if (n == cap) {
			struct cg_span *no = realloc(o, (cap = cap ? 2 * cap : 64) * sizeof(*o));

			if (!no) {
				err = err_set(e, ENOMEM, "out of memory");
				break;
			}
			o = no;
		}
		o[n] = (struct cg_span){ .path = strdup(path ? path : ""),
					 .row = sqlite3_column_int64(st, 1),
					 .ino = sqlite3_column_int64(st, 2) };
		if (!o[n++].path)
			err = err_set(e, ENOMEM, "out of memory");
	}
	sqlite3_finalize(st);
	*out = o;
	*nout = n;
	return err;
}

/* The walk's cgroups: kept spans (same path, same inode) and new ones, their rows in order. */
static int cg_rows_write(struct db *db, int64_t snap_id, const struct cgroup_seen *seen,
			 size_t nseen, struct cg_span *o, size_t n, int64_t *rows, struct err *e)
{
	sqlite3_stmt *ins = NULL;
	int err = db_prepare(db, "INSERT INTO cgroup_rows(first_snap, last_snap, path, ino)"
			     " VALUES(?1, " SPAN_OPEN_SQL ", ?2, ?3)", &ins, e);

	for (size_t i = 0; !err && i < nseen; i++) {
		struct cg_span *sp = span_find(o, n, seen[i].path);

		if (sp && !sp->seen && sp->ino == seen[i].ino) {
			sp->seen = true;
			rows[i] = sp->row;
			continue;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, snap_id);
		sqlite3_bind_text(ins, 2, seen[i].path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, seen[i].ino);
		if (sqlite3_step(ins) != SQLITE_DONE)
			err = err_set(e, EIO, "can't store cgroup %s: %s", seen[i].path,
				      sqlite3_errmsg(db->sql));
		rows[i] = sqlite3_last_insert_rowid(db->sql);
	}
	sqlite3_finalize(ins);
	return err;
}

int cgroup_spans_store(struct db *db, int64_t snap_id, const struct cgroup_seen *seen, size_t nseen,
		       struct err *e)
{
	struct span_set orders = { 0 };
	sqlite3_stmt *end = NULL;
	struct cg_span *o = NULL;
	int64_t *rows = calloc(nseen + 1, sizeof(*rows));
	size_t n = 0;
	int err = rows ? 0 : err_set(e, ENOMEM, "out of memory");

	err = err ?: open_spans_read(db, &o, &n, e);
	err = err ?: span_set_load(db, &orders, "cgroup_orders", snap_id, e);
	err = err ?: cg_rows_write(db, snap_id, seen, nseen, o, n, rows, e);
	/* the walk's order is a span of its own: a cgroup coming or going moves the others in
	 * it, and starts no span for them */
	err = err ?: span_set_write_order(db, &orders, rows, nseen, snap_id, "the cgroups' order", e);
	err = err ?: span_set_end(db, &orders, snap_id, e);
	err = err ?: db_prepare(db, "UPDATE cgroup_rows SET last_snap = ?1 WHERE row = ?2", &end, e);
	for (size_t i = 0; !err && i < n; i++) {
		if (o[i].seen)
			continue;
		sqlite3_reset(end);
		sqlite3_bind_int64(end, 1, snap_id - 1);
		sqlite3_bind_int64(end, 2, o[i].row);
		if (sqlite3_step(end) != SQLITE_DONE)
			err = err_set(e, EIO, "can't end the span of cgroup %s: %s", o[i].path,
				      sqlite3_errmsg(db->sql));
	}
	for (size_t i = 0; i < n; i++)
		free(o[i].path);
	free(o);
	free(rows);
	span_set_free(&orders);
	sqlite3_finalize(end);
	return err;
}
