/* Pins: bpffs walked in a background thread while the probe walks programs and maps. */
#ifndef BPFSCOPE_PINS_H
#define BPFSCOPE_PINS_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/writer.h"	/* struct pin_row */

struct probe;

struct pins_job {
	char root[512];
	pthread_t th;
	bool started, unmounted, load_failed;
	bool single;		/* pins_one: that pin, no walk */
	int err;
	struct pin_row *recs;	/* the pins walked (row 0) */
	size_t n, cap;
	uint32_t sizes[8];	/* info sizes seen, and the kind each one means */
	char kinds[8];
	int nr_sizes;
	struct pin_row *prev;	/* the open pin spans, sorted by path */
	size_t nr_prev;
	size_t reused;
};

/* Start the walk; p gives the database and boot whose last snapshot's pins can be reused
 * (a path still on the same inode holds the same object). */
int pins_start(struct probe *p, struct pins_job *j, const char *root);
/* Instead of the walk: the one pin at path (a live view of the program a pinned selector
 * names), recorded as the walk would have, when it lies under root. */
int pins_one(struct probe *p, struct pins_job *j, const char *root, const char *path);
/* Join the walk and insert its rows; 1 when bpffs is not mounted there. */
int pins_finish(struct probe *p, struct pins_job *j);
void pins_free(struct pins_job *j);
#endif
