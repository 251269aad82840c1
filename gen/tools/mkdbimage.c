/* A build-time host tool: the empty databases bpfscope starts from (store/schema_image.h),
 * made by db_open itself so that they are this build's schema, views and name tables
 * exactly.
 * - A live view's (no argument): less the views only a user's query reads and the triggers
 *   that write through the view snapshots (a live view's writer writes its tables), in the
 *   1 KiB pages db_open gives an in-memory database: SQLite parses every view and trigger
 *   of a database when it first reads it, and a live view copies the image, an empty root
 *   page for each table and index, before it starts (4 KiB pages: 268 KB, 1 ms of page
 *   faults and copy; the triggers were a quarter of the parse).
 * - A new database file's ("file"): all of it, in WAL mode, as db_open leaves a file it
 *   created: 280 KB written in one go where the hundred statements took 12-18 ms.
 * Usage: mkdbimage [file] > FILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/db.h"

static int live_image(struct buf *img, struct err *e)
{
	struct db db;
	int err = db_open(&db, NULL, DB_MEMORY, e);

	if (err)
		return err;
	err = db_drop_query_views(&db, e);
	if (!err)
		err = db_exec(&db, "DROP TRIGGER snapshots_insert; DROP TRIGGER snapshots_update;"
			      " DROP TRIGGER snapshots_delete; VACUUM", e);
	if (!err)
		err = db_image(&db, img, e);
	db_close(&db);
	return err;
}

/* made in a directory of its own, closed (checkpointed: the WAL empty), read back */
static int file_image(struct buf *img, struct err *e)
{
	char dir[] = "/tmp/bpfscope-mkdbimage-XXXXXX", path[64], side[80];
	struct db db;
	int err;

	if (!mkdtemp(dir))
		return err_set(e, errno, "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/new.db", dir);
	err = db_open(&db, path, DB_WRITE, e);
	if (!err) {
		db_close(&db);
		err = read_file(path, 64u << 20, img, e);
	}
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	rmdir(dir);
	/* (a file image in WAL mode: bytes 18 and 19 say 2) */
	if (!err && (img->len < 100 || img->data[18] != 2 || img->data[19] != 2))
		err = err_set(e, EINVAL, "the new database is not in WAL mode");
	return err;
}

int main(int argc, char **argv)
{
	struct buf img = { 0 };
	struct err e = { 0 };
	int err;

	err = argc > 1 && !strcmp(argv[1], "file") ? file_image(&img, &e) : live_image(&img, &e);
	if (!err && fwrite(img.data, 1, img.len, stdout) != img.len)
		err = err_set(&e, EIO, "write: short");
	if (!err && fflush(stdout))
		err = err_set(&e, EIO, "write failed");
	if (err)
		fprintf(stderr, "mkdbimage: %s\n", e.msg);
	buf_free(&img);
	return err ? 1 : 0;
}
