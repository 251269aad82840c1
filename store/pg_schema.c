/* The fleet server's schema: the local tables with a host column (blobs and lookup tables
 * shared by all hosts), created or migrated from this binary's own schema, and the views. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/pg_int.h"
#include "store/schema.h"

const char *pg_type(enum pg_ctype t)
{
	switch (t) {
	case PGC_INT: return "bigint";
	case PGC_REAL: return "double precision";
	case PGC_BLOB: return "bytea";
	default: return "text";
	}
}

static const char *server_name(const struct pg_col *c)
{
	return strcmp(c->name, "host") ? c->name : "env_host";
}

/* CREATE TABLE IF NOT EXISTS <t> with the primary key the local one has, host first; a
 * staging table (fx_<t>: rows of a push in flight, never committed) has no key and no WAL. */
static int create_table(struct pg *pg, const struct pg_table *t, bool staging, struct err *e)
{
	char sql[8192], pk[512] = "";
	size_t o = 0, po = 0;

	o += snprintf(sql + o, sizeof(sql) - o, "CREATE %sTABLE IF NOT EXISTS %s%s(",
		      staging ? "UNLOGGED " : "", staging ? "fx_" : "", t->name);
	if (!pg_table_global(t)) {
		o += snprintf(sql + o, sizeof(sql) - o, "host text NOT NULL, ");
		po += snprintf(pk + po, sizeof(pk) - po, "host");
	}
	for (int i = 0; i < t->ncols && o < sizeof(sql); i++)
		o += snprintf(sql + o, sizeof(sql) - o, "%s\"%s\" %s", i ? ", " : "",
			      server_name(&t->cols[i]), pg_type(t->cols[i].t));
	for (int k = 1; k <= t->ncols; k++)
		for (int i = 0; i < t->ncols; i++)
			if (t->cols[i].pk == k && po < sizeof(pk))
				po += snprintf(pk + po, sizeof(pk) - po, "%s\"%s\"", po ? ", " : "",
					       server_name(&t->cols[i]));
	/* host alone is no key: a table without one of its own (sockets) gets none */
	if (!staging && po && strcmp(pk, "host") && o < sizeof(sql))
		o += snprintf(sql + o, sizeof(sql) - o, ", PRIMARY KEY(%s)", pk);
	/* a shared table's rows come with their key (store/pg_shared.c) */
	if (staging && pg_table_shared(t) && o < sizeof(sql))
		o += snprintf(sql + o, sizeof(sql) - o, ", ckey uuid");
	if (o >= sizeof(sql) - 2)
		return err_set(e, E2BIG, "fleet: table %s: definition too long", t->name);
	snprintf(sql + o, sizeof(sql) - o, ")");
	return pg_exec(pg, sql, "init", e);
}

/* A column the local schema gained since the server's was made: added (NULL in old rows).
 * A table that is not there is left alone. */
int pg_add_columns(struct pg *pg, const struct pg_table *t, const char *name, struct err *e)
{
	const char *params[1] = { name };
	PGresult *res;
	int err = 0;

	res = PQ(PQexecParams)(pg->c, "SELECT column_name FROM information_schema.columns"
			       " WHERE table_schema = current_schema() AND table_name = $1",
			       1, NULL, params, NULL, NULL, 0);
	if (PQ(PQresultStatus)(res) != PGRES_TUPLES_OK) {
		err = pg_fail(pg, res, "init", e);
		PQ(PQclear)(res);
		return err;
	}
	for (int i = 0; !err && PQ(PQntuples)(res) && i < t->ncols; i++) {
		bool have = false;
		char sql[256];

		for (int r = 0; r < PQ(PQntuples)(res); r++)
			have |= !strcmp(PQ(PQgetvalue)(res, r, 0), server_name(&t->cols[i]));
		if (have)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN \"%s\" %s", name,
			 server_name(&t->cols[i]), pg_type(t->cols[i].t));
		err = pg_exec(pg, sql, "init", e);
	}
	PQ(PQclear)(res);
	return err;
}

/* A span table's view: one row per object per snapshot per host, its columns but the
 * span's own, as the local views give them. */
static const struct {
	const char *table, *view, *where;
} span_views[] = {
	{ "prog_rows", "progs", "(s.mask & 256) = 0" },
	{ "map_rows", "maps", "(s.mask & 512) = 0" },
	{ "pin_rows", "pins", "(s.mask & 16) != 0" },
	{ "btf_rows", "btf", "true" },
	{ "link_rows", "links", "true" },
	{ "attach_rows", "attachments", "true" },
	{ "owner_rows", "owners", "true" },
	{ "prog_stat_rows", "prog_stats", "true" },
	{ "map_data_rows", "map_data", "true" },
};

static int span_view(struct pg *pg, const struct pg_table *t, struct err *e)
{
	char sql[8192];
	size_t o = 0;

	for (size_t v = 0; v < sizeof(span_views) / sizeof(span_views[0]); v++) {
		if (strcmp(span_views[v].table, t->name))
			continue;
		o += snprintf(sql + o, sizeof(sql) - o, "CREATE VIEW %s AS SELECT s.host AS host,"
			      " s.id AS snapshot_id", span_views[v].view);
		for (int i = 0; i < t->ncols && o < sizeof(sql); i++) {
			const char *n = t->cols[i].name;

			if (strcmp(n, "first_snap") && strcmp(n, "last_snap") && strcmp(n, "digest") &&
			    strcmp(n, "row"))
				o += snprintf(sql + o, sizeof(sql) - o, ", r.\"%s\"", n);
		}
		if (o < sizeof(sql))
			o += snprintf(sql + o, sizeof(sql) - o, ", r.row AS row_id FROM snapshot_rows s"
				      " JOIN %s r ON r.host = s.host AND r.first_snap <= s.id"
				      " AND r.last_snap >= s.id WHERE %s", t->name, span_views[v].where);
		if (o >= sizeof(sql))
			return err_set(e, E2BIG, "fleet: view %s too long", span_views[v].view);
		return pg_exec(pg, sql, "init views", e);
	}
	return 0;
}

/* The views no table gives by itself (docs/fleet.md) */
static const char fleet_views_sql[] =
"CREATE VIEW snapshots AS SELECT r.host, r.id, r.taken_at, r.label, e.env_host AS hostname,"
"  e.boot_id, e.kernel_release, e.kernel_version, e.arch, e.page_size, e.nr_cpus,"
"  e.tool_version, r.mask, r.nr_progs, r.nr_maps, r.nr_btf, r.nr_links, r.nr_attachments,"
"  r.nr_pins, r.duration_ns, e.unprivileged_bpf_disabled, e.bpf_jit_enable,"
"  e.bpf_jit_harden, e.bpf_jit_kallsyms, e.bpf_stats_enabled, r.warnings"
"  FROM snapshot_rows r LEFT JOIN snapshot_envs e ON e.host = r.host AND e.id = r.env;\n"
"CREATE VIEW fleet_latest AS SELECT DISTINCT ON (host) * FROM snapshots"
"  ORDER BY host, id DESC;\n"
"CREATE VIEW fleet_hosts AS SELECT host, count(*) AS snapshots, min(taken_at) AS first,"
"  max(taken_at) AS last, max(id) AS latest_id FROM snapshot_rows GROUP BY host;\n"
"CREATE VIEW progs_named AS SELECT p.*, t.name AS type_name FROM progs p"
"  LEFT JOIN prog_types t ON t.id = p.type;\n"
"CREATE VIEW maps_named AS SELECT m.*, t.name AS type_name FROM maps m"
"  LEFT JOIN map_types t ON t.id = m.type;\n"
"CREATE VIEW latest_progs AS SELECT p.* FROM progs_named p JOIN fleet_latest l"
"  ON l.host = p.host AND l.id = p.snapshot_id;\n"
"CREATE VIEW latest_maps AS SELECT m.* FROM maps_named m JOIN fleet_latest l"
"  ON l.host = m.host AND l.id = m.snapshot_id;\n"
/* one row per program identity per snapshot per host: the local prog_history's columns
 * (attach point: a pin of it, else an attachment, else a link target) */
"CREATE VIEW prog_history AS SELECT s.host, s.id AS snapshot_id, s.taken_at, s.label,"
"  t.name AS type, coalesce(r.full_name, r.name) AS name, coalesce("
"   (SELECT min(x.path) FROM pin_rows x WHERE x.host = r.host AND x.obj_type = 'prog'"
"    AND x.obj_id = r.id AND x.first_snap <= s.id AND x.last_snap >= s.id),"
"   (SELECT min(x.path) FROM pin_rows x JOIN link_rows l ON l.host = x.host AND l.id = x.obj_id"
"    AND l.first_snap <= s.id AND l.last_snap >= s.id WHERE x.host = r.host"
"    AND x.obj_type = 'link' AND l.prog_id = r.id AND x.first_snap <= s.id"
"    AND x.last_snap >= s.id),"
"   (SELECT min(a.kind || ':' || coalesce(a.devname, a.cgroup_path, a.target, ''))"
"    FROM attach_rows a WHERE a.host = r.host AND a.prog_id = r.id AND a.first_snap <= s.id"
"    AND a.last_snap >= s.id),"
"   (SELECT min(coalesce(lt.name, l.type::text) || ':' || coalesce(l.target,"
"     l.ifindex::text, l.cgroup_id::text, '')) FROM link_rows l"
"    LEFT JOIN link_types lt ON lt.id = l.type WHERE l.host = r.host AND l.prog_id = r.id"
"    AND l.first_snap <= s.id AND l.last_snap >= s.id), '') AS attach_point,"
"  r.tag, r.id AS prog_id, r.loaded_at, r.bytes_xlated, r.bytes_jited, r.type AS type_id"
"  FROM snapshot_rows s JOIN prog_rows r ON r.host = s.host AND r.first_snap <= s.id"
"  AND r.last_snap >= s.id LEFT JOIN prog_types t ON t.id = r.type"
"  WHERE (s.mask & 256) = 0;\n"
/* the local prog_idents and changes, per host: program identities per snapshot ("prog:
 * TYPE:NAME@POINT", as diff -j spells them), and what changed between a host's consecutive
 * snapshots (added, removed dated at the snapshot after, changed tag or instances) */
"CREATE VIEW prog_idents AS SELECT host, snapshot_id, taken_at, label,"
"  'prog:' || coalesce(type, 'type' || type_id) || ':' || name || '@' || attach_point AS identity,"
"  coalesce(type, 'type' || type_id) AS type, name, attach_point, min(tag) AS tag,"
"  count(*) AS instances, min(prog_id) AS prog_id, max(bytes_xlated) AS bytes_xlated"
"  FROM prog_history GROUP BY host, snapshot_id, taken_at, label, type, type_id, name,"
"  attach_point;\n"
"CREATE VIEW changes AS WITH"
"  s AS (SELECT host, id, taken_at, lag(id) OVER w AS prev_id, lead(id) OVER w AS next_id,"
"        lead(taken_at) OVER w AS next_at FROM snapshot_rows WHERE (mask & 256) = 0"
"        WINDOW w AS (PARTITION BY host ORDER BY id)),"
"  x AS (SELECT i.*, lag(snapshot_id) OVER w AS prev_snap, lag(tag) OVER w AS prev_tag,"
"        lag(instances) OVER w AS prev_instances, lead(snapshot_id) OVER w AS next_snap"
"        FROM prog_idents i WINDOW w AS (PARTITION BY host, identity ORDER BY snapshot_id))"
"  SELECT s.host, s.id AS snapshot_id, s.taken_at, 'prog' AS kind, x.identity, x.type,"
"   x.name, x.attach_point,"
"   CASE WHEN x.prev_snap IS DISTINCT FROM s.prev_id THEN 'added' ELSE 'changed' END AS change,"
"   CASE WHEN x.prev_snap IS DISTINCT FROM s.prev_id THEN NULL WHEN x.prev_tag != x.tag"
"    THEN 'tag' ELSE 'instances' END AS field,"
"   CASE WHEN x.prev_snap IS DISTINCT FROM s.prev_id THEN NULL WHEN x.prev_tag != x.tag"
"    THEN x.prev_tag ELSE x.prev_instances::text END AS before,"
"   CASE WHEN x.prev_snap IS DISTINCT FROM s.prev_id THEN x.tag WHEN x.prev_tag != x.tag"
"    THEN x.tag ELSE x.instances::text END AS after, x.prog_id AS prog_id"
"   FROM x JOIN s ON s.host = x.host AND s.id = x.snapshot_id WHERE s.prev_id IS NOT NULL AND"
"   (x.prev_snap IS DISTINCT FROM s.prev_id OR x.prev_tag != x.tag"
"    OR x.prev_instances != x.instances)"
"  UNION ALL"
"  SELECT s.host, s.next_id, s.next_at, 'prog', x.identity, x.type, x.name, x.attach_point,"
"   'removed', NULL, x.tag, NULL, x.prog_id"
"   FROM x JOIN s ON s.host = x.host AND s.id = x.snapshot_id"
"   WHERE s.next_id IS NOT NULL AND x.next_snap IS DISTINCT FROM s.next_id;\n"
/* since when each host runs each program version (tag): one row per span */
"CREATE VIEW prog_spans AS SELECT r.host, r.tag, coalesce(r.full_name, r.name) AS name,"
"  t.name AS type, f.taken_at AS first_seen, l.taken_at AS last_seen, r.first_snap,"
"  r.last_snap FROM prog_rows r LEFT JOIN prog_types t ON t.id = r.type"
"  JOIN snapshot_rows f ON f.host = r.host AND f.id = r.first_snap"
"  LEFT JOIN LATERAL (SELECT max(x.taken_at) AS taken_at FROM snapshot_rows x"
"   WHERE x.host = r.host AND x.id <= r.last_snap) l ON true;\n";

/* Which hosts run a program with tag X, since when: a function, not a view, so that the tag
 * is a constant where the plan is made (an SQL function is inlined). Per host, its first
 * shared row with the tag by first_snap (the (tag, first_snap) index, stopping at the first
 * the host names) and its snapshot's time: a tag every host has costs a row a host, not
 * every span of it (prog_spans grouped by host expands them all). */
static const char tag_hosts_sql[] =
"DROP FUNCTION IF EXISTS tag_hosts(text);"
"CREATE FUNCTION tag_hosts(want text) RETURNS TABLE(host text, first_snap bigint,"
" first_seen bigint, running boolean) LANGUAGE sql STABLE AS $$"
" SELECT m.host, f.first_snap, (SELECT s.taken_at FROM snapshot_rows s WHERE s.host = m.host"
"  AND s.id = f.first_snap), EXISTS (SELECT 1 FROM prog_rows_c o WHERE o.tag = want"
"  AND o.cid <@ m.cids AND o.last_snap = 9223372036854775807)"
" FROM prog_rows_m m CROSS JOIN LATERAL (SELECT c.first_snap FROM prog_rows_c c"
"  WHERE c.tag = want AND c.cid <@ m.cids ORDER BY c.first_snap LIMIT 1) f $$;";

static const char *const drop_views[] = {
	"changes", "prog_idents", "prog_spans", "prog_history", "latest_maps", "latest_progs", "maps_named", "progs_named",
	"fleet_hosts", "fleet_latest", "snapshots", "progs", "maps", "pins", "btf", "links",
	"attachments", "owners", "prog_stats", "map_data",
};

static int make_views(struct pg *pg, const struct pg_tables *ts, struct err *e)
{
	char sql[128];
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(drop_views) / sizeof(drop_views[0]); i++) {
		snprintf(sql, sizeof(sql), "DROP VIEW IF EXISTS %s CASCADE", drop_views[i]);
		err = pg_exec(pg, sql, "init views", e);
	}
	/* the shared tables' own views (schema 1's tables were migrated before) */
	for (int i = 0; !err && i < ts->n; i++)
		if (pg_table_shared(&ts->t[i])) {
			snprintf(sql, sizeof(sql), "DROP VIEW IF EXISTS %s CASCADE", ts->t[i].name);
			err = pg_exec(pg, sql, "init views", e) ?: pg_shared_view(pg, &ts->t[i], e);
		}
	for (int i = 0; !err && i < ts->n; i++)
		err = span_view(pg, &ts->t[i], e);
	return err ?: pg_exec(pg, fleet_views_sql, "init views", e) ?:
		pg_exec(pg, tag_hosts_sql, "init views", e);
}

/* The server's version: 0 when it has no schema yet (one round trip: every command asks). */
static int server_version(struct pg *pg, int *v, struct err *e)
{
	PGresult *res = PQ(PQexec)(pg->c, "SELECT max(version) FROM fleet_schema");
	const char *state = PQ(PQresultErrorField)(res, PG_DIAG_SQLSTATE);
	int err = 0;

	*v = 0;
	if (PQ(PQresultStatus)(res) == PGRES_TUPLES_OK && PQ(PQntuples)(res) == 1)
		*v = atoi(PQ(PQgetvalue)(res, 0, 0));
	else if (!state || strcmp(state, "42P01"))	/* undefined_table: no schema yet */
		err = pg_fail(pg, res, "schema", e);
	else if (PQ(PQtransactionStatus)(pg->c) == PQTRANS_INERROR)	/* init's: go on */
		err = pg_exec(pg, "ROLLBACK TO SAVEPOINT fleet_version", "init", e);
	PQ(PQclear)(res);
	return err;
}

int pg_schema_check(struct pg *pg, struct err *e)
{
	int v, err = server_version(pg, &v, e);

	return err ?: pg_version_check(v, e);
}

int pg_version_check(int v, struct err *e)
{
	if (v > FLEET_SCHEMA_VERSION)
		return err_set(e, EPROTO, "fleet: server schema %d is newer than this bpfscope's (%d)",
			       v, FLEET_SCHEMA_VERSION);
	if (v < FLEET_SCHEMA_VERSION) {
		err_set(e, ENOENT, "fleet: the server has %s bpfscope schema",
			v ? "an older" : "no");
		err_hint(e, "bpfscope fleet init CONNINFO");
		return -ENOENT;
	}
	return 0;
}

static int init_tables(struct pg *pg, const struct pg_tables *ts, struct err *e)
{
	int err = 0;

	for (int i = 0; !err && i < ts->n; i++) {
		const struct pg_table *t = &ts->t[i];

		if (pg_table_shared(t))
			err = pg_shared_create(pg, t, e);
		else
			err = create_table(pg, t, false, e) ?: pg_add_columns(pg, t, t->name, e);
		/* rows of a push are upserted from a staging table (not a session's temp
		 * table: making one costs catalog writes every push) */
		if (!err && t->kind != TK_SNAPS && t->kind != TK_PER_SNAP) {
			char fx[PG_NAME + 4];

			snprintf(fx, sizeof(fx), "fx_%s", t->name);
			err = create_table(pg, t, true, e) ?: pg_add_columns(pg, t, fx, e);
		}
		if (!err && t->kind == TK_PER_SNAP) {
			char sql[256];

			snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS %s_snap ON %s(host,"
				 " snapshot_id)", t->name, t->name);
			err = pg_exec(pg, sql, "init", e);
		}
	}
	/* schema 3: the tag index holds first_snap too (tag_hosts takes a host's first span of
	 * a tag from it and stops); schema 2's, on tag alone, goes */
	return err ?: pg_exec(pg, "DROP INDEX IF EXISTS prog_rows_c_tag;"
			      "CREATE INDEX IF NOT EXISTS prog_rows_c_tag_first ON prog_rows_c(tag, first_snap);"
			      "CREATE INDEX IF NOT EXISTS prog_rows_c_name ON prog_rows_c(name);"
			      "CREATE INDEX IF NOT EXISTS load_events_snap ON load_events(host, snapshot_id);"
			      "CREATE TABLE IF NOT EXISTS fleet_schema(version integer NOT NULL,"
			      " local_schema integer NOT NULL, updated_at timestamptz DEFAULT now())",
			      "init", e);
}

int pg_schema_init(struct pg *pg, int *from_version, struct err *e)
{
	struct pg_tables *ts = calloc(1, sizeof(*ts));
	struct db mem = { 0 };
	char sql[256];
	int v = 0, err;

	if (!ts)
		return err_set(e, ENOMEM, "out of memory");
	/* this binary's own schema, read from an empty database of it */
	err = db_open(&mem, NULL, DB_MEMORY, e) ?: pg_tables_read(&mem, ts, e);
	err = err ?: pg_exec(pg, "BEGIN", "init", e);
	err = err ?: pg_exec(pg, "SELECT pg_advisory_xact_lock(" FLEET_LOCK "); SAVEPOINT fleet_version",
			     "init", e);
	err = err ?: server_version(pg, &v, e);
	if (!err && v > FLEET_SCHEMA_VERSION)
		err = err_set(e, EPROTO, "fleet: server schema %d is newer than this bpfscope's (%d)",
			      v, FLEET_SCHEMA_VERSION);
	err = err ?: init_tables(pg, ts, e);
	err = err ?: make_views(pg, ts, e);
	if (!err) {
		snprintf(sql, sizeof(sql), "DELETE FROM fleet_schema; INSERT INTO fleet_schema"
			 "(version, local_schema) VALUES (%d, %d)", FLEET_SCHEMA_VERSION,
			 DB_SCHEMA_VERSION);
		err = pg_exec(pg, sql, "init", e);
	}
	err = err ?: pg_exec(pg, "COMMIT", "init", e);
	if (err)
		pg_exec(pg, "ROLLBACK", "init", &(struct err){ 0 });
	*from_version = v;
	db_close(&mem);
	free(ts);
	return err;
}
