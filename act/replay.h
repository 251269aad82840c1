/* Replay: load an object as its sections say (pins, attachments, map contents from a
 * snapshot), or rebuild the pinned state of a stored snapshot from available objects.
 * Either all of it happens or nothing stays behind. */
#ifndef BPFSCOPE_REPLAY_H
#define BPFSCOPE_REPLAY_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"
#include "lib/err.h"

#define REPLAY_PIN_ROOT "/sys/fs/bpf/bpfscope/replay"

enum replay_status { RS_PLANNED, RS_RESTORED, RS_SKIPPED, RS_FAILED };

struct replay_row {
	char kind[8];		/* "prog", "map" */
	char name[64];
	char type[32];
	char tag[17];
	uint32_t old_id, new_id;	/* snapshot id (0: none), new kernel id (0: none) */
	enum replay_status status;
	char detail[1024];	/* what was done or is planned: pins, attach points, entries */
	char why[512];		/* skipped or failed: the reason */
};

struct replay_report {
	struct replay_row *rows;
	size_t n, cap;
	char pin_dir[4096];	/* object mode: where things were pinned */
};
void replay_report_free(struct replay_report *r);
const char *replay_status_name(enum replay_status s);

struct replay_obj_opts {
	const char *path;		/* the ELF object */
	const char *pin_dir;		/* NULL: REPLAY_PIN_ROOT/<object name> */
	bool autoattach;		/* attach as the sections say (libbpf) */
	const char *dev;		/* attach xdp and tc programs to this device */
	struct db *db;			/* with restore_snap: the database of the snapshot */
	int64_t restore_snap;		/* fill maps from this snapshot (0: don't) */
	bool dry_run;
};
/* Load path, pin maps (DIR/maps/NAME) and programs (DIR/progs/NAME), attach (links pinned
 * as DIR/links/NAME), restore map contents. */
int replay_object(const struct replay_obj_opts *o, struct replay_report *r, struct err *e);

struct replay_snap_opts {
	struct db *db;			/* the snapshot's database (its objects table too) */
	int64_t snap_id;
	const char *objects_dir;	/* ELF objects to consider besides the objects table */
	bool dry_run;
};
/* Rebuild the pinned state of a snapshot: programs and maps at their recorded pin paths,
 * pinned links and netlink attachments at their attach points, map contents. */
int replay_snapshot(const struct replay_snap_opts *o, struct replay_report *r, struct err *e);
#endif
