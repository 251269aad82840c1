/* Live selectors: id / pinned / name / tag to an fd (bpftool's MAP and PROG), and a
 * kernel BTF object by id. Read-only: they open, they change nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "capture/live_select.h"

bool live_map_kw(const char *kw)
{
	return !strcmp(kw, "id") || !strcmp(kw, "pinned") || !strcmp(kw, "name");
}

bool live_prog_kw(const char *kw)
{
	return live_map_kw(kw) || !strcmp(kw, "tag");
}

static int parse_id(const char *arg, uint32_t *id, struct err *e)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (!*arg || *end || errno || v > UINT32_MAX)
		return err_set(e, EINVAL, "can't parse '%s' as an id", arg);
	*id = v;
	return 0;
}

/* The kinds a pin can hold, as get_pinned checks them: the word errors use and the name of
 * the fd's anonymous inode (/proc/self/fd says "anon_inode:bpf-map" and so on). */
enum pin_kind { PIN_MAP, PIN_PROG, PIN_LINK };
static const char *const kind_word[] = { "map", "program", "link" };
static const char *const kind_inode[] = { "bpf-map", "bpf-prog", "bpf-link" };

static int get_pinned(const char *path, enum pin_kind kind, int *fd, struct err *e)
{
	union {
		struct bpf_map_info m;
		struct bpf_prog_info p;
		struct bpf_link_info l;
	} info = {};
	uint32_t len = sizeof(info);
	int f = bpf_obj_get(path), err = errno;

	if (f < 0)
		return err_set(e, err, "can't open pinned object %s: %s", path, strerror(err));
	/* a pin of the wrong kind must not be used as the right kind */
	len = kind == PIN_MAP ? sizeof(info.m) : kind == PIN_PROG ? sizeof(info.p) : sizeof(info.l);
	if (bpf_obj_get_info_by_fd(f, &info, &len)) {
		close(f);
		return err_set(e, EINVAL, "%s is not a %s", path, kind_word[kind]);
	}
	{
		char link[64], target[64] = "";
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", f);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0)
			target[n] = 0;
		if (!strstr(target, kind_inode[kind])) {
			close(f);
			return err_set(e, EINVAL, "%s is not a %s (%s)", path, kind_word[kind],
				       target);
		}
	}
	*fd = f;
	return 0;
}

int live_prog_id(const char *kw, const char *arg, uint32_t *id, struct err *e)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd, err;

	if (!strcmp(kw, "id"))
		return parse_id(arg, id, e);
	if (strcmp(kw, "pinned"))
		return err_set(e, EINVAL, "expected 'id' or 'pinned', got '%s'", kw);
	err = get_pinned(arg, PIN_PROG, &fd, e);
	if (err)
		return err;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err_set(e, -err, "can't get info of %s: %s", arg, strerror(-err));
	*id = info.id;
	return 0;
}

/* Walk every map or program; match by name or tag; exactly one must match. */
static int find_by(bool want_map, const char *kw, const char *arg, int *fd, struct err *e)
{
	uint32_t id = 0, nfound = 0;
	int found = -1;
	uint8_t tag[8];

	if (!strcmp(kw, "tag")) {
		if (strlen(arg) != 16)
			return err_set(e, EINVAL, "tag '%s' is not 16 hex digits", arg);
		for (int i = 0; i < 8; i++) {
			unsigned v;

			if (sscanf(arg + 2 * i, "%2x", &v) != 1)
				return err_set(e, EINVAL, "tag '%s' is not 16 hex digits", arg);
			tag[i] = v;
		}
	}
	for (;;) {
		int f, err = want_map ? bpf_map_get_next_id(id, &id) : bpf_prog_get_next_id(id, &id);
		bool match;

		if (err) {
			err = errno;	/* before close() can change it */
			if (err == ENOENT)
				break;
			if (found >= 0)
				close(found);
			return err_set(e, err, "can't list %s: %s", want_map ? "maps" : "programs",
				       strerror(err));
		}
		f = want_map ? bpf_map_get_fd_by_id(id) : bpf_prog_get_fd_by_id(id);
		if (f < 0)
			continue;	/* vanished */
		if (want_map) {
			struct bpf_map_info info = {};
			uint32_t len = sizeof(info);

			match = !bpf_obj_get_info_by_fd(f, &info, &len) && !strcmp(info.name, arg);
		} else {
			struct bpf_prog_info info = {};
			uint32_t len = sizeof(info);

			match = !bpf_obj_get_info_by_fd(f, &info, &len) &&
				(!strcmp(kw, "tag") ? !memcmp(info.tag, tag, 8) : !strcmp(info.name, arg));
		}
		if (match && !nfound++) {
			found = f;
			continue;
		}
		close(f);
	}
	if (!nfound)
		return err_set(e, ENOENT, "no %s with %s %s", want_map ? "map" : "program", kw, arg);
	if (nfound > 1) {
		close(found);
		err_set(e, EINVAL, "%u %s have %s %s; this command takes one", nfound,
			want_map ? "maps" : "programs", kw, arg);
		err_hint(e, "use id ID or pinned PATH");
		return -EINVAL;
	}
	*fd = found;
	return 0;
}

/* One selector for both kinds: maps have no tag, and are opened by map id. */
static int live_fd(bool map, const char *kw, const char *arg, int *fd, struct err *e)
{
	const char *what = map ? "map" : "prog";
	uint32_t id = 0;
	int err;

	if (!strcmp(kw, "id")) {
		err = parse_id(arg, &id, e);
		if (err)
			return err;
		*fd = map ? bpf_map_get_fd_by_id(id) : bpf_prog_get_fd_by_id(id);
		if (*fd < 0) {
			err = errno;
			return err_set(e, err, "can't get %s by id (%u): %s", what, id, strerror(err));
		}
		return 0;
	}
	if (!strcmp(kw, "pinned"))
		return get_pinned(arg, map ? PIN_MAP : PIN_PROG, fd, e);
	if (!strcmp(kw, "name") || (!map && !strcmp(kw, "tag")))
		return find_by(map, kw, arg, fd, e);
	return err_set(e, EINVAL, "expected 'id', 'pinned'%s or 'name', got '%s'",
		       map ? "" : ", 'tag'", kw);
}

int live_map_fd(const char *kw, const char *arg, int *fd, struct err *e)
{
	return live_fd(true, kw, arg, fd, e);
}

int live_prog_fd(const char *kw, const char *arg, int *fd, struct err *e)
{
	return live_fd(false, kw, arg, fd, e);
}

bool live_link_kw(const char *kw)
{
	return !strcmp(kw, "id") || !strcmp(kw, "pinned");
}

int live_link_fd(const char *kw, const char *arg, int *fd, struct err *e)
{
	uint32_t id = 0;
	int err;

	if (!strcmp(kw, "pinned"))
		return get_pinned(arg, PIN_LINK, fd, e);
	if (strcmp(kw, "id"))
		return err_set(e, EINVAL, "expected 'id' or 'pinned', got: '%s'", kw);
	err = parse_id(arg, &id, e);
	if (err)
		return err;
	*fd = bpf_link_get_fd_by_id(id);
	if (*fd < 0) {
		err = errno;
		return err_set(e, err, "failed to get link with ID %u: %s", id, strerror(err));
	}
	return 0;
}

struct btf *live_btf(uint32_t btf_id)
{
	return btf__load_from_kernel_by_id(btf_id);
}

void live_btf_free(struct btf *btf)
{
	btf__free(btf);
}
