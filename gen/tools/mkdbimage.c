/* A build-time host tool: the empty database a live view starts from (store/schema_image.h),
 * made by db_open itself so that it is this build's schema, views and name tables exactly,
 * less the views only a user's query reads and the triggers that write through the view
 * snapshots (a live view's writer writes its tables), in pages of 1 KiB: SQLite parses every
 * view and trigger of a database when it first reads it, and a live view copies the image,
 * an empty root page for each table and index, before it starts (4 KiB pages: 268 KB, 1 ms
 * of page faults and copy; the triggers were a quarter of the parse).
 * Usage: mkdbimage > FILE */
#include <errno.h>
#include <stdio.h>
#include "store/db.h"

int main(void)
{
	struct buf img = { 0 };
	struct err e = { 0 };
	struct db db;
	int err;

	err = db_open(&db, NULL, DB_MEMORY, &e);
	if (!err) {
		err = db_drop_query_views(&db, &e);
		if (!err)
			err = db_exec(&db, "DROP TRIGGER snapshots_insert; DROP TRIGGER snapshots_update;"
				      " DROP TRIGGER snapshots_delete; PRAGMA page_size = 1024; VACUUM", &e);
		if (!err)
			err = db_image(&db, &img, &e);
		db_close(&db);
	}
	if (!err && fwrite(img.data, 1, img.len, stdout) != img.len)
		err = err_set(&e, EIO, "write: short");
	if (!err && fflush(stdout))
		err = err_set(&e, EIO, "write failed");
	if (err)
		fprintf(stderr, "mkdbimage: %s\n", e.msg);
	buf_free(&img);
	return err ? 1 : 0;
}
