/* Internal to probe/: the state of one snapshot being taken. */
#ifndef BPFSCOPE_PROBE_INT_H
#define BPFSCOPE_PROBE_INT_H
#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "store/db.h"
#include "store/schema.h"
#include "capture/iter.h"
#include "lib/util.h"
#include "capture/snapshot.h"
#include "capture/attachments.h"

struct fdinfo_reader {
	int fd;			/* /proc/self/fdinfo/N held open: pread re-reads whatever fd N is now */
	int target;		/* N */
	char buf[4096];
};

/* One walker thread's own buffers. */
struct walk_mem {
	struct fdinfo_reader fdi;
	struct buf scratch[9];		/* get-info arrays */
	uint32_t want[9];		/* array sizes to ask for, grown when one was short */
	uint32_t vanished;		/* objects gone between listing and opening */
};
void walk_mem_free(struct walk_mem *m);

/* One program or map as the walker thread read it from the kernel, for the writer. */
struct obj_rec {
	char kind;			/* 'p' program, 'm' map */
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
	} info;
	uint64_t memlock, frozen, owner;
	bool has_owner, has_contents;
	const struct prev_code *prev;	/* program code already stored by an earlier snapshot */
	char full_name[128];
	uint32_t off[9], len[9];	/* program arrays within data */
	struct buf data;		/* program arrays, or the map contents blob */
	uint64_t count;
	char contents_error[512];
	struct obj_rec *next;
};

struct probe {
	struct db *db;
	int64_t snap_id;
	unsigned mask;
	const struct snapshot_opts *opts;
	char boot_id[64];
	int nr_cpus;
	struct snapshot_result *res;
	struct fdinfo_reader fdi;
	struct buf scratch[10];		/* reusable array buffers for get-info */
	sqlite3_stmt *ins_prog, *ins_prog_map, *ins_map, *ins_btf, *ins_link, *ins_pin;
	sqlite3_stmt *ins_prog_stats, *ins_map_data, *close_prog, *close_map, *copy_code;
	struct prev_code *prev;		/* open program spans (code hashes, digests), by id */
	size_t nr_prev;
	struct prev_map *prev_maps;	/* open map spans, by id */
	size_t nr_prev_maps;
	uint64_t boot_hash;		/* digests include the boot: ids are per boot */
	bool history;			/* a database file (not a live view's in-memory one) */
	struct err *e;
	struct stats_base *stats;	/* SNAP_STATS: counters before the interval */
	size_t nr_stats;
	struct bg_job *bg;		/* once-per-boot blobs read in the background */
	void *walk;			/* the walker/writer pipeline while it runs */
	bool trace;
	uint64_t phase_t;
	struct att_seen att;		/* links and program types, for the attachments */
};

/* programs and maps: walker thread + writer (walk.c) */
/* Work of snapshot_take's around the walk, on this thread: before, right before the walkers
 * start (nothing of ours may be loaded once they list programs); meanwhile, once they run. */
struct walk_hooks {
	void (*before)(struct probe *p, void *arg);
	void (*meanwhile)(struct probe *p, void *arg);
	void *arg;
};
int probe_progs_maps(struct probe *p, const struct walk_hooks *h);
void rec_free(struct obj_rec *r);
int prog_walk_one(struct probe *p, struct walk_mem *m, struct err *e, uint32_t id,
		  struct obj_rec **out);
int map_walk_one(struct probe *p, struct walk_mem *m, struct err *e, uint32_t id,
		 struct obj_rec **out);
int prog_collect(struct probe *p, struct walk_mem *m, int fd, const struct bpf_prog_info *info,
		 const struct prev_code *prev, struct obj_rec *r);
int prog_write(struct probe *p, const struct obj_rec *r, int64_t boot_offset_ns);
int map_collect(struct probe *p, struct fdinfo_reader *fdi, int fd, const struct bpf_map_info *info,
		struct obj_rec *r);
int map_write(struct probe *p, const struct obj_rec *r);
int prog_stmts(struct probe *p);
int map_stmts(struct probe *p);
int prev_code_load(struct probe *p);
int prev_maps_load(struct probe *p);
/* End a span as of the snapshot before this one. */
int span_close(struct probe *p, sqlite3_stmt *st, int64_t row);
/* End the spans of programs and maps this snapshot did not see. */
int progs_close_unseen(struct probe *p);
int maps_close_unseen(struct probe *p);
/* The iterator path: keep the spans of maps that did not change, list the ids to walk. */
int maps_from_iter(struct probe *p, const struct iter_scan *s, uint32_t **todo, size_t *n);
const struct prev_code *prev_code_find(const struct probe *p, uint32_t id);
/* bsearch over open spans sorted by id (a uint32_t first member) */
int span_id_cmp(const void *key, const void *elem);
void stats_delta(const struct probe *p, struct bpf_prog_info *info);
int64_t boot_offset_now(void);
int probe_btf(struct probe *p);
int probe_links(struct probe *p);
int probe_kallsyms(struct probe *p);
int kallsyms_store(struct probe *p);
int stats_baseline(struct probe *p);
int btf_fill_data(struct probe *p, uint32_t btf_id);
void probe_cleanup(struct probe *p);
int map_read_contents(int fd, const struct bpf_map_info *info, int nr_cpus, struct buf *out,
		      uint64_t *count, struct err *e);

/* Read the fdinfo of fd, then take "key:" values from it. */
int fdinfo_load(struct fdinfo_reader *r, int fd);
int fdinfo_val(const struct fdinfo_reader *r, const char *key, uint64_t *val);
void fdinfo_close(struct fdinfo_reader *r);
/* Bind a blob column: store data as a blob and bind its hash (NULL when len == 0). */
int bind_blob(struct probe *p, sqlite3_stmt *st, int col, const char *kind, const void *data,
	      size_t len);
int step_done(struct probe *p, sqlite3_stmt *st, const char *what);
#endif
