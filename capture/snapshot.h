/* Taking a snapshot: walk every BPF object once and write it in one transaction. */
#ifndef BPFSCOPE_SNAPSHOT_H
#define BPFSCOPE_SNAPSHOT_H
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

/* what to fetch beyond the info structs (a live `prog show` pays for none of it) */
#define SNAP_CODE	(1u << 0)	/* xlated, jited, func/line info, jited ksyms, kernel symbols */
#define SNAP_MAPS_DATA	(1u << 1)	/* every map's contents */
#define SNAP_BTF_DATA	(1u << 2)	/* raw BTF of every BTF object */
#define SNAP_STATS	(1u << 3)	/* turn on run-time stats for an interval */
#define SNAP_PINS	(1u << 4)	/* walk bpffs for pins */
#define SNAP_ATTACH	(1u << 5)	/* netlink/cgroup/perf attachments */
#define SNAP_OWNERS	(1u << 6)	/* the processes holding each object (bpftool's pids) */
/* live views leave out what they do not print */
#define SNAP_NO_PROGS	(1u << 8)
#define SNAP_NO_MAPS	(1u << 9)
#define SNAP_NO_BTF	(1u << 10)
#define SNAP_ALL	(SNAP_CODE | SNAP_MAPS_DATA | SNAP_BTF_DATA | SNAP_PINS | SNAP_ATTACH | \
			 SNAP_OWNERS)
#define SNAP_DEFAULT	(SNAP_CODE | SNAP_BTF_DATA | SNAP_PINS | SNAP_ATTACH | SNAP_OWNERS)

struct snapshot_opts {
	const char *label;
	unsigned mask;
	uint64_t stats_interval_ns;	/* with SNAP_STATS */
	const char *bpffs;		/* where to look for pins (default /sys/fs/bpf) */
	void (*progress)(void *arg, const char *what, uint64_t done, uint64_t total);
	void *progress_arg;
};

struct snapshot_result {
	int64_t id;
	uint32_t nr_progs, nr_maps, nr_btf, nr_links, nr_attachments, nr_pins;
	uint32_t vanished;
	uint64_t duration_ns;
};

int snapshot_take(struct db *db, const struct snapshot_opts *opts, struct snapshot_result *res,
		  struct err *e);
int snapshot_delete(struct db *db, int64_t id, struct err *e);
/* Live views fetch the heavy parts only for what a command selected: the code of these
 * programs (with their BTF and the boot's kernel symbols), the contents of these maps. */
int snapshot_fill_code(struct db *db, int64_t snap_id, const uint32_t *ids, size_t n, struct err *e);
int snapshot_fill_maps(struct db *db, int64_t snap_id, const uint32_t *ids, size_t n, struct err *e);
#endif
