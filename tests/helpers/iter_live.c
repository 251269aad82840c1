/* Test helper for t_fast.sh: a live view of every program as `prog show` takes it (an
 * in-memory snapshot, capture/snapshot.h), written to FILE for queries. BPFSCOPE_NO_ITER=1:
 * every program opened (the walk, the oracle); else the program iterator's records make the
 * rows they tell all of (capture/prog_fast.c). BPFSCOPE_TRACE=1: the phases, on stderr.
 * Usage: iter_live FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/snapshot.h"
#include "store/db.h"

static void trace_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

int main(int argc, char **argv)
{
	struct snapshot_opts opts = { .mask = SNAP_NO_MAPS | SNAP_NO_BTF | SNAP_OWNERS };
	struct snapshot_result res;
	struct err e = { 0 };
	struct buf img = { 0 };
	struct db db;
	FILE *f = NULL;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: iter_live FILE\n");
		return 2;
	}
	opts.no_iter = getenv("BPFSCOPE_NO_ITER") != NULL;
	if (getenv("BPFSCOPE_TRACE"))
		opts.trace = trace_line;
	memset(&db, 0, sizeof(db));
	if (snapshot_take_live(&db, &opts, &res, &e) || db_image(&db, &img, &e)) {
		fprintf(stderr, "iter_live: %s\n", e.msg);
		goto out;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(img.data, 1, img.len, f) != img.len || fclose(f)) {
		perror(argv[1]);
		goto out;
	}
	rc = 0;
out:
	buf_free(&img);
	db_close(&db);
	return rc;
}
