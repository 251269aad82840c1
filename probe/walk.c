/* Programs and maps in a pipeline: two walker threads ask the kernel (ids, fds, get-info,
 * fdinfo, map contents), one for programs and one for maps, and hand records over in
 * batches; this thread writes them to SQLite. On two cores the kernel's part and the
 * database's part overlap instead of adding up. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/probe_int.h"

struct rec_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct obj_rec *head, *tail;
	int running;		/* walkers not finished yet */
	bool stop;		/* the writer failed: walkers stop */
};

/* One walker thread: its own error, fdinfo reader and batch. */
struct walker {
	struct probe *p;
	struct rec_queue *q;
	bool maps;
	pthread_t th;
	bool started;
	struct err err;
	struct fdinfo_reader fdi;
	struct obj_rec *bhead, *btail;
	unsigned bn;
};

/* handing records over one at a time would cost a wakeup each */
#define WALK_BATCH 128

void rec_free(struct obj_rec *r)
{
	buf_free(&r->data);
	free(r);
}

static void free_list(struct obj_rec *r)
{
	while (r) {
		struct obj_rec *next = r->next;

		rec_free(r);
		r = next;
	}
}

/* Walker side: publish the batch to the writer. */
static int flush(struct walker *w)
{
	struct rec_queue *q = w->q;
	bool stop;

	if (!w->bhead)
		return 0;
	pthread_mutex_lock(&q->mu);
	stop = q->stop;
	if (!stop) {
		if (q->tail)
			q->tail->next = w->bhead;
		else
			q->head = w->bhead;
		q->tail = w->btail;
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	if (stop)
		free_list(w->bhead);
	w->bhead = w->btail = NULL;
	w->bn = 0;
	return stop ? -ECANCELED : 0;
}

/* Walker side: add a record to the batch; fails when the writer gave up. */
static int emit(void *ctx, struct obj_rec *r)
{
	struct walker *w = ctx;

	r->next = NULL;
	if (w->btail)
		w->btail->next = r;
	else
		w->bhead = r;
	w->btail = r;
	return ++w->bn >= WALK_BATCH ? flush(w) : 0;
}

static void *walker_main(void *arg)
{
	struct walker *w = arg;
	struct probe *p = w->p;
	uint64_t t0 = now_monotonic_ns();

	if (w->maps)
		map_walk(p, &w->err, &w->fdi, emit, w);
	else
		prog_walk(p, &w->err, emit, w);
	flush(w);
	if (p->trace)
		fprintf(stderr, "%s walker      %8.2f ms\n", w->maps ? "map " : "prog",
			(now_monotonic_ns() - t0) / 1e6);
	pthread_mutex_lock(&w->q->mu);
	w->q->running--;
	pthread_cond_signal(&w->q->cv);
	pthread_mutex_unlock(&w->q->mu);
	return NULL;
}

/* Writer side: take everything queued so far, or NULL when every walker is done. */
static struct obj_rec *take_batch(struct rec_queue *q)
{
	struct obj_rec *batch;

	pthread_mutex_lock(&q->mu);
	while (!q->head && q->running)
		pthread_cond_wait(&q->cv, &q->mu);
	batch = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return batch;
}

int probe_progs_maps(struct probe *p)
{
	struct rec_queue q = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct walker w[2] = { { .p = p, .q = &q, .maps = false }, { .p = p, .q = &q, .maps = true } };
	int64_t offset = boot_offset_now();
	struct obj_rec *batch;
	int err = 0;

	if (!(p->mask & SNAP_NO_PROGS)) {
		err = prog_stmts(p);
		if (!err)
			err = prev_code_load(p);
	}
	if (!err && !(p->mask & SNAP_NO_MAPS))
		err = map_stmts(p);
	if (err)
		return err;
	pthread_cond_init(&q.cv, NULL);
	w[1].fdi.fd = -1;
	for (int i = 0; i < 2; i++) {
		if (i == 0 && (p->mask & SNAP_NO_PROGS))
			continue;
		if (i == 1 && (p->mask & SNAP_NO_MAPS))
			continue;
		pthread_mutex_lock(&q.mu);
		q.running++;
		pthread_mutex_unlock(&q.mu);
		w[i].started = !pthread_create(&w[i].th, NULL, walker_main, &w[i]);
		if (!w[i].started) {
			pthread_mutex_lock(&q.mu);
			q.running--;
			q.stop = true;
			pthread_mutex_unlock(&q.mu);
			err = err_set(p->e, EAGAIN, "can't start a walker thread");
			break;
		}
	}
	while ((batch = take_batch(&q))) {
		while (batch) {
			struct obj_rec *r = batch;

			batch = r->next;
			if (!err) {
				if (r->kind == 'p') {
					err = prog_write(p, r, offset);
					p->res->nr_progs += !err;
				} else {
					err = map_write(p, r);
					p->res->nr_maps += !err;
				}
				if (err) {	/* tell the walkers to stop; drain what they sent */
					pthread_mutex_lock(&q.mu);
					q.stop = true;
					pthread_mutex_unlock(&q.mu);
				}
			}
			rec_free(r);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (w[i].started)
			pthread_join(w[i].th, NULL);
		if (!err && w[i].err.code) {
			*p->e = w[i].err;
			err = -w[i].err.code;
		}
	}
	fdinfo_close(&w[1].fdi);
	pthread_cond_destroy(&q.cv);
	pthread_mutex_destroy(&q.mu);
	return err;
}
