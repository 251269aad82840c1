/* Loading ELF objects (libbpf object API), pinning and autoattach, with an undo list:
 * whatever fails, nothing this process created stays pinned or attached. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "lib/bpf_names.h"
#include "act/load.h"

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
	load_log_begin(&l->log, &ls);
	l->obj = elf ? bpf_object__open_mem(elf, elf_len, &oo) : bpf_object__open_file(path, &oo);
	err = l->obj ? 0 : -errno;
	load_log_end(&ls);
	if (!l->obj) {
		l->obj = NULL;
		char eb[128];

		load_log_last_line(l, why, sizeof(why));
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
	load_log_begin(&l->log, &ls);
	err = bpf_object__load(l->obj);
	load_log_end(&ls);
	if (err) {
		const char *obj = l->path;
		char eb[128], tail[8];
		bool vlog;

		find_failed_prog(l);
		if (l->failed_prog[0])
			prog_reason(l, l->failed_prog, why, sizeof(why));
		else
			load_log_last_line(l, why, sizeof(why));
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

struct bpf_program *load_prog_ptr(const struct loaded *l, size_t i)
{
	return nth_prog(l, i);
}

struct bpf_map *load_map_ptr(const struct loaded *l, size_t i)
{
	struct bpf_map *map;
	size_t k = 0;

	bpf_object__for_each_map(map, l->obj)
		if (k++ == i)
			return map;
	return NULL;
}

int load_add_link(struct loaded *l, size_t i, struct bpf_link *link, struct err *e)
{
	struct bpf_link **links = realloc(l->links, (l->nr_links + 1) * sizeof(*links));
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	bool *pinned;

	if (links)
		l->links = links;
	pinned = links ? realloc(l->link_pinned, (l->nr_links + 1) * sizeof(*pinned)) : NULL;
	if (!pinned) {
		bpf_link__destroy(link);
		return err_set(e, ENOMEM, "out of memory");
	}
	l->link_pinned = pinned;
	l->link_pinned[l->nr_links] = false;
	l->links[l->nr_links++] = link;
	if (!bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len))
		l->progs[i].link_id = info.id;
	l->progs[i].attached = true;
	return 0;
}

int load_attach(struct loaded *l, size_t i, struct bpf_link **linkp, struct err *e)
{
	struct bpf_program *prog = nth_prog(l, i);
	struct load_prog *p = &l->progs[i];
	struct bpf_link *link;
	struct log_scope ls;
	char why[256];
	int err;

	if (!prog)
		return err_set(e, ENOENT, "no program %zu", i);
	load_log_begin(&l->log, &ls);
	link = bpf_program__attach(prog);
	err = link ? 0 : -errno;
	load_log_end(&ls);
	if (!link) {
		if (err == -EOPNOTSUPP)
			return err;	/* libbpf can't attach this section by itself */
		load_log_last_line(l, why, sizeof(why));
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
	err = load_add_link(l, i, link, e);
	if (err)
		return err;
	*linkp = link;
	return 0;
}

int load_pin_link_at(struct loaded *l, struct bpf_link *link, const char *path, struct err *e)
{
	int err = pin_fd_undo(bpf_link__fd(link), path, &l->undo, e);

	if (err)
		return err;
	for (size_t k = 0; k < l->nr_links; k++)
		if (l->links[k] == link)
			l->link_pinned[k] = true;
	return 0;
}

int load_pin_link(struct loaded *l, struct bpf_link *link, size_t i, const char *path,
		  struct err *e)
{
	int err = load_pin_link_at(l, link, path, e);

	if (err) {
		err_set(e, err, "can't pin the link of '%s' at %s: %s", l->progs[i].name, path,
			strerror(-err));
		return err;
	}
	snprintf(l->progs[i].pinned, sizeof(l->progs[i].pinned), "%s", path);
	return 0;
}

int load_attach_first(struct loaded *l, struct err *e)
{
	struct bpf_link *link = NULL;
	char pinned[4096];
	int err;

	if (!l->nr_progs)
		return 0;
	snprintf(pinned, sizeof(pinned), "%s", l->progs[0].pinned);
	err = load_attach(l, 0, &link, e);
	if (err)
		return err;
	unlink(pinned);	/* the program's pin gives way to the link's */
	l->progs[0].pinned[0] = 0;
	return load_pin_link(l, link, 0, pinned, e);
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
	free(l->link_pinned);
	l->link_pinned = NULL;
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

		/* a pinned link must stay as it is: no detach, no perf event disable */
		if (l->link_pinned[i]) {
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
