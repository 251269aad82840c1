/* Map element edits on a live map: its info, lookup, update, delete, get-next-key, pin,
 * and refilling it from a stored contents blob (replay); bpftool's byte lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture/live_select.h"
#include "act/load.h"
#include "act/map_edit.h"

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

static bool is_elem_keyword(const char *w)
{
	static const char *const kws[] = { "key", "value", "any", "exist", "noexist" };

	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (!strcmp(w, kws[i]))
			return true;
	return false;
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
			/* a keyword of the command ends a list that is too short; any other
			 * word is a byte that does not parse (bpftool: "error parsing byte") */
			if (!is_elem_keyword(words[used]))
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

/* Up to this many entries a BPF_MAP_UPDATE_BATCH call (the kernel copies them one by one
 * anyway) */
#define RESTORE_BATCH 65536

/* Entries from *done on in batches, straight from the contents (their layout is the
 * syscall's when the value strides agree). It stops at the first batch the kernel refuses
 * (a map type without batch updates says ENOTSUPP, a full map E2BIG, and how far a refused
 * batch came is not always written back): *done counts the batches taken whole, and the
 * caller goes on an entry at a time from there, to take the rest or name the one that
 * fails. */
static void restore_batched(int fd, const struct map_contents *mc, uint64_t *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

	while (*done < mc->count) {
		uint64_t left = mc->count - *done;
		__u32 n = left < RESTORE_BATCH ? (__u32)left : RESTORE_BATCH;

		if (bpf_map_update_batch(fd, map_contents_key(mc, *done), map_contents_value(mc, *done),
					 &n, &opts))
			return;
		*done += n;
	}
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
	if (mc->value_stride == mi->value_buf)
		restore_batched(fd, mc, done);
	if (*done == mc->count)
		return 0;
	val = calloc(1, mi->value_buf ? mi->value_buf : 1);
	if (!val)
		return err_set(e, ENOMEM, "out of memory");
	for (uint64_t i = *done; i < mc->count; i++) {
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

int mapedit_open(const char *kw, const char *arg, int *fd, struct mapedit_info *mi,
		 struct err *e)
{
	int err = live_map_fd(kw, arg, fd, e);

	if (err)
		return err;
	err = mapedit_info(*fd, mi, e);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

enum mapedit_value mapedit_value_kind(const struct mapedit_info *mi)
{
	switch (mi->type) {
	case BPF_MAP_TYPE_PROG_ARRAY: return MV_PROG;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS: return MV_MAP;
	default: return MV_BYTES;
	}
}

int mapedit_flag(const char *word)
{
	return !strcmp(word, "any") ? BPF_ANY : !strcmp(word, "exist") ? BPF_EXIST :
	       !strcmp(word, "noexist") ? BPF_NOEXIST : -1;
}

int mapedit_lookup(int fd, const struct mapedit_info *mi, const void *key, void *value,
		   struct err *e)
{
	int err = bpf_map_lookup_elem(fd, mi->key_size ? key : NULL, value) ? errno : 0;

	if (err == ENOENT)
		return -ENOENT;
	if (err)
		return err_set(e, err, "lookup failed: %s", strerror(err));
	return 0;
}

int mapedit_update(int fd, const struct mapedit_info *mi, const void *key, void *value,
		   uint64_t flags, struct err *e)
{
	int err;

	if (mi->percpu) {
		uint32_t step = (mi->value_size + 7) & ~7u;

		for (uint32_t c = 1; c < mi->nr_cpus; c++)
			memcpy((uint8_t *)value + (size_t)c * step, value, mi->value_size);
	}
	if (bpf_map_update_elem(fd, mi->key_size ? key : NULL, value, flags)) {
		err = errno;
		return err_set(e, err, "update failed: %s", strerror(err));
	}
	return 0;
}

int mapedit_delete(int fd, const struct mapedit_info *mi, const void *key, struct err *e)
{
	int err;

	(void)mi;	/* bpftool's words name no map */
	if (bpf_map_delete_elem(fd, key)) {
		err = errno;
		return err_set(e, err, "delete failed: %s", strerror(err));
	}
	return 0;
}

int mapedit_next_key(int fd, const struct mapedit_info *mi, const void *key, void *next,
		     struct err *e)
{
	int err;

	(void)mi;
	if (bpf_map_get_next_key(fd, key, next)) {
		err = errno;
		return err_set(e, err, "can't get next key: %s", strerror(err));
	}
	return 0;
}
