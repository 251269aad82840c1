/* A snapshot's objects as plain data, for what compares snapshots (diff, history, watch):
 * store/read_objs.c fills it from a snapshot, analyze/diff.c compares two. Every string is
 * untrusted: it came from a database that may be hostile. The strings of the objects live in
 * the snapshot's string storage (snap_objs_str), freed with it: nothing frees one alone;
 * the loads' strings (so_load) are malloc'ed each. */
#ifndef BPFSCOPE_SNAP_OBJS_H
#define BPFSCOPE_SNAP_OBJS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/util.h"	/* struct buf */

struct so_prog {
	uint32_t id, type, uid, btf_id;
	char *name;			/* full name, else the kernel's; never NULL */
	char *tag;			/* hex; never NULL */
	char *pin, *link_pin, *attach, *link_target;	/* attach points; NULL: none */
	uint64_t load_time;		/* boot-relative ns: the load order */
	int64_t loaded_at;		/* unix seconds */
	uint64_t bytes_xlated, bytes_jited, verified_insns;
	uint64_t run_cnt, run_time_ns;	/* 0 without stats */
	bool gpl;
	char *xlated;			/* the code's blob hash (hex); NULL: not captured */
	uint32_t *map_ids;
	size_t nr_maps;
};

struct so_map {
	uint32_t id, type, key_size, value_size, max_entries, btf_id;
	char *name;			/* never NULL */
	char *pin;			/* the least path it is pinned at; NULL: none */
	uint64_t flags, map_extra, bytes_memlock;
	int64_t frozen;
	char *contents;			/* contents' blob hash (hex); NULL: not captured */
	int64_t nr_entries;
	long owner;			/* index in progs of the first loaded program using it; -1 */
};

struct so_link {
	uint32_t id, type, prog_id, attach_type;
	char *target;			/* tracepoint, function, file, ifindex or cgroup; never NULL */
	char *pin;			/* NULL: none */
	uint64_t cookie;
};

struct so_attach {
	char *kind;			/* xdp, tc, tcx, cgroup, perf_event, ...; never NULL */
	char *target;			/* device, cgroup path or target; never NULL */
	char *mode;			/* never NULL */
	uint32_t prog_id, link_id, attach_type;
	int64_t position, flags;	/* -1: none */
};

struct so_pin {
	char *path, *obj_type;		/* never NULL */
	uint32_t obj_id;
};

struct so_btf {
	uint32_t id;
	char *name;			/* never NULL; "" for a program's anonymous BTF */
	char *data;			/* raw BTF's blob hash (hex); NULL: not captured */
	uint64_t size;
	bool kernel;
};

struct so_owner {
	char *obj_type, *comm;		/* never NULL */
	uint32_t obj_id;
	int64_t pid;
};

/* A socket with a classic BPF filter (SNAP_SOCK; packet sockets, through sock_diag): one per
 * socket and process holding it. */
struct so_sockfilter {
	char *comm;			/* never NULL; "" when no process was seen holding it */
	char *devname;			/* never NULL; "" for any interface */
	char *filter;			/* the program's blob hash (hex); never NULL */
	uint8_t *insns;			/* the program's bytes (struct sock_filter[]); NULL: empty */
	size_t insns_len;
	int64_t pid, fd;		/* -1: no process seen */
	uint32_t ino, netns_ino;
	int32_t ifindex;
	uint16_t protocol;		/* packet: the ethertype, host order */
	uint8_t family, type;
};

/* An object the loads recorder saw made (load_events): for what lived between snapshots */
struct so_load {
	char *kind;			/* prog, map, link; never NULL */
	uint32_t id, type, pid;
	int64_t time_ns;
	char *name, *comm, *tag;	/* never NULL */
};

/* What each kind's list holds: kinds the snapshot did not look at are not "empty". */
#define SO_PROGS	(1u << 0)
#define SO_MAPS		(1u << 1)
#define SO_LINKS	(1u << 2)
#define SO_ATTACH	(1u << 3)
#define SO_PINS		(1u << 4)
#define SO_BTF		(1u << 5)
#define SO_OWNERS	(1u << 6)	/* the processes holding objects (audit) */
#define SO_SOCKS	(1u << 7)	/* sockets with classic filters (diff, audit) */
#define SO_ALL		(0x3fu | SO_SOCKS)	/* what diff compares */
/* not a kind: also read the views beside the id walk (view_*; audit's evidence) */
#define SO_VIEWS	(1u << 8)

struct so_chunk;

struct snap_objs {
	int64_t snap_id;
	unsigned have;			/* SO_*: the kinds this snapshot captured */
	bool have_code, have_contents, have_stats, have_btf_data;
	struct so_prog *progs;
	struct so_map *maps;
	struct so_link *links;
	struct so_attach *atts;
	struct so_pin *pins;
	struct so_btf *btfs;
	struct so_owner *owners;	/* by obj_type, obj_id, pid */
	struct so_sockfilter *socks;	/* by netns, inode, pid */
	struct so_load *loads;		/* made since the snapshot before (snap_loads_read) */
	size_t nprogs, nmaps, nlinks, natts, npins, nbtfs, nowners, nsocks, nloads;
	/* the views beside the id walk (schema 7, view_rows), as stored: NULL when the snapshot
	 * has none. iter_progs: "id tag name" lines; kallsyms: "tag name" lines; deleted_exe:
	 * "pid path" lines (holders whose executable is deleted). Untrusted text. */
	struct buf view_iter, view_ksyms, view_deleted_exe;
	bool have_view_iter, have_view_ksyms, have_view_deleted_exe;
	struct so_chunk *strs;		/* the objects' strings (snap_objs_str) */
};

void snap_objs_free(struct snap_objs *s);
/* Room for n bytes in s's string storage, freed with s (a few allocations for a snapshot's
 * tens of thousands of strings); NULL on ENOMEM. */
char *snap_objs_alloc(struct snap_objs *s, size_t n);
/* A copy of the n bytes at p, NUL-terminated, in s's string storage; NULL on ENOMEM. */
char *snap_objs_str(struct snap_objs *s, const char *p, size_t n);
/* Index of the program / map / link with this kernel id, or -1 (ids are sorted by the reader). */
long snap_objs_prog(const struct snap_objs *s, uint32_t id);
long snap_objs_map(const struct snap_objs *s, uint32_t id);
long snap_objs_link(const struct snap_objs *s, uint32_t id);
#endif
