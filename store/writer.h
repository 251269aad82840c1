/* The one writer of a snapshot: capture/ hands it typed records (the kernel's info structs
 * and what capture read beside them) and it binds them; the readers of the open spans a
 * snapshot compares against. Statements run per object are prepared once per snapshot. */
#ifndef BPFSCOPE_WRITER_H
#define BPFSCOPE_WRITER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "store/db.h"
#include "store/snap_mask.h"
#include "store/span_set.h"

struct writer {
	struct db *db;
	int64_t snap_id;
	struct err *e;
	sqlite3_stmt *ins_prog, *ins_prog_map, *copy_code, *ins_prog_stats, *close_prog;
	sqlite3_stmt *fill_code;
	sqlite3_stmt *ins_map, *ins_map_data, *close_map, *fill_map_data, *fill_map_data_new;
	sqlite3_stmt *ins_btf, *fill_btf, *ins_link, *ins_pin, *close_pin, *ins_owner;
	sqlite3_stmt *ins_socket, *ins_view, *ins_token;
	sqlite3_stmt *ins_map_chunk;
	/* the open spans of BTF objects, links, owners, program counters, map contents and views
	 * (loaded by writer_snapshot_begin; those the snapshot did not see end in
	 * writer_snapshot_finish) */
	struct span_set btf_spans, link_spans, owner_spans, stat_spans, data_spans, view_spans;
};

/* The machine's facts, the snapshot row's first half. */
struct snapshot_facts {
	uint64_t taken_at;
	const char *label, *host, *boot_id, *kernel_release, *kernel_version, *arch;
	const char *tool_version;
	int64_t page_size, nr_cpus, boot_time_ns;
	unsigned mask;
	/* sysctls, -1 when unreadable */
	int64_t unprivileged_bpf_disabled, bpf_jit_enable, bpf_jit_harden, bpf_jit_kallsyms;
	int64_t bpf_stats_enabled;
};

/* The counts, the row's second half. */
struct snapshot_counts {
	uint32_t nr_progs, nr_maps, nr_btf, nr_links, nr_attachments, nr_pins;
	uint32_t vanished_progs, vanished_maps, vanished_btf, vanished_links;
	uint64_t duration_ns;
	int64_t stats_interval_ns;	/* < 0: no stats interval */
	const char *warnings;		/* NULL or "": none */
};

/* A writer for db (with the caller's error); snap_id set by writer_snapshot_begin or, for a
 * live view filling in its snapshot, by the caller. */
void writer_init(struct writer *w, struct db *db, int64_t snap_id, struct err *e);
void writer_close(struct writer *w);
int writer_snapshot_begin(struct writer *w, const struct snapshot_facts *f);
int writer_snapshot_finish(struct writer *w, const struct snapshot_counts *c);

/* ---- programs ---- */
enum { PROG_BLOB_XLATED, PROG_BLOB_JITED, PROG_BLOB_FUNC_INFO, PROG_BLOB_LINE_INFO,
       PROG_BLOB_JITED_LINE_INFO, PROG_BLOB_JITED_KSYMS, PROG_BLOB_JITED_FUNC_LENS,
       PROG_BLOB_PROG_TAGS, PROG_BLOB_NR };

struct prog_rec {
	const struct bpf_prog_info *info;	/* its array pointers are not read */
	uint64_t digest, memlock;
	int64_t loaded_at;		/* wall clock of the load, in seconds */
	const char *full_name;		/* "" when the name was not cut */
	const void *map_ids;		/* nr_map_ids u32s (unaligned) */
	uint32_t nr_map_ids;
	bool code;			/* the snapshot has code: the nr_* columns are bound */
	int64_t code_from;		/* the code is that row's (not fetched again), else 0 */
	const void *blob[PROG_BLOB_NR];	/* with code and no code_from */
	uint32_t blob_len[PROG_BLOB_NR];
	/* the blobs hashed and compressed already (blob_pack, on a walker): packed[i] is
	 * blob[i]'s; false: the writer does it */
	bool packed_ok;
	struct blob_packed packed[PROG_BLOB_NR];
};
int writer_progs_prepare(struct writer *w);
/* A new span with its map ids (and code copied from code_from); *row its row. */
int writer_prog(struct writer *w, const struct prog_rec *r, int64_t *row);
/* Run-time counters of this snapshot: their open span goes on when they did not change, and
 * nothing is written when all are 0. */
/* A view of the objects other than the id walk (schema 7, view_rows: "iter_progs",
 * "kallsyms"): nr entries, list its lines. */
int writer_view(struct writer *w, const char *view, uint32_t nr, const void *list, size_t len);
int writer_prog_stats(struct writer *w, int64_t row, const struct bpf_prog_info *info);
/* A live view's program gets its code (r->code, r->blob) in the row it has already. */
int writer_prog_code(struct writer *w, const struct prog_rec *r);

/* ---- maps ---- */
struct map_rec {
	const struct bpf_map_info *info;
	uint64_t digest, memlock, frozen, owner;
	bool has_owner;
	bool has_owner_jited;		/* fdinfo's owner_jited (a prog array with an owner) */
	uint64_t owner_jited;
	uint32_t btf_vmlinux_id;	/* bpf_map_info's, past the old uapi header's end */
};
/* Contents, or why there are none. */
struct map_data_rec {
	const void *contents;		/* NULL: error says why */
	size_t len;
	uint64_t count;
	const char *error;
};
int writer_maps_prepare(struct writer *w);
int writer_map(struct writer *w, const struct map_rec *r, int64_t *row);
int writer_map_data(struct writer *w, int64_t row, const struct map_data_rec *d);
/* A live view's map (by id in its snapshot) gets its contents. */
int writer_map_data_fill(struct writer *w, uint32_t map_id, const struct map_data_rec *d);
/* One chunk of contents larger than a chunk (lib/map_chunks.h), stored as it comes; the
 * list naming the chunks is then the contents of writer_map_data. */
int writer_map_chunk(struct writer *w, const void *data, size_t len, uint8_t hash[SHA256_LEN]);

/* ---- spans ---- */
enum span_kind { SPAN_PROG, SPAN_MAP, SPAN_PIN };
/* End a span as of the snapshot before this one. */
int writer_span_close(struct writer *w, enum span_kind k, int64_t row);

/* ---- BTF, links, pins, owners, kernel symbols ---- */
struct btf_rec {
	uint32_t id, size;
	const char *name;
	bool kernel;
	const uint8_t *hash;		/* of data stored already (blob_put*), or NULL */
	const void *data;		/* else raw data to store, or NULL: none */
	size_t len;
};
/* A BTF object of this snapshot: its open span goes on when nothing changed, else a new one
 * starts. fill: a live view's BTF object gets its data (updated in place, or inserted). */
int writer_btf(struct writer *w, const struct btf_rec *r, bool fill);

/* link columns that are NULL unless set */
enum { LINK_ATTACH_TYPE = 1 << 0, LINK_TARGET_OBJ_ID = 1 << 1, LINK_TARGET_BTF_ID = 1 << 2,
       LINK_CGROUP_ID = 1 << 3, LINK_IFINDEX = 1 << 4, LINK_NETNS_INO = 1 << 5,
       LINK_OFFSET = 1 << 6, LINK_COOKIE = 1 << 7, LINK_FLAGS = 1 << 8 };
struct link_rec {
	uint32_t id, type, prog_id;
	unsigned set;			/* LINK_* */
	uint32_t attach_type, target_obj_id, target_btf_id, ifindex, netns_ino, flags;
	uint64_t cgroup_id, offset, cookie;
	const char *target;		/* NULL or "": none */
	const void *info_raw;		/* the raw struct bpf_link_info, pointers wiped */
	size_t info_len;
};
int writer_link(struct writer *w, const struct link_rec *r);

int writer_pins_prepare(struct writer *w);
/* kind: 'p'rog, 'm'ap, 'l'ink */
int writer_pin(struct writer *w, const char *path, char kind, uint32_t id, uint64_t ino);
/* kind: 'p'rog, 'm'ap, 'l'ink, 'b'tf; comm up to 16 bytes, not NUL-terminated when full */
int writer_owner(struct writer *w, char kind, uint32_t id, uint32_t pid, const char *comm);
/* ---- sockets (SNAP_SOCK) ---- */
/* One socket as sock_diag reported it, with one process holding it. */
struct socket_rec {
	uint32_t netns_ino;		/* 0: unknown */
	uint8_t family, type;
	uint16_t protocol;		/* packet: host order */
	uint32_t ino;
	int32_t ifindex;		/* 0: any */
	const char *devname;		/* NULL: none */
	int64_t uid, fanout;		/* -1: not reported */
	int64_t pid, fd;		/* -1: no process seen holding it */
	const char *comm;		/* up to 16 bytes; NULL with pid -1 */
	const void *filter;		/* the classic program's bytes; NULL: none reported */
	size_t filter_len;
};
int writer_socket(struct writer *w, const struct socket_rec *r);
/* Whether this snapshot's sockets differ from the last snapshot's that took them. */
int writer_sockets_changed(struct writer *w, bool *changed);
/* A bpffs mount that delegates (token show), seq-th in mount order (schema 8). */
int writer_token(struct writer *w, uint32_t seq, const char *dir, const char *opts);
int writer_boot_kallsyms(struct writer *w, const char *boot_id, const uint8_t hash[SHA256_LEN]);

/* ---- what a snapshot compares against (open spans, and blobs this boot stored) ---- */
/* The open program spans, sorted by id. */
struct open_prog {
	uint32_t id;			/* first: span_id_cmp */
	uint64_t load_time;
	uint64_t memlock;		/* fixed at load: no fdinfo read for a known program */
	char full_name[128];
	bool code_ok;			/* the span has this program's code */
	bool same_boot;			/* ids of another boot name other programs */
	bool seen;			/* (capture) this snapshot saw the span unchanged or ended it */
	int64_t row;
	uint64_t digest;
	uint32_t nr_map_ids;
	/* what a program iterator's record is checked against (capture/prog_fast.c) */
	uint32_t type, attach_btf_obj_id, bytes_xlated, bytes_jited;
	char tag[17], name[17];
};
/* The open map spans, sorted by id. */
struct open_map {
	uint32_t id, type;		/* id first: span_id_cmp */
	bool seen, same_boot;
	uint8_t frozen;
	int64_t row;
	uint64_t digest, flags;
};
/* An open pin span (and, in capture, a pin just walked: row 0). */
struct pin_row {
	char *path;
	char kind;		/* 'p'rog, 'm'ap, 'l'ink */
	uint32_t id;
	uint64_t ino;		/* bpffs inode: a new pin is a new inode */
	int64_t row;
	bool same_boot, seen;
};
int store_open_progs(struct db *db, const char *boot_id, struct open_prog **out, size_t *n,
		     struct err *e);
int store_open_maps(struct db *db, const char *boot_id, struct open_map **out, size_t *n,
		    struct err *e);
/* unsorted; on error *out holds what was read (free it) */
int store_open_pins(struct db *db, const char *boot_id, struct pin_row **out, size_t *n,
		    struct err *e);
/* The data of BTF object id of this boot, stored before with this size by a snapshot other
 * than snap_id (the one being written): 1 and its hash. */
bool store_btf_known(struct db *db, const char *boot_id, int64_t snap_id, uint32_t id,
		     uint32_t size, uint8_t hash[SHA256_LEN]);
bool store_boot_has_kallsyms(struct db *db, const char *boot_id);
/* The view of the kernel symbols this boot's programs call (view_rows KERNEL_CALLS_VIEW,
 * store/read_code.h), the newest of the boot's snapshots: *found, and its list in out. */
int store_boot_calls(struct db *db, const char *boot_id, struct buf *out, bool *found,
		     struct err *e);
/* A snapshot of this boot before snap_id took code. */
bool store_boot_had_code(struct db *db, const char *boot_id, int64_t snap_id);
/* vmlinux BTF data stored by a snapshot of this boot other than snap_id */
bool store_boot_has_vmlinux(struct db *db, const char *boot_id, int64_t snap_id);
/* Hashes of BTF blobs of this size (up to max): candidates for this boot's vmlinux BTF. */
int store_btf_hashes_of_size(struct db *db, uint32_t size, uint8_t (*hashes)[SHA256_LEN], int max);

/* Delete a snapshot, then the spans no snapshot falls in and the blobs no row refers to. */
int snapshot_delete(struct db *db, int64_t id, struct err *e);
#endif
