/* The fleet server's connection, errors in one line, and the local tables as the server
 * mirrors them; read-only queries and the host list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/pg_int.h"

/* The first line of a libpq message, without its "FATAL:  "/"ERROR:  " level. */
static void first_line(const char *msg, char *out, size_t len)
{
	const char *p = msg ? msg : "unknown error";
	size_t n;

	for (const char *lv = strstr(p, ":  "); lv && lv - p < 8; lv = NULL)
		p = lv + 3;
	n = strcspn(p, "\n");
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	snprintf(out, len, "%.*s", (int)n, p);
}

/* What went wrong connecting, by what libpq said: the server is not there, it refused
 * who we are, or something else. */
static int connect_fail(struct pg *pg, struct err *e)
{
	const char *m = PQ(PQerrorMessage)(pg->c);
	char line[400];

	first_line(m, line, sizeof(line));
	if (strstr(m, "authentication failed") || strstr(m, "no password supplied") ||
	    strstr(m, "password authentication"))
		return err_set(e, EACCES, "fleet: authentication failed: %s", line);
	if (strstr(m, "permission denied"))
		return err_set(e, EACCES, "fleet: permission denied: %s", line);
	if (strstr(m, "does not exist") && strstr(m, "database"))
		return err_set(e, ENOENT, "fleet: %s", line);
	return err_set(e, EHOSTUNREACH, "fleet: server unreachable: %s", line);
}

static void notice_none(void *arg, const char *msg)
{
	(void)arg; (void)msg;
}

/* libpq loaded and the connection made */
static int connect_now(struct pg *pg, const char *conninfo, struct err *e)
{
	int err;

	if ((err = pq_api_load(&pg->pq, e)))
		return err;
	/* (no startup options: a pooler such as pgbouncer refuses them by default; a push
	 * sets what it needs in its first query, store/pg_push.c) */
	pg->c = PQ(PQconnectdbParams)((const char *const[]){ "dbname", NULL },
				      (const char *const[]){ conninfo, NULL }, 1);
	if (!pg->c)
		return err_set(e, ENOMEM, "fleet: out of memory connecting");
	if (PQ(PQstatus)(pg->c) != CONNECTION_OK)
		return connect_fail(pg, e);
	/* quiet NOTICEs ("relation already exists, skipping") would go to stderr */
	PQ(PQsetNoticeProcessor)(pg->c, notice_none, NULL);
	return 0;
}

int pg_connect(const char *conninfo, struct pg **out, struct err *e)
{
	struct pg *pg = calloc(1, sizeof(*pg));
	int err;

	*out = NULL;
	if (!pg)
		return err_set(e, ENOMEM, "out of memory");
	if ((err = connect_now(pg, conninfo, e))) {
		pg_close(pg);
		return err;
	}
	*out = pg;
	return 0;
}

void pg_close(struct pg *pg)
{
	if (!pg)
		return;
	if (pg->c)
		PQ(PQfinish)(pg->c);
	free(pg);
}

int pg_fail(struct pg *pg, const PGresult *res, const char *what, struct err *e)
{
	const char *state = res ? PQ(PQresultErrorField)(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQ(PQresultErrorField)(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char line[400];

	if (PQ(PQstatus)(pg->c) != CONNECTION_OK)
		return err_set(e, EHOSTUNREACH, "fleet: server unreachable: connection lost (%s)",
			       what);
	first_line(msg ? msg : PQ(PQerrorMessage)(pg->c), line, sizeof(line));
	if (state && !strcmp(state, "42501"))
		return err_set(e, EACCES, "fleet: permission denied: %s (%s)", line, what);
	if (state && !strncmp(state, "28", 2))
		return err_set(e, EACCES, "fleet: authentication failed: %s", line);
	if (state && !strncmp(state, "08", 2))
		return err_set(e, EHOSTUNREACH, "fleet: server unreachable: %s", line);
	return err_set(e, EIO, "fleet: %s: %s", what, line);
}

int pg_exec(struct pg *pg, const char *sql, const char *what, struct err *e)
{
	PGresult *res = PQ(PQexec)(pg->c, sql);
	int st = res ? PQ(PQresultStatus)(res) : PGRES_FATAL_ERROR, err = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		err = pg_fail(pg, res, what, e);
	PQ(PQclear)(res);
	return err;
}

static enum pg_tkind table_kind(const char *name, const struct pg_table *t)
{
	bool first = false, last = false;
	size_t n = strlen(name);

	if (!strcmp(name, "meta") || !strncmp(name, "sqlite_", 7))
		return TK_SKIP;
	/* no key of their own, but each row is its snapshot's: shipped with it, once */
	if (!strcmp(name, "sockets"))
		return TK_PER_SNAP;
	if (!strcmp(name, "blobs"))
		return TK_BLOBS;
	if (n > 6 && !strcmp(name + n - 6, "_types"))
		return TK_LOOKUP;
	if (!strcmp(name, "boots"))
		return TK_BOOTS;
	if (!strcmp(name, "snapshot_envs"))
		return TK_ENVS;
	if (!strcmp(name, "snapshot_rows"))
		return TK_SNAPS;
	if (!strcmp(name, "prog_row_maps"))
		return TK_PROG_MAPS;
	if (!strcmp(name, "load_events"))
		return TK_EVENTS;
	for (int i = 0; i < t->ncols; i++) {
		first |= !strcmp(t->cols[i].name, "first_snap");
		last |= !strcmp(t->cols[i].name, "last_snap");
	}
	return first && last ? TK_SPAN : TK_ALL;
}

static enum pg_ctype col_type(const char *decl)
{
	if (strcasestr(decl, "INT"))
		return PGC_INT;
	if (strcasestr(decl, "REAL") || strcasestr(decl, "FLOA") || strcasestr(decl, "DOUB"))
		return PGC_REAL;
	if (strcasestr(decl, "BLOB") || !*decl)
		return PGC_BLOB;
	return PGC_TEXT;
}

static int table_cols(struct db *db, struct pg_table *t, struct err *e)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	int rc, err;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(\"%s\")", t->name);
	err = db_prepare(db, sql, &st, e);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *decl = (const char *)sqlite3_column_text(st, 2);
		struct pg_col *c = &t->cols[t->ncols];

		if (t->ncols == PG_MAX_COLS || !name || strlen(name) >= PG_NAME) {
			err = err_set(e, E2BIG, "fleet: table %s: too many or too long columns",
				      t->name);
			break;
		}
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->t = col_type(decl ? decl : "");
		c->pk = sqlite3_column_int(st, 5);
		t->ncols++;
	}
	sqlite3_finalize(st);
	return err;
}

static int kind_cmp(const void *a, const void *b)
{
	const struct pg_table *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->name, y->name);
}

int pg_tables_read(struct db *db, struct pg_tables *ts, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, err;

	memset(ts, 0, sizeof(*ts));
	err = db_prepare(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
			 &st, e);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		struct pg_table *t = &ts->t[ts->n];

		memset(t, 0, sizeof(*t));	/* a skipped table left its columns here */
		if (!name || strlen(name) >= PG_NAME || strspn(name, "abcdefghijklmnopqrstuvwxyz_0123456789")
		    != strlen(name))
			continue;	/* not one of ours: a user's table with an odd name */
		if (ts->n == PG_MAX_TABLES) {
			err = err_set(e, E2BIG, "fleet: too many tables");
			break;
		}
		snprintf(t->name, sizeof(t->name), "%s", name);
		err = table_cols(db, t, e);
		t->kind = table_kind(name, t);
		if (!err && t->kind != TK_SKIP)
			ts->n++;
	}
	sqlite3_finalize(st);
	if (!err && ts->n)	/* (qsort takes no NULL base, even for no elements) */
		qsort(ts->t, ts->n, sizeof(ts->t[0]), kind_cmp);
	return err;
}

/* The server names a local column "host" env_host: host is the fleet's own column. */
void pg_col_list(const struct pg_table *t, const char *prefix, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	if (!pg_table_global(t))
		o += snprintf(out + o, len - o, "%shost", prefix);
	for (int i = 0; i < t->ncols && o < len; i++)
		o += snprintf(out + o, len - o, "%s%s\"%s\"", o ? ", " : "", prefix,
			      strcmp(t->cols[i].name, "host") ? t->cols[i].name : "env_host");
}

/* ---- read-only queries ---- */

static void pg_cell(struct pg *pg, const PGresult *res, int r, int c, struct query_cell *q, struct buf *tmp)
{
	const char *v = PQ(PQgetvalue)(res, r, c);
	Oid t = PQ(PQftype)(res, c);

	memset(q, 0, sizeof(*q));
	if (PQ(PQgetisnull)(res, r, c)) {
		q->type = QCELL_NULL;
		return;
	}
	q->text = v;
	q->p = v;
	q->len = PQ(PQgetlength)(res, r, c);
	switch (t) {
	case 20: case 21: case 23: case 26:	/* int8, int2, int4, oid */
		q->type = QCELL_INT;
		q->i = strtoll(v, NULL, 10);
		break;
	case 700: case 701: case 1700:		/* float4, float8, numeric */
		q->type = QCELL_FLOAT;
		q->d = strtod(v, NULL);
		break;
	case 16:				/* bool */
		/* as SQLite says it: 1 or 0 */
		q->type = QCELL_INT;
		q->i = v[0] == 't';
		q->text = q->i ? "1" : "0";
		q->p = q->text;
		q->len = 1;
		break;
	case 17: {				/* bytea, "\x" and hex in text results */
		size_t n = q->len > 2 ? (size_t)(q->len - 2) / 2 : 0;

		q->type = QCELL_BLOB;
		tmp->len = 0;
		if (buf_reserve(tmp, n + 1))
			n = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned x = 0;

			sscanf(v + 2 + 2 * i, "%2x", &x);
			tmp->data[i] = (uint8_t)x;
		}
		q->p = tmp->data;
		q->len = (int)n;
		break;
	}
	default:
		q->type = QCELL_TEXT;
	}
}

static int rows_out(struct pg *pg, const PGresult *res, query_row_fn fn, void *arg, struct err *e)
{
	int ncol = PQ(PQnfields)(res), nrow = PQ(PQntuples)(res), err;
	const char **names = calloc(ncol + 1, sizeof(*names));
	struct query_cell *cells = calloc(ncol + 1, sizeof(*cells));
	struct buf *tmp = calloc(ncol + 1, sizeof(*tmp));

	if (!names || !cells || !tmp) {
		err = err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	for (int c = 0; c < ncol; c++)
		names[c] = PQ(PQfname)(res, c);
	err = fn(arg, ncol, names, NULL);
	for (int r = 0; !err && r < nrow; r++) {
		for (int c = 0; c < ncol; c++)
			pg_cell(pg, res, r, c, &cells[c], &tmp[c]);
		err = fn(arg, ncol, names, cells);
	}
out:
	for (int c = 0; tmp && c < ncol; c++)
		buf_free(&tmp[c]);
	free(tmp);
	free(names);
	free(cells);
	return err;
}

int pg_query(struct pg *pg, const char *sql, query_row_fn fn, void *arg, struct err *e)
{
	PGresult *res = NULL;
	int err;

	err = pg_schema_check(pg, e);
	/* read-only twice over: the transaction, and one statement (the extended protocol
	 * refuses several) */
	err = err ?: pg_exec(pg, "BEGIN READ ONLY", "query", e);
	err = err ?: pg_exec(pg, "SET TRANSACTION READ ONLY", "query", e);
	if (err)
		return err;
	res = PQ(PQexecParams)(pg->c, sql, 0, NULL, NULL, NULL, NULL, 0);
	if (!res || PQ(PQresultStatus)(res) != PGRES_TUPLES_OK) {
		if (res && PQ(PQresultStatus)(res) == PGRES_COMMAND_OK)
			err = err_set(e, EINVAL, "fleet: query: the statement returned no rows");
		else
			err = pg_fail(pg, res, "query", e);
	} else {
		err = rows_out(pg, res, fn, arg, e);
	}
	PQ(PQclear)(res);
	pg_exec(pg, "ROLLBACK", "query", &(struct err){ 0 });
	return err;
}

int pg_hosts(struct pg *pg, query_row_fn fn, void *arg, struct err *e)
{
	return pg_query(pg, "SELECT host, count(*) AS snapshots, min(taken_at) AS first,"
			" max(taken_at) AS last FROM snapshot_rows GROUP BY host ORDER BY host",
			fn, arg, e);
}
