/* SQL functions the migrations call: schema 2 kept some attachment facts in text
 * ("pid=N fd=N offset=N addr=N", "parent=0x.. proto=0x..", "pf=N hooknum=N",
 * "link_flags=N") that schema 3 keeps in columns; this reads them apart once, on upgrade. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store/db.h"
#include "store/schema.h"

/* bpfscope_detail(detail, key): the number after "key=" (decimal or 0x hex, as the old
 * writer printed them), or NULL when detail has no such key or no number there */
static void detail_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *detail = (const char *)sqlite3_value_text(argv[0]);
	const char *key = (const char *)sqlite3_value_text(argv[1]);
	size_t klen;

	(void)argc;
	if (!detail || !key) {
		sqlite3_result_null(ctx);
		return;
	}
	klen = strlen(key);
	for (const char *p = detail; p && *p; p = strchr(p, ' '), p = p ? p + 1 : NULL) {
		char *end;
		unsigned long long v;

		if (strncmp(p, key, klen) || p[klen] != '=')
			continue;
		errno = 0;
		/* negative numbers (a pid or fd never is) come back through the same cast */
		v = p[klen + 1] == '-' ? (unsigned long long)strtoll(p + klen + 1, &end, 0)
				       : strtoull(p + klen + 1, &end, 0);
		if (end == p + klen + 1 || errno)
			break;
		sqlite3_result_int64(ctx, (sqlite3_int64)v);
		return;
	}
	sqlite3_result_null(ctx);
}

int db_migrate_functions(struct db *db, struct err *e)
{
	if (sqlite3_create_function(db->sql, "bpfscope_detail", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, detail_fn, NULL,
				    NULL) != SQLITE_OK)
		return err_set(e, EIO, "can't register migration functions: %s",
			       sqlite3_errmsg(db->sql));
	return 0;
}
