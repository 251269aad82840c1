/* Live selectors (id / pinned / name / tag to an fd) and map element edits. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "act/mapedit.h"

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

static int get_pinned(const char *path, bool want_map, int *fd, struct err *e)
{
	union {
		struct bpf_map_info m;
		struct bpf_prog_info p;
	} info = {};
	uint32_t len = sizeof(info);
	int f = bpf_obj_get(path);

	if (f < 0)
		return err_set(e, errno, "can't open pinned object %s: %s", path, strerror(errno));
	/* a pin of the wrong kind must not be used as the right kind */
	len = want_map ? sizeof(info.m) : sizeof(info.p);
	if (bpf_obj_get_info_by_fd(f, &info, &len)) {
		close(f);
		return err_set(e, EINVAL, "%s is not a %s", path, want_map ? "map" : "program");
	}
	{
		char link[64], target[64] = "";
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", f);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0)
			target[n] = 0;
		if (!strstr(target, want_map ? "bpf-map" : "bpf-prog")) {
			close(f);
			return err_set(e, EINVAL, "%s is not a %s (%s)", path,
				       want_map ? "map" : "program", target);
		}
	}
	*fd = f;
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
			if (errno == ENOENT)
				break;
			if (found >= 0)
				close(found);
			return err_set(e, errno, "can't list %s: %s", want_map ? "maps" : "programs",
				       strerror(errno));
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

int live_map_fd(const char *kw, const char *arg, int *fd, struct err *e)
{
	uint32_t id;
	int err;

	if (!strcmp(kw, "id")) {
		err = parse_id(arg, &id, e);
		if (err)
			return err;
		*fd = bpf_map_get_fd_by_id(id);
		if (*fd < 0)
			return err_set(e, errno, "can't get map by id (%u): %s", id, strerror(errno));
		return 0;
	}
	if (!strcmp(kw, "pinned"))
		return get_pinned(arg, true, fd, e);
	if (!strcmp(kw, "name"))
		return find_by(true, kw, arg, fd, e);
	return err_set(e, EINVAL, "expected 'id', 'pinned' or 'name', got '%s'", kw);
}

int live_prog_fd(const char *kw, const char *arg, int *fd, struct err *e)
{
	uint32_t id;
	int err;

	if (!strcmp(kw, "id")) {
		err = parse_id(arg, &id, e);
		if (err)
			return err;
		*fd = bpf_prog_get_fd_by_id(id);
		if (*fd < 0)
			return err_set(e, errno, "can't get prog by id (%u): %s", id, strerror(errno));
		return 0;
	}
	if (!strcmp(kw, "pinned"))
		return get_pinned(arg, false, fd, e);
	if (!strcmp(kw, "name") || !strcmp(kw, "tag"))
		return find_by(false, kw, arg, fd, e);
	return err_set(e, EINVAL, "expected 'id', 'pinned', 'tag' or 'name', got '%s'", kw);
}

static bool type_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int mapedit_info(int fd, struct mapedit_info *mi, struct err *e)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	memset(mi, 0, sizeof(*mi));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return err_set(e, errno, "can't get map info: %s", strerror(errno));
	mi->id = info.id;
	mi->type = info.type;
	mi->key_size = info.key_size;
	mi->value_size = info.value_size;
	mi->max_entries = info.max_entries;
	mi->flags = info.map_flags;
	memcpy(mi->name, info.name, sizeof(mi->name));
	mi->name[sizeof(mi->name) - 1] = 0;
	mi->btf_id = info.btf_id;
	mi->btf_key_type_id = info.btf_key_type_id;
	mi->btf_value_type_id = info.btf_value_type_id;
	mi->percpu = type_percpu(info.type);
	mi->value_buf = info.value_size;
	if (mi->percpu) {
		int n = libbpf_num_possible_cpus();

		if (n <= 0)
			return err_set(e, -n, "can't count possible CPUs: %s", strerror(-n));
		mi->nr_cpus = n;
		mi->value_buf = (size_t)((info.value_size + 7) & ~7u) * n;
	}
	return 0;
}

int mapedit_parse_bytes(char **words, int nwords, uint8_t *out, size_t n, const char *what,
			struct err *e)
{
	int base = 0, used = 0;
	size_t i = 0;

	if (nwords > 0 && !strcmp(words[0], "hex")) {
		base = 16;
		used++;
	}
	while (i < n && used < nwords) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(words[used], &end, base);
		if (!*words[used] || *end || errno || v > 0xff) {
			/* a keyword ("value", "any") ends a list that is too short */
			if (!isalpha((unsigned char)words[used][0]))
				return err_set(e, EINVAL, "error parsing byte: %s", words[used]);
			break;
		}
		out[i++] = v;
		used++;
	}
	if (i != n)
		return err_set(e, EINVAL, "%s expected %zu bytes got %zu", what, n, i);
	return used;
}

int mapedit_restore(int fd, const struct mapedit_info *mi, const struct map_contents *mc,
		    uint64_t *done, struct err *e)
{
	uint8_t *val = NULL;
	uint32_t step = (mi->value_size + 7) & ~7u;
	int err = 0;

	*done = 0;
	if (mc->key_size != mi->key_size || mc->value_size != mi->value_size)
		return err_set(e, EINVAL, "map %s: stored key/value sizes %u/%u differ from %u/%u",
			       mi->name, mc->key_size, mc->value_size, mi->key_size, mi->value_size);
	if (mi->percpu != (mc->nr_cpus != 0))
		return err_set(e, EINVAL, "map %s: stored contents are%s per-cpu, the map is%s",
			       mi->name, mc->nr_cpus ? "" : " not", mi->percpu ? "" : " not");
	val = calloc(1, mi->value_buf ? mi->value_buf : 1);
	if (!val)
		return err_set(e, ENOMEM, "out of memory");
	for (uint64_t i = 0; i < mc->count; i++) {
		const uint8_t *v = map_contents_value(mc, i);

		if (mi->percpu) {
			/* a snapshot from a machine with other CPU counts: copy what both have */
			memset(val, 0, mi->value_buf);
			for (uint32_t c = 0; c < mi->nr_cpus && c < mc->nr_cpus; c++)
				memcpy(val + (size_t)c * step, v + (size_t)c * step, mi->value_size);
			v = val;
		}
		if (bpf_map_update_elem(fd, map_contents_key(mc, i), v, BPF_ANY)) {
			err = err_set(e, errno, "map %s: can't restore entry %llu: %s", mi->name,
				      (unsigned long long)i, strerror(errno));
			break;
		}
		(*done)++;
	}
	free(val);
	return err;
}
