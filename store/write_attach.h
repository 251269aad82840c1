/* Writing a snapshot's attachments (struct attach_row, store/read_attach.h) and the spans
 * of the cgroups its walk visited. Capture calls these; it holds no SQL of its own. */
#ifndef BPFSCOPE_WRITE_ATTACH_H
#define BPFSCOPE_WRITE_ATTACH_H
#include "store/read_attach.h"
#include "store/span_set.h"

struct attach_writer {
	struct db *db;
	int64_t snap_id;
	sqlite3_stmt *ins;	/* prepared once per snapshot */
	uint32_t count;		/* rows written */
	int64_t *rows;		/* their attach_rows rows, in order */
	size_t cap;
	struct span_set spans, orders;	/* the open attachment spans and order span */
};

/* Reads the open attachment spans snapshot snap_id compares its rows against. */
int attach_writer_open(struct attach_writer *w, struct db *db, int64_t snap_id, struct err *e);
/* Writes r (its read-back fields are ignored): nothing when an open span has it as it is. */
int attach_write(struct attach_writer *w, const struct attach_row *r, struct err *e);
/* Writes the order of the rows written (when the snapshot captured attachments) and ends the
 * open spans this snapshot did not write (all of them when it captured none). */
int attach_writer_finish(struct attach_writer *w, bool captured, struct err *e);
void attach_writer_close(struct attach_writer *w);

/* A cgroup the walk visited: seq is its place in the walk. */
struct cgroup_seen {
	char *path;
	uint64_t ino;
};
/* The visited cgroups as spans (docs/schema.md): one found on the same inode keeps its open
 * span; the rest get new spans, and open spans not seen again end at the snapshot before
 * snap_id. Their order in the walk is a span of cgroup_orders. */
int cgroup_spans_store(struct db *db, int64_t snap_id, const struct cgroup_seen *seen, size_t n,
		       struct err *e);
#endif
