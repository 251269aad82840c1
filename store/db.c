/* The snapshot database: a file is checked before SQLite reads it (header, size,
 * application id, schema version), so a truncated or foreign file is refused whole. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "store/db.h"
#include "store/db_int.h"
#include "store/schema.h"
#include "store/schema_image.h"

void blob_cleanup(struct db *db);
#include <bpf/libbpf.h>
#include "lib/bpf_names.h"

/* Migrations: migrations[v] moves a database from version v to v + 1. */
static const char *const migrations[] = {
	[0] = NULL,		/* 0 -> 1: an empty file gets the full schema */
	[1] = db_migration_1_sql,
	[2] = db_migration_2_sql,
	[3] = db_migration_3_sql,
	[4] = db_migration_4_sql,
	[5] = db_sockets_sql,
	[6] = db_view_rows_sql,
	[7] = db_migration_7_sql,
	[8] = db_map_chunks_sql,
	[9] = db_migration_9_sql,
};

/* how long a writer waits for the write lock before it gives up */
#define DB_WRITER_WAIT_MS (10 * 60 * 1000)

static int be32(const uint8_t *p) { return (int)((uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]); }

static bool wal_exists(const char *path)
{
	char wal[4200];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return !stat(wal, &st) && st.st_size > 0;
}

/* The first n bytes (at most 100) of a database of size bytes; wal: a -wal file exists. */
static int db_check_header(const uint8_t *hdr, ssize_t n, uint64_t size, bool wal,
			   const char *path, struct err *e)
{
	uint32_t page_size, pages;

	if (n < 100 || memcmp(hdr, "SQLite format 3", 16))
		return err_set(e, EINVAL, "%s is not a bpfscope database (not an SQLite file)", path);
	page_size = (uint32_t)hdr[16] << 8 | hdr[17];
	if (page_size == 1)
		page_size = 65536;
	pages = be32(hdr + 28);
	/* the in-header size is valid when its version-valid-for matches the change counter, and
	 * binding only without a WAL: with one, newer pages may still live there */
	if (pages && !memcmp(hdr + 24, hdr + 92, 4) && !wal &&
	    size < (uint64_t)pages * page_size)
		return err_set(e, EINVAL,
			       "%s is truncated: %llu bytes, its header says %llu",
			       path, (unsigned long long)size, (unsigned long long)pages * page_size);
	if (be32(hdr + 68) != 0 && be32(hdr + 68) != DB_APPLICATION_ID)
		return err_set(e, EINVAL, "%s is not a bpfscope database (application id %#x)",
			       path, be32(hdr + 68));
	return 0;
}

/* Refuse what is not a whole SQLite file before handing it to SQLite. */
static int db_check_file(const char *path, struct err *e)
{
	uint8_t hdr[100];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "can't open database %s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		close(fd);
		return err_set(e, errno, "can't stat database %s: %s", path, strerror(errno));
	}
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (n == 0 && st.st_size == 0)
		return 0;	/* empty file: becomes a new database when writing */
	return db_check_header(hdr, n, (uint64_t)st.st_size, wal_exists(path), path, e);
}

bool db_dir_writable(const char *path)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return !access(".", W_OK);
	if (slash == dir)
		slash++;
	*slash = 0;
	return !access(dir, W_OK);
}

/* SQLite says "unable to open database file" or "attempt to write a readonly database" when
 * the file system is read-only or the directory (where PATH-wal and PATH-shm go) is not
 * writable: say which. */
static void say_why_readonly(const char *path, struct err *e)
{
	char dir[4096], *slash;
	struct statvfs vfs;

	if (!strstr(e->msg, "unable to open") && !strstr(e->msg, "readonly"))
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = 0;
	if (!statvfs(dir, &vfs) && (vfs.f_flag & ST_RDONLY))
		snprintf(e->msg, sizeof(e->msg), "can't write database %.400s: read-only file system",
			 path);
	else if (access(dir, W_OK))
		snprintf(e->msg, sizeof(e->msg),
			 "can't write database %.200s: directory %.200s is not writable (%s; the "
			 "file's -wal and -shm go beside it)", path, dir, strerror(errno));
}

/* A writer refuses a database (or its -wal, -shm) that another user owns, root included:
 * root writing into a file someone else handed it would let that user read (or plant) what
 * the snapshot records, and would leave root-owned pages in another's file. */
static int db_check_owner(const char *path, struct err *e)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char file[4200], pwbuf[1024];
	struct passwd pw, *res = NULL;
	struct stat st;
	uid_t me = geteuid();

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(file, sizeof(file), "%s%s", path, suffix[i]);
		if (stat(file, &st) || st.st_uid == me)
			continue;
		getpwuid_r(st.st_uid, &pw, pwbuf, sizeof(pwbuf), &res);
		return err_set(e, EPERM, "refusing to write %s: it belongs to uid %u%s%.64s%s, not to uid %u",
			       file, (unsigned)st.st_uid, res ? " (" : "", res ? res->pw_name : "",
			       res ? ")" : "", (unsigned)me);
	}
	return 0;
}

int db_exec(struct db *db, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int err = err_set(e, EIO, "database %s: %s", db->path, msg ? msg : "error");

		sqlite3_free(msg);
		return err;
	}
	return 0;
}

int db_prepare(struct db *db, const char *sql, sqlite3_stmt **st, struct err *e)
{
	if (sqlite3_prepare_v2(db->sql, sql, -1, st, NULL) != SQLITE_OK)
		return err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	return 0;
}

int db_cached(struct db *db, const char *sql, sqlite3_stmt **st, struct err *e)
{
	size_t i, n = sizeof(db->cache) / sizeof(db->cache[0]);

	for (i = 0; i < n && db->cache[i].sql; i++) {
		if (db->cache[i].sql == sql) {
			*st = db->cache[i].st;
			sqlite3_reset(*st);
			sqlite3_clear_bindings(*st);
			return 0;
		}
	}
	if (i == n) {		/* full: the oldest goes */
		sqlite3_finalize(db->cache[0].st);
		memmove(&db->cache[0], &db->cache[1], (n - 1) * sizeof(db->cache[0]));
		i = n - 1;
		/* empty until the prepare succeeds: a failed one (a hostile schema) must not leave
		 * the moved statement here twice, to be finalized twice */
		db->cache[i].sql = NULL;
		db->cache[i].st = NULL;
	}
	if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	db->cache[i].sql = sql;
	db->cache[i].st = *st;
	return 0;
}

static int db_pragma_int(struct db *db, const char *pragma, int *v, struct err *e)
{
	sqlite3_stmt *st;
	int err = db_prepare(db, pragma, &st, e);

	if (err)
		return err;
	if (sqlite3_step(st) == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	else
		err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	return err;
}

/* Name tables are refilled by every writer so that a newer binary names more. */
static int db_fill_names(struct db *db, struct err *e)
{
	static const struct {
		const char *table;
		const char *(*fn)(uint32_t);
		uint32_t max;
	} tabs[] = {
		{ "prog_types", prog_type_name, NAMES_MAX_PROG_TYPE },
		{ "map_types", map_type_name, NAMES_MAX_MAP_TYPE },
		{ "attach_types", attach_type_name, NAMES_MAX_ATTACH_TYPE },
		{ "link_types", link_type_name, NAMES_MAX_LINK_TYPE },
	};
	int err = 0;

	for (size_t t = 0; t < ARRAY_SIZE(tabs) && !err; t++) {
		char sql[128];
		sqlite3_stmt *st;

		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO %s(id, name) VALUES(?, ?)",
			 tabs[t].table);
		err = db_prepare(db, sql, &st, e);
		for (uint32_t i = 0; !err && i < tabs[t].max; i++) {
			const char *n = tabs[t].fn(i);

			if (!n)
				continue;
			sqlite3_bind_int(st, 1, i);
			sqlite3_bind_text(st, 2, n, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
	}
	return err;
}

/* Views and name tables are rewritten when the binary's differ from what the file has:
 * the stamp is the views' SQL and the libbpf that names the enums. */
static void views_stamp_text(char *out, size_t len)
{
	uint8_t h[SHA256_LEN];
	char hx[17];

	sha256(db_views_sql, strlen(db_views_sql), h);
	hex_encode(h, 8, hx);
	snprintf(out, len, "%s libbpf %s", hx, libbpf_version_string());
}

static bool views_current(struct db *db)
{
	char want[128];
	sqlite3_stmt *st;
	bool same = false;

	views_stamp_text(want, sizeof(want));
	if (db_prepare(db, "SELECT value FROM meta WHERE key = 'views'", &st, NULL))
		return false;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		same = !strcmp((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_finalize(st);
	return same;
}

/* Every view the file has, whatever version made it: a view another version made and this
 * one does not know would name tables or views this one changes, and SQLite re-reads every
 * view whenever the schema changes ("error in view ..."). Views hold no data. */
static int drop_all_views(struct db *db, struct err *e)
{
	sqlite3_stmt *st;
	struct buf sql = { 0 };
	int err = db_prepare(db, "SELECT name FROM sqlite_master WHERE type = 'view'", &st, e);

	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		char *q = name ? sqlite3_mprintf("DROP VIEW IF EXISTS \"%w\";\n", name) : NULL;

		if (name && (!q || buf_append(&sql, q, strlen(q))))
			err = err_set(e, ENOMEM, "out of memory");
		sqlite3_free(q);
	}
	sqlite3_finalize(st);
	if (!err && sql.len && !buf_append(&sql, "", 1))
		err = db_exec(db, (const char *)sql.data, e);
	buf_free(&sql);
	return err;
}

static int views_stamp(struct db *db, struct err *e)
{
	char want[128];
	sqlite3_stmt *st;
	int err;

	views_stamp_text(want, sizeof(want));
	err = db_prepare(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('views', ?)", &st, e);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	return err;
}

static int db_migrate(struct db *db, struct err *e)
{
	int version = 0, appid = 0, err;
	char sql[64];

	err = db_pragma_int(db, "PRAGMA user_version", &version, e);
	if (!err)
		err = db_pragma_int(db, "PRAGMA application_id", &appid, e);
	if (err)
		return err;
	if (appid && appid != DB_APPLICATION_ID)
		return err_set(e, EINVAL, "%s is not a bpfscope database (application id %#x)",
			       db->path, appid);
	if (version > DB_SCHEMA_VERSION)
		return err_set(e, EPROTO,
			       "%s has schema version %d, newer than this bpfscope knows (%d)",
			       db->path, version, DB_SCHEMA_VERSION);
	if (!appid && version == 0) {
		int tables = 0;

		err = db_pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables, e);
		if (err)
			return err;
		if (tables)
			return err_set(e, EINVAL,
				       "%s is not a bpfscope database (an SQLite file with other tables)",
				       db->path);
	}
	if (version == DB_SCHEMA_VERSION)
		return 0;
	if (db->readonly && version == 0)
		return err_set(e, EINVAL, "%s is not a bpfscope database (empty)", db->path);
	if (db->readonly)
		return err_set(e, EPERM, "%s has schema version %d; open it for writing to upgrade",
			       db->path, version);
	err = db_begin(db, e);
	if (err)
		return err;
	if (version == 0) {
		err = db_exec(db, db_schema_sql, e);
	} else {
		err = db_migrate_functions(db, e);
		/* the views go first: they are made anew after, and one a migration does not
		 * know would stop it (a schema 3 file's prog_idents names prog_history) */
		if (!err && version >= 2)
			err = drop_all_views(db, e);
		for (int v = version; !err && v < DB_SCHEMA_VERSION; v++)
			if (migrations[v])
				err = db_exec(db, migrations[v], e);
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", DB_SCHEMA_VERSION);
	if (!err)
		err = db_exec(db, sql, e);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", DB_APPLICATION_ID);
	if (!err)
		err = db_exec(db, sql, e);
	if (err) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, e);
}

/* A live view's pages: the image is an empty root page for each table and index, copied
 * before a live view starts (4 KiB pages: 268 KB, a millisecond of page faults and copy) */
#define DB_MEMORY_PAGE_SIZE "1024"

int db_memory_image(struct db *db, const void *image, size_t len, struct err *e)
{
	unsigned char *copy = sqlite3_malloc64(len);

	if (!copy)
		return err_set(e, ENOMEM, "out of memory");
	memcpy(copy, image, len);
	if (len >= 20 && copy[18] == 2 && copy[19] == 2)
		copy[18] = copy[19] = 1;	/* (WAL: SQLite keeps none in memory) */
	/* FREEONCLOSE: SQLite owns the copy from here, also when this fails */
	if (sqlite3_deserialize(db->sql, "main", copy, len, len,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK)
		return err_set(e, EIO, "in-memory database: %s", sqlite3_errmsg(db->sql));
	return 0;
}

int db_drop_query_views(struct db *db, struct err *e)
{
	int err = 0;

	for (size_t i = 0; !err && db_query_only_views[i]; i++) {
		char *q = sqlite3_mprintf("DROP VIEW IF EXISTS \"%w\"", db_query_only_views[i]);

		err = q ? db_exec(db, q, e) : err_set(e, ENOMEM, "out of memory");
		sqlite3_free(q);
	}
	return err;
}

int db_image(struct db *db, struct buf *out, struct err *e)
{
	sqlite3_int64 len = 0;
	unsigned char *p = sqlite3_serialize(db->sql, "main", &len, 0);
	int err = 0;

	if (!p || len <= 0)
		return err_set(e, ENOMEM, "%s: can't serialize", db->path);
	if (buf_append(out, p, (size_t)len))
		err = err_set(e, ENOMEM, "out of memory");
	sqlite3_free(p);
	return err;
}

void db_lib_init(void)
{
	/* SQLite's allocation statistics (sqlite3_memory_used) take a global mutex on every
	 * malloc and free: 3-7% of a live `prog show -j` of 1,000 programs. Nothing here reads
	 * them. (Before SQLite's first use, or it refuses: then nothing changes.) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_open(struct db *db, const char *path, enum db_mode mode, struct err *e)
{
	int flags, err;
	bool exists, from_image = false;

	memset(db, 0, sizeof(*db));
	snprintf(db->path, sizeof(db->path), "%s", mode == DB_MEMORY ? ":memory:" : path);
	db->readonly = mode == DB_READ;
	db->memory = mode == DB_MEMORY;
	if (mode == DB_MEMORY) {
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY;
	} else {
		exists = !access(path, F_OK);
		if (!exists && mode == DB_READ)
			return err_set(e, ENOENT, "no database at %s (take a snapshot first: bpfscope snapshot take)",
				       path);
		if (exists) {
			err = mode == DB_WRITE ? db_check_owner(path, e) : 0;
			if (!err)
				err = db_check_file(path, e);
			if (err)
				return err;
		} else {
			err = db_create_file(path, e);
			if (err)
				return err;
		}
		flags = mode == DB_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	}
	{
		char uri[4200];
		const char *name = db->path;

		/* A WAL reader must create PATH-shm; where it cannot (a copy in a directory the user
		 * does not own) and no writer is at work (no PATH-wal), read the file as immutable. */
		if (mode == DB_READ && !db_dir_writable(path) && !wal_exists(path) &&
		    (size_t)snprintf(uri, sizeof(uri), "file:%s?immutable=1", path) < sizeof(uri)) {
			name = uri;
			flags |= SQLITE_OPEN_URI;
		}
		if (sqlite3_open_v2(name, &db->sql, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			err = err_set(e, EIO, "can't open database %s: %s", db->path,
				      db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
			goto fail;
		}
	}
	/* A writer waits for another's snapshot to commit (BEGIN IMMEDIATE): one of a
	 * ten-million-entry map's contents takes a minute on a loaded machine. WAL readers wait
	 * only for recovery after a crash, or a checkpoint's truncation. */
	sqlite3_busy_timeout(db->sql, mode == DB_WRITE ? DB_WRITER_WAIT_MS : 10000);
	sqlite3_extended_result_codes(db->sql, 1);
	if (mode == DB_MEMORY) {
		const void *image;
		size_t len;

		/* a live view's database from the build's empty image (store/schema_image.h): a
		 * copy and a schema parse instead of creating every table, index, view and name
		 * row; without one (the tool that makes it), its pages before the first table */
		db_schema_image(&image, &len);
		from_image = len > 0;
		err = from_image ? db_memory_image(db, image, len, e) :
			db_exec(db, "PRAGMA page_size = " DB_MEMORY_PAGE_SIZE, e);
		if (err)
			goto fail;
	}
	if (mode == DB_WRITE) {
		/* the WAL file stays (empty) after the checkpoint on close: removing it and creating
		 * it again costs each snapshot an unlink and a directory sync */
		int persist = 1;

		sqlite3_file_control(db->sql, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
		err = db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			      " PRAGMA journal_size_limit = 0", e);
		if (err)
			goto fail;
	}
	err = db_exec(db, "PRAGMA foreign_keys = ON", e);
	/* reads through the page cache, not a copy per page: diff and history read whole
	 * snapshots, twice over (a file truncated under a reader is SQLite's SIGBUS to avoid:
	 * it maps no more than the file's size when it opens it) */
	if (!err && mode != DB_MEMORY)
		err = db_exec(db, "PRAGMA mmap_size = 1073741824", e);
	if (!err)
		err = db_migrate(db, e);
	/* (the image was made with this binary's views: no stamp to check) */
	if (!err && !db->readonly && !from_image && !views_current(db)) {
		err = db_begin(db, e);
		if (!err)
			err = drop_all_views(db, e);
		if (!err)
			err = db_exec(db, db_views_sql, e);
		if (!err)
			err = db_fill_names(db, e);
		if (!err)
			err = views_stamp(db, e);
		if (!err)
			err = db_commit(db, e);
		else
			db_rollback(db);
	}
	/* (SQLite checkpoints the WAL when the last connection closes; measured cheaper here
	 * than leaving it for the next open to recover) */
	if (err)
		goto fail;
	return 0;
fail:
	/* "file is not a database" and friends: say it the same way as the header check */
	if (e && strstr(e->msg, "not a database"))
		snprintf(e->msg, sizeof(e->msg), "%.400s is not a bpfscope database (SQLite refused it)",
			 db->path);
	else if (e && mode == DB_WRITE)
		say_why_readonly(path, e);
	db_close(db);
	return err;
}

int64_t db_total_changes(struct db *db)
{
	return db->sql ? sqlite3_total_changes64(db->sql) : 0;	/* (not open: none) */
}

void db_close(struct db *db)
{
	sqlite3_finalize(db->blob_has);
	sqlite3_finalize(db->blob_ins);
	sqlite3_finalize(db->blob_get);
	blob_cleanup(db);
	for (size_t i = 0; i < sizeof(db->cache) / sizeof(db->cache[0]); i++)
		sqlite3_finalize(db->cache[i].st);
	memset(db->cache, 0, sizeof(db->cache));
	if (db->sql)
		sqlite3_close_v2(db->sql);
	db->sql = NULL;
	db->blob_has = db->blob_ins = db->blob_get = NULL;
}

int db_begin(struct db *db, struct err *e) { return db_exec(db, "BEGIN IMMEDIATE", e); }

int db_unmap(struct db *db, struct err *e)
{
	return db->sql && strcmp(db->path, ":memory:") ? db_exec(db, "PRAGMA mmap_size = 0", e) : 0;
}
int db_read_begin(struct db *db, struct err *e) { return db_exec(db, "BEGIN DEFERRED", e); }
int db_commit(struct db *db, struct err *e) { return db_exec(db, "COMMIT", e); }
void db_rollback(struct db *db) { sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL); }

/* The same checks and reads as a file opened DB_READ, on bytes held in memory (SQLite's
 * deserialize): the fuzzer's way in (tests/fuzz/fuzz_db_image.c), without a file per input.
 * SQLite reads the caller's bytes in place (read-only, no copy): they must outlive db_close. */
int db_open_image(struct db *db, const void *image, size_t len, struct err *e)
{
	int err;

	memset(db, 0, sizeof(*db));
	snprintf(db->path, sizeof(db->path), "(database image)");
	db->readonly = true;
	err = db_check_header(image, len < 100 ? (ssize_t)len : 100, len, false, db->path, e);
	if (err)
		return err;
	if (sqlite3_open_v2(":memory:", &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		err = err_set(e, ENOMEM, "can't open an in-memory database");
		goto fail;
	}
	/* READONLY: SQLite never writes the buffer, so the const is kept */
	if (sqlite3_deserialize(db->sql, "main", (unsigned char *)(uintptr_t)image, len, len,
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		err = err_set(e, EINVAL, "%s: %s", db->path, sqlite3_errmsg(db->sql));
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	err = db_exec(db, "PRAGMA foreign_keys = ON", e);
	if (!err)
		err = db_migrate(db, e);
	if (!err)
		return 0;
fail:
	db_close(db);
	return err;
}
