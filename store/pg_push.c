/* fleet push: the local snapshots the server lacks, one server transaction per snapshot,
 * rows through binary COPY into session temp tables and upserted from there (so a re-run
 * after a kill ships nothing twice), blobs only by the hashes the server lacks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/json_writer.h"
#include "lib/sha256.h"
#include "store/pg_int.h"
#include "store/schema.h"

struct push {
	struct pg *pg;
	struct db *local;
	const struct pg_tables *ts;
	const char *host;
	struct pg_push_result *r;
	int64_t srv_all[PG_MAX_TABLES];	/* the server's rows of the host, TK_ALL tables */
};

/* The rows one server transaction ships: snapshots (a, b], a COPY buffer and a row count
 * per table, and the 32-byte blob hashes the rows name. */
struct batch {
	int64_t a, b;
	struct buf cb[PG_MAX_TABLES];
	int64_t n[PG_MAX_TABLES];
	struct buf want;
};

static void batch_free(struct batch *bt)
{
	for (int i = 0; i < PG_MAX_TABLES; i++)
		buf_free(&bt->cb[i]);
	buf_free(&bt->want);
	memset(bt, 0, sizeof(*bt));
}

static int put16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { v >> 8, v };

	return buf_append(b, x, 2);
}

static int put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };

	return buf_append(b, x, 4);
}

static int put64(struct buf *b, uint64_t v)
{
	return put32(b, v >> 32) ?: put32(b, (uint32_t)v);
}

static int put_bytes(struct buf *b, const void *p, size_t n)
{
	if (n > INT32_MAX)
		return -E2BIG;
	return put32(b, (uint32_t)n) ?: buf_append(b, p, n);
}

/* PostgreSQL's binary COPY: signature, flags, header extension length */
static int copy_start(struct buf *b)
{
	b->len = 0;
	return buf_append(b, "PGCOPY\n\377\r\n\0", 11) ?: put32(b, 0) ?: put32(b, 0);
}

/* A text column as the server's UTF8 text can hold it: as it is when it is valid UTF-8
 * without NUL, else PG_TEXT_ESCAPE and its bytes in hex (a pin path or a process name may
 * be any bytes; one such value refused would stop the host's every later push). A value
 * beginning with the escape byte is escaped too, so fleet pull undoes exactly this. */
static int put_text(struct buf *b, const unsigned char *s, int n)
{
	char *hex;
	int err;

	if (!s || n < 0)
		n = 0;
	if (utf8_valid(s, n) && !(n && s[0] == PG_TEXT_ESCAPE))
		return put_bytes(b, s, n);
	hex = malloc(2 * (size_t)n + 2);
	if (!hex)
		return -ENOMEM;
	hex[0] = PG_TEXT_ESCAPE;
	hex_encode(s, n, hex + 1);
	err = put_bytes(b, hex, 1 + 2 * n);
	free(hex);
	return err;
}

/* One local row as a COPY tuple (host first for per-host tables); the blob hashes it
 * names go to want. */
static int copy_row(struct push *p, const struct pg_table *t, sqlite3_stmt *st, struct buf *b,
		    struct buf *want)
{
	int shared = pg_table_shared(t);
	int err = put16(b, (uint16_t)(t->ncols + !pg_table_global(t) + shared));
	size_t start;

	if (!err && !pg_table_global(t))
		err = put_bytes(b, p->host, strlen(p->host));
	start = b->len;
	for (int i = 0; !err && i < t->ncols; i++) {
		int ty = sqlite3_column_type(st, i);
		double d;
		uint64_t u;

		if (ty == SQLITE_NULL) {
			err = put32(b, UINT32_MAX);	/* -1: NULL */
			continue;
		}
		switch (t->cols[i].t) {
		case PGC_INT:
			err = put32(b, 8) ?: put64(b, (uint64_t)sqlite3_column_int64(st, i));
			break;
		case PGC_REAL:
			d = sqlite3_column_double(st, i);
			memcpy(&u, &d, 8);
			err = put32(b, 8) ?: put64(b, u);
			break;
		case PGC_TEXT:
			err = put_text(b, sqlite3_column_text(st, i), sqlite3_column_bytes(st, i));
			break;
		default: {
			const void *v = sqlite3_column_blob(st, i);
			int n = sqlite3_column_bytes(st, i);

			err = put_bytes(b, v, n);
			if (!err && n == SHA256_LEN && t->kind != TK_BLOBS && want)
				err = buf_append(want, v, n);
		}
		}
	}
	/* a shared row's key: its contents as sent (every column but host), hashed here
	 * rather than by the server, last column of the staging table */
	if (!err && shared) {
		struct sha256 h;
		uint8_t k[SHA256_LEN];

		sha256_init(&h);
		sha256_update(&h, b->data + start, b->len - start);
		sha256_final(&h, k);
		err = put_bytes(b, k, 16);
	}
	return err ? -ENOMEM : 0;
}

struct copy {
	const char *table;
	bool staging;		/* into fx_<table> */
	const struct pg_table *t;
	struct buf *b;
};

/* Send COPY buffers, one after the other, in one statement string: one transaction when
 * there is no BEGIN before (the server runs a string's statements as one), and a round
 * trip a COPY fewer (the next COPY's start comes back with the last one's end). */
static int copy_send(struct push *p, const char *prefix, const struct copy *c, int nc,
		     struct err *e)
{
	struct pg *pg = p->pg;
	struct buf sql = { 0 };
	PGresult *res;
	int err = 0, k = 0;

	if (buf_append(&sql, prefix, strlen(prefix)))
		return err_set(e, ENOMEM, "out of memory");
	for (int i = 0; i < nc && !err; i++) {
		char cols[4096], one[4400];
		int n;

		pg_col_list(c[i].t, "", cols, sizeof(cols));
		if (pg_table_shared(c[i].t))
			strncat(cols, ", ckey", sizeof(cols) - strlen(cols) - 1);
		n = snprintf(one, sizeof(one), "%sCOPY %s%s (%s) FROM STDIN (FORMAT binary)",
			     i ? ";" : "", c[i].staging ? "fx_" : "", c[i].table, cols);
		if (put16(c[i].b, UINT16_MAX) ||	/* the trailer: -1 */
		    buf_append(&sql, one, (size_t)n < sizeof(one) ? (size_t)n : sizeof(one) - 1))
			err = err_set(e, ENOMEM, "out of memory");
	}
	if (err || buf_append(&sql, "", 1)) {
		buf_free(&sql);
		return err ?: err_set(e, ENOMEM, "out of memory");
	}
	res = PQ(PQexec)(pg->c, (const char *)sql.data);
	buf_free(&sql);
	/* each COPY's start: its data; then the results up to the string's end */
	for (; res; res = PQ(PQgetResult)(pg->c)) {
		int st = PQ(PQresultStatus)(res);

		if (st == PGRES_COPY_IN) {
			/* (an error ends the string: no COPY starts after one; a stray start is
			 * ended at once, and a lost connection ends the results) */
			const struct buf *b = !err && k < nc ? c[k].b : NULL;

			k++;
			if (!b) {
				err = err ?: err_set(e, EIO, "fleet: push: copy: a COPY too many");
				if (PQ(PQputCopyEnd)(pg->c, "stopped") != 1 || k > nc + 1) {
					PQ(PQclear)(res);
					break;
				}
			} else if (PQ(PQputCopyData)(pg->c, (const char *)b->data, (int)b->len) != 1 ||
				   PQ(PQputCopyEnd)(pg->c, NULL) != 1) {
				err = pg_fail(pg, NULL, "push: copy", e);
			}
		} else if (!err && st != PGRES_COMMAND_OK) {
			err = pg_fail(pg, res, "push: copy", e);
		}
		PQ(PQclear)(res);
	}
	if (!err && k != nc)
		err = err_set(e, EIO, "fleet: push: copy: %d of %d tables taken", k, nc);
	return err;
}

/* From the staging table into the table: a row already there (a re-run, a span that ended
 * since) takes the new values; shared tables through their own (store/pg_shared.c). The
 * staging rows go before the commit: no other session ever sees them. The statements,
 * malloc'ed (NULL: out of memory), for one string with the other tables'. */
static char *upsert_sql(const struct pg_table *t)
{
	char cols[4096], pk[512] = "", set[4096] = "";
	size_t po = 0, so = 0;

	if (pg_table_shared(t))
		return pg_shared_upsert_sql(t);
	pg_col_list(t, "", cols, sizeof(cols));
	if (!pg_table_global(t))
		po += snprintf(pk, sizeof(pk), "host");
	for (int k = 1; k <= t->ncols; k++)
		for (int i = 0; i < t->ncols; i++)
			if (t->cols[i].pk == k && po < sizeof(pk))
				po += snprintf(pk + po, sizeof(pk) - po, "%s\"%s\"", po ? ", " : "",
					       strcmp(t->cols[i].name, "host") ? t->cols[i].name : "env_host");
	for (int i = 0; t->kind != TK_BLOBS && i < t->ncols && so < sizeof(set); i++) {
		const char *n = strcmp(t->cols[i].name, "host") ? t->cols[i].name : "env_host";

		if (!t->cols[i].pk)
			so += snprintf(set + so, sizeof(set) - so, "%s\"%s\" = EXCLUDED.\"%s\"",
				       so ? ", " : "", n, n);
	}
	return str_fmt("INSERT INTO %s (%s) SELECT %s FROM fx_%s ON CONFLICT (%s) DO %s%s;"
		       "DELETE FROM fx_%s", t->name, cols, cols, t->name, pk,
		       so ? "UPDATE SET " : "NOTHING", set, t->name);
}

/* The upserts of the tables staged (upsert_sql), in one string */
static int upsert(struct push *p, const int *tis, int n, struct err *e)
{
	struct buf sql = { 0 };
	int err = 0;

	for (int i = 0; i < n && !err; i++) {
		char *one = upsert_sql(&p->ts->t[tis[i]]);

		if (!one || buf_append(&sql, one, strlen(one)) || buf_append(&sql, ";", i < n - 1 ? 1 : 2))
			err = err_set(e, ENOMEM, "out of memory");
		free(one);
	}
	if (!err && n)
		err = pg_exec(p->pg, (const char *)sql.data, "push", e);
	buf_free(&sql);
	return err;
}

/* The last row of a span table whose span started at or before snapshot ?N: rows are
 * appended (a new row takes max(row) + 1, first_snap is never changed, a delete only takes
 * rows no snapshot covers), so row order is first_snap order and the rows new in (a, b] are
 * the rows after R(a) up to R(b), found from the end of the table through its key instead
 * of a scan of every row. */
#define LAST_ROW_AT(t, n) "coalesce((SELECT row FROM " t " WHERE first_snap <= ?" n \
	" ORDER BY row DESC LIMIT 1), 0)"

/* The local rows of table t a batch (a, b] ships (binds ?1 = a, ?2 = b) into out. */
static void push_filter(const struct pg_table *t, char *out, size_t len)
{
	switch (t->kind) {
	case TK_BOOTS:
		/* the boots of the batch's new envs (an unchanged host ships none) */
		snprintf(out, len, "boot_id IN (SELECT e.boot_id FROM snapshot_envs e JOIN snapshot_rows r"
			 " ON r.env = e.id WHERE r.id > ?1 AND r.id <= ?2 AND e.id NOT IN"
			 " (SELECT env FROM snapshot_rows WHERE id <= ?1 AND env IS NOT NULL))");
		break;
	case TK_ENVS:
		/* the envs first named in the batch: an older one came with an older snapshot */
		snprintf(out, len, "id IN (SELECT env FROM snapshot_rows WHERE id > ?1 AND id <= ?2)"
			 " AND id NOT IN (SELECT env FROM snapshot_rows WHERE id <= ?1 AND env IS NOT NULL)");
		break;
	case TK_SNAPS:
		snprintf(out, len, "id > ?1 AND id <= ?2");
		break;
	case TK_PER_SNAP:
		snprintf(out, len, "snapshot_id > ?1 AND snapshot_id <= ?2");
		break;
	case TK_SPAN:
		/* new in the batch (by row, above), or ended in it: a span ends at the snapshot
		 * before the one that did not see it, at or after a, the last the server has
		 * (through the table's last_snap index) */
		snprintf(out, len, "(row > " LAST_ROW_AT("%s", "1") " AND row <= " LAST_ROW_AT("%s", "2")
			 ") OR (last_snap BETWEEN ?1 AND ?2 AND first_snap <= ?2)", t->name, t->name);
		break;
	case TK_PROG_MAPS:
		snprintf(out, len, "row > " LAST_ROW_AT("prog_rows", "1") " AND row <= "
			 LAST_ROW_AT("prog_rows", "2"));
		break;
	case TK_EVENTS:
		snprintf(out, len, "snapshot_id IS NULL OR (snapshot_id > ?1 AND snapshot_id <= ?2)");
		break;
	default:
		snprintf(out, len, "?1 >= 0 AND ?2 >= 0");	/* every row (lookups, objects) */
	}
}

/* The local rows of table ti a batch (a, b] ships, as a COPY buffer in cb (its rows in *n;
 * the blob hashes they name to want) */
static int read_table(struct push *p, int ti, int64_t a, int64_t b, struct buf *cb, int64_t *n,
		      struct buf *want, struct err *e)
{
	const struct pg_table *t = &p->ts->t[ti];
	char lcols[4096], filter[1024], sql[8192];
	sqlite3_stmt *st = NULL;
	int rc, err;

	*n = 0;
	lcols[0] = 0;
	for (int i = 0, o = 0; i < t->ncols; i++)
		o += snprintf(lcols + o, sizeof(lcols) - o, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
	push_filter(t, filter, sizeof(filter));
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE %s", lcols, t->name, filter);
	err = db_prepare(p->local, sql, &st, e);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (copy_start(cb))
		err = err_set(e, ENOMEM, "out of memory");
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (copy_row(p, t, st, cb, want))
			err = err_set(e, ENOMEM, "out of memory");
		(*n)++;
	}
	if (!err && rc != SQLITE_DONE)
		err = err_set(e, EIO, "push: reading %s: %s", t->name, sqlite3_errmsg(p->local->sql));
	sqlite3_finalize(st);
	return err;
}

/* Ship table ti's rows read into cb: a snapshot row (and a socket row of it) is new, its
 * snapshot is past the server's last, so straight into the table; the others through the
 * staging table and an upsert */
static int send_table(struct push *p, int ti, struct buf *cb, struct err *e)
{
	const struct pg_table *t = &p->ts->t[ti];
	bool direct = t->kind == TK_SNAPS || t->kind == TK_PER_SNAP || t->kind == TK_BLOBS;
	struct copy c = { t->name, !direct, t, cb };

	return copy_send(p, "", &c, 1, e) ?: direct ? 0 : upsert(p, &ti, 1, e);
}

static int hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SHA256_LEN);
}

/* The blobs this batch's rows name that the server lacks: their hashes go over (one bytea
 * of them all, one query), the missing ones come back, and only those are sent. */
static int push_blobs(struct push *p, int blobs_ti, struct buf *cb, struct buf *want,
		      struct err *e)
{
	size_t n = want->len / SHA256_LEN, u = 0;
	struct pg *pg = p->pg;
	sqlite3_stmt *st = NULL;
	PGresult *res = NULL;
	int64_t sent = 0;
	int err = 0;

	if (!n)
		return 0;
	qsort(want->data, n, SHA256_LEN, hash_cmp);
	for (size_t i = 0; i < n; i++)
		if (!u || memcmp(want->data + (u - 1) * SHA256_LEN, want->data + i * SHA256_LEN,
				 SHA256_LEN))
			memmove(want->data + u++ * SHA256_LEN, want->data + i * SHA256_LEN, SHA256_LEN);
	if (u * SHA256_LEN > INT32_MAX)
		return err_set(e, E2BIG, "push: too many blobs in one snapshot");
	/* the pushes that bring rows take turns from here to their commit (store/pg_shared.c
	 * takes the same lock): the blobs found missing stay missing, and go straight in */
	if ((err = pg_exec(p->pg, "SELECT pg_advisory_xact_lock(" FLEET_LOCK " + 1)", "push", e)))
		return err;
	res = PQ(PQexecParams)(p->pg->c, "SELECT h FROM (SELECT substring($1 FROM i * 32 + 1 FOR 32) AS h"
			       " FROM generate_series(0, length($1) / 32 - 1) i) w WHERE NOT EXISTS"
			       " (SELECT 1 FROM blobs b WHERE b.hash = w.h)", 1, (const Oid[]){ 17 },
			       (const char *const[]){ (const char *)want->data },
			       (const int[]){ (int)(u * SHA256_LEN) }, (const int[]){ 1 }, 1);
	if (PQ(PQresultStatus)(res) != PGRES_TUPLES_OK) {
		err = pg_fail(p->pg, res, "push: blobs", e);
		goto out;
	}
	p->r->blobs_skipped += (int64_t)u - PQ(PQntuples)(res);
	err = db_prepare(p->local, "SELECT hash, kind, raw_size, codec, zdata FROM blobs"
			 " WHERE hash = ?1", &st, e);
	if (!err && copy_start(cb))
		err = err_set(e, ENOMEM, "out of memory");
	for (int r = 0; !err && r < PQ(PQntuples)(res); r++) {
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, PQ(PQgetvalue)(res, r, 0), PQ(PQgetlength)(res, r, 0), SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW)
			continue;	/* a hash-sized value that names no blob here */
		if (copy_row(p, &p->ts->t[blobs_ti], st, cb, NULL))
			err = err_set(e, ENOMEM, "out of memory");
		sent++;
	}
	if (!err && sent)
		err = send_table(p, blobs_ti, cb, e);
	p->r->blobs += sent;
out:
	sqlite3_finalize(st);
	PQ(PQclear)(res);
	return err;
}

/* The local rows the snapshots (a, b] bring, read into bt (the tables shipped whole, and the
 * global ones, apart: push_whole, push_blobs, push_lookups) */
static int batch_read(struct push *p, int64_t a, int64_t b, struct batch *bt, struct err *e)
{
	int err = 0;

	batch_free(bt);
	bt->a = a;
	bt->b = b;
	for (int i = 0; !err && i < p->ts->n; i++) {
		enum pg_tkind k = p->ts->t[i].kind;

		if (k != TK_BLOBS && k != TK_LOOKUP && k != TK_ALL)
			err = read_table(p, i, a, b, &bt->cb[i], &bt->n[i], &bt->want, e);
	}
	return err;
}

/* The tables shipped whole (objects, boot_features: rows are only added to them, never
 * changed) join the run's first batch when the server has fewer rows of the host than
 * this file: an unchanged host sends none again. */
static int batch_read_whole(struct push *p, struct batch *bt, struct err *e)
{
	int err = 0;

	for (int i = 0; !err && i < p->ts->n; i++) {
		const struct pg_table *t = &p->ts->t[i];
		sqlite3_stmt *st = NULL;
		char sql[128];
		int64_t here = -1;

		if (t->kind != TK_ALL)
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", t->name);
		err = db_prepare(p->local, sql, &st, e);
		if (!err && sqlite3_step(st) == SQLITE_ROW)
			here = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (!err && here != p->srv_all[i])
			err = read_table(p, i, 0, 0, &bt->cb[i], &bt->n[i], &bt->want, e);
	}
	return err;
}

/* One server transaction: the snapshots (a, b] with every row they bring, read into bt. A
 * batch of rows new with their snapshot only (an unchanged host: its snapshot row and its
 * sockets) is one statement string of COPYs, a transaction by itself. */
static int batch_send(struct push *p, struct batch *bt, struct err *e)
{
	struct copy c[PG_MAX_TABLES];
	int staged[PG_MAX_TABLES], blobs_ti = -1, nc = 0, ns = 0, err = 0;

	for (int i = 0; i < p->ts->n; i++) {
		const struct pg_table *t = &p->ts->t[i];
		bool direct = t->kind == TK_SNAPS || t->kind == TK_PER_SNAP;

		if (t->kind == TK_BLOBS)
			blobs_ti = i;
		if (!bt->n[i])
			continue;
		p->r->rows += bt->n[i];
		c[nc++] = (struct copy){ t->name, !direct, t, &bt->cb[i] };
		if (!direct)
			staged[ns++] = i;
	}
	if (!ns && !bt->want.len)
		return nc ? copy_send(p, "", c, nc, e) : 0;
	/* a round trip a COPY, one for the upserts of them all, the blobs, the commit */
	err = copy_send(p, "BEGIN;", c, nc, e) ?: upsert(p, staged, ns, e);
	if (!err && blobs_ti >= 0)
		err = push_blobs(p, blobs_ti, &bt->cb[blobs_ti], &bt->want, e);
	err = err ?: pg_exec(p->pg, "COMMIT", "push", e);
	if (err)
		pg_exec(p->pg, "ROLLBACK", "push", &(struct err){ 0 });
	return err;
}

/* The lookup tables (prog_types ...): shared by all hosts, a newer binary names more. The
 * local rows of them (one number: they only grow). */
static int64_t lookup_rows_local(struct push *p)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (!db_prepare(p->local, "SELECT (SELECT count(*) FROM prog_types) + (SELECT count(*)"
			" FROM map_types) + (SELECT count(*) FROM attach_types) + (SELECT count(*)"
			" FROM link_types)", &st, &(struct err){ 0 }) && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int push_lookups(struct push *p, int64_t server_rows, struct err *e)
{
	struct buf cb = { 0 };
	int err;

	/* as many names as here: a binary as new as this one filled them */
	if (server_rows >= lookup_rows_local(p))
		return 0;
	err = pg_exec(p->pg, "BEGIN", "push", e);

	for (int i = 0; !err && i < p->ts->n; i++) {
		int64_t n = 0;

		if (p->ts->t[i].kind != TK_LOOKUP)
			continue;
		err = read_table(p, i, 0, 0, &cb, &n, NULL, e);
		if (!err && n)
			err = send_table(p, i, &cb, e);
	}
	err = err ?: pg_exec(p->pg, "COMMIT", "push", e);
	if (err)
		pg_exec(p->pg, "ROLLBACK", "push", &(struct err){ 0 });
	buf_free(&cb);
	return err;
}

int pg_push_default_host(struct db *local, char *out, size_t len, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int err = db_prepare(local, "SELECT e.host FROM snapshot_rows r JOIN snapshot_envs e"
			     " ON e.id = r.env ORDER BY r.id DESC LIMIT 1", &st, e);

	if (err)
		return err;
	if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0) ||
	    !sqlite3_column_bytes(st, 0))
		err = err_set(e, ENOENT, "fleet: %s has no snapshot with a host name (give host NAME)",
			      local->path);
	else
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return err;
}

/* What a push asks the server first, in one round trip: its schema version, the host's
 * last snapshot there, how many lookup names it has, and how many rows of the host each
 * table shipped whole has. No schema (or a table missing): ENOENT (the caller runs init). */
static int server_probe(struct push *p, int64_t *last, int64_t *lookups, struct err *e)
{
	const char *params[1] = { p->host }, *state;
	struct pg *pg = p->pg;
	char sql[2048];
	size_t o;
	PGresult *res;
	int err = 0, col[PG_MAX_TABLES], nc = 4;

	/* set_config: a push is idempotent (the server's last snapshot is where the next one
	 * starts), so its commits need not wait for the server's disk: a crash loses what the
	 * next push sends again. Set for the session in this query, no round trip of its own,
	 * and not as a startup option, which a pooler may refuse. */
	o = (size_t)snprintf(sql, sizeof(sql), "SELECT (SELECT max(version) FROM fleet_schema),"
			     " (SELECT coalesce(max(id), 0) FROM snapshot_rows WHERE host = $1),"
			     " (SELECT count(*) FROM prog_types) + (SELECT count(*) FROM map_types)"
			     " + (SELECT count(*) FROM attach_types) + (SELECT count(*) FROM link_types),"
			     " set_config('synchronous_commit', 'off', false)");
	for (int i = 0; i < p->ts->n && o < sizeof(sql); i++) {
		col[i] = -1;
		p->srv_all[i] = -1;
		if (p->ts->t[i].kind != TK_ALL)
			continue;
		col[i] = nc++;
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, ", (SELECT count(*) FROM %s WHERE"
				      " host = $1)", p->ts->t[i].name);
	}
	if (o >= sizeof(sql))
		return err_set(e, E2BIG, "fleet: push: too many tables");
	res = PQ(PQexecParams)(pg->c, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQ(PQresultStatus)(res) == PGRES_TUPLES_OK && PQ(PQntuples)(res) == 1 &&
	    PQ(PQnfields)(res) == nc) {
		err = pg_version_check(atoi(PQ(PQgetvalue)(res, 0, 0)), e);
		*last = strtoll(PQ(PQgetvalue)(res, 0, 1), NULL, 10);
		*lookups = strtoll(PQ(PQgetvalue)(res, 0, 2), NULL, 10);
		for (int i = 0; i < p->ts->n; i++)
			if (col[i] >= 0)
				p->srv_all[i] = strtoll(PQ(PQgetvalue)(res, 0, col[i]), NULL, 10);
	} else if ((state = PQ(PQresultErrorField)(res, PG_DIAG_SQLSTATE)) && !strcmp(state, "42P01")) {
		err = pg_version_check(0, e);	/* undefined_table: no schema yet, or an older one */
	} else {
		err = pg_fail(pg, res, "push", e);
	}
	PQ(PQclear)(res);
	return err;
}

static int push_all(struct push *p, struct err *e)
{
	struct batch bt = { 0 };
	sqlite3_stmt *st = NULL;
	int64_t a = 0, b, lookups = 0;
	bool first = true;
	int rc, err;

	err = server_probe(p, &a, &lookups, e) ?: push_lookups(p, lookups, e);
	if (err)
		goto out;
	p->r->server_had = a;
	err = db_prepare(p->local, "SELECT id FROM snapshot_rows WHERE id > ?1 ORDER BY id", &st, e);
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, a);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		b = sqlite3_column_int64(st, 0);
		err = batch_read(p, a, b, &bt, e);
		if (!err && first)
			err = batch_read_whole(p, &bt, e);
		err = err ?: batch_send(p, &bt, e);
		first = false;
		a = b;
		p->r->snapshots++;
	}
	if (!err && rc != SQLITE_DONE)
		err = err_set(e, EIO, "push: %s", sqlite3_errmsg(p->local->sql));
out:
	sqlite3_finalize(st);
	batch_free(&bt);
	return err;
}

int pg_push(struct pg *pg, struct db *local, const char *host, struct pg_push_result *r,
	    struct err *e)
{
	struct push p = { .pg = pg, .local = local, .host = host, .r = r };
	struct pg_tables *ts = calloc(1, sizeof(*ts));
	int err;

	memset(r, 0, sizeof(*r));
	if (!ts)
		return err_set(e, ENOMEM, "out of memory");
	p.ts = ts;
	/* one read transaction: the batches see one state of the file while a snapshot may
	 * be written beside them */
	err = pg_tables_read(local, ts, e) ?: db_exec(local, "BEGIN", e);
	if (!err) {
		err = push_all(&p, e);
		db_exec(local, "COMMIT", &(struct err){ 0 });
	}
	free(ts);
	return err;
}
