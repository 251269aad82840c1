/* Internal to capture/: the state of one snapshot being taken. */
#ifndef BPFSCOPE_PROBE_INT_H
#define BPFSCOPE_PROBE_INT_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "store/db.h"
#include "store/writer.h"
#include "capture/iter.h"
#include "lib/util.h"
#include "capture/snapshot.h"
#include "capture/attachments.h"

struct fdinfo_reader {
	int fd;			/* /proc/self/fdinfo/N held open: pread re-reads whatever fd N is now */
	int target;		/* N */
	int slot;		/* N when it is the reader's own copy of each object's fd, else 0 */
	char buf[4096];
};

/* One walker thread's own buffers. */
struct walk_mem {
	struct fdinfo_reader fdi;
	struct buf scratch[9];		/* get-info arrays */
	uint32_t want[9];		/* array sizes to ask for, grown when one was short */
	uint32_t vanished_progs, vanished_maps;	/* gone between listing and opening */
	struct buf vanished_map_ids;	/* u32 each: counted once, however often looked for */
	struct jited_scanner *scanner;	/* the walker's disassembler (kernel_calls_scan) */
	struct blob_packer packer;	/* the walker's compressor (prog_pack) */
	bool no_scanner;		/* none could be opened */
};
void walk_mem_free(struct walk_mem *m);

/* One program or map as the walker thread read it from the kernel, for the writer. */
struct obj_rec {
	/* 'p' program, 'm' map, 'P' programs the iterator found unchanged (not opened): their
	 * indices in probe.prev, u32 each, in data */
	char kind;
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
	} info;
	uint64_t memlock, frozen, owner, owner_jited;
	bool has_owner, has_owner_jited, has_contents;
	/* maps-data of a map that may pass one chunk: read by the writer's thread in chunks
	 * (capture/map_stream.c) through this fd of its own, closed by rec_free */
	bool contents_later;
	int contents_fd;
	const struct open_prog *prev;	/* program code already stored by an earlier snapshot */
	char full_name[128];
	uint32_t off[9], len[9];	/* program arrays within data */
	struct buf data;		/* program arrays, or the map contents blob */
	uint64_t count;
	char contents_error[512];
	/* the kernel addresses fetched code calls (kernel_calls_scan), when scanned: JIT
	 * targets (uint64_t), xlated call immediates (int32_t); calls_unknown: not all scanned */
	struct buf calls_jited, calls_xlated;
	bool calls_scanned, calls_unknown;
	/* code blobs hashed and compressed by the walker for a file's snapshot (prog_pack):
	 * each one's stored bytes, when compressed, in data at packed_off */
	bool packed_ok;
	struct blob_packed packed[PROG_BLOB_NR];
	uint32_t packed_off[PROG_BLOB_NR];
	struct obj_rec *next;
};

/* The kernel addresses the code a snapshot fetched calls (capture/kallsyms.c), for the
 * kernel symbols it keeps */
struct kernel_calls {
	struct buf jited;		/* JIT branch targets, uint64_t */
	struct buf xlated;		/* xlated call immediates (less __bpf_call_base), int32_t */
	bool unknown;			/* some code could not be scanned: keep the whole text */
	bool whole;			/* an earlier snapshot of the boot kept code, no lines */
	/* the boot's lines so far (its newest view, kernel_calls_begin): the addresses they
	 * answer for, and __bpf_call_base in them; an address outside them starts the
	 * symbols' read in the background */
	bool have_prev;
	struct buf prev;
	struct buf done;		/* uint64_t, sorted */
	uint64_t base;
};

struct probe {
	struct db *db;
	struct writer w;		/* every row goes through it */
	int64_t snap_id;
	unsigned mask;
	const struct snapshot_opts *opts;
	char boot_id[64];
	int nr_cpus;
	struct snapshot_result *res;
	struct fdinfo_reader fdi;
	struct buf scratch[10];		/* reusable array buffers for get-info */
	struct open_prog *prev;		/* open program spans (code hashes, digests), by id */
	size_t nr_prev;
	/* the fast path (prog_fast.c): per open span, the iterator's record when it shows the
	 * program unchanged (the program is then not opened), else NULL; NULL: no fast path */
	const struct iter_prog_rec **prev_iter;
	struct open_map *prev_maps;	/* open map spans, by id */
	size_t nr_prev_maps;
	uint64_t boot_hash;		/* digests include the boot: ids are per boot */
	bool history;			/* a database file (not a live view's in-memory one) */
	struct err *e;
	struct stats_base *stats;	/* SNAP_STATS: counters before the interval */
	size_t nr_stats;
	struct bg_job *bg;		/* once-per-boot blobs read in the background */
	uint64_t phase_t;
	int64_t phase_rows;		/* db_total_changes at phase_t (BPFSCOPE_TRACE) */
	int64_t unchanged_rows;		/* rows written that repeat the last snapshot's (sockets),
					 * less one for a change that wrote none */
	struct att_seen att;		/* links and program types, for the attachments */
	struct iter_job *iter;		/* the iterators, run from the snapshot's start */
	struct prog_list *prog_list;	/* the program ids, listed from the write lock on */
	struct kernel_calls calls;
	uint32_t *walked;		/* the programs' ids the walk listed (views.c) */
	size_t nr_walked, cap_walked;
	bool walked_sorted;
};

/* The program ids, listed by a thread of their own from the write lock on (prog_list.c):
 * prog_list_take joins it and takes out the ids of bpfscope's iterator programs, own[]
 * (*nr_ours: how many it had listed);
 * an errno when it failed (or never started): the walkers list the ids themselves. */
struct prog_list {
	pthread_t th;
	bool started;
	uint32_t *ids;
	size_t n, cap;
	int err;
};
void prog_list_start(struct prog_list *l);
int prog_list_take(struct prog_list *l, const uint32_t *own, size_t nr_own, size_t *nr_ours);
void prog_list_free(struct prog_list *l);
/* ids without those in drop[] (a 0 there drops nothing): how many are left, in order */
size_t prog_ids_drop(uint32_t *ids, size_t n, const uint32_t *drop, size_t nr_drop);

/* bpfscope's iterators in a thread of their own from the snapshot's start (iter_job.c). */
struct iter_job {
	struct probe *p;
	pthread_t th;
	bool started;
	unsigned want;			/* ITER_WANT bits */
	struct iter_scan scan;		/* the map iterator's, for walk_prepare */
	int maps_err;
	struct err maps_e;
	struct iter_owner *o;		/* the owners iterator's */
	size_t n;
	int owners_err;
	struct err owners_e;
	uint32_t own_map;		/* the kit's map (iter_kit_own_map): walks skip it */
	uint32_t own_progs[3];		/* the ids of its programs, once each ran (or 0) */
	struct iter_prog_rec *progs;	/* the program iterator's, sorted by id */
	struct iter_prog_rest *rests;	/* each one's rest (ITER_WANT_PROG_REST), or NULL */
	size_t nr_progs;
	int progs_err;
	struct err progs_e;
	char warn[480];			/* for the snapshot's warnings */
	/* gated (snapshot_take_at): started before the database is open, the thread runs the
	 * program iterator, then waits for iter_job_go (the write lock held) before the
	 * owners and the map list */
	bool gated, go, progs_stale;
	uint64_t progs_at;		/* when the program iterator ran */
	pthread_mutex_t gate_mu;
	pthread_cond_t gate_cv;
};
/* Start what the snapshot wants: the owners (SNAP_OWNERS), the map list (walk_wants_map_iter);
 * gated: see above. */
void iter_job_start(struct probe *p, struct iter_job *j, bool gated);
/* A gated job goes on (the write lock is held). Program records older than
 * ITER_PROGS_STALE_NS by now are not used: another writer held the lock meanwhile. */
void iter_job_go(struct iter_job *j);
#define ITER_PROGS_STALE_NS (100 * 1000000ull)
/* Wait for the thread: its programs are gone after. */
void iter_job_join(struct iter_job *j);
/* The map iterator's result (joins); an error if it did not run or failed. */
int iter_job_maps(struct iter_job *j, struct iter_scan *out, struct err *e);
/* The owners to the writer (joins); a failed iterator leaves j->warn, not an error. */
int iter_job_owners_store(struct probe *p, struct iter_job *j);
/* The program iterator's records (joins), sorted by id; NULL when it did not run or failed
 * (then every program is opened). */
const struct iter_prog_rec *iter_job_progs(struct iter_job *j, size_t *n);
/* Program id's record, for what is fixed at load (stale or not), once the job is joined
 * (walkers may ask at once: it joins nothing); NULL if none. */
const struct iter_prog_rec *iter_job_prog(const struct iter_job *j, uint32_t id);
/* The views beside the id walk (views.c): the program iterator's list, and with SNAP_VIEWS
 * kallsyms' BPF symbols; walked_add records each program the walk listed. */
int walked_add(struct probe *p, uint32_t id);
int views_store(struct probe *p, struct iter_job *j);
/* A program a view taken before the walk named, that the walk did not list and that is
 * gone now: it was unloaded in between, and is no hidden one (views.c). */
bool prog_gone_since_walk(struct probe *p, uint32_t id);
/* Did the owners iterator run to the end (its records in j->o, j->n)? After a join. */
bool iter_job_owners_ran(const struct iter_job *j);
void iter_job_free(struct iter_job *j);
/* Wait (at most ~250 ms) until the iterators' map is gone: released late, it would be in
 * what a command run right after lists, and the snapshot did not store it. */
void iter_job_settle(struct iter_job *j);

/* Trace lines for opts->trace (the benchmarks' BPFSCOPE_TRACE); none without it. */
void probe_trace(const struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* programs and maps: walker threads + this thread writing (walk.c), in three steps that
 * snapshot_take interleaves with its other work */
struct walk;
/* Does this snapshot take the map iterator's list (a history database, maps without their
 * contents, not BPFSCOPE_NO_ITER)? */
bool walk_wants_map_iter(const struct probe *p);
/* Does it run the program iterator (a history database, not SNAP_STATS's interval, not
 * BPFSCOPE_NO_ITER)? */
bool walk_wants_prog_iter(const struct probe *p);
/* statements, the open map spans and the iterator's map list, and while the iterators run
 * the open program spans: no walker runs yet */
int walk_prepare(struct probe *p, struct walk **out);
/* the walkers start (nothing of ours may be loaded now: they list programs), then the open
 * program spans are read while they run */
int walk_start(struct probe *p, struct walk *w);
/* write what the walkers hand over until they are done; end the spans not seen (called
 * after walk_start even when it failed: it drains and joins the walkers) */
int walk_finish(struct probe *p, struct walk *w);
void walk_free(struct walk *w);

void rec_free(struct obj_rec *r);
int prog_walk_one(struct probe *p, struct walk_mem *m, struct err *e, uint32_t id,
		  struct obj_rec **out);
/* The fast path (prog_fast.c): mark the open spans the program iterator shows unchanged
 * (maps_listed: the map iterator's list is the snapshot's, so an unopened program's maps
 * are in it); after prev_code_load, before any walker reads a program. */
int progs_from_iter(struct probe *p, bool maps_listed);
/* A live view of every program without code, in the initial user namespace: the program
 * iterator's records carry the rest of what get-info tells (ITER_WANT_PROG_REST), and the
 * programs they tell all of are written from them, not opened (prog_fast.c). */
bool progs_live_wanted(const struct probe *p);
/* Which records those are: *idx their indices in the iterator's list, *ids their ids
 * (sorted), *n how many; none when the iterator did not run or cannot tell. */
int progs_live_select(struct probe *p, uint32_t **idx, uint32_t **ids, size_t *n);
/* The writer's side of record i: counted, listed as walked, its row written through told (a
 * record of the caller's, reused); *map_ids, *nr_map_ids its maps. */
int prog_write_live(struct probe *p, size_t i, struct obj_rec *told, int64_t boot_offset_ns,
		    const uint32_t **map_ids, uint32_t *nr_map_ids);
/* A program record made of what the iterator told: info and memlock set, its maps given. */
int prog_write_told(struct probe *p, struct obj_rec *r, const uint32_t *map_ids, uint32_t n,
		    int64_t boot_offset_ns);
/* The index in p->prev of program id when the iterator found it unchanged (it is not
 * opened), else -1. */
long prog_fast_index(const struct probe *p, uint32_t id);
/* The writer's side of the unchanged program p->prev[i]: counted, listed as walked, its
 * counters written. */
int prog_write_unchanged(struct probe *p, size_t i);
int map_walk_one(struct probe *p, struct walk_mem *m, struct err *e, uint32_t id,
		 struct obj_rec **out);
int prog_collect(struct probe *p, struct walk_mem *m, int fd, const struct bpf_prog_info *info,
		 const struct open_prog *prev, struct obj_rec *r);
int prog_write(struct probe *p, const struct obj_rec *r, int64_t boot_offset_ns);
int map_collect(struct probe *p, struct fdinfo_reader *fdi, int fd, const struct bpf_map_info *info,
		struct obj_rec *r);
int map_write(struct probe *p, const struct obj_rec *r);
/* opts->only_prog: that one program, on this thread */
int prog_capture_one(struct probe *p, uint32_t id);
/* The map ids a program record refers to: *n u32s, not aligned. */
const void *prog_rec_map_ids(const struct obj_rec *r, size_t *n);
int prev_code_load(struct probe *p);
int prev_maps_load(struct probe *p);
/* End the spans of programs and maps this snapshot did not see. */
int progs_close_unseen(struct probe *p);
int maps_close_unseen(struct probe *p);
/* The iterator path: keep the spans of maps that did not change, list the ids to walk. */
int maps_from_iter(struct probe *p, const struct iter_scan *s, uint32_t **todo, size_t *n);
const struct open_prog *prev_code_find(const struct probe *p, uint32_t id);
/* bsearch over open spans sorted by id (a uint32_t first member) */
int span_id_cmp(const void *key, const void *elem);
void stats_delta(const struct probe *p, struct bpf_prog_info *info);
int64_t boot_offset_now(void);
int probe_btf(struct probe *p);
/* SNAP_SOCK: packet sockets and their classic filters (capture/sock.c); their holders from
 * the owners iterator's records (own; NULL: a walk of /proc/PID/fd instead). A kernel
 * without sock_diag for them leaves a warning in warn, not an error. */
int probe_sockets(struct probe *p, const struct iter_owner *own, size_t nown, char *warn,
		  size_t warn_len);
int probe_links(struct probe *p);
int probe_kallsyms(struct probe *p);
/* The kernel's symbols (/proc/kallsyms up to the BPF programs' part); empty when there are
 * none or their addresses are hidden; -errno. */
int kallsyms_read_kernel(struct buf *out);
/* A snapshot into a file with code: the boot's lines of kernel symbols so far, before the
 * walk (the symbols are read in the background from the first program that calls an
 * address they do not answer for, or at once when the boot's whole text is to be kept). */
int kernel_calls_begin(struct probe *p);
/* A snapshot into a file: the kernel addresses a program's fetched code calls, found by its
 * walker (kernel_calls_scan, into r) and added by the writer (kernel_calls_add). */
struct prog_rec;
int kernel_calls_scan(struct walk_mem *m, const struct prog_rec *pr, struct obj_rec *r,
		      struct err *e);
int kernel_calls_add(struct probe *p, const struct obj_rec *r);
void kernel_calls_free(struct kernel_calls *c);
/* The kernel symbols a snapshot keeps: into a file, the lines its programs' calls need; into
 * a live view, the whole text (probe_kallsyms's). */
int kallsyms_store(struct probe *p);
int stats_baseline(struct probe *p);
int btf_fill_data(struct probe *p, uint32_t btf_id);
void probe_cleanup(struct probe *p);
int map_read_contents(int fd, const struct bpf_map_info *info, int nr_cpus, struct buf *out,
		      uint64_t *count, struct err *e);
bool map_is_percpu(uint32_t type);

/* A map's contents as the writer stores them (capture/map_stream.c): d points into the
 * buffers, or at error. */
struct contents_out {
	struct buf chunk, list;
	struct map_data_rec d;
	char error[512];
};
/* Will this map's contents be read in chunks by the writer's thread (its entries could pass
 * one chunk)? */
bool map_contents_chunked(const struct probe *p, const struct bpf_map_info *info);
/* On the writer's thread: read the map's contents in batches, each chunk stored as it fills,
 * so memory holds about one chunk whatever the map's size. A kernel failure becomes the
 * contents' error (o->d.error); only a database failure is returned. */
int map_contents_stream(struct probe *p, int fd, const struct bpf_map_info *info,
			struct contents_out *o);
void contents_out_free(struct contents_out *o);

/* Read the fdinfo of fd, then take "key:" values from it. */
int fdinfo_load(struct fdinfo_reader *r, int fd);
int fdinfo_val(const struct fdinfo_reader *r, const char *key, uint64_t *val);
void fdinfo_close(struct fdinfo_reader *r);
#endif
