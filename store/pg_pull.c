/* fleet pull: a host's snapshots (all, or one) back from the server into a local snapshot
 * database, row for row with the ids the host had, so every local command reads it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/pg_int.h"

int pg_snapshot_resolve(struct pg *pg, const char *host, const char *ref, int64_t *id,
			struct err *e)
{
	const char *params[3] = { host, ref, "0" };
	char back[24], *end;
	const char *sql;
	PGresult *res;
	int err = 0;

	if ((err = pg_schema_check(pg, e)))
		return err;
	strtoll(ref, &end, 10);
	if (*ref && !*end) {
		sql = "SELECT id FROM snapshot_rows WHERE host = $1 AND id = $2::bigint AND $3 = '0'";
	} else if (!strcmp(ref, "latest") || !strncmp(ref, "latest~", 7)) {
		long n = ref[6] ? strtol(ref + 7, &end, 10) : 0;

		if (ref[6] && (*end || n < 0))
			return err_set(e, EINVAL, "fleet: bad snapshot reference '%s'", ref);
		snprintf(back, sizeof(back), "%ld", n);
		params[2] = back;
		sql = "SELECT id FROM snapshot_rows WHERE host = $1 AND $2 <> '' ORDER BY id DESC"
		      " OFFSET $3::bigint LIMIT 1";
	} else {
		sql = "SELECT max(id) FROM snapshot_rows WHERE host = $1 AND label = $2 AND $3 = '0'"
		      " HAVING max(id) IS NOT NULL";
	}
	res = PQ(PQexecParams)(pg->c, sql, 3, NULL, params, NULL, NULL, 0);
	if (PQ(PQresultStatus)(res) != PGRES_TUPLES_OK)
		err = pg_fail(pg, res, "snapshot", e);
	else if (PQ(PQntuples)(res) != 1)
		err = err_set(e, ENOENT, "fleet: host '%s' has no snapshot '%s' on the server",
			      host, ref);
	else
		*id = strtoll(PQ(PQgetvalue)(res, 0, 0), NULL, 10);
	PQ(PQclear)(res);
	return err;
}

/* The server rows of a table a pull takes: $1 host, $2 the snapshot (or -1: all). */
static const char *pull_filter(enum pg_tkind k)
{
	switch (k) {
	case TK_BOOTS:
		return "($2::bigint < 0 OR boot_id IN (SELECT e.boot_id FROM snapshot_envs e JOIN snapshot_rows r"
		       " ON r.host = e.host AND r.env = e.id WHERE r.host = $1 AND r.id = $2::bigint))";
	case TK_ENVS:
		return "($2::bigint < 0 OR id IN (SELECT env FROM snapshot_rows WHERE host = $1 AND id = $2::bigint))";
	case TK_SNAPS:
		return "($2::bigint < 0 OR id = $2::bigint)";
	case TK_PER_SNAP:
	case TK_EVENTS:
		return "($2::bigint < 0 OR snapshot_id = $2::bigint)";
	case TK_SPAN:
		return "($2::bigint < 0 OR (first_snap <= $2::bigint AND last_snap >= $2::bigint))";
	case TK_PROG_MAPS:
		return "($2::bigint < 0 OR row IN (SELECT row FROM prog_rows WHERE host = $1"
		       " AND first_snap <= $2::bigint AND last_snap >= $2::bigint))";
	default:
		return "$2::bigint = $2::bigint";
	}
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A text value push escaped (store/pg_push.c put_text): its bytes back from hex. */
static int bind_escaped(sqlite3_stmt *ins, int col, const unsigned char *v, int n)
{
	size_t len = (size_t)(n - 1) / 2;
	unsigned char *raw;

	if ((n - 1) % 2)
		return -EPROTO;
	raw = malloc(len + 1);
	if (!raw)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(v[1 + 2 * i]), lo = hexval(v[2 + 2 * i]);

		if (hi < 0 || lo < 0) {
			free(raw);
			return -EPROTO;
		}
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	sqlite3_bind_text(ins, col, (const char *)raw, (int)len, free);
	return 0;
}

/* One server row into the local INSERT (binary results: int8 and float8 big-endian, text
 * and bytea as their bytes); a value of the wrong size is an error, not a guess. */
static int bind_row(struct pg *pg, const struct pg_table *t, const PGresult *res, int r, int off,
		    sqlite3_stmt *ins, struct err *e)
{
	for (int i = 0; i < t->ncols; i++) {
		const uint8_t *v = (const uint8_t *)PQ(PQgetvalue)(res, r, i + off);
		int n = PQ(PQgetlength)(res, r, i + off);
		uint64_t u;
		double d;

		if (PQ(PQgetisnull)(res, r, i + off)) {
			sqlite3_bind_null(ins, i + 1);
			continue;
		}
		switch (t->cols[i].t) {
		case PGC_INT:
		case PGC_REAL:
			if (n != 8)
				return err_set(e, EPROTO, "fleet: pull: %s.%s: %d bytes, not 8",
					       t->name, t->cols[i].name, n);
			u = be64(v);
			if (t->cols[i].t == PGC_INT) {
				sqlite3_bind_int64(ins, i + 1, (int64_t)u);
			} else {
				memcpy(&d, &u, 8);
				sqlite3_bind_double(ins, i + 1, d);
			}
			break;
		case PGC_TEXT:
			if (n && ((const unsigned char *)v)[0] == PG_TEXT_ESCAPE) {
				int err = bind_escaped(ins, i + 1, v, n);

				if (err)
					return err_set(e, -err, "fleet: pull: %s.%s: a bad escaped value",
						       t->name, t->cols[i].name);
				break;
			}
			sqlite3_bind_text(ins, i + 1, (const char *)v, n, SQLITE_TRANSIENT);
			break;
		default:
			sqlite3_bind_blob(ins, i + 1, v, n, SQLITE_TRANSIENT);
		}
	}
	return 0;
}

/* The blobs a host's rows (of the snapshot) name: every bytea column of its tables. */
static int blob_refs_sql(const struct pg_tables *ts, char *out, size_t len)
{
	size_t o = snprintf(out, len, "SELECT hash, kind, raw_size, codec, zdata FROM blobs"
			    " WHERE hash IN (");
	bool any = false;

	for (int i = 0; i < ts->n; i++) {
		const struct pg_table *t = &ts->t[i];

		if (pg_table_global(t))
			continue;
		for (int c = 0; c < t->ncols && o < len; c++)
			if (t->cols[c].t == PGC_BLOB) {
				o += snprintf(out + o, len - o, "%sSELECT \"%s\" FROM %s WHERE host = $1"
					      " AND %s", any ? " UNION " : "", t->cols[c].name,
					      t->name, pull_filter(t->kind));
				any = true;
			}
	}
	if (o < len)
		o += snprintf(out + o, len - o, ")");
	return o >= len || !any ? -E2BIG : 0;
}

static int pull_table(struct pg *pg, struct db *local, const struct pg_table *t,
		      const char *host, int64_t snap, int64_t *rows, struct err *e)
{
	char cols[4096], lcols[4096], qs[512], sql[16384], id[24];
	const char *params[2] = { host, id };
	sqlite3_stmt *ins = NULL;
	PGresult *res;
	int err = 0;

	snprintf(id, sizeof(id), "%lld", (long long)snap);
	pg_col_list(t, "", cols, sizeof(cols));
	lcols[0] = qs[0] = 0;
	for (int i = 0, o = 0, q = 0; i < t->ncols; i++) {
		o += snprintf(lcols + o, sizeof(lcols) - o, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
		q += snprintf(qs + q, sizeof(qs) - q, "%s?", i ? ", " : "");
	}
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE host = $1 AND %s", cols, t->name,
		 pull_filter(t->kind));
	res = PQ(PQexecParams)(pg->c, sql, 2, NULL, params, NULL, NULL, 1);
	if (PQ(PQresultStatus)(res) != PGRES_TUPLES_OK) {
		err = pg_fail(pg, res, "pull", e);
		goto out;
	}
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO %s (%s) VALUES (%s)", t->name, lcols, qs);
	err = db_prepare(local, sql, &ins, e);
	for (int r = 0; !err && r < PQ(PQntuples)(res); r++) {
		sqlite3_reset(ins);
		err = bind_row(pg, t, res, r, 1, ins, e);
		if (!err && sqlite3_step(ins) != SQLITE_DONE)
			err = err_set(e, EIO, "fleet: pull: %s: %s", t->name, sqlite3_errmsg(local->sql));
		(*rows)++;
	}
out:
	sqlite3_finalize(ins);
	PQ(PQclear)(res);
	return err;
}

static int pull_blobs(struct pg *pg, struct db *local, const struct pg_tables *ts,
		      const struct pg_table *t, const char *host, int64_t snap, struct err *e)
{
	char *sql = malloc(65536), id[24];
	const char *params[2] = { host, id };
	sqlite3_stmt *ins = NULL;
	PGresult *res = NULL;
	int err = 0;

	if (!sql)
		return err_set(e, ENOMEM, "out of memory");
	snprintf(id, sizeof(id), "%lld", (long long)snap);
	if (blob_refs_sql(ts, sql, 65536)) {
		free(sql);
		return err_set(e, E2BIG, "fleet: pull: too many blob columns");
	}
	res = PQ(PQexecParams)(pg->c, sql, 2, NULL, params, NULL, NULL, 1);
	if (PQ(PQresultStatus)(res) != PGRES_TUPLES_OK) {
		err = pg_fail(pg, res, "pull: blobs", e);
		goto out;
	}
	err = db_prepare(local, "INSERT OR IGNORE INTO blobs (hash, kind, raw_size, codec, zdata)"
			 " VALUES (?, ?, ?, ?, ?)", &ins, e);
	/* the columns asked for are blobs' own, in this order: bind them so */
	for (int r = 0; !err && r < PQ(PQntuples)(res); r++) {
		struct pg_table b = { .ncols = 5, .kind = TK_BLOBS };

		snprintf(b.name, sizeof(b.name), "blobs");
		b.cols[0].t = PGC_BLOB;
		b.cols[1].t = PGC_TEXT;
		b.cols[2].t = PGC_INT;
		b.cols[3].t = PGC_INT;
		b.cols[4].t = PGC_BLOB;
		sqlite3_reset(ins);
		err = bind_row(pg, &b, res, r, 0, ins, e);
		if (!err && sqlite3_step(ins) != SQLITE_DONE)
			err = err_set(e, EIO, "fleet: pull: blobs: %s", sqlite3_errmsg(local->sql));
	}
	(void)t;
out:
	sqlite3_finalize(ins);
	PQ(PQclear)(res);
	free(sql);
	return err;
}

static int local_empty(struct db *local, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int err = db_prepare(local, "SELECT count(*) FROM snapshot_rows", &st, e);

	if (!err && (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int64(st, 0)))
		err = err_set(e, EEXIST, "fleet: pull: %s has snapshots already (pull into a new file)",
			      local->path[0] ? local->path : "the database");
	sqlite3_finalize(st);
	return err;
}

int pg_pull(struct pg *pg, const char *host, int64_t snap_id, struct db *local, int64_t *n,
	    struct err *e)
{
	struct pg_tables *ts = calloc(1, sizeof(*ts));
	int64_t rows = 0;
	int err;

	*n = 0;
	if (!ts)
		return err_set(e, ENOMEM, "out of memory");
	err = pg_schema_check(pg, e) ?: pg_tables_read(local, ts, e) ?: local_empty(local, e);
	/* one read-only server transaction: a push beside it is seen whole or not at all */
	err = err ?: pg_exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "pull", e);
	err = err ?: db_begin(local, e);
	for (int i = 0; !err && i < ts->n; i++) {
		const struct pg_table *t = &ts->t[i];
		int64_t before = rows;

		if (t->kind == TK_LOOKUP)
			continue;	/* the binary fills its own */
		if (t->kind == TK_BLOBS)
			err = pull_blobs(pg, local, ts, t, host, snap_id, e);
		else
			err = pull_table(pg, local, t, host, snap_id, &rows, e);
		if (!err && t->kind == TK_SNAPS)
			*n = rows - before;
	}
	if (!err && !*n)
		err = err_set(e, ENOENT, "fleet: the server has no snapshots of host '%s'", host);
	err = err ?: db_commit(local, e);
	if (err)
		db_rollback(local);
	pg_exec(pg, "ROLLBACK", "pull", &(struct err){ 0 });
	free(ts);
	return err;
}
