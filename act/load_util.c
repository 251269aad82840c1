/* The pieces of loading that outlive one load: the undo list (what was pinned, created,
 * attached), libbpf's messages captured per thread, and the record of a loaded object. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "store/objects.h"
#include "act/load.h"

/* ---- undo list ---- */

int undo_add(struct undo *u, const struct undo_step *s)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 16;
		struct undo_step *p = realloc(u->steps, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		u->steps = p;
		u->cap = cap;
	}
	u->steps[u->n] = *s;
	if (s->path && !(u->steps[u->n].path = strdup(s->path)))
		return -ENOMEM;
	u->n++;
	return 0;
}

int undo_add_path(struct undo *u, enum undo_kind kind, const char *path)
{
	struct undo_step s = { .kind = kind, .path = (char *)path };

	return undo_add(u, &s);
}

void undo_forget(struct undo *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->steps[i].path);
	free(u->steps);
	memset(u, 0, sizeof(*u));
}

void undo_run(struct undo *u)
{
	for (size_t i = u->n; i-- > 0;) {
		struct undo_step *s = &u->steps[i];

		switch (s->kind) {
		case UNDO_UNPIN:
			unlink(s->path);
			break;
		case UNDO_RMDIR:
			rmdir(s->path);
			break;
		case UNDO_XDP: {
			/* only take off what we put on: someone may have replaced it since */
			LIBBPF_OPTS(bpf_xdp_query_opts, q);
			uint32_t id = 0;

			if (!bpf_xdp_query(s->ifindex, s->flags, &q)) {
				id = s->flags & XDP_FLAGS_SKB_MODE ? q.skb_prog_id :
				     s->flags & XDP_FLAGS_DRV_MODE ? q.drv_prog_id :
				     s->flags & XDP_FLAGS_HW_MODE ? q.hw_prog_id : q.prog_id;
			}
			if (id && id == s->id)
				bpf_xdp_detach(s->ifindex, s->flags, NULL);
			break;
		}
		case UNDO_LINK_DETACH: {
			int fd = bpf_link_get_fd_by_id(s->id);

			if (fd >= 0) {
				bpf_link_detach(fd);
				close(fd);
			}
			break;
		}
		}
	}
	undo_forget(u);
}

int mkdir_p_undo(const char *dir, struct undo *u, struct err *e)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return err_set(e, ENAMETOOLONG, "bad directory '%s'", dir);
	memcpy(path, dir, len + 1);
	for (char *p = path + 1;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;

			*p = 0;
			if (mkdir(path, 0700) == 0) {
				if (u && undo_add_path(u, UNDO_RMDIR, path))
					return err_set(e, ENOMEM, "out of memory");
			} else if (errno != EEXIST) {
				int err = errno;

				err_set(e, err, "can't create directory %s: %s", path, strerror(err));
				if (err == EPERM || err == EACCES)
					err_hint(e, "is bpffs mounted? mount -t bpf bpf /sys/fs/bpf");
				return -err;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

int pin_fd_undo(int fd, const char *path, struct undo *u, struct err *e)
{
	char dir[PATH_MAX];
	char *slash;
	int err;

	if (strlen(path) >= sizeof(dir))
		return err_set(e, ENAMETOOLONG, "pin path too long: %s", path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		err = mkdir_p_undo(dir, u, e);
		if (err)
			return err;
	}
	if (bpf_obj_pin(fd, path)) {
		err = errno;
		err_set(e, err, "can't pin at %s: %s", path, strerror(err));
		if (err == EPERM || err == EINVAL)
			err_hint(e, "is %s on bpffs? mount -t bpf bpf /sys/fs/bpf", path);
		return -err;
	}
	if (u && undo_add_path(u, UNDO_UNPIN, path)) {
		unlink(path);
		return err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

int pin_fd(int fd, const char *path, struct err *e)
{
	struct undo u = { 0 };
	int err = pin_fd_undo(fd, path, &u, e);

	if (err)
		undo_run(&u);
	else
		undo_forget(&u);
	return err;
}

/* ---- libbpf's messages ---- */

/* libbpf_set_print takes no context pointer, so the sink is per thread; it is set only
 * for the duration of a libbpf call made from this file. */
static _Thread_local struct buf *log_sink;

static int log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char small[1024];
	va_list ap2;
	int n;

	if (!log_sink || level == LIBBPF_DEBUG)
		return 0;
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return 0;
	if (buf_reserve(log_sink, n + 1))
		return 0;
	if ((size_t)n < sizeof(small))
		memcpy(log_sink->data + log_sink->len, small, n + 1);
	else
		vsnprintf((char *)log_sink->data + log_sink->len, n + 1, fmt, ap);
	log_sink->len += n;
	return n;
}

void load_log_begin(struct buf *log, struct log_scope *s)
{
	s->old_sink = log_sink;
	log_sink = log;
	if (!log->data)
		buf_reserve(log, 1);
	if (log->data)
		log->data[log->len] = 0;
	s->old = libbpf_set_print(log_print);
}

void load_log_end(struct log_scope *s)
{
	libbpf_set_print((libbpf_print_fn_t)s->old);
	log_sink = s->old_sink;
}


/* The last libbpf line that is not the verifier log, without "libbpf: ", for messages. */
void load_log_last_line(const struct loaded *l, char *out, size_t len)
{
	const char *s = l->log.data ? (const char *)l->log.data : "";
	const char *best = NULL, *p = s;

	out[0] = 0;
	while (*p) {
		const char *nl = strchrnul(p, '\n');

		if (!strncmp(p, "libbpf: ", 8) && !strstr(p, "-- END PROG LOAD LOG") &&
		    nl - p > 8)
			best = p;
		p = *nl ? nl + 1 : nl;
	}
	if (best) {
		size_t n = strchrnul(best, '\n') - best - 8;

		if (n >= len)
			n = len - 1;
		memcpy(out, best + 8, n);
		out[n] = 0;
	}
}

void load_log_tail(const struct loaded *l, unsigned n, char *out, size_t len)
{
	const char *s = l->log.data ? (const char *)l->log.data : "";
	const char *begin = NULL, *end, *p, *from;
	unsigned lines = 0;
	size_t k;

	out[0] = 0;
	/* the last verifier log libbpf printed */
	for (p = s; (p = strstr(p, "-- BEGIN PROG LOAD LOG --")); p++)
		begin = p;
	if (!begin)
		return;
	begin = strchr(begin, '\n');
	if (!begin)
		return;
	begin++;
	end = strstr(begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = begin + strlen(begin);
	while (end > begin && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	for (from = end; from > begin; from--)
		if (from[-1] == '\n' && ++lines >= n)
			break;
	k = end - from;
	if (k >= len)
		from = end - (k = len - 1);
	memcpy(out, from, k);
	out[k] = 0;
}

/* ---- the objects table ---- */

/* "id,id,...", NUL-terminated */
static int id_append(struct buf *b, size_t i, uint32_t id)
{
	char t[16];
	int k = snprintf(t, sizeof(t), "%s%u", i ? "," : "", id);

	return buf_append(b, t, k) ? -ENOMEM : 0;
}

int load_record(struct db *db, const char *path, const void *elf, size_t elf_len,
		const struct loaded *l, const char *pin_dir, int64_t *obj_id, struct err *e)
{
	char boot_id[64], real[PATH_MAX];
	struct buf ids = {}, mids = {};
	struct object_rec r = { .elf = elf, .elf_len = elf_len, .pin_dir = pin_dir,
				.boot_id = boot_id, .path = real };
	int err;

	read_line_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	err = 0;
	for (size_t i = 0; i < l->nr_progs && !err; i++)
		err = id_append(&ids, i, l->progs[i].id);
	for (size_t i = 0; i < l->nr_maps && !err; i++)
		err = id_append(&mids, i, l->maps[i].id);
	if (err || buf_append(&ids, "", 1) || buf_append(&mids, "", 1)) {
		err = err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	r.loaded_at = (int64_t)now_realtime_ns();
	r.prog_ids = ids.data ? (char *)ids.data : "";
	r.map_ids = mids.data ? (char *)mids.data : "";
	err = objects_add(db, &r, obj_id, e);
out:
	buf_free(&ids);
	buf_free(&mids);
	return err;
}

int load_record_file(const char *db_path, const char *path, const struct loaded *l,
		     const char *pin_dir, struct err *e)
{
	struct buf elf = { 0 };
	struct db db;
	int err;

	err = read_file(path, LOAD_ELF_MAX, &elf, e);
	if (!err)
		err = db_open(&db, db_path, DB_WRITE, e);
	if (!err) {
		err = load_record(&db, path, elf.data, elf.len, l, pin_dir, NULL, e);
		db_close(&db);
	}
	buf_free(&elf);
	return err;
}
