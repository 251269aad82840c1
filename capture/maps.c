/* Capturing maps: one get-info per map, memlock/frozen/owner from fdinfo, and with
 * SNAP_MAPS_DATA the contents (batch lookups where the map type has them). */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "analyze/map_contents.h"
#include "capture/capture_int.h"

bool map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* bpftool prints no entry for an empty slot of a prog array or a map of maps. */
static bool map_skips_enoent(uint32_t type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* (also what bounds the memory a snapshot of a huge map takes: about three times this) */
static int contents_too_big(struct err *e)
{
	return err_set(e, EFBIG, "contents over %u bytes, the most one blob may hold: not stored",
		       MAP_CONTENTS_MAX);
}

/* What a per-key walk met beside the entries: bpftool prints each key whose lookup failed
 * (an empty devmap slot, a perf event array's fds) and ends on get_next_key's errno. */
struct walk_errs {
	struct buf recs;	/* u32 errno, u32 pos, key */
	uint32_t n, end_errno;
};

static int walk_err_add(struct walk_errs *we, int err, uint64_t pos, const void *key, uint32_t ks,
			struct err *e)
{
	uint32_t v[2] = { (uint32_t)err, pos > UINT32_MAX ? UINT32_MAX : (uint32_t)pos };

	if (buf_append(&we->recs, v, sizeof(v)) || buf_append(&we->recs, key, ks))
		return err_set(e, ENOMEM, "out of memory reading map contents");
	we->n++;
	return 0;
}

/* Per-element walk (get_next_key + lookup) for types without batch ops, as bpftool walks:
 * a failed lookup is recorded with its key, a failed get_next_key ends the walk. */
static int contents_walk(int fd, uint32_t type, uint32_t ks, uint32_t stride, struct buf *keys,
			 struct buf *vals, uint64_t *count, struct walk_errs *we, struct err *e)
{
	uint8_t *prev = NULL;
	int err = 0;

	*count = 0;
	for (;;) {
		if (buf_reserve(keys, ks) || buf_reserve(vals, stride))
			return err_set(e, ENOMEM, "out of memory reading map contents");
		if (bpf_map_get_next_key(fd, prev, keys->data + keys->len)) {
			if (errno != ENOENT)
				we->end_errno = errno;
			break;
		}
		prev = keys->data + keys->len;
		if (bpf_map_lookup_elem(fd, prev, vals->data + vals->len)) {
			int lerr = errno;

			if (lerr == ENOENT && map_skips_enoent(type))
				continue;
			err = walk_err_add(we, lerr, *count, prev, ks, e);
			if (err)
				break;
			continue;
		}
		keys->len += ks;
		vals->len += stride;
		(*count)++;
		if (MAP_CONTENTS_HDR_LEN + keys->len + vals->len > MAP_CONTENTS_MAX)
			return contents_too_big(e);
		prev = keys->data + keys->len - ks;
	}
	return err;
}

int map_read_contents(int fd, const struct bpf_map_info *info, int nr_cpus, struct buf *out,
		      uint64_t *count, struct err *e)
{
	uint32_t cpus = map_is_percpu(info->type) ? nr_cpus : 0;
	uint32_t ks = info->key_size, stride = map_contents_stride(info->value_size, cpus);
	uint32_t batch = info->max_entries && info->max_entries < 8192 ? info->max_entries : 8192;
	struct buf keys = { 0 }, vals = { 0 };
	struct walk_errs we = { 0 };
	uint64_t n = 0, in_batch = 0, out_batch = 0;
	void *inp = NULL;
	int err = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	*count = 0;
	for (;;) {
		__u32 got = batch;
		int rc;

		if (buf_reserve(&keys, (size_t)batch * ks + 8) ||
		    buf_reserve(&vals, (size_t)batch * stride + 8)) {
			err = err_set(e, ENOMEM, "out of memory reading map contents");
			goto out;
		}
		rc = bpf_map_lookup_batch(fd, inp, &out_batch, keys.data + keys.len,
					  vals.data + vals.len, &got, &opts);
		if (rc && errno != ENOENT) {
			if (n == 0 && !inp && errno != EPERM && errno != EACCES) {
				/* no batch ops for this map type: walk it */
				keys.len = vals.len = 0;
				err = contents_walk(fd, info->type, ks, stride, &keys, &vals, &n,
						    &we, e);
				break;
			}
			err = err_set(e, errno, "lookup_batch: %s", strerror(errno));
			goto out;
		}
		n += got;
		keys.len += (size_t)got * ks;
		vals.len += (size_t)got * stride;
		if (MAP_CONTENTS_HDR_LEN + keys.len + vals.len > MAP_CONTENTS_MAX) {
			err = contents_too_big(e);
			goto out;
		}
		if (rc)		/* ENOENT: that was the last batch */
			break;
		in_batch = out_batch;
		inp = &in_batch;
	}
	if (err)
		goto out;
	out->len = 0;
	if (buf_reserve(out, MAP_CONTENTS_HDR_LEN + keys.len + vals.len + 8 + we.recs.len)) {
		err = err_set(e, ENOMEM, "out of memory reading map contents");
		goto out;
	}
	map_contents_header(out->data, ks, info->value_size, cpus, n, we.n || we.end_errno);
	out->len = MAP_CONTENTS_HDR_LEN;
	buf_append(out, keys.data, keys.len);
	buf_append(out, vals.data, vals.len);
	if (we.n || we.end_errno) {
		uint32_t t[2] = { we.end_errno, we.n };

		buf_append(out, t, sizeof(t));
		buf_append(out, we.recs.data, we.recs.len);
	}
	*count = n;
out:
	buf_free(&keys);
	buf_free(&vals);
	buf_free(&we.recs);
	return err;
}

/* bpf_map_info's btf_vmlinux_id: the u32 the old uapi header leaves as padding before
 * map_extra (the kernel fills it for struct_ops maps). */
static uint32_t map_btf_vmlinux_id(const struct bpf_map_info *info)
{
	uint32_t v;

	memcpy(&v, (const char *)info + offsetof(struct bpf_map_info, btf_value_type_id) + 4,
	       sizeof(v));
	return v;
}

/* Kernel side of one map: fdinfo facts and, with SNAP_MAPS_DATA, the contents. A
 * struct_ops map's one value (the kernel struct, the ids of its programs in the function
 * slots, its state) is a few hundred bytes read every time: struct_ops dump answers from
 * any snapshot. */
int map_collect(struct probe *p, struct fdinfo_reader *fdi, int fd, const struct bpf_map_info *info,
		struct obj_rec *r)
{
	r->kind = 'm';
	r->info.map = *info;
	if (!fdinfo_load(fdi, fd)) {
		fdinfo_val(fdi, "memlock", &r->memlock);
		fdinfo_val(fdi, "frozen", &r->frozen);
		r->has_owner = !fdinfo_val(fdi, "owner_prog_type", &r->owner);
		r->has_owner_jited = !fdinfo_val(fdi, "owner_jited", &r->owner_jited);
	}
	if ((p->mask & SNAP_MAPS_DATA) && map_contents_chunked(p, info)) {
		/* left to the writer's thread, which stores each chunk as it fills: a walker
		 * holding the whole contents until the writer took them held them all at once */
		r->contents_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (r->contents_fd < 0)
			snprintf(r->contents_error, sizeof(r->contents_error), "can't dup map fd: %s",
				 strerror(errno));
		else
			r->contents_later = true;
	} else if ((p->mask & SNAP_MAPS_DATA) || info->type == BPF_MAP_TYPE_STRUCT_OPS) {
		struct err me = { 0 };

		if (map_read_contents(fd, info, p->nr_cpus, &r->data, &r->count, &me))
			snprintf(r->contents_error, sizeof(r->contents_error), "%s", me.msg);
		else
			r->has_contents = true;
	}
	return 0;
}

/* The open map spans, sorted by id. */
int prev_maps_load(struct probe *p)
{
	return store_open_maps(p->db, p->boot_id, &p->prev_maps, &p->nr_prev_maps, p->e);
}

static struct open_map *prev_map_find(struct probe *p, uint32_t id)
{
	struct open_map *m = p->nr_prev_maps ? bsearch(&id, p->prev_maps, p->nr_prev_maps,
						      sizeof(*m), span_id_cmp) : NULL;

	return m && !m->seen ? m : NULL;
}

/* Map types whose memlock is fixed at creation (what fdinfo would say again) and that have
 * no owner program: of these, only frozen can change, and the iterator reads it. */
static bool map_static(uint32_t type, uint64_t flags)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return !(flags & BPF_F_NO_PREALLOC);	/* else memlock counts the elements */
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return true;
	}
	return false;	/* prog arrays (owner), growing maps, types newer than this list */
}

/* The maps the iterator listed: one whose open span is of this boot, of a static type and
 * as frozen as before keeps its span; the ids of the others go to the walkers. */
int maps_from_iter(struct probe *p, const struct iter_scan *s, uint32_t **todo, size_t *n)
{
	*n = 0;
	*todo = calloc(s->nr_maps + 1, sizeof(**todo));
	if (!*todo)
		return err_set(p->e, ENOMEM, "out of memory");
	for (size_t i = 0; i < s->nr_maps; i++) {
		const struct iter_map *im = &s->maps[i];
		struct open_map *prev = prev_map_find(p, im->id);

		if (prev && prev->same_boot && map_static(prev->type, prev->flags) &&
		    prev->frozen == (im->frozen & 0xff ? 1 : 0)) {
			prev->seen = true;
			p->res->nr_maps++;
			continue;
		}
		(*todo)[(*n)++] = im->id;
	}
	return 0;
}

int maps_close_unseen(struct probe *p)
{
	int err = 0;

	for (size_t i = 0; i < p->nr_prev_maps && !err; i++)
		if (!p->prev_maps[i].seen)
			err = writer_span_close(&p->w, SPAN_MAP, p->prev_maps[i].row);
	return err;
}

static uint64_t map_digest(const struct probe *p, const struct obj_rec *r)
{
	const struct bpf_map_info *info = &r->info.map;
	uint64_t v[] = { info->id, info->type, info->map_flags, info->key_size, info->value_size,
		info->max_entries, r->memlock, r->frozen, info->btf_id, info->btf_key_type_id,
		info->btf_value_type_id, info->btf_vmlinux_value_type_id, info->map_extra,
		info->ifindex, info->netns_dev, info->netns_ino, r->has_owner, r->owner,
		r->has_owner_jited, r->owner_jited, map_btf_vmlinux_id(info) };

	return hash64(hash64(p->boot_hash, v, sizeof(v)), info->name, sizeof(info->name));
}

/* What the writer stores of a map's contents: them, or why there are none; a large map's
 * are read now, in chunks. */
static int map_data_of(struct probe *p, const struct obj_rec *r, struct contents_out *o)
{
	if (r->contents_later)
		return map_contents_stream(p, r->contents_fd, &r->info.map, o);
	if (r->has_contents)
		o->d = (struct map_data_rec){ .contents = r->data.data, .len = r->data.len,
					      .count = r->count };
	else
		o->d = (struct map_data_rec){ .error = r->contents_error[0] ? r->contents_error : NULL };
	return 0;
}

/* Contents (or why there are none) belong to the snapshot that read them. */
static int map_data_write(struct probe *p, const struct obj_rec *r, int64_t row)
{
	struct contents_out o = { 0 };
	int err;

	if (!r->has_contents && !r->contents_later && !r->contents_error[0])
		return 0;
	err = map_data_of(p, r, &o) ?: writer_map_data(&p->w, row, &o.d);
	contents_out_free(&o);
	return err;
}

/* Database side of one map: its span goes on, or ends and a new one starts. */
int map_write(struct probe *p, const struct obj_rec *r)
{
	const struct bpf_map_info *info = &r->info.map;
	struct open_map *prev = prev_map_find(p, info->id);
	struct map_rec mr = { .info = info, .digest = map_digest(p, r), .memlock = r->memlock,
			      .frozen = r->frozen, .owner = r->owner, .has_owner = r->has_owner,
			      .has_owner_jited = r->has_owner_jited, .owner_jited = r->owner_jited,
			      .btf_vmlinux_id = map_btf_vmlinux_id(info) };
	int64_t row;
	int err;

	if (prev) {
		prev->seen = true;
		if (prev->digest == mr.digest)
			return map_data_write(p, r, prev->row);
		err = writer_span_close(&p->w, SPAN_MAP, prev->row);
		if (err)
			return err;
	}
	err = writer_map(&p->w, &mr, &row);
	return err ?: map_data_write(p, r, row);
}

/* One map for a walker thread: get-info, fdinfo, and the contents when asked. *out stays
 * NULL when the map went away. */
int map_walk_one(struct probe *p, struct walk_mem *m, struct err *e, uint32_t id,
		 struct obj_rec **out)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct obj_rec *r;
	int fd, err = 0;

	*out = NULL;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0) {
		if (errno == ENOENT) {
			m->vanished_maps++;
			if (buf_append(&m->vanished_map_ids, &id, sizeof(id)))
				return err_set(e, ENOMEM, "out of memory");
			return 0;
		}
		return err_set(e, errno, "can't get map fd (id %u): %s", id, strerror(errno));
	}
	memset(&info, 0, sizeof(info));
	r = calloc(1, sizeof(*r));
	if (!r)
		err = err_set(e, ENOMEM, "out of memory");
	else if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = err_set(e, errno, "can't get map info (id %u): %s", id, strerror(errno));
	else
		map_collect(p, &m->fdi, fd, &info, r);
	close(fd);
	if (err && r)
		rec_free(r);
	else
		*out = r;
	return err;
}

/* A live view's maps get their contents: one map_data row each, in the view's snapshot. */
int snapshot_fill_maps(struct db *db, int64_t snap_id, const uint32_t *ids, size_t n, struct err *e)
{
	struct snapshot_opts opts = { 0 };
	struct snapshot_result res = { 0 };
	struct probe p = { .db = db, .snap_id = snap_id, .mask = SNAP_MAPS_DATA, .e = e,
			   .opts = &opts, .res = &res };
	int err;

	p.fdi.fd = -1;
	writer_init(&p.w, db, snap_id, e);
	p.nr_cpus = libbpf_num_possible_cpus();
	if (p.nr_cpus < 1)
		p.nr_cpus = 1;
	err = db_begin(db, e);
	for (size_t i = 0; !err && i < n; i++) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		struct obj_rec r = { 0 };
		struct contents_out o = { 0 };
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0) {
			err = err_set(e, errno, "can't get map fd (id %u): %s", ids[i], strerror(errno));
			break;
		}
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = err_set(e, errno, "can't get map info (id %u): %s", ids[i], strerror(errno));
			close(fd);
			break;
		}
		map_collect(&p, &p.fdi, fd, &info, &r);
		close(fd);
		err = map_data_of(&p, &r, &o) ?: writer_map_data_fill(&p.w, ids[i], &o.d);
		contents_out_free(&o);
		buf_free(&r.data);
		if (r.contents_later)
			close(r.contents_fd);
		if (!err && info.btf_id)
			err = btf_fill_data(&p, info.btf_id);
	}
	if (!err)
		err = db_commit(db, e);
	else
		db_rollback(db);
	probe_cleanup(&p);
	return err;
}
