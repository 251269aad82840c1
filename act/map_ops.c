/* Map commands beyond element edits: create and pin, freeze, pop/dequeue, and reading a
 * perf event array's rings (map event_pipe), each through the syscall bpftool makes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf_names.h"
#include "act/load.h"
#include "act/map_ops.h"

/* pages per CPU ring, bpftool's size */
#define PIPE_PAGES 16

int map_type_by_name(const char *name)
{
	for (uint32_t t = 1; t < NAMES_MAX_MAP_TYPE; t++) {
		const char *s = map_type_name(t);

		if (s && !strcmp(s, name))
			return (int)t;
	}
	return -1;
}

int map_create_pin(const struct map_create_args *a, const char *path, struct err *e)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	int fd, err;

	o.map_flags = a->flags;
	o.map_ifindex = a->ifindex;
	if (a->inner_map_fd >= 0)
		o.inner_map_fd = a->inner_map_fd;
	fd = bpf_map_create(a->type, a->name, a->key_size, a->value_size, a->max_entries, &o);
	if (fd < 0) {
		err = errno;
		return err_set(e, err, "map create failed: %s", strerror(err));
	}
	err = pin_fd(fd, path, e);
	close(fd);	/* the pin holds the map now, or nothing does and it goes */
	return err;
}

int map_freeze_fd(int fd, struct err *e)
{
	int err;

	if (bpf_map_freeze(fd)) {
		err = errno;
		return err_set(e, err, "failed to freeze map: %s", strerror(err));
	}
	return 0;
}

int mapedit_pop(int fd, const struct mapedit_info *mi, void *key, void *value, struct err *e)
{
	int err;

	if (!bpf_map_lookup_and_delete_elem(fd, mi->key_size ? key : NULL, value))
		return 0;
	err = errno;
	if (err == ENOENT)
		return -ENOENT;
	return err_set(e, err, "pop failed: %s", strerror(err));
}

struct event_pipe {
	struct perf_buffer *pb;
	pipe_record_fn fn;
	void *arg;
	bool all_cpus;
	int cpu, index;
};

/* The ring's record: perf_event_header, then for a sample with PERF_SAMPLE_TIME |
 * PERF_SAMPLE_RAW the time, a u32 size and the bytes; sizes checked against the header's,
 * the ring is the kernel's but the size inside is the program's. */
static enum bpf_perf_event_ret on_record(void *p, int cpu, struct perf_event_header *h)
{
	struct event_pipe *ep = p;
	struct pipe_record r = { .type = h->type, .hdr_size = h->size, .cpu = cpu };
	const uint8_t *b = (const uint8_t *)h;

	r.index = ep->all_cpus ? cpu : ep->index;
	if (h->type == PERF_RECORD_SAMPLE) {
		uint32_t size;

		if (h->size < sizeof(*h) + 12)
			return LIBBPF_PERF_EVENT_CONT;
		memcpy(&r.time, b + sizeof(*h), 8);
		memcpy(&size, b + sizeof(*h) + 8, 4);
		if (size > h->size - sizeof(*h) - 12)
			size = h->size - sizeof(*h) - 12;
		r.data = b + sizeof(*h) + 12;
		r.size = size;
	} else if (h->type == PERF_RECORD_LOST) {
		if (h->size < sizeof(*h) + 16)
			return LIBBPF_PERF_EVENT_CONT;
		memcpy(&r.lost_id, b + sizeof(*h), 8);
		memcpy(&r.lost, b + sizeof(*h) + 8, 8);
	}
	ep->fn(ep->arg, &r);
	return LIBBPF_PERF_EVENT_CONT;
}

int event_pipe_open(int map_fd, int cpu, int index, pipe_record_fn fn, void *arg,
		    struct event_pipe **out, struct err *e)
{
	struct perf_event_attr attr = {
		.sample_type = PERF_SAMPLE_RAW | PERF_SAMPLE_TIME,
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_period = 1,
		.wakeup_events = 1,
	};
	LIBBPF_OPTS(perf_buffer_raw_opts, o);
	struct event_pipe *ep = calloc(1, sizeof(*ep));
	int err;

	if (!ep)
		return err_set(e, ENOMEM, "out of memory");
	ep->fn = fn;
	ep->arg = arg;
	ep->all_cpus = cpu < 0;
	ep->cpu = cpu < 0 ? 0 : cpu;
	ep->index = cpu < 0 ? 0 : index;
	o.cpu_cnt = ep->all_cpus ? 0 : 1;
	o.cpus = &ep->cpu;
	o.map_keys = &ep->index;
	ep->pb = perf_buffer__new_raw(map_fd, PIPE_PAGES, &attr, on_record, ep, &o);
	if (!ep->pb) {
		err = errno;
		free(ep);
		return err_set(e, err, "failed to create perf buffer: %s (%d)", strerror(err), err);
	}
	*out = ep;
	return 0;
}

int event_pipe_poll(struct event_pipe *ep, int timeout_ms, struct err *e)
{
	int err = perf_buffer__poll(ep->pb, timeout_ms);

	if (err < 0 && err != -EINTR)
		return err_set(e, -err, "perf buffer polling failed: %s (%d)", strerror(-err), -err);
	return 0;
}

void event_pipe_close(struct event_pipe *ep)
{
	if (!ep)
		return;
	perf_buffer__free(ep->pb);
	free(ep);
}
