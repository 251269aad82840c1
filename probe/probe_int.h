/* Internal to probe/: the state of one snapshot being taken. */
#ifndef BPFSCOPE_PROBE_INT_H
#define BPFSCOPE_PROBE_INT_H
#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "db/db.h"
#include "lib/util.h"
#include "probe/snapshot.h"

struct fdinfo_reader {
	int fd;			/* /proc/self/fdinfo/N held open: pread re-reads whatever fd N is now */
	int target;		/* N */
	char buf[4096];
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
	struct prev_code *prev;		/* code hashes of an earlier snapshot of this boot */
	size_t nr_prev;
	struct err *e;
	struct stats_base *stats;	/* SNAP_STATS: counters before the interval */
	size_t nr_stats;
	struct bg_job *bg;		/* once-per-boot blobs read in the background */
	bool trace;
	uint64_t phase_t;
};

int probe_progs(struct probe *p);
int probe_maps(struct probe *p);
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
