/* The SQL behind token show -s REF: the tokens table of one snapshot, in mount order. */
#include "store/read_int.h"
#include "store/read_token.h"

static const char tokens_sql[] =
	"SELECT dir, opts FROM tokens WHERE snapshot_id = ?1 AND ?2 = 0 ORDER BY seq";

struct token_walk {
	int (*fn)(const char *dir, const char *opts, void *arg);
	void *arg;
};

static int token_emit(sqlite3_stmt *st, void *arg)
{
	struct token_walk *w = arg;

	return w->fn(read_text(st, 0), read_text(st, 1), w->arg);
}

int token_rows(struct db *db, int64_t snap, int (*fn)(const char *dir, const char *opts, void *arg),
	       void *arg, struct err *e)
{
	struct token_walk w = { fn, arg };

	return read_rows(db, tokens_sql, 2, snap, 0, token_emit, &w, e);
}
