/* fleet { init | push | hosts | query | pull | diff } CONNINFO ...: many hosts' histories in
 * one PostgreSQL database (store/pg*.c); errors in one line, exit 2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "analyze/diff.h"
#include "cli/cli.h"
#include "cli/diff_print.h"
#include "store/pg.h"
#include "store/read_objs.h"

static int fleet_connect(struct ctx *ctx, const char *conninfo, struct pg **pg)
{
	struct err e = { 0 };

	if (!conninfo)
		return p_err(ctx, "expected CONNINFO (\"host=DIR dbname=NAME user=USER\")");
	if (pg_connect(conninfo, pg, &e))
		return p_err_e(ctx, &e);
	return 0;
}

static int do_fleet_init(struct ctx *ctx, int argc, char **argv)
{
	const char *conninfo = GET_ARG();
	struct err e = { 0 };
	struct pg *pg = NULL;
	int from, ret;

	NO_MORE_ARGS();
	if (fleet_connect(ctx, conninfo, &pg))
		return -1;
	ret = pg_schema_init(pg, &from, &e);
	pg_close(pg);
	if (ret)
		return p_err_e(ctx, &e);
	out_obj_start(&ctx->out, NULL);
	out_int(&ctx->out, "schema", "fleet schema %lld", FLEET_SCHEMA_VERSION);
	out_int(&ctx->out, "from", from ? " (from %lld)\n" : NULL, from);
	if (!from)
		out_plain(&ctx->out, " (created)\n");
	out_obj_end(&ctx->out);
	return 0;
}

static int do_fleet_push(struct ctx *ctx, int argc, char **argv)
{
	const char *conninfo = GET_ARG(), *host = NULL;
	struct pg_push_result r;
	struct err e = { 0 };
	struct pg *pg = NULL;
	char name[256];
	struct db db;
	int ret = -1, from;

	if (argc >= 2 && keyword_is(*argv, "host")) {
		NEXT_ARG();
		host = GET_ARG();
	}
	NO_MORE_ARGS();
	if (!conninfo)
		return p_err(ctx, "expected CONNINFO");
	if (history_open(ctx, false, &db))
		return -1;
	if (!host && pg_push_default_host(&db, name, sizeof(name), &e))
		goto out_e;
	if (!host)
		host = name;
	if (fleet_connect(ctx, conninfo, &pg))
		goto out;
	/* a server without the schema (or an older one) gets it first: pushing is what most
	 * hosts do, and init is idempotent (push asks for the version in its first query) */
	if (pg_push(pg, &db, host, &r, &e)) {
		if (e.code != ENOENT)
			goto out_e;
		err_clear(&e);
		if (pg_schema_init(pg, &from, &e) || pg_push(pg, &db, host, &r, &e))
			goto out_e;
	}
	out_obj_start(&ctx->out, NULL);
	out_str(&ctx->out, "host", "host %s:", host);
	out_int(&ctx->out, "snapshots", " %lld snapshots", r.snapshots);
	out_int(&ctx->out, "rows", ", %lld rows", r.rows);
	out_int(&ctx->out, "blobs", ", %lld blobs", r.blobs);
	out_int(&ctx->out, "blobs_present", " (%lld on the server already)", r.blobs_skipped);
	out_int(&ctx->out, "server_had", ", after snapshot %lld\n", r.server_had);
	out_obj_end(&ctx->out);
	ret = 0;
	goto out;
out_e:
	p_err_e(ctx, &e);
out:
	pg_close(pg);
	db_close(&db);
	return ret;
}

struct fleet_query {
	struct pg *pg;
	const char *sql;
};

static int run_server(void *arg, query_row_fn fn, void *fn_arg, struct err *e)
{
	struct fleet_query *fq = arg;

	if (!fq->sql)
		return pg_hosts(fq->pg, fn, fn_arg, e);
	return pg_query(fq->pg, fq->sql, fn, fn_arg, e);
}

static int do_fleet_query(struct ctx *ctx, int argc, char **argv)
{
	struct fleet_query fq = { 0 };
	const char *conninfo = GET_ARG();
	int ret;

	fq.sql = GET_ARG();
	if (!fq.sql)
		return p_err(ctx, "expected CONNINFO and SQL: bpfscope fleet query CONNINFO \"SELECT ...\"");
	if (fleet_connect(ctx, conninfo, &fq.pg))
		return -1;
	ret = query_output(ctx, argc, argv, run_server, &fq);
	pg_close(fq.pg);
	return ret;
}

/* each host: name, snapshots, first and last time */
static int host_row(void *arg, int ncol, const char *const *names, const struct query_cell *c)
{
	struct ctx *ctx = arg;
	char first[40], last[40];

	(void)names;
	if (!c || ncol < 4)
		return 0;
	fmt_time_utc_ns(c[2].i, first, sizeof(first));
	fmt_time_utc_ns(c[3].i, last, sizeof(last));
	out_obj_start(&ctx->out, NULL);
	out_str(&ctx->out, "host", "%s", c[0].text ? c[0].text : "");
	out_int(&ctx->out, "snapshots", "  snapshots %lld", c[1].i);
	out_str(&ctx->out, "first", "  first %s", first);
	out_str(&ctx->out, "last", "  last %s\n", last);
	out_obj_end(&ctx->out);
	return 0;
}

static int do_fleet_hosts(struct ctx *ctx, int argc, char **argv)
{
	const char *conninfo = GET_ARG();
	struct err e = { 0 };
	struct pg *pg = NULL;
	int ret;

	NO_MORE_ARGS();
	if (fleet_connect(ctx, conninfo, &pg))
		return -1;
	if (pg_schema_check(pg, &e)) {
		pg_close(pg);
		return p_err_e(ctx, &e);
	}
	out_arr_start(&ctx->out, NULL);
	ret = pg_hosts(pg, host_row, ctx, &e);
	out_arr_end(&ctx->out);
	pg_close(pg);
	return ret ? p_err_e(ctx, &e) : 0;
}

static int do_fleet_pull(struct ctx *ctx, int argc, char **argv)
{
	const char *conninfo = GET_ARG(), *host = NULL, *ref = NULL;
	struct err e = { 0 };
	struct pg *pg = NULL;
	int64_t id = -1, n;
	struct db db = { 0 };
	int ret = -1;

	while (argc >= 2) {
		if (keyword_is(*argv, "host")) {
			NEXT_ARG();
			host = GET_ARG();
		} else if (keyword_is(*argv, "snapshot")) {
			NEXT_ARG();
			ref = GET_ARG();
		} else {
			break;
		}
	}
	NO_MORE_ARGS();
	if (!host)
		return p_err(ctx, "expected host NAME: bpfscope fleet pull CONNINFO host NAME [snapshot REF] --db FILE");
	if (fleet_connect(ctx, conninfo, &pg))
		return -1;
	if (ref && pg_snapshot_resolve(pg, host, ref, &id, &e))
		goto out_e;
	if (db_open(&db, ctx->db_path, DB_WRITE, &e) || pg_pull(pg, host, id, &db, &n, &e))
		goto out_e;
	out_obj_start(&ctx->out, NULL);
	out_str(&ctx->out, "host", "host %s:", host);
	out_int(&ctx->out, "snapshots", " %lld snapshots", n);
	out_str(&ctx->out, "db", " into %s\n", ctx->db_path);
	out_obj_end(&ctx->out);
	ret = 0;
	goto out;
out_e:
	p_err_e(ctx, &e);
out:
	db_close(&db);
	pg_close(pg);
	return ret;
}

/* HOST[:REF] into an in-memory database: the host's one snapshot, pulled */
static int fleet_side(struct ctx *ctx, struct pg *pg, const char *word, struct diff_side *s)
{
	const char *colon = strrchr(word, ':');
	char host[256];
	struct err e = { 0 };
	int64_t n;

	memset(s, 0, sizeof(*s));
	s->ref = word;
	snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - word) : (int)strlen(word), word);
	if (pg_snapshot_resolve(pg, host, colon ? colon + 1 : "latest", &s->snap_id, &e) ||
	    db_open(&s->v.db, NULL, DB_MEMORY, &e) ||
	    pg_pull(pg, host, s->snap_id, &s->v.db, &n, &e))
		return p_err_e(ctx, &e);
	s->db = &s->v.db;
	s->v.snap_id = s->snap_id;
	return 0;
}

static int do_fleet_diff(struct ctx *ctx, int argc, char **argv)
{
	const char *conninfo = GET_ARG();
	struct diff_args da = { 0 };
	struct diff_side a = { 0 }, b = { 0 };
	struct pg *pg = NULL;
	int ret = -1;

	if (diff_args_parse(ctx, argc, argv, &da))
		return -1;
	if (!strcmp(da.ref_b, "live"))
		return p_err(ctx, "expected CONNINFO HOST[:REF] HOST[:REF] [KINDS]");
	if (da.code || da.o.contents)
		return p_err(ctx, "fleet diff compares objects: code and contents are diff's words");
	if (fleet_connect(ctx, conninfo, &pg))
		return -1;
	if (fleet_side(ctx, pg, da.ref_a, &a) || fleet_side(ctx, pg, da.ref_b, &b) ||
	    diff_side_read(ctx, &a, da.o.kinds) || diff_side_read(ctx, &b, da.o.kinds))
		goto out;
	ret = diff_sides_print(ctx, &da, &a, &b);
out:
	diff_side_close(&a);
	diff_side_close(&b);
	pg_close(pg);
	return ret;
}

static int do_fleet_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_FLEET);
}

static const struct cmd fleet_cmds[] = {
	{ "init", do_fleet_init },
	{ "push", do_fleet_push },
	{ "hosts", do_fleet_hosts },
	{ "query", do_fleet_query },
	{ "pull", do_fleet_pull },
	{ "diff", do_fleet_diff },
	{ "help", do_fleet_help },
	{ 0 }
};

int do_fleet(struct ctx *ctx, int argc, char **argv)
{
	ctx->err_status = 2;
	return cmd_select(ctx, fleet_cmds, argc, argv, do_fleet_help);
}
