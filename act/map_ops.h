/* Map commands beyond element edits: create (and pin), freeze, pop/dequeue, and the
 * perf event array reader of map event_pipe; each is one change to the live kernel. */
#ifndef BPFSCOPE_MAP_OPS_H
#define BPFSCOPE_MAP_OPS_H
#include <stdbool.h>
#include <stdint.h>
#include "act/map_edit.h"
#include "lib/err.h"

/* A map type by bpftool's name ("hash", "queue", ...); -1 when none has it. */
int map_type_by_name(const char *name);

struct map_create_args {
	uint32_t type, key_size, value_size, max_entries, flags;
	const char *name;
	int inner_map_fd;	/* -1: none */
	uint32_t ifindex;	/* 0: no offload */
};
/* Create the map and pin it at path; nothing stays on failure. e names the step that
 * failed in bpftool's words ("map create failed: ..."). */
int map_create_pin(const struct map_create_args *a, const char *path, struct err *e);
int map_freeze_fd(int fd, struct err *e);
/* BPF_MAP_LOOKUP_AND_DELETE_ELEM (queue/stack pop); -ENOENT: the map is empty. */
int mapedit_pop(int fd, const struct mapedit_info *mi, void *key, void *value, struct err *e);

/* One record of a perf event array's ring, as the kernel wrote it: a sample (data),
 * a count of lost samples, or another type we only name. */
struct pipe_record {
	uint32_t type;		/* PERF_RECORD_* */
	uint32_t hdr_size;
	int cpu, index;
	uint64_t time;		/* sample: ns since boot */
	const uint8_t *data;	/* sample: size bytes, inside the ring's record */
	uint32_t size;
	uint64_t lost_id, lost;	/* PERF_RECORD_LOST */
};
typedef void (*pipe_record_fn)(void *arg, const struct pipe_record *r);
struct event_pipe;
/* Open a BPF-output perf event per CPU (cpu < 0), or on cpu at slot index only, and put
 * their fds in the map's slots; fn sees every record. */
int event_pipe_open(int map_fd, int cpu, int index, pipe_record_fn fn, void *arg,
		    struct event_pipe **ep, struct err *e);
/* Wait up to timeout_ms and hand over what came; EINTR is not an error. */
int event_pipe_poll(struct event_pipe *ep, int timeout_ms, struct err *e);
void event_pipe_close(struct event_pipe *ep);
#endif
