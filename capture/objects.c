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

/* BTF objects are immutable: the same id in the same boot with the same size is the same
 * object, so its data is fetched once per boot, not once per snapshot. */
static bool btf_reuse(struct probe *p, uint32_t id, uint32_t size, uint8_t hash[SHA256_LEN])
{
	sqlite3_stmt *st;
	bool found = false;

	if (db_prepare(p->db, "SELECT b.data FROM btf b JOIN snapshots s ON s.id = b.snapshot_id"
		       " WHERE s.boot_id = ? AND b.id = ? AND b.size = ? AND b.data IS NOT NULL"
		       " ORDER BY s.id DESC LIMIT 1", &st, NULL))
		return false;
	sqlite3_bind_text(st, 1, p->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, size);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SHA256_LEN) {
		memcpy(hash, sqlite3_column_blob(st, 0), SHA256_LEN);
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

int probe_btf(struct probe *p)
{
	uint32_t id = 0;
	int err;

	err = db_prepare(p->db, "INSERT INTO btf(snapshot_id, id, name, size, kernel, data)"
			 " VALUES(?,?,?,?,?,?)", &p->ins_btf, p->e);
	if (err)
		return err;
	for (;;) {
		struct bpf_btf_info info;
		__u32 len = sizeof(info);
		char name[128] = "";
		uint8_t hash[SHA256_LEN];
		sqlite3_stmt *st = p->ins_btf;
		int fd;

		if (bpf_btf_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			return err_set(p->e, errno, "can't get next BTF id after %u: %s", id, strerror(errno));
		}
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT) {
				p->res->vanished++;
				continue;
			}
			return err_set(p->e, errno, "can't get BTF fd (id %u): %s", id, strerror(errno));
		}
		memset(&info, 0, sizeof(info));
		info.name = (uintptr_t)name;
		info.name_len = sizeof(name) - 1;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = err_set(p->e, errno, "can't get BTF info (id %u): %s", id, strerror(errno));
			close(fd);
			return err;
		}
		name[sizeof(name) - 1] = 0;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		sqlite3_bind_int64(st, 1, p->snap_id);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, info.btf_size);
		sqlite3_bind_int(st, 5, !!info.kernel_btf);
		if ((p->mask & SNAP_BTF_DATA) && info.btf_size) {
			if (p->bg && p->bg->want_vmlinux && p->bg->vmlinux_id == id) {
				bg_join_vmlinux(p->bg);
				if (p->bg->vmlinux.ready) {
					const struct bg_blob *b = &p->bg->vmlinux;

					if (p->trace && b->stored)
						fprintf(stderr, "vmlinux BTF stored before (this kernel,"
							" another boot)\n");
					err = b->stored ? 0 : blob_put_prepared(p->db, "btf", b->hash,
						b->raw_size, 1, b->z.data, b->z.len, p->e);
					if (err) {
						close(fd);
						return err;
					}
					sqlite3_bind_blob(st, 6, b->hash, SHA256_LEN, SQLITE_TRANSIENT);
				}
			} else if (btf_reuse(p, id, info.btf_size, hash)) {
				sqlite3_bind_blob(st, 6, hash, SHA256_LEN, SQLITE_TRANSIENT);
			} else {
				struct buf *b = &p->scratch[0];
				uint32_t size = info.btf_size;

				if (buf_reserve(b, size + 1)) {
					close(fd);
					return err_set(p->e, ENOMEM, "out of memory reading BTF (id %u)", id);
				}
				memset(&info, 0, sizeof(info));
				info.btf = (uintptr_t)b->data;
				info.btf_size = size;
				len = sizeof(info);
				if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.btf_size > size) {
					err = err_set(p->e, errno ?: EIO, "can't read BTF data (id %u): %s", id,
						      strerror(errno ?: EIO));
					close(fd);
					return err;
				}
				err = bind_blob(p, st, 6, "btf", b->data, info.btf_size);
				if (err) {
					close(fd);
					return err;
				}
			}
		}
		close(fd);
		err = step_done(p, st, "BTF");
		if (err)
			return err;
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
	uint8_t hash[SHA256_LEN];
	char name[128] = "";
	sqlite3_stmt *st;
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
	err = blob_put(p->db, "btf", b->data, size, hash, p->e);
	err = err ?: db_prepare(p->db, "INSERT INTO btf(snapshot_id, id, name, size, kernel, data)"
				" VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(snapshot_id, id) DO UPDATE"
				" SET data = excluded.data", &st, p->e);
	if (err)
		return err;
	name[sizeof(name) - 1] = 0;
	sqlite3_bind_int64(st, 1, p->snap_id);
	sqlite3_bind_int64(st, 2, btf_id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, size);
	sqlite3_bind_int(st, 5, !!info.kernel_btf);
	sqlite3_bind_blob(st, 6, hash, SHA256_LEN, SQLITE_STATIC);
	err = step_done(p, st, "BTF data");
	sqlite3_finalize(st);
	return err;
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

static int link_insert(struct probe *p, const uint8_t *raw, size_t rawlen, const char *name)
{
	sqlite3_stmt *st = p->ins_link;
	uint32_t type = li_u32(raw, 0);
	uint8_t clean[256];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, p->snap_id);
	sqlite3_bind_int64(st, 2, li_u32(raw, 4));
	sqlite3_bind_int64(st, 3, type);
	sqlite3_bind_int64(st, 4, li_u32(raw, 8));
	if (name && *name)
		sqlite3_bind_text(st, 6, name, -1, SQLITE_TRANSIENT);
	switch (type) {
	case BPF_LINK_TYPE_TRACING:
		sqlite3_bind_int64(st, 5, li_u32(raw, LI_U));
		sqlite3_bind_int64(st, 7, li_u32(raw, LI_U + 4));
		sqlite3_bind_int64(st, 8, li_u32(raw, LI_U + 8));
		break;
	case BPF_LINK_TYPE_CGROUP:
		sqlite3_bind_int64(st, 9, li_u64(raw, LI_U));
		sqlite3_bind_int64(st, 5, li_u32(raw, LI_U + 8));
		break;
	case BPF_LINK_TYPE_NETNS:
		sqlite3_bind_int64(st, 11, li_u32(raw, LI_U));
		sqlite3_bind_int64(st, 5, li_u32(raw, LI_U + 4));
		break;
	case BPF_LINK_TYPE_XDP:
		sqlite3_bind_int64(st, 10, li_u32(raw, LI_U));
		break;
	case 10:	/* netfilter: pf, hooknum, priority, flags */
		sqlite3_bind_int64(st, 14, li_u32(raw, LI_U + 12));
		break;
	case 11:	/* tcx */
	case 13:	/* netkit */
		sqlite3_bind_int64(st, 10, li_u32(raw, LI_U));
		sqlite3_bind_int64(st, 5, li_u32(raw, LI_U + 4));
		break;
	case BPF_LINK_TYPE_PERF_EVENT: {
		uint32_t pe = li_u32(raw, LI_U);

		/* 1 uprobe, 2 uretprobe, 3 kprobe, 4 kretprobe, 5 tracepoint, 6 event */
		if (pe == 1 || pe == 2) {
			sqlite3_bind_int64(st, 12, li_u32(raw, LI_U + 20));
			sqlite3_bind_int64(st, 13, li_u64(raw, LI_U + 24));
		} else if (pe == 3 || pe == 4) {
			sqlite3_bind_int64(st, 12, li_u32(raw, LI_U + 20));
			sqlite3_bind_int64(st, 13, li_u64(raw, LI_U + 40));
		} else if (pe == 5) {
			sqlite3_bind_int64(st, 13, li_u64(raw, LI_U + 24));
		}
		sqlite3_bind_int64(st, 14, pe);
		break;
	}
	}
	/* the raw struct, with our buffer pointers wiped, for decoders to come */
	if (rawlen > sizeof(clean))
		rawlen = sizeof(clean);
	memcpy(clean, raw, rawlen);
	if (type == BPF_LINK_TYPE_RAW_TRACEPOINT || type == BPF_LINK_TYPE_ITER || type == 12)
		li_put64(clean, LI_U, 0);
	if (type == BPF_LINK_TYPE_PERF_EVENT)
		li_put64(clean, LI_U + 8, 0);
	{
		int err = bind_blob(p, st, 15, "link_info", clean, rawlen);

		if (err)
			return err;
	}
	return step_done(p, st, "link");
}

int probe_links(struct probe *p)
{
	uint32_t id = 0;
	int err;

	err = db_prepare(p->db, "INSERT INTO links(snapshot_id, id, type, prog_id, attach_type, target,"
			 " target_obj_id, target_btf_id, cgroup_id, ifindex, netns_ino, offset, cookie,"
			 " flags, info_raw) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &p->ins_link, p->e);
	if (err)
		return err;
	for (;;) {
		uint8_t raw[256];
		char name[4096];
		__u32 len = sizeof(raw);
		uint32_t type;
		int fd;

		if (bpf_link_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			return err_set(p->e, errno, "can't get next link id after %u: %s", id, strerror(errno));
		}
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT) {
				p->res->vanished++;
				continue;
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
		err = link_insert(p, raw, len, name);
		if (!err && att_seen_link(&p->att, raw, len))
			err = err_set(p->e, ENOMEM, "out of memory");
		if (err)
			return err;
		p->res->nr_links++;
	}
	return 0;
}

/* ---- kernel symbols, once per boot ---- */

static int boots_insert(struct probe *p, const uint8_t hash[SHA256_LEN])
{
	sqlite3_stmt *st;
	int err = db_prepare(p->db, "INSERT INTO boots(boot_id, first_seen, kallsyms) VALUES(?, ?, ?)"
			     " ON CONFLICT(boot_id) DO UPDATE SET kallsyms = excluded.kallsyms", &st, p->e);

	if (err)
		return err;
	sqlite3_bind_text(st, 1, p->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_realtime_ns());
	sqlite3_bind_blob(st, 3, hash, SHA256_LEN, SQLITE_STATIC);
	err = step_done(p, st, "boot");
	sqlite3_finalize(st);
	return err;
}

/* The symbols the background thread read, if this boot had none stored. */
int kallsyms_store(struct probe *p)
{
	const struct bg_blob *b;
	int err;

	if (!p->bg || !p->bg->want_kallsyms)
		return 0;
	bg_join_kallsyms(p->bg);
	b = &p->bg->kallsyms;
	if (!b->ready)
		return 0;
	err = blob_put_prepared(p->db, "kallsyms", b->hash, b->raw_size, 1, b->z.data, b->z.len, p->e);
	return err ?: boots_insert(p, b->hash);
}

int probe_kallsyms(struct probe *p)
{
	struct buf raw = { 0 }, kept = { 0 };
	uint8_t hash[SHA256_LEN];
	sqlite3_stmt *st;
	bool have = false;
	int err;

	err = db_prepare(p->db, "SELECT 1 FROM boots WHERE boot_id = ? AND kallsyms IS NOT NULL", &st, p->e);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, p->boot_id, -1, SQLITE_STATIC);
	have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (have)
		return 0;
	if (read_file("/proc/kallsyms", 1u << 30, &raw, NULL))
		return 0;	/* no symbols: dumps fall back to addresses */
	/* addresses are zero without privilege: worthless, store nothing */
	if (raw.len < 16 || !strncmp((char *)raw.data, "0000000000000000", 16)) {
		buf_free(&raw);
		return 0;
	}
	/* BPF programs' own symbols come from their info, not from here: they change with
	 * every load and would defeat the once-per-boot blob */
	for (size_t i = 0; i < raw.len;) {
		uint8_t *nl = memchr(raw.data + i, '\n', raw.len - i);
		size_t end = nl ? (size_t)(nl - raw.data) + 1 : raw.len;

		if (!memmem(raw.data + i, end - i, "\t[bpf]", 6) && buf_append(&kept, raw.data + i, end - i)) {
			err = err_set(p->e, ENOMEM, "out of memory reading kernel symbols");
			break;
		}
		i = end;
	}
	if (!err)
		err = blob_put(p->db, "kallsyms", kept.data, kept.len, hash, p->e);
	if (!err)
		err = boots_insert(p, hash);
	buf_free(&raw);
	buf_free(&kept);
	return err;
}
