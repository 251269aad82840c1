/* Programs and maps in a pipeline: two walker threads ask the kernel (fds, get-info, fdinfo,
 * map contents) and hand records over in batches; this thread writes them to SQLite. The
 * walkers share one cursor over the ids (next_chunk), so neither waits for the other: on
 * two cores the kernel's part is split in two and the database's part overlaps it. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "capture/capture_int.h"

struct rec_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct obj_rec *head, *tail;
	int running;		/* walkers not finished yet */
	bool stop;		/* the writer failed: walkers stop */
	/* the shared cursor: the last id handed out of each kind */
	pthread_mutex_t cmu;
	pthread_cond_t ready;	/* the open program spans are loaded: programs can be read */
	bool prev_ready;
	/* the map iterator path: the map ids to read, instead of every map id */
	const uint32_t *map_list;
	size_t nr_map_list, next_map_list;
	bool use_map_list;
	uint32_t prog_id, map_id;
	bool progs_done, maps_done;
	uint64_t maps_read;	/* for the progress line */
};

/* One walker thread: its own error, buffers and batch. */
struct walker {
	struct probe *p;
	struct rec_queue *q;
	int idx;
	pthread_t th;
	bool started;
	struct err err;
	struct walk_mem mem;
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

void walk_mem_free(struct walk_mem *m)
{
	fdinfo_close(&m->fdi);
	for (size_t i = 0; i < ARRAY_SIZE(m->scratch); i++)
		buf_free(&m->scratch[i]);
}

/* Ids are handed out in chunks: one lock for 32 get-next-id calls, not one each, so the
 * two walkers rarely wait for each other. */
#define WALK_CHUNK 32

struct chunk {
	uint32_t id[WALK_CHUNK];
	char kind[WALK_CHUNK];
	unsigned n, next;
};

/* Up to WALK_CHUNK more ids of one kind into c (under q->cmu). */
static int take_ids(struct rec_queue *q, struct chunk *c, char kind, struct err *e)
{
	bool *done = kind == 'p' ? &q->progs_done : &q->maps_done;
	uint32_t *cur = kind == 'p' ? &q->prog_id : &q->map_id;

	if (kind == 'm' && q->use_map_list) {
		while (!*done && c->n < WALK_CHUNK) {
			if (q->next_map_list == q->nr_map_list) {
				*done = true;
				break;
			}
			c->kind[c->n] = kind;
			c->id[c->n++] = q->map_list[q->next_map_list++];
		}
		return 0;
	}
	while (!*done && c->n < WALK_CHUNK) {
		int rc = kind == 'p' ? bpf_prog_get_next_id(*cur, cur) : bpf_map_get_next_id(*cur, cur);

		if (!rc) {
			c->kind[c->n] = kind;
			c->id[c->n++] = *cur;
		} else if (errno == ENOENT) {
			*done = true;
		} else {
			q->progs_done = q->maps_done = true;	/* the other walker stops too */
			return err_set(e, errno, "can't get next %s id after %u: %s",
				       kind == 'p' ? "program" : "map", *cur, strerror(errno));
		}
	}
	return 0;
}

/* Refill c: walker 0 starts on programs and walker 1 on maps (the kernel locks each list
 * on its own, so they rarely contend), then each helps with the other list. c->n == 0 when
 * both lists are done. */
static int next_chunk(struct rec_queue *q, struct chunk *c, int first, struct err *e)
{
	int err = 0;

	c->n = c->next = 0;
	pthread_mutex_lock(&q->cmu);
	for (;;) {
		/* programs wait for their open spans (which code is stored already); maps need
		 * nothing, so both walkers start on maps until then */
		if (q->prev_ready)
			err = take_ids(q, c, first ? 'm' : 'p', e);
		if (!err && !c->n)
			err = take_ids(q, c, 'm', e);
		if (!err && !c->n && q->prev_ready)
			err = take_ids(q, c, 'p', e);
		if (err || c->n || q->prev_ready || q->progs_done)
			break;
		pthread_cond_wait(&q->ready, &q->cmu);
	}
	pthread_mutex_unlock(&q->cmu);
	return err;
}

static void *walker_main(void *arg)
{
	struct walker *w = arg;
	struct probe *p = w->p;
	struct rec_queue *q = w->q;
	uint64_t t0 = now_monotonic_ns();
	struct chunk c = { .n = 0 };
	unsigned n = 0;
	int err = 0;

	for (;;) {
		struct obj_rec *r;
		uint32_t id;

		if (c.next == c.n && ((err = next_chunk(q, &c, w->idx, &w->err)) || !c.n))
			break;
		id = c.id[c.next];
		if (c.kind[c.next++] == 'p') {
			err = prog_walk_one(p, &w->mem, &w->err, id, &r);
		} else {
			err = map_walk_one(p, &w->mem, &w->err, id, &r);
			if (!err && (p->mask & SNAP_MAPS_DATA) && p->opts->progress) {
				pthread_mutex_lock(&q->cmu);
				p->opts->progress(p->opts->progress_arg, "map contents", ++q->maps_read, 0);
				pthread_mutex_unlock(&q->cmu);
			}
		}
		if (!err && r)
			err = emit(w, r);
		n++;
		if (err)
			break;
	}
	flush(w);
	if (p->trace)
		fprintf(stderr, "walker %d: %5u objects %8.2f ms\n", w->idx, n, (now_monotonic_ns() - t0) / 1e6);
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

/* The iterator path (probe/iter.h): the open map spans first, then one iterator read
 * decides which go on unchanged; the walkers get only the other map ids. An iterator that
 * fails leaves the maps to the full walk. */
static int iter_path(struct probe *p, struct rec_queue *q, uint32_t **todo, bool *loaded)
{
	struct iter_scan scan;
	struct err ie = { 0 };
	int err;

	if (p->mask & (SNAP_NO_MAPS | SNAP_MAPS_DATA))
		return 0;	/* (contents need every map's fd) */
	err = prev_maps_load(p);
	*loaded = true;
	if (err || !p->nr_prev_maps)
		return err;
	if (iter_scan(&scan, &ie)) {
		if (p->trace)
			fprintf(stderr, "iterator: %s (walking every map)\n", ie.msg);
		return 0;
	}
	err = maps_from_iter(p, &scan, todo, &q->nr_map_list);
	q->map_list = *todo;
	q->use_map_list = !err;
	if (p->trace)
		fprintf(stderr, "iterator: %zu maps, %zu to read %8.2f ms\n", scan.nr_maps,
			q->nr_map_list, (now_monotonic_ns() - p->phase_t) / 1e6);
	iter_scan_free(&scan);
	return err;
}

int probe_progs_maps(struct probe *p, const struct walk_hooks *h)
{
	struct rec_queue q = { .mu = PTHREAD_MUTEX_INITIALIZER, .cmu = PTHREAD_MUTEX_INITIALIZER };
	struct walker w[2] = { { .p = p, .q = &q, .idx = 0 }, { .p = p, .q = &q, .idx = 1 } };
	int64_t offset = boot_offset_now();
	uint32_t *todo = NULL;	/* the map iterator's list */
	bool maps_loaded = false;
	struct obj_rec *batch;
	int err = 0;

	if (!(p->mask & SNAP_NO_PROGS))
		err = prog_stmts(p);
	if (!err && !(p->mask & SNAP_NO_MAPS))
		err = map_stmts(p);
	if (!err && p->history && !getenv("BPFSCOPE_NO_ITER")) {
		err = iter_path(p, &q, &todo, &maps_loaded);
	}
	if (err) {
		free(todo);
		return err;
	}
	pthread_cond_init(&q.cv, NULL);
	pthread_cond_init(&q.ready, NULL);
	q.progs_done = p->mask & SNAP_NO_PROGS;
	q.maps_done = p->mask & SNAP_NO_MAPS;
	if (h && h->before)
		h->before(p, h->arg);
	for (int i = 0; i < 2; i++) {
		w[i].mem.fdi.fd = -1;
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
	/* while the walkers work: the open spans, then what else can overlap */
	if (!err && !(p->mask & SNAP_NO_PROGS))
		err = prev_code_load(p);
	pthread_mutex_lock(&q.cmu);
	q.prev_ready = true;
	if (err)
		q.progs_done = q.maps_done = true;
	pthread_cond_broadcast(&q.ready);
	pthread_mutex_unlock(&q.cmu);
	if (!err && !maps_loaded && !(p->mask & SNAP_NO_MAPS))
		err = prev_maps_load(p);
	if (!err && h && h->meanwhile)
		h->meanwhile(p, h->arg);
	if (err) {
		pthread_mutex_lock(&q.mu);
		q.stop = true;
		pthread_mutex_unlock(&q.mu);
	}
	if (p->trace)
		fprintf(stderr, "open spans   %8.2f ms\n", (now_monotonic_ns() - p->phase_t) / 1e6);
	while ((batch = take_batch(&q))) {
		while (batch) {
			struct obj_rec *r = batch;

			batch = r->next;
			if (!err) {
				if (r->kind == 'p') {
					att_seen_prog(&p->att, r->info.prog.type);
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
		p->res->vanished += w[i].mem.vanished;
		walk_mem_free(&w[i].mem);
	}
	if (p->trace)
		fprintf(stderr, "walked       %8.2f ms\n", (now_monotonic_ns() - p->phase_t) / 1e6);
	/* what this snapshot did not see is gone: its spans end */
	if (!err && !(p->mask & SNAP_NO_PROGS))
		err = progs_close_unseen(p);
	if (!err && !(p->mask & SNAP_NO_MAPS))
		err = maps_close_unseen(p);
	pthread_cond_destroy(&q.cv);
	pthread_cond_destroy(&q.ready);
	pthread_mutex_destroy(&q.mu);
	pthread_mutex_destroy(&q.cmu);
	free(todo);
	return err;
}
