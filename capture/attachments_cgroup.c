/* Cgroup programs: walk the cgroup v2 hierarchy (not crossing mounts, in readdir order
 * like bpftool's nftw) and ask each cgroup what is attached to it directly. Only the
 * attach types that the loaded program types can use are asked: one query per type per
 * cgroup, and no walk at all when no cgroup program is loaded. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/schema.h"
#include "capture/attachments_int.h"

#define CG_MAX_DEPTH 128	/* each level holds a directory fd */

/* program type -> the cgroup attach types it can use (kernel enum values) */
static const struct { uint8_t prog_type; uint8_t types[20]; uint8_t n; } cg_types[] = {
	{ 8, { 0, 1 }, 2 },					/* cgroup_skb */
	{ 9, { 2, 12, 13, 34 }, 4 },				/* cgroup_sock */
	{ 13, { 3 }, 1 },					/* sock_ops */
	{ 15, { 6 }, 1 },					/* cgroup_device */
	{ 18, { 8, 9, 10, 11, 14, 15, 19, 20, 29, 30, 31, 32,
		49, 50, 51, 52, 53 }, 17 },			/* cgroup_sock_addr */
	{ 23, { 18 }, 1 },					/* cgroup_sysctl */
	{ 25, { 21, 22 }, 2 },					/* cgroup_sockopt */
	{ 29, { ATT_BPF_LSM_CGROUP }, 1 },			/* lsm (lsm_cgroup) */
};

/* a cgroup the walk visited */
struct cg_seen {
	char *path;
	uint64_t ino;
};

struct cg_walk {
	struct att_ctx *c;
	struct cg_seen *seen;
	size_t nr_seen, cap_seen;
	uint32_t types[64];
	size_t nr_types;
	dev_t dev;
	const char *root;
	char path[4096];
};

/* /proc/self/mounts escapes space, tab, newline and backslash as \ooo */
static void unescape_mount(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
}

static int find_cgroup2(char *out, size_t len)
{
	char line[8192];
	FILE *f = fopen("/proc/self/mounts", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *dev, *dir, *type, *save = NULL;

		dev = strtok_r(line, " ", &save);
		dir = strtok_r(NULL, " ", &save);
		type = strtok_r(NULL, " ", &save);
		if (!dev || !dir || !type || strcmp(type, "cgroup2"))
			continue;
		unescape_mount(dir);
		if (strlen(dir) >= len)
			continue;
		strcpy(out, dir);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int query_cgroup(struct cg_walk *w, int fd, uint64_t cgroup_id)
{
	int ret = 0;

	for (size_t i = 0; i < w->nr_types && !ret; i++) {
		struct att_query q = { .target = fd, .attach_type = w->types[i] };

		if (att_prog_query_all(&q, false)) {
			att_query_free(&q);
			continue;	/* not a type this kernel knows, or the cgroup went away */
		}
		for (uint32_t j = 0; j < q.cnt && !ret; j++) {
			struct att_row r = ATT_ROW("cgroup");

			r.prog_id = q.prog_ids[j];
			r.attach_type = w->types[i];
			r.flags = q.prog_flags[j];
			r.priority = j;
			r.handle = (int64_t)cgroup_id;
			r.cgroup_path = w->path;
			r.target = w->root;
			ret = att_insert(w->c, &r);
		}
		att_query_free(&q);
	}
	return ret;
}

static int walk(struct cg_walk *w, int fd, size_t plen, int depth)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int dfd, ret;

	if (fstat(fd, &sb))
		return 0;
	if (w->nr_seen == w->cap_seen) {
		size_t cap = w->cap_seen ? 2 * w->cap_seen : 64;
		struct cg_seen *n = realloc(w->seen, cap * sizeof(*n));

		if (!n)
			return err_set(w->c->e, ENOMEM, "out of memory");
		w->seen = n;
		w->cap_seen = cap;
	}
	w->seen[w->nr_seen].path = strdup(w->path);
	if (!w->seen[w->nr_seen].path)
		return err_set(w->c->e, ENOMEM, "out of memory");
	w->seen[w->nr_seen++].ino = sb.st_ino;
	ret = query_cgroup(w, fd, sb.st_ino);
	if (ret || depth >= CG_MAX_DEPTH)
		return ret;
	dfd = dup(fd);
	if (dfd < 0)
		return 0;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	while (!ret && (de = readdir(d))) {
		size_t nlen = strlen(de->d_name);
		int cfd;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (plen + 1 + nlen >= sizeof(w->path))
			continue;
		cfd = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;	/* removed meanwhile, or not a directory */
		if (fstat(cfd, &sb) || sb.st_dev != w->dev) {
			close(cfd);	/* another mount: bpftool's nftw does not cross it */
			continue;
		}
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, de->d_name, nlen + 1);
		ret = walk(w, cfd, plen + 1 + nlen, depth + 1);
		w->path[plen] = 0;
		close(cfd);
	}
	closedir(d);
	return ret;
}

/* An open cgroup span. */
struct cg_span {
	char *path;
	int64_t row, seq;
	uint64_t ino;
	bool seen;
};

static int cg_span_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cg_span *)a)->path, ((const struct cg_span *)b)->path);
}

static struct cg_span *span_find(struct cg_span *o, size_t n, const char *path)
{
	struct cg_span key = { .path = (char *)path };

	return n ? bsearch(&key, o, n, sizeof(key), cg_span_cmp) : NULL;
}

/* The visited cgroups as spans (docs/schema.md): one found at the same place in the walk,
 * on the same inode, keeps its span; an unchanged hierarchy writes nothing. */
static int cgroups_store(struct att_ctx *c, const struct cg_walk *w)
{
	sqlite3_stmt *st = NULL, *ins = NULL, *end = NULL;
	struct cg_span *o = NULL;
	size_t n = 0, cap = 0;
	int err;

	err = db_prepare(c->db, "SELECT path, row, seq, ino FROM cgroup_rows WHERE last_snap = "
			 SPAN_OPEN_SQL " ORDER BY path", &st, c->e);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);

		if (n == cap) {
			struct cg_span *no = realloc(o, (cap = cap ? 2 * cap : 64) * sizeof(*o));

			if (!no) {
				err = err_set(c->e, ENOMEM, "out of memory");
				break;
			}
			o = no;
		}
		o[n] = (struct cg_span){ .path = strdup(path ? path : ""),
					 .row = sqlite3_column_int64(st, 1),
					 .seq = sqlite3_column_int64(st, 2),
					 .ino = sqlite3_column_int64(st, 3) };
		if (!o[n++].path)
			err = err_set(c->e, ENOMEM, "out of memory");
	}
	err = err ?: db_prepare(c->db, "INSERT INTO cgroup_rows(first_snap, last_snap, path, seq, ino)"
				" VALUES(?1, " SPAN_OPEN_SQL ", ?2, ?3, ?4)", &ins, c->e);
	err = err ?: db_prepare(c->db, "UPDATE cgroup_rows SET last_snap = ?1 WHERE row = ?2", &end,
				c->e);
	for (size_t i = 0; !err && i < w->nr_seen; i++) {
		struct cg_span *sp = span_find(o, n, w->seen[i].path);

		if (sp && !sp->seen && sp->seq == (int64_t)i && sp->ino == w->seen[i].ino) {
			sp->seen = true;
			continue;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, c->snap_id);
		sqlite3_bind_text(ins, 2, w->seen[i].path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, i);
		sqlite3_bind_int64(ins, 4, w->seen[i].ino);
		if (sqlite3_step(ins) != SQLITE_DONE)
			err = err_set(c->e, EIO, "can't store cgroup %s: %s", w->seen[i].path,
				      sqlite3_errmsg(c->db->sql));
	}
	for (size_t i = 0; !err && i < n; i++) {
		if (o[i].seen)
			continue;
		sqlite3_reset(end);
		sqlite3_bind_int64(end, 1, c->snap_id - 1);
		sqlite3_bind_int64(end, 2, o[i].row);
		if (sqlite3_step(end) != SQLITE_DONE)
			err = err_set(c->e, EIO, "can't end the span of cgroup %s: %s", o[i].path,
				      sqlite3_errmsg(c->db->sql));
	}
	for (size_t i = 0; i < n; i++)
		free(o[i].path);
	free(o);
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	sqlite3_finalize(end);
	return err;
}

int attach_cgroups(struct att_ctx *c)
{
	struct cg_walk *w;
	char root[4096];
	struct stat sb;
	bool seen[64] = { false };
	int fd, ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return err_set(c->e, ENOMEM, "out of memory");
	w->c = c;
	for (size_t i = 0; i < sizeof(cg_types) / sizeof(cg_types[0]); i++) {
		if (!att_have(c, cg_types[i].prog_type))
			continue;
		for (size_t j = 0; j < cg_types[i].n; j++)
			seen[cg_types[i].types[j]] = true;
	}
	/* ascending attach type: bpftool's order within a cgroup */
	for (uint32_t t = 0; t < 64; t++)
		if (seen[t])
			w->types[w->nr_types++] = t;
	ret = 0;
	if (!w->nr_types || find_cgroup2(root, sizeof(root)))
		goto out;	/* nothing to look for, or no cgroup v2 */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (!fstat(fd, &sb)) {
		w->dev = sb.st_dev;
		w->root = root;
		snprintf(w->path, sizeof(w->path), "%s", root);
		ret = walk(w, fd, strlen(w->path), 0);
	}
	close(fd);
out:
	/* (no walk, no cgroups: a snapshot then lists none, and has no programs in them) */
	if (!ret)
		ret = cgroups_store(c, w);
	for (size_t i = 0; i < w->nr_seen; i++)
		free(w->seen[i].path);
	free(w->seen);
	free(w);
	return ret;
}
