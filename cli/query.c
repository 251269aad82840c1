/* query "SQL" [csv|json]: read-only SQL over the whole history. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "store/read_snapshot.h"

static void csv_field(FILE *f, const char *s)
{
	bool quote = strpbrk(s, ",\"\n\r") != NULL;

	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_cell(struct jw *w, const struct query_cell *q)
{
	switch (q->type) {
	case QCELL_INT:
		jw_int(w, q->i);
		break;
	case QCELL_FLOAT:
		jw_double(w, q->d);
		break;
	case QCELL_NULL:
		jw_null(w);
		break;
	case QCELL_BLOB: {
		/* blobs as hex: hashes and raw bytes are not text */
		char *hx = malloc(2 * (size_t)q->len + 1);

		if (hx) {
			hex_encode(q->p, q->len, hx);
			jw_string(w, hx);
			free(hx);
		} else {
			jw_null(w);
		}
		break;
	}
	default:
		jw_string_len(w, q->text, q->len);
	}
}

struct query_print {
	struct ctx *ctx;
	bool csv, json;
	bool started;		/* the JSON array is open */
	bool write_failed;	/* stopped: the output could not be written */
};

static void plain_header(const struct query_print *qp, int ncol, const char *const *names)
{
	const char *sep = qp->csv ? "," : "|";

	for (int c = 0; c < ncol; c++) {
		fputs(c ? sep : "", stdout);
		if (qp->csv)
			csv_field(stdout, names[c]);
		else
			fputs(names[c], stdout);
	}
	if (ncol)
		fputc('\n', stdout);
}

static void plain_row(const struct query_print *qp, int ncol, const struct query_cell *cells)
{
	const char *sep = qp->csv ? "," : "|";

	for (int c = 0; c < ncol; c++) {
		const char *s = cells[c].text;
		char safe[4096];

		fputs(c ? sep : "", stdout);
		if (cells[c].type == QCELL_BLOB)
			fprintf(stdout, "<blob %d bytes>", cells[c].len);
		else if (qp->csv)
			csv_field(stdout, s ? s : "");
		else
			fputs(out_safe(s, safe, sizeof(safe)), stdout);
	}
	fputc('\n', stdout);
}

/* the rows store/ hands over: plain or CSV lines, or one JSON object per row */
static int print_row(void *arg, int ncol, const char *const *names,
		     const struct query_cell *cells)
{
	struct query_print *qp = arg;
	struct jw *w = &qp->ctx->out.jw;

	if (out_failed(&qp->ctx->out)) {	/* (main says why, once) */
		qp->write_failed = true;
		return -EIO;
	}
	if (!qp->json) {
		if (cells)
			plain_row(qp, ncol, cells);
		else
			plain_header(qp, ncol, names);
		return 0;
	}
	if (!cells) {
		if (!out_json(&qp->ctx->out))
			jw_init(w, stdout, false);
		jw_start_array(w);
		qp->started = true;
		return 0;
	}
	jw_start_object(w);
	for (int c = 0; c < ncol; c++) {
		jw_name(w, names[c]);
		json_cell(w, &cells[c]);
	}
	jw_end_object(w);
	return 0;
}

/* [csv|json] then the rows run hands over, printed as query prints them (fleet query too) */
int query_output(struct ctx *ctx, int argc, char **argv, query_runner run, void *run_arg)
{
	struct query_print qp = { .ctx = ctx, .json = out_json(&ctx->out) };
	struct err e = { 0 };
	int err;

	if (argc > 0) {
		if (!strcmp(*argv, "csv"))
			qp.csv = true;
		else if (!strcmp(*argv, "json"))
			qp.json = true;
		else
			return p_err(ctx, "unknown output format '%s' (csv or json)", *argv);
		NEXT_ARG();
	}
	NO_MORE_ARGS();
	err = run(run_arg, print_row, &qp, &e);
	/* the array is closed once opened, also before the error a later row met */
	if (qp.started) {
		jw_end_array(&ctx->out.jw);
		if (!out_json(&ctx->out))
			fputc('\n', stdout);
	}
	return err && !qp.write_failed ? p_err_e(ctx, &e) : 0;
}

struct local_query {
	struct ctx *ctx;
	const char *sql;
};

static int run_local(void *arg, query_row_fn fn, void *fn_arg, struct err *e)
{
	struct local_query *lq = arg;
	struct db db;
	int err;

	if (db_open(&db, lq->ctx->db_path, DB_READ, e))
		return -1;
	err = query_run(&db, lq->sql, fn, fn_arg, e);
	db_close(&db);
	return err;
}

int do_query(struct ctx *ctx, int argc, char **argv)
{
	struct local_query lq = { .ctx = ctx };

	if (argc < 1)
		return p_err(ctx, "expected SQL: bpfscope query \"SELECT ...\" [csv|json]");
	/* "help" is no SQL statement: every object answers it with its help */
	if (argc == 1 && !strcmp(argv[0], "help"))
		return p_usage(ctx, GRAMMAR_QUERY);
	lq.sql = GET_ARG();
	return query_output(ctx, argc, argv, run_local, &lq);
}
