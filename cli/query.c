/* query "SQL" [csv|json]: read-only SQL over the whole history. */
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"

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

static void json_cell(struct jw *w, sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_INTEGER:
		jw_int(w, sqlite3_column_int64(st, c));
		break;
	case SQLITE_FLOAT:
		jw_double(w, sqlite3_column_double(st, c));
		break;
	case SQLITE_NULL:
		jw_null(w);
		break;
	case SQLITE_BLOB: {
		/* blobs as hex: hashes and raw bytes are not text */
		int n = sqlite3_column_bytes(st, c);
		const uint8_t *p = sqlite3_column_blob(st, c);
		char *hx = malloc(2 * (size_t)n + 1);

		if (hx) {
			hex_encode(p, n, hx);
			jw_string(w, hx);
			free(hx);
		} else {
			jw_null(w);
		}
		break;
	}
	default:
		jw_string_len(w, (const char *)sqlite3_column_text(st, c), sqlite3_column_bytes(st, c));
	}
}

int do_query(struct ctx *ctx, int argc, char **argv)
{
	bool csv = false, json = out_json(&ctx->out);
	sqlite3_stmt *st;
	struct db db;
	const char *sql, *tail = NULL;
	int rc, ncol;

	if (argc < 1)
		return p_err(ctx, "expected SQL: bpfscope query \"SELECT ...\" [csv|json]");
	sql = GET_ARG();
	if (argc > 0) {
		if (!strcmp(*argv, "csv"))
			csv = true;
		else if (!strcmp(*argv, "json"))
			json = true;
		else
			return p_err(ctx, "unknown output format '%s' (csv or json)", *argv);
		NEXT_ARG();
	}
	NO_MORE_ARGS();
	if (history_open(ctx, false, &db))
		return -1;
	/* read-only twice over: the connection is opened read-only and so is the statement */
	if (sqlite3_prepare_v2(db.sql, sql, -1, &st, &tail) != SQLITE_OK) {
		p_err(ctx, "query: %s", sqlite3_errmsg(db.sql));
		db_close(&db);
		return -1;
	}
	if (!st || !sqlite3_stmt_readonly(st) || (tail && strspn(tail, " \t\r\n;") != strlen(tail))) {
		sqlite3_finalize(st);
		db_close(&db);
		return p_err(ctx, "query: only one read-only statement is allowed");
	}
	ncol = sqlite3_column_count(st);
	if (json) {
		struct jw *w = &ctx->out.jw;

		if (!out_json(&ctx->out))
			jw_init(w, stdout, false);
		jw_start_array(w);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			jw_start_object(w);
			for (int c = 0; c < ncol; c++) {
				jw_name(w, sqlite3_column_name(st, c));
				json_cell(w, st, c);
			}
			jw_end_object(w);
		}
		jw_end_array(w);
		if (!out_json(&ctx->out))
			fputc('\n', stdout);
	} else {
		const char *sep = csv ? "," : "|";

		for (int c = 0; c < ncol; c++) {
			fputs(c ? sep : "", stdout);
			if (csv)
				csv_field(stdout, sqlite3_column_name(st, c));
			else
				fputs(sqlite3_column_name(st, c), stdout);
		}
		if (ncol)
			fputc('\n', stdout);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (int c = 0; c < ncol; c++) {
				const char *s = (const char *)sqlite3_column_text(st, c);
				char safe[4096];

				fputs(c ? sep : "", stdout);
				if (sqlite3_column_type(st, c) == SQLITE_BLOB) {
					fprintf(stdout, "<blob %d bytes>", sqlite3_column_bytes(st, c));
				} else if (csv) {
					csv_field(stdout, s ? s : "");
				} else {
					fputs(out_safe(s, safe, sizeof(safe)), stdout);
				}
			}
			fputc('\n', stdout);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		p_err(ctx, "query: %s", sqlite3_errmsg(db.sql));
		db_close(&db);
		return -1;
	}
	db_close(&db);
	return 0;
}
