/* New database files. Each is written whole beside its place (PATH.new-XXXXXX) and linked
 * in, so that another writer making the same file at once finds either nothing or all of
 * it, and a writer killed half way leaves no database behind.
 * - db_create_file: the build's empty database (store/schema_image.h), for db_open.
 * - db_open_new / db_publish: a first snapshot's whole database, made in memory from that
 *   image and written in one go after its commit. Into a file, the same snapshot was its
 *   pages twice over (the WAL's frames, then the checkpoint's copy: some 7,600 writes and
 *   6,400 reads for 1,000 programs); here it is one write and one sync. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "store/db.h"
#include "store/db_int.h"
#include "store/schema_image.h"

static int ensure_parent_dir(const char *path, struct err *e)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (!access(dir, F_OK))
		return 0;
	/* create each missing component, every one private (0700): the database's directory
	 * and any above it that did not exist are ours alone (docs/reliability.md) */
	for (char *p = dir + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = 0;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return err_set(e, errno, "can't create %s: %s", dir, strerror(errno));
		if (!c)
			return 0;
		*p = c;
	}
}

/* All of iov (n parts, advanced as written) to fd: 0 or an errno. */
static int write_iov(int fd, struct iovec *iov, int n)
{
	while (n > 0 && !iov[n - 1].iov_len)
		n--;
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= w;
		}
	}
	return 0;
}

/* The bytes of iov into a private file linked at path: -EEXIST (no message) when path
 * exists by then, -EXDEV (no message) when the file system has no links; sync: on disk
 * before it is linked. */
static int place_file(const char *path, struct iovec *iov, int n, bool sync, struct err *e)
{
	char tmp[4200];
	int err = ensure_parent_dir(path, e), fd, code;

	if (err)
		return err;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new-XXXXXX", path) >= sizeof(tmp))
		return err_set(e, ENAMETOOLONG, "can't create database %.200s...: name too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);	/* (0600) */
	if (fd < 0)
		return err_set(e, errno, "can't create database %s: %s", path, strerror(errno));
	code = write_iov(fd, iov, n);
	if (!code && sync && fdatasync(fd))
		code = errno;
	close(fd);
	if (code)
		err = err_set(e, code, "can't create database %s: %s", path, strerror(code));
	else if (link(tmp, path))
		err = errno == EEXIST ? -EEXIST :
		      errno == EPERM || errno == ENOTSUP || errno == ENOSYS ? -EXDEV :
		      err_set(e, errno, "can't create database %s: %s", path, strerror(errno));
	unlink(tmp);
	return err;
}

/* Where the file system has no links, an empty file, which SQLite fills statement by
 * statement under its lock. */
int db_create_file(const char *path, struct err *e)
{
	const void *image;
	size_t len;
	struct iovec iov;
	int err, fd;

	db_file_image(&image, &len);
	iov = (struct iovec){ (void *)image, len };
	err = place_file(path, &iov, 1, false, e);
	if (err == -EEXIST)
		return 0;
	if (err != -EXDEV)
		return err;
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	else if (errno != EEXIST)
		return err_set(e, errno, "can't create database %s: %s", path, strerror(errno));
	return 0;
}

/* The first snapshot's database, in memory until db_publish: the build's empty image for a
 * file (its WAL mark, bytes 18 and 19, set back to a journal's: SQLite keeps no WAL in
 * memory). A file that exists by now, or a directory this user cannot write (db_open says
 * why), is opened as any writer opens it. */
int db_open_new(struct db *db, const char *path, struct err *e)
{
	const void *image;
	size_t len;
	int err;

	db_file_image(&image, &len);
	if (len < 100 || !access(path, F_OK))
		return db_open(db, path, DB_WRITE, e);
	err = ensure_parent_dir(path, e);
	if (err)
		return err;
	if (!db_dir_writable(path))
		return db_open(db, path, DB_WRITE, e);
	memset(db, 0, sizeof(*db));
	snprintf(db->path, sizeof(db->path), "%s", path);
	if (sqlite3_open_v2(":memory:", &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_MEMORY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err = err_set(e, ENOMEM, "can't open an in-memory database");
		goto fail;
	}
	err = db_memory_image(db, image, len, e);
	if (err)
		goto fail;
	{
		sqlite3_int64 limit = INT64_MAX;	/* (SQLite's default: 1 GiB) */

		sqlite3_file_control(db->sql, "main", SQLITE_FCNTL_SIZE_LIMIT, &limit);
	}
	sqlite3_extended_result_codes(db->sql, 1);
	err = db_exec(db, "PRAGMA foreign_keys = ON", e);
	if (err)
		goto fail;
	db->unpublished = true;
	return 0;
fail:
	db_close(db);
	return err;
}

int db_publish(struct db *db, struct err *e)
{
	sqlite3_int64 len = 0;
	unsigned char *bytes, head[100];
	struct iovec iov[2];
	int err;

	if (!db->unpublished)
		return 0;
	/* (in place: the database is SQLite's memory, which it hands out as it is) */
	bytes = sqlite3_serialize(db->sql, "main", &len, SQLITE_SERIALIZE_NOCOPY);
	if (!bytes || len < (sqlite3_int64)sizeof(head))
		return err_set(e, EIO, "%s: can't serialize the new database", db->path);
	memcpy(head, bytes, sizeof(head));
	head[18] = head[19] = 2;	/* WAL, as a writer leaves every file */
	iov[0] = (struct iovec){ head, sizeof(head) };
	iov[1] = (struct iovec){ bytes + sizeof(head), (size_t)len - sizeof(head) };
	err = place_file(db->path, iov, 2, true, e);
	if (!err)
		db->unpublished = false;
	db->publish_lost = err == -EEXIST || err == -EXDEV;
	return err;
}
