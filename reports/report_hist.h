/* A report's per-program history: each program of the reported snapshot followed back
 * through the database's earlier snapshots by identity (first seen, reloads, tag changes,
 * run-time counters), and its section drawn from that (a list of changes, SVG plots). */
#ifndef BPFSCOPE_REPORT_HIST_H
#define BPFSCOPE_REPORT_HIST_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "lib/err.h"
#include "lib/snap_objs.h"
#include "store/db.h"

/* Snapshots read back: each costs a whole read of its programs, and a page of a database
 * with years of snapshots must still be written in seconds. Older ones are not looked at. */
#define REPORT_HIST_MAX_SNAPS 100

struct report_hist_point {
	int64_t snap, taken_at_ns;
	uint32_t id;
	char tag[24];
	uint64_t run_cnt, run_time_ns;
};

struct report_hist_series {
	struct report_hist_point *v;	/* in snapshot order; snapshots without it have none */
	size_t n, cap;
};

struct report_hist {
	struct report_hist_series *progs;	/* one per program of the snapshot, same index */
	size_t n;
	int64_t first_snap;			/* the oldest snapshot read */
	size_t nsnaps;				/* how many were read */
	bool truncated;				/* older snapshots exist and were not read */
};

/* snaps[0..nsnaps) (ascending ids, up to and including the reported snapshot snap, whose
 * programs are s): programs are followed by diff's identity string, several of one
 * identity by load order. */
int report_hist_read(struct db *db, const int64_t *snaps, size_t nsnaps, int64_t snap,
		     const struct snap_objs *s, struct report_hist *h, struct err *e);
void report_hist_free(struct report_hist *h);

/* The program's history: first seen, each change of id or tag, the gaps; then run_cnt and
 * run_time_ns per snapshot as SVG plots when counters were captured (stats). */
void report_prog_history(FILE *f, const struct report_hist *h, size_t i);
#endif
