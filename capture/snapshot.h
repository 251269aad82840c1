/* Taking a snapshot: walk every BPF object once and write it in one transaction. */
#ifndef BPFSCOPE_SNAPSHOT_H
#define BPFSCOPE_SNAPSHOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"
#include "store/snap_mask.h"	/* SNAP_*: what to capture */
#include "store/writer.h"	/* snapshot_delete */

struct snapshot_opts {
	const char *label;
	unsigned mask;
	uint64_t stats_interval_ns;	/* with SNAP_STATS */
	const char *bpffs;		/* where to look for pins (default /sys/fs/bpf) */
	bool no_iter;			/* walk every map, no iterator (the iterator's test oracle) */
	uint32_t map_chunk_bytes;	/* maps-data chunk size (0: MAP_CHUNK_BYTES; tests set less) */
	/* a live view of one program (nonzero: its id): that program and what the mask asks
	 * about it (owners, pins), no other program, map, link or BTF object, so a command on
	 * one program costs the same at 10 programs as at 5,000 */
	uint32_t only_prog;
	const char *only_pin;		/* with only_prog: its pin the selector named (no bpffs walk) */
	void (*progress)(void *arg, const char *what, uint64_t done, uint64_t total);
	void *progress_arg;
	/* one line (no newline) on how long each phase took, for the benchmarks; may be called
	 * from the walker threads at once */
	void (*trace)(void *arg, const char *line);
	void *trace_arg;
};

struct snapshot_result {
	int64_t id;
	uint32_t nr_progs, nr_maps, nr_btf, nr_links, nr_attachments, nr_pins;
	/* objects listed and gone before they could be opened, per kind */
	uint32_t vanished_progs, vanished_maps, vanished_btf, vanished_links;
	uint32_t vanished;		/* the four together */
	uint64_t duration_ns;
	/* rows the objects' phases wrote or changed (the snapshot's own row aside): 0 when
	 * every span went on, so the snapshot holds what the one before held */
	int64_t object_changes;
};

int snapshot_take(struct db *db, const struct snapshot_opts *opts, struct snapshot_result *res,
		  struct err *e);
/* The same into a new in-memory database (a live view's), opened (DB_MEMORY) here once its
 * iterators have started. db is open on return when it could be opened. */
int snapshot_take_live(struct db *db, const struct snapshot_opts *opts, struct snapshot_result *res,
		       struct err *e);
/* The same into the database file at path, opened (DB_WRITE, db_open) here, after the
 * program iterator has started: `snapshot take` returns sooner. db is open on return
 * when it could be opened, whether or not the snapshot was taken. */
int snapshot_take_at(struct db *db, const char *path, const struct snapshot_opts *opts,
		     struct snapshot_result *res, struct err *e);
/* Live views fetch the heavy parts only for what a command selected: the code of these
 * programs (with their BTF and the boot's kernel symbols), the contents of these maps,
 * written into the rows the view's snapshot has of them. */
int snapshot_fill_code(struct db *db, int64_t snap_id, const uint32_t *ids, size_t n,
		       bool kallsyms, struct err *e);
/* The boot's kernel symbols into a live view that was filled without them. */
int snapshot_fill_kallsyms(struct db *db, int64_t snap_id, struct err *e);
int snapshot_fill_maps(struct db *db, int64_t snap_id, const uint32_t *ids, size_t n, struct err *e);
#endif
