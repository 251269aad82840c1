/* Loading ELF objects (libbpf object API), pinning and autoattach, with an undo list:
 * whatever fails, nothing this process created stays pinned or attached. */
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
#include "lib/bpf_names.h"
#include "probe/load.h"

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

static void log_begin(struct loaded *l, struct log_scope *s)
{
	load_log_begin(&l->log, s);
}

static void log_end(struct log_scope *s)
{
	load_log_end(s);
}

/* The last libbpf line that is not the verifier log, without "libbpf: ", for messages. */
static void log_last_line(const struct loaded *l, char *out, size_t len)
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

/* ---- loading ---- */

/* libbpf's own codes (4000+) have names only libbpf knows */
static const char *lstrerror(int err, char *buf, size_t len)
{
	if (err < 0)
		err = -err;
	if (err >= 4000 && !libbpf_strerror(err, buf, len))
		return buf;
	return strerror(err);
}

const char *load_attach_kind(const struct load_prog *p)
{
	const char *n;

	switch (p->type) {
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_EXT:
		n = attach_type_name(p->attach_type);
		return n ? n : "tracing";
	case BPF_PROG_TYPE_KPROBE:
		if (!strncmp(p->sec, "uprobe", 6) || !strncmp(p->sec, "uretprobe", 9))
			return strncmp(p->sec, "uretprobe", 9) ? "uprobe" : "uretprobe";
		if (!strncmp(p->sec, "kretprobe", 9))
			return "kretprobe";
		if (!strncmp(p->sec, "kprobe.multi", 12) || !strncmp(p->sec, "kretprobe.multi", 15))
			return "kprobe_multi";
		return "kprobe";
	default:
		n = prog_type_name(p->type);
		return n ? n : "unknown";
	}
}

static void sanitize_name(char *s)
{
	/* libbpf's rule for pin names: '.' is not allowed in a bpffs name it creates */
	for (; *s; s++)
		if (*s == '.')
			*s = '_';
}

int load_open(const char *path, const void *elf, size_t elf_len, const struct load_opts *o,
	      struct loaded *l, struct err *e)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = o->obj_name);
	enum bpf_prog_type ptype = BPF_PROG_TYPE_UNSPEC;
	enum bpf_attach_type eatype = 0;
	struct log_scope ls;
	struct bpf_program *prog;
	struct bpf_map *map;
	char why[256];
	int err = 0;
	size_t n;

	memset(l, 0, sizeof(*l));
	snprintf(l->path, sizeof(l->path), "%s", path ? path : o->obj_name ? o->obj_name : "?");
	if (o->type) {
		char *t;

		if (libbpf_prog_type_by_name(o->type, &ptype, &eatype) < 0) {
			/* "kprobe" and the like only match as a section prefix with a '/' */
			if (asprintf(&t, "%s/", o->type) < 0)
				return err_set(e, ENOMEM, "out of memory");
			err = libbpf_prog_type_by_name(t, &ptype, &eatype);
			free(t);
			if (err < 0)
				return err_set(e, EINVAL, "unknown program type '%s'", o->type);
		}
	}
	log_begin(l, &ls);
	l->obj = elf ? bpf_object__open_mem(elf, elf_len, &oo) : bpf_object__open_file(path, &oo);
	err = l->obj ? 0 : -errno;
	log_end(&ls);
	if (!l->obj) {
		l->obj = NULL;
		char eb[128];

		log_last_line(l, why, sizeof(why));
		/* libbpf's ELF codes (4000+) mean "not a BPF object we can read" */
		return err_set(e, err < -4000 ? EINVAL : -err, "can't open object %s: %s%s%s%s", path,
			       lstrerror(err, eb, sizeof(eb)),
			       why[0] ? " (" : "", why, why[0] ? ")" : "");
	}
	n = 0;
	bpf_object__for_each_program(prog, l->obj)
		n++;
	l->progs = calloc(n ? n : 1, sizeof(*l->progs));
	if (!l->progs)
		return err_set(e, ENOMEM, "out of memory");
	bpf_object__for_each_program(prog, l->obj) {
		struct load_prog *p = &l->progs[l->nr_progs++];

		if (o->type) {
			bpf_program__set_type(prog, ptype);
			bpf_program__set_expected_attach_type(prog, eatype);
		}
		snprintf(p->name, sizeof(p->name), "%s", bpf_program__name(prog));
		snprintf(p->sec, sizeof(p->sec), "%s", bpf_program__section_name(prog));
		p->type = bpf_program__type(prog);
		p->attach_type = bpf_program__expected_attach_type(prog);
		if (p->type == BPF_PROG_TYPE_UNSPEC) {
			err_set(e, EINVAL, "program '%s' of %s has an unknown section '%s': can't "
				"tell its type", p->name, l->path, p->sec);
			err_hint(e, "give it with 'type TYPE', e.g. type xdp");
			return -EINVAL;
		}
	}
	n = 0;
	bpf_object__for_each_map(map, l->obj)
		n++;
	l->maps = calloc(n ? n : 1, sizeof(*l->maps));
	if (!l->maps)
		return err_set(e, ENOMEM, "out of memory");
	bpf_object__for_each_map(map, l->obj) {
		struct load_map *m = &l->maps[l->nr_maps++];

		snprintf(m->name, sizeof(m->name), "%s", bpf_map__name(map));
		m->fd = -1;
		m->type = bpf_map__type(map);
		m->key_size = bpf_map__key_size(map);
		m->value_size = bpf_map__value_size(map);
		m->max_entries = bpf_map__max_entries(map);
	}
	for (size_t i = 0; i < o->nr_reuse; i++) {
		const struct load_map_reuse *r = &o->reuse[i];
		struct bpf_map *found = NULL;
		int idx = 0;

		bpf_object__for_each_map(map, l->obj) {
			if (r->name ? !strcmp(bpf_map__name(map), r->name) : idx == r->idx) {
				found = map;
				break;
			}
			idx++;
		}
		if (!found) {
			if (r->name)
				return err_set(e, ENOENT, "no map named '%s' in %s", r->name, path);
			return err_set(e, ENOENT, "no map with index %d in %s (it has %zu)", r->idx,
				       path, l->nr_maps);
		}
		err = bpf_map__reuse_fd(found, r->fd);
		if (err)
			return err_set(e, err, "can't reuse a map for '%s': %s",
				       bpf_map__name(found), strerror(-err));
	}
	return 0;
}

static void fill_ids(struct loaded *l)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	size_t i = 0;

	bpf_object__for_each_program(prog, l->obj) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);
		struct load_prog *p = &l->progs[i++];
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		p->id = info.id;
		p->type = info.type;
		for (int k = 0; k < 8; k++)
			sprintf(p->tag + 2 * k, "%02x", info.tag[k]);
	}
	i = 0;
	bpf_object__for_each_map(map, l->obj) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		struct load_map *m = &l->maps[i++];

		m->fd = bpf_map__fd(map);
		if (m->fd >= 0 && !bpf_obj_get_info_by_fd(m->fd, &info, &len))
			m->id = info.id;
	}
}

/* libbpf's reason for refusing program name: its first line about the program that is
 * more than the errno (which the message has already). */
static void prog_reason(const struct loaded *l, const char *name, char *out, size_t len)
{
	const char *s = l->log.data ? (const char *)l->log.data : "", *p;
	char pat[96];

	out[0] = 0;
	snprintf(pat, sizeof(pat), "libbpf: prog '%s': ", name);
	for (p = s; (p = strstr(p, pat)); p++) {
		const char *msg = p + strlen(pat), *nl = strchrnul(msg, '\n');
		size_t n = nl - msg;

		if (!strncmp(msg, "-- ", 3) || !strncmp(msg, "failed to load: ", 16) ||
		    !strncmp(msg, "BPF program load failed", 23))
			continue;
		if (n >= len)
			n = len - 1;
		memcpy(out, msg, n);
		out[n] = 0;
		return;
	}
}

/* The name of the program the kernel (or libbpf) refused, from libbpf's messages. */
static void find_failed_prog(struct loaded *l)
{
	const char *s = l->log.data ? (const char *)l->log.data : "";

	for (size_t i = 0; i < l->nr_progs; i++) {
		char pat[96];

		snprintf(pat, sizeof(pat), "prog '%s': ", l->progs[i].name);
		if (strstr(s, pat)) {
			snprintf(l->failed_prog, sizeof(l->failed_prog), "%s", l->progs[i].name);
			return;
		}
	}
}

int load_load(struct loaded *l, struct err *e)
{
	struct bpf_map *map;
	struct log_scope ls;
	char why[256];
	int err;
	/* maps with a pinning attribute are pinned by libbpf itself: take back the new ones */
	bpf_object__for_each_map(map, l->obj) {
		const char *pp = bpf_map__pin_path(map);

		if (pp && access(pp, F_OK) && undo_add_path(&l->undo, UNDO_UNPIN, pp))
			return err_set(e, ENOMEM, "out of memory");
	}
	log_begin(l, &ls);
	err = bpf_object__load(l->obj);
	log_end(&ls);
	if (err) {
		const char *obj = l->path;
		char eb[128], tail[8];
		bool vlog;

		find_failed_prog(l);
		if (l->failed_prog[0])
			prog_reason(l, l->failed_prog, why, sizeof(why));
		else
			log_last_line(l, why, sizeof(why));
		load_log_tail(l, 1, tail, sizeof(tail));
		vlog = tail[0] != 0;
		if (l->failed_prog[0]) {
			const struct load_prog *p = NULL;

			for (size_t i = 0; i < l->nr_progs; i++)
				if (!strcmp(l->progs[i].name, l->failed_prog))
					p = &l->progs[i];
			/* without a verifier log, libbpf's last word is the reason */
			err_set(e, err, "can't load program '%s' (section '%s') of %s: %s%s%s%s",
				l->failed_prog, p ? p->sec : "?", obj, lstrerror(err, eb, sizeof(eb)),
				!vlog && why[0] ? " (" : "", vlog ? "" : why, !vlog && why[0] ? ")" : "");
		} else {
			err_set(e, err, "can't load object %s: %s%s%s%s", obj,
				lstrerror(err, eb, sizeof(eb)), why[0] ? " (" : "", why,
				why[0] ? ")" : "");
		}
		if (-err == EPERM)
			err_hint(e, "the kernel refused: root and CAP_BPF are needed, and some program "
				 "types (fentry/fexit, kprobes) may be locked down");
		return err;
	}
	fill_ids(l);
	return 0;
}

int load_prog_fd(const struct loaded *l, size_t i)
{
	struct bpf_program *prog;
	size_t k = 0;

	bpf_object__for_each_program(prog, l->obj)
		if (k++ == i)
			return bpf_program__fd(prog);
	return -ENOENT;
}

static struct bpf_program *nth_prog(const struct loaded *l, size_t i)
{
	struct bpf_program *prog;
	size_t k = 0;

	bpf_object__for_each_program(prog, l->obj)
		if (k++ == i)
			return prog;
	return NULL;
}

int load_attach(struct loaded *l, size_t i, struct bpf_link **linkp, struct err *e)
{
	struct bpf_program *prog = nth_prog(l, i);
	struct load_prog *p = &l->progs[i];
	struct bpf_link *link, **links;
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	struct log_scope ls;
	char why[256];
	int err;

	if (!prog)
		return err_set(e, ENOENT, "no program %zu", i);
	log_begin(l, &ls);
	link = bpf_program__attach(prog);
	err = link ? 0 : -errno;
	log_end(&ls);
	if (!link) {
		if (err == -EOPNOTSUPP)
			return err;	/* libbpf can't attach this section by itself */
		log_last_line(l, why, sizeof(why));
		snprintf(l->failed_prog, sizeof(l->failed_prog), "%s", p->name);
		char eb[128];

		err_set(e, err, "can't attach program '%s' (%s, section '%s'): %s%s%s%s", p->name,
			load_attach_kind(p), p->sec, lstrerror(err, eb, sizeof(eb)), why[0] ? " (libbpf: " : "", why,
			why[0] ? ")" : "");
		if (err == -EPERM)
			err_hint(e, "the kernel refuses this attach type here (lockdown or a "
				 "security module?)");
		return err;
	}
	links = realloc(l->links, (l->nr_links + 1) * sizeof(*links));
	if (!links) {
		bpf_link__destroy(link);
		return err_set(e, ENOMEM, "out of memory");
	}
	l->links = links;
	l->links[l->nr_links++] = link;
	if (!bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len))
		p->link_id = info.id;
	p->attached = true;
	*linkp = link;
	return 0;
}

int load_pin_link(struct loaded *l, struct bpf_link *link, size_t i, const char *path,
		  struct err *e)
{
	int err = pin_fd_undo(bpf_link__fd(link), path, &l->undo, e);

	if (err) {
		err_set(e, err, "can't pin the link of '%s' at %s: %s", l->progs[i].name, path,
			strerror(-err));
		return err;
	}
	snprintf(l->progs[i].pinned, sizeof(l->progs[i].pinned), "%s", path);
	return 0;
}

static int pin_prog(struct loaded *l, size_t i, const char *path, struct err *e)
{
	int fd = load_prog_fd(l, i), err;

	if (fd < 0)
		return err_set(e, EBADF, "program '%s' is not loaded", l->progs[i].name);
	err = pin_fd_undo(fd, path, &l->undo, e);
	if (err)
		return err;
	snprintf(l->progs[i].pinned, sizeof(l->progs[i].pinned), "%s", path);
	return 0;
}

static int join(char *out, size_t len, const char *dir, const char *name, struct err *e)
{
	size_t dl = strlen(dir);

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if ((size_t)snprintf(out, len, "%.*s/%s", (int)dl, dir, name) >= len)
		return err_set(e, ENAMETOOLONG, "path too long: %s/%s", dir, name);
	sanitize_name(out + dl + 1);
	return 0;
}

int load_object(const char *path, const void *elf, size_t elf_len, const struct load_opts *o,
		struct loaded *l, struct err *e)
{
	char pin[PATH_MAX];
	int err;

	err = load_open(path, elf, elf_len, o, l, e);
	if (!err)
		err = load_load(l, e);
	if (err)
		goto fail;
	if (o->pinmaps) {
		err = mkdir_p_undo(o->pinmaps, &l->undo, e);
		for (size_t i = 0; !err && i < l->nr_maps; i++) {
			if (l->maps[i].fd < 0)
				continue;
			err = join(pin, sizeof(pin), o->pinmaps, l->maps[i].name, e);
			if (!err)
				err = pin_fd_undo(l->maps[i].fd, pin, &l->undo, e);
			if (!err)
				snprintf(l->maps[i].pinned, sizeof(l->maps[i].pinned), "%s", pin);
		}
		if (err)
			goto fail;
	}
	if (o->pin_first) {
		if (!l->nr_progs) {
			err = err_set(e, ENOENT, "object %s has no programs", path);
			goto fail;
		}
		err = pin_prog(l, 0, o->pin_first, e);
		if (err)
			goto fail;
	}
	if (o->pin_dir) {
		if (!l->nr_progs) {
			err = err_set(e, ENOENT, "object %s has no programs", path);
			goto fail;
		}
		err = mkdir_p_undo(o->pin_dir, &l->undo, e);
		if (err)
			goto fail;
		for (size_t i = 0; i < l->nr_progs; i++) {
			struct bpf_link *link = NULL;

			err = join(pin, sizeof(pin), o->pin_dir, l->progs[i].name, e);
			if (err)
				goto fail;
			if (o->autoattach) {
				err = load_attach(l, i, &link, e);
				if (err && err != -EOPNOTSUPP)
					goto fail;
			}
			/* like bpftool: what libbpf can't attach by itself is pinned as a program */
			err = link ? load_pin_link(l, link, i, pin, e) : pin_prog(l, i, pin, e);
			if (err)
				goto fail;
		}
	}
	return 0;
fail:
	load_abort(l);
	return err;
}

static void free_loaded(struct loaded *l)
{
	free(l->links);
	free(l->progs);
	free(l->maps);
	l->links = NULL;
	l->progs = NULL;
	l->maps = NULL;
	l->nr_links = l->nr_progs = l->nr_maps = 0;
	l->obj = NULL;
}

void load_close(struct loaded *l)
{
	for (size_t i = 0; i < l->nr_links; i++) {
		struct bpf_link *link = l->links[i];
		bool pinned = false;

		for (size_t k = 0; k < l->nr_progs; k++)
			if (l->progs[k].attached && l->progs[k].pinned[0] &&
			    l->progs[k].link_id && bpf_link__fd(link) >= 0) {
				struct bpf_link_info info = {};
				uint32_t len = sizeof(info);

				if (!bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len) &&
				    info.id == l->progs[k].link_id)
					pinned = true;
			}
		/* a pinned link must stay as it is: no detach, no perf event disable */
		if (pinned) {
			close(bpf_link__fd(link));
			bpf_link__disconnect(link);
		}
		bpf_link__destroy(link);
	}
	bpf_object__close(l->obj);
	undo_forget(&l->undo);
	free_loaded(l);
}

void load_abort(struct loaded *l)
{
	/* unpin first: then closing our fds frees every object we created */
	undo_run(&l->undo);
	for (size_t i = 0; i < l->nr_links; i++)
		bpf_link__destroy(l->links[i]);
	bpf_object__close(l->obj);
	free_loaded(l);
}

int load_record(struct db *db, const char *path, const void *elf, size_t elf_len,
		const struct loaded *l, const char *pin_dir, int64_t *obj_id, struct err *e)
{
	uint8_t hash[SHA256_LEN];
	char boot_id[64], real[PATH_MAX];
	struct buf ids = {}, mids = {};
	sqlite3_stmt *st = NULL;
	int err;

	read_line_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (size_t i = 0; i < l->nr_progs; i++) {
		char n[16];
		int k = snprintf(n, sizeof(n), "%s%u", i ? "," : "", l->progs[i].id);

		buf_append(&ids, n, k);
	}
	for (size_t i = 0; i < l->nr_maps; i++) {
		char n[16];
		int k = snprintf(n, sizeof(n), "%s%u", i ? "," : "", l->maps[i].id);

		buf_append(&mids, n, k);
	}
	buf_append(&ids, "", 1);
	buf_append(&mids, "", 1);
	err = blob_put(db, "elf", elf, elf_len, hash, e);
	if (!err)
		err = db_prepare(db, "INSERT INTO objects(loaded_at, path, elf, boot_id, prog_ids,"
				 " map_ids, pin_dir) VALUES(?, ?, ?, ?, ?, ?, ?)", &st, e);
	if (!err) {
		sqlite3_bind_int64(st, 1, (int64_t)now_realtime_ns());
		sqlite3_bind_text(st, 2, real, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, hash, SHA256_LEN, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, boot_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, ids.data ? (char *)ids.data : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, mids.data ? (char *)mids.data : "", -1, SQLITE_STATIC);
		if (pin_dir)
			sqlite3_bind_text(st, 7, pin_dir, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = err_set(e, EIO, "database %s: %s", db->path, sqlite3_errmsg(db->sql));
		else if (obj_id)
			*obj_id = sqlite3_last_insert_rowid(db->sql);
	}
	sqlite3_finalize(st);
	buf_free(&ids);
	buf_free(&mids);
	return err;
}
