/* The fleet server's shared rows (schema 2): a span (and a prog_row_maps row) is stored once
 * for every host that has the same one, by a key of its contents; each host names its rows by
 * ranges of their ids. The table's name is a view giving the rows per host as before. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"
#include "store/pg_int.h"

/* '"a", "b" ...': the local columns (prefix before each) */
static void local_cols(const struct pg_table *t, const char *prefix, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (int i = 0; i < t->ncols && o < len; i++)
		o += snprintf(out + o, len - o, "%s%s\"%s\"", i ? ", " : "", prefix, t->cols[i].name);
}

/* 'c."row" = f."row" AND ...': the local primary key, c against f */
static void key_match(const struct pg_table *t, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (int i = 0; i < t->ncols && o < len; i++)
		if (t->cols[i].pk)
			o += snprintf(out + o, len - o, "%sc.\"%s\" = f.\"%s\"", o ? " AND " : "",
				      t->cols[i].name, t->cols[i].name);
}

/* Schema 1 kept a copy per host (table t with host): its rows become shared rows and the
 * hosts' ranges, then it goes (its views with it; init makes them again). */
static int migrate_v1(struct pg *pg, const struct pg_table *t, struct err *e)
{
	char cols[4096], vcols[4096], sql[12288];
	const char *params[1] = { t->name };
	PGresult *res = PQ(PQexecParams)(pg->c, "SELECT 1 FROM pg_class WHERE relname = $1 AND"
				     " relkind = 'r' AND relnamespace = current_schema()::regnamespace",
				     1, NULL, params, NULL, NULL, 0);
	int err = 0, have, n;

	if (PQ(PQresultStatus)(res) != PGRES_TUPLES_OK)
		err = pg_fail(pg, res, "init: migrate", e);
	have = !err && PQ(PQntuples)(res) == 1;
	PQ(PQclear)(res);
	if (err || !have)
		return err;
	/* a schema-1 table has every column of this binary's before it is copied */
	if ((err = pg_add_columns(pg, t, t->name, e)))
		return err;
	local_cols(t, "", cols, sizeof(cols));
	local_cols(t, "v.", vcols, sizeof(vcols));
	n = snprintf(sql, sizeof(sql),
		 "INSERT INTO %s_c (ckey, %s) SELECT DISTINCT ON (k) k, %s FROM (SELECT"
		 " md5(ROW(%s)::text)::uuid AS k, %s FROM %s) x ON CONFLICT (ckey) DO NOTHING;"
		 "INSERT INTO %s_m (host, cids) SELECT v.host, range_agg(int8range(c.cid, c.cid + 1))"
		 " FROM %s v JOIN %s_c c ON c.ckey = md5(ROW(%s)::text)::uuid GROUP BY v.host;"
		 "DROP TABLE %s CASCADE",
		 t->name, cols, cols, cols, cols, t->name, t->name, t->name, t->name, vcols, t->name);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return err_set(e, E2BIG, "init: migrate %s: the statement is too long", t->name);
	return pg_exec(pg, sql, "init: migrate", e);
}

int pg_shared_create(struct pg *pg, const struct pg_table *t, struct err *e)
{
	char sql[12288], key[512] = "";
	size_t o = 0, ko = 0;

	o += snprintf(sql + o, sizeof(sql) - o, "CREATE TABLE IF NOT EXISTS %s_c(cid bigserial PRIMARY KEY,"
		      " ckey uuid NOT NULL UNIQUE", t->name);
	for (int i = 0; i < t->ncols && o < sizeof(sql); i++) {
		o += snprintf(sql + o, sizeof(sql) - o, ", \"%s\" %s", t->cols[i].name,
			      pg_type(t->cols[i].t));
		if (t->cols[i].pk && ko < sizeof(key))
			ko += snprintf(key + ko, sizeof(key) - ko, "%s\"%s\"", ko ? ", " : "",
				       t->cols[i].name);
	}
	if (!ko)
		return err_set(e, EINVAL, "fleet: table %s has no key to share its rows by", t->name);
	if (o < sizeof(sql))
		o += snprintf(sql + o, sizeof(sql) - o, ");CREATE TABLE IF NOT EXISTS %s_m(host text"
			      " PRIMARY KEY, cids int8multirange NOT NULL);CREATE INDEX IF NOT EXISTS"
			      " %s_c_local ON %s_c(%s)", t->name, t->name, t->name, key);
	if (o >= sizeof(sql))
		return err_set(e, E2BIG, "fleet: table %s: definition too long", t->name);
	snprintf(key, sizeof(key), "%s_c", t->name);
	return pg_exec(pg, sql, "init", e) ?: pg_add_columns(pg, t, key, e) ?: migrate_v1(pg, t, e);
}

/* The view named as the table: each host's rows, the columns in the table's order */
int pg_shared_view(struct pg *pg, const struct pg_table *t, struct err *e)
{
	char cols[4096], sql[8192];

	local_cols(t, "c.", cols, sizeof(cols));
	snprintf(sql, sizeof(sql), "CREATE VIEW %s AS SELECT m.host, %s FROM %s_m m CROSS JOIN LATERAL"
		 " unnest(m.cids) AS r(rg) JOIN %s_c c ON c.cid >= lower(r.rg) AND c.cid < upper(r.rg)",
		 t->name, cols, t->name, t->name);
	return pg_exec(pg, sql, "init views", e);
}

/* From the staging table (the batch's rows of one host) into the shared rows: the rows
 * no host has yet are added; the host's ranges lose the rows it had under the same keys (a
 * span that ended since) and gain the new ones; a row dropped so that no host has any more
 * goes. Pushes of changes take turns here (an advisory lock): one host's cleaning must not
 * drop a row another is about to name. */
char *pg_shared_upsert_sql(const struct pg_table *t)
{
	char cols[4096], match[512];
	const char *n = t->name;

	local_cols(t, "", cols, sizeof(cols));
	key_match(t, match, sizeof(match));
	/* the staging table has no statistics (it is empty whenever analyzed): the planner
	 * would hash whole shared tables for a batch of a few rows; their keys are indexed */
	return str_fmt("SELECT pg_advisory_xact_lock(" FLEET_LOCK " + 1);"
		      "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;"
		      "INSERT INTO %s_c (ckey, %s) SELECT ckey, %s FROM fx_%s ON CONFLICT (ckey) DO NOTHING;"
		      "INSERT INTO %s_m (host, cids) SELECT DISTINCT host, '{}'::int8multirange FROM fx_%s"
		      " ON CONFLICT (host) DO NOTHING;"
		      "WITH o AS (SELECT c.cid FROM fx_%s f JOIN %s_m m ON m.host = f.host JOIN %s_c c"
		      "  ON %s WHERE c.cid <@ m.cids),"
		      " n AS (SELECT c.cid FROM fx_%s f JOIN %s_c c ON c.ckey = f.ckey),"
		      " u AS (UPDATE %s_m m SET cids = (m.cids - coalesce((SELECT range_agg(int8range(cid,"
		      "  cid + 1)) FROM o), '{}')) + coalesce((SELECT range_agg(int8range(cid, cid + 1))"
		      "  FROM n), '{}') WHERE m.host IN (SELECT host FROM fx_%s) RETURNING m.cids)"
		      " DELETE FROM %s_c c USING o WHERE c.cid = o.cid AND NOT c.cid <@ (SELECT cids FROM u)"
		      " AND NOT EXISTS (SELECT 1 FROM %s_m x WHERE x.host NOT IN (SELECT host FROM fx_%s)"
		      "  AND c.cid <@ x.cids);"
		      "DELETE FROM fx_%s",
		      n, cols, cols, n, n, n, n, n, n, match, n, n, n, n, n, n, n, n);
}
