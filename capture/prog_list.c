/* The program id walk, on a thread of its own from the snapshot's write lock on: listing
 * 5,000 ids is 5,000 BPF_PROG_GET_NEXT_ID calls, some 10 ms, which the walkers made after
 * the open spans were read (their programs wait for them). Here it runs beside that read and
 * beside bpfscope's own iterators, whose programs it may list: their ids (each run tells
 * its own, capture/iter.h) are taken out before the walkers see the list. Ids are not
 * reused while the kernel has ids left, so an id of ours names no other program. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "capture/capture_int.h"
#include "lib/thread.h"

static void *prog_list_main(void *arg)
{
	struct prog_list *l = arg;
	uint32_t id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 1024;
			uint32_t *v = realloc(l->ids, cap * sizeof(*v));

			if (!v) {
				l->err = ENOMEM;
				return NULL;
			}
			l->ids = v;
			l->cap = cap;
		}
		l->ids[l->n++] = id;
	}
	if (errno != ENOENT)
		l->err = errno;
	return NULL;
}

void prog_list_start(struct prog_list *l)
{
	memset(l, 0, sizeof(*l));
	l->started = !thread_start_beside(&l->th, prog_list_main, l);
}

size_t prog_ids_drop(uint32_t *ids, size_t n, const uint32_t *drop, size_t nr_drop)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		bool dropped = false;

		for (size_t k = 0; k < nr_drop && !dropped; k++)
			dropped = drop[k] && drop[k] == ids[i];
		if (!dropped)
			ids[m++] = ids[i];
	}
	return m;
}

int prog_list_take(struct prog_list *l, const uint32_t *own, size_t nr_own, size_t *nr_ours)
{
	size_t m;

	if (!l->started)
		return EAGAIN;
	pthread_join(l->th, NULL);
	l->started = false;
	if (l->err)
		return l->err;
	m = prog_ids_drop(l->ids, l->n, own, nr_own);
	*nr_ours = l->n - m;
	l->n = m;
	return 0;
}

void prog_list_free(struct prog_list *l)
{
	if (l->started)
		pthread_join(l->th, NULL);
	free(l->ids);
	memset(l, 0, sizeof(*l));
}
