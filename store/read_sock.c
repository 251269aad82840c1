/* The SQL behind sock show/dump: the sockets table of one snapshot, filter bytes read from
 * the blob store on request (checked against their hash and bounded, as every blob). */
#include <errno.h>
#include "store/read_int.h"
#include "store/read_sock.h"

/* the columns of sockets_sql, in order */
enum { SC_NETNS, SC_FAMILY, SC_TYPE, SC_PROTO, SC_INO, SC_IFINDEX, SC_DEVNAME, SC_UID,
       SC_FANOUT, SC_PID, SC_COMM, SC_FD, SC_NR_INSNS, SC_HASH, SC_FILTER, SC_NCOLS };
static const char sockets_sql[] =
	"SELECT netns_ino, family, type, protocol, ino, ifindex, devname, uid, fanout, pid, comm,"
	" fd, nr_insns, lower(hex(filter)), filter FROM sockets WHERE snapshot_id = ?1"
	" AND (?2 = 0 OR filter IS NOT NULL OR nr_insns IS NOT NULL)"
	" ORDER BY netns_ino, ino, pid";

struct sock_walk {
	struct db *db;
	unsigned flags;
	int (*fn)(const struct socket_row *r, void *arg);
	void *arg;
	struct buf bytes;
	struct err *e;
};

static int64_t col_opt(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

static int sock_emit(sqlite3_stmt *st, void *arg)
{
	struct sock_walk *w = arg;
	struct socket_row r = {
		.netns_ino = col_opt(st, SC_NETNS), .ino = sqlite3_column_int64(st, SC_INO),
		.ifindex = col_opt(st, SC_IFINDEX), .uid = col_opt(st, SC_UID),
		.fanout = col_opt(st, SC_FANOUT), .pid = col_opt(st, SC_PID),
		.fd = col_opt(st, SC_FD), .nr_insns = col_opt(st, SC_NR_INSNS),
		.family = sqlite3_column_int(st, SC_FAMILY), .type = sqlite3_column_int(st, SC_TYPE),
		.protocol = sqlite3_column_int(st, SC_PROTO),
		.devname = read_text(st, SC_DEVNAME), .comm = read_text(st, SC_COMM),
		.filter_hash = read_text(st, SC_HASH),
	};
	int err;

	if (r.pid < 0)
		r.fd = -1;
	if (w->flags & SOCK_ROWS_BYTES) {
		err = blob_get_col(w->db, st, SC_FILTER, SOCK_FILTER_MAX, &w->bytes, w->e);
		if (err)
			return err;
		r.filter = w->bytes.len ? w->bytes.data : NULL;
		r.filter_len = w->bytes.len;
	}
	return w->fn(&r, w->arg);
}

int socket_rows(struct db *db, int64_t snap, unsigned flags,
		int (*fn)(const struct socket_row *r, void *arg), void *arg, struct err *e)
{
	struct sock_walk w = { .db = db, .flags = flags, .fn = fn, .arg = arg, .e = e };
	int err = read_rows(db, sockets_sql, SC_NCOLS, snap, (flags & SOCK_ROWS_FILTERED) ? 1 : 0,
			    sock_emit, &w, e);

	buf_free(&w.bytes);
	return err;
}
