/* Capturing BTF objects, links, bpffs pins and kernel symbols. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "capture/bg.h"
#include "capture/capture_int.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* ---- BTF ---- */

/* The data of one BTF object for its row: the background thread's vmlinux blob, the data
 * an earlier snapshot of this boot stored (BTF objects are immutable: the same id in the
 * same boot with the same size is the same object, so its data is fetched once per boot,
 * not once per snapshot), or read now into scratch[0]. */
static int btf_data(struct probe *p, int fd, const struct bpf_btf_info *got, struct btf_rec *r,
		    uint8_t hash[SHA256_LEN])
{
	struct bpf_btf_info info;
	struct buf *b = &p->scratch[0];
	__u32 len = sizeof(info);
	uint32_t size = got->btf_size;

	if (p->bg && p->bg->want_vmlinux && p->bg->vmlinux_id == r->id) {
		const struct bg_blob *v = &p->bg->vmlinux;
		int err = 0;

		bg_join_vmlinux(p->bg);
		if (!v->ready)
			return 0;
		if (v->stored)
			probe_trace(p, "vmlinux BTF stored before (this kernel, another boot)");
		else
			err = blob_put_prepared(p->db, "btf", v->hash, v->raw_size, 0, v->z.data,
						v->z.len, p->e);
		r->hash = v->hash;
		return err;
	}
	if (store_btf_known(p->db, p->boot_id, p->snap_id, r->id, size, hash)) {
		r->hash = hash;
		return 0;
	}
	if (buf_reserve(b, size + 1))
		return err_set(p->e, ENOMEM, "out of memory reading BTF (id %u)", r->id);
	memset(&info, 0, sizeof(info));
	info.btf = (uintptr_t)b->data;
	info.btf_size = size;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.btf_size > size)
		return err_set(p->e, errno ?: EIO, "can't read BTF data (id %u): %s", r->id,
			       strerror(errno ?: EIO));
	r->data = b->data;
	r->len = info.btf_size;
	return 0;
}

/* One BTF object by id: 0 and *gone when it went away since it was listed. */
static int btf_one(struct probe *p, uint32_t id, bool *gone)
{
	struct bpf_btf_info info;
	__u32 len = sizeof(info);
	char name[128] = "";
	uint8_t hash[SHA256_LEN];
	struct btf_rec r = { .id = id, .name = name };
	int fd, err = 0;

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0) {
		if (errno == ENOENT) {
			*gone = true;
			return 0;
		}
		return err_set(p->e, errno, "can't get BTF fd (id %u): %s", id, strerror(errno));
	}
	memset(&info, 0, sizeof(info));
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name) - 1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = err_set(p->e, errno, "can't get BTF info (id %u): %s", id, strerror(errno));
	name[sizeof(name) - 1] = 0;
	r.size = info.btf_size;
	r.kernel = info.kernel_btf;
	if (!err && (p->mask & SNAP_BTF_DATA) && info.btf_size)
		err = btf_data(p, fd, &info, &r, hash);
	close(fd);
	return err ?: writer_btf(&p->w, &r, false);
}

int probe_btf(struct probe *p)
{
	uint32_t id = 0;
	int err;

	for (;;) {
		bool gone = false;

		if (bpf_btf_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			return err_set(p->e, errno, "can't get next BTF id after %u: %s", id, strerror(errno));
		}
		err = btf_one(p, id, &gone);
		if (err)
			return err;
		if (gone)
			p->res->vanished_btf++;
		else
			p->res->nr_btf++;
	}
	return 0;
}

/* One BTF object, with its raw data, into a snapshot taken without it (live views). */
int btf_fill_data(struct probe *p, uint32_t btf_id)
{
	struct bpf_btf_info info = { 0 };
	__u32 len = sizeof(info);
	struct buf *b = &p->scratch[0];
	char name[128] = "";
	struct btf_rec r = { .id = btf_id, .name = name };
	uint32_t size;
	int fd, err;

	fd = bpf_btf_get_fd_by_id(btf_id);
	if (fd < 0)
		return 0;	/* gone: names and lines are left out, not an error */
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name) - 1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || buf_reserve(b, info.btf_size + 1)) {
		close(fd);
		return 0;
	}
	size = info.btf_size;
	info.btf = (uintptr_t)b->data;
	info.name = 0;
	info.name_len = 0;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err || info.btf_size != size)
		return 0;
	name[sizeof(name) - 1] = 0;
	r.size = size;
	r.kernel = info.kernel_btf;
	r.data = b->data;
	r.len = size;
	return writer_btf(&p->w, &r, true);
}

/* ---- links ---- */

/* Offsets in struct bpf_link_info of the kernel we run on (newer than our uapi headers):
 * the union starts at byte 16. */
#define LI_U 16
static uint32_t li_u32(const uint8_t *raw, size_t off) { uint32_t v; memcpy(&v, raw + off, 4); return v; }
static uint64_t li_u64(const uint8_t *raw, size_t off) { uint64_t v; memcpy(&v, raw + off, 8); return v; }
static void li_put64(uint8_t *raw, size_t off, uint64_t v) { memcpy(raw + off, &v, 8); }
static void li_put32(uint8_t *raw, size_t off, uint32_t v) { memcpy(raw + off, &v, 4); }

static void link_name_request(uint8_t *raw, uint32_t type, char *name, uint32_t len)
{
	switch (type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
	case BPF_LINK_TYPE_ITER:
		li_put64(raw, LI_U, (uintptr_t)name);
		li_put32(raw, LI_U + 8, len);
		break;
	case BPF_LINK_TYPE_PERF_EVENT:	/* uprobe/kprobe/tracepoint names sit at the same place */
		li_put64(raw, LI_U + 8, (uintptr_t)name);
		li_put32(raw, LI_U + 16, len);
		break;
	case 12:			/* uprobe_multi: path, then path_size at +32 */
		li_put64(raw, LI_U, (uintptr_t)name);
		li_put32(raw, LI_U + 32, len);
		break;
	}
}

/* The record of one link from its raw info: the columns each type fills, and the raw
 * struct (our buffer pointers wiped, for decoders to come) in clean. */
static void link_rec_fill(const uint8_t *raw, size_t rawlen, const char *name, uint8_t *clean,
			  size_t cleanlen, struct link_rec *r)
{
	uint32_t type = li_u32(raw, 0);

	*r = (struct link_rec){ .type = type, .id = li_u32(raw, 4), .prog_id = li_u32(raw, 8),
				.target = name };
	switch (type) {
	case BPF_LINK_TYPE_TRACING:
		r->attach_type = li_u32(raw, LI_U);
		r->target_obj_id = li_u32(raw, LI_U + 4);
		r->target_btf_id = li_u32(raw, LI_U + 8);
		r->set = LINK_ATTACH_TYPE | LINK_TARGET_OBJ_ID | LINK_TARGET_BTF_ID;
		break;
	case BPF_LINK_TYPE_CGROUP:
		r->cgroup_id = li_u64(raw, LI_U);
		r->attach_type = li_u32(raw, LI_U + 8);
		r->set = LINK_CGROUP_ID | LINK_ATTACH_TYPE;
		break;
	case BPF_LINK_TYPE_NETNS:
		r->netns_ino = li_u32(raw, LI_U);
		r->attach_type = li_u32(raw, LI_U + 4);
		r->set = LINK_NETNS_INO | LINK_ATTACH_TYPE;
		break;
	case BPF_LINK_TYPE_XDP:
		r->ifindex = li_u32(raw, LI_U);
		r->set = LINK_IFINDEX;
		break;
	case 10:	/* netfilter: pf, hooknum, priority, flags */
		r->flags = li_u32(raw, LI_U + 12);
		r->set = LINK_FLAGS;
		break;
	case 11:	/* tcx */
	case 13:	/* netkit */
		r->ifindex = li_u32(raw, LI_U);
		r->attach_type = li_u32(raw, LI_U + 4);
		r->set = LINK_IFINDEX | LINK_ATTACH_TYPE;
		break;
	case BPF_LINK_TYPE_PERF_EVENT: {
		uint32_t pe = li_u32(raw, LI_U);

		/* 1 uprobe, 2 uretprobe, 3 kprobe, 4 kretprobe, 5 tracepoint, 6 event */
		if (pe == 1 || pe == 2) {
			r->offset = li_u32(raw, LI_U + 20);
			r->cookie = li_u64(raw, LI_U + 24);
			r->set = LINK_OFFSET | LINK_COOKIE;
		} else if (pe == 3 || pe == 4) {
			r->offset = li_u32(raw, LI_U + 20);
			r->cookie = li_u64(raw, LI_U + 40);
			r->set = LINK_OFFSET | LINK_COOKIE;
		} else if (pe == 5) {
			r->cookie = li_u64(raw, LI_U + 24);
			r->set = LINK_COOKIE;
		}
		r->flags = pe;
		r->set |= LINK_FLAGS;
		break;
	}
	}
	if (rawlen > cleanlen)
		rawlen = cleanlen;
	memcpy(clean, raw, rawlen);
	if (type == BPF_LINK_TYPE_RAW_TRACEPOINT || type == BPF_LINK_TYPE_ITER || type == 12)
		li_put64(clean, LI_U, 0);
	if (type == BPF_LINK_TYPE_PERF_EVENT)
		li_put64(clean, LI_U + 8, 0);
	r->info_raw = clean;
	r->info_len = rawlen;
}

/* One link by id: 0 and *gone when it went away since it was listed. */
static int link_one(struct probe *p, uint32_t id, bool *gone)
{
	uint8_t raw[256], clean[256];
	char name[4096];
	__u32 len = sizeof(raw);
	struct link_rec r;
	uint32_t type;
	int fd, err;

	fd = bpf_link_get_fd_by_id(id);
	if (fd < 0) {
		if (errno == ENOENT) {
			*gone = true;
			return 0;
		}
		return err_set(p->e, errno, "can't get link fd (id %u): %s", id, strerror(errno));
	}
	memset(raw, 0, sizeof(raw));
	if (bpf_obj_get_info_by_fd(fd, raw, &len)) {
		err = err_set(p->e, errno, "can't get link info (id %u): %s", id, strerror(errno));
		close(fd);
		return err;
	}
	type = li_u32(raw, 0);
	name[0] = 0;
	if (type == BPF_LINK_TYPE_RAW_TRACEPOINT || type == BPF_LINK_TYPE_ITER ||
	    type == BPF_LINK_TYPE_PERF_EVENT || type == 12) {
		memset(raw, 0, sizeof(raw));
		link_name_request(raw, type, name, sizeof(name) - 1);
		len = sizeof(raw);
		if (bpf_obj_get_info_by_fd(fd, raw, &len))
			name[0] = 0;
		name[sizeof(name) - 1] = 0;
	}
	close(fd);
	link_rec_fill(raw, len, name, clean, sizeof(clean), &r);
	if (att_seen_link(&p->att, raw, len))
		return err_set(p->e, ENOMEM, "out of memory");
	return writer_link(&p->w, &r);
}

int probe_links(struct probe *p)
{
	uint32_t id = 0;
	int err;

	for (;;) {
		bool gone = false;

		if (bpf_link_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			return err_set(p->e, errno, "can't get next link id after %u: %s", id, strerror(errno));
		}
		err = link_one(p, id, &gone);
		if (err)
			return err;
		if (gone)
			p->res->vanished_links++;
		else
			p->res->nr_links++;
	}
	return 0;
}
