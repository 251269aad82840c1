/* Programs and maps in a pipeline: two walker threads ask the kernel (fds, get-info, fdinfo,
 * map contents) and hand records over in batches; this thread writes them to SQLite. The
 * walkers share one cursor over the ids (next_chunk), so neither waits for the other: on
 * two cores the kernel's part is split in two and the database's part overlaps it. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "analyze/jited.h"
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
	/* the program ids listed from the write lock on (capture/prog_list.c), when listed */
	const uint32_t *prog_list;
	size_t nr_prog_list, next_prog_list;
	bool use_prog_list;
	uint32_t prog_id, map_id;
	/* a live view's programs written from the iterator's records (prog_fast.c): the
	 * walkers pass over these ids (sorted) */
	const uint32_t *told_ids;
	size_t nr_told;
	uint32_t own_map;	/* the iterators' map (capture/iter_load.c): not walked */
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
	struct obj_rec *unchanged;	/* kind 'P': the indices gathered so far */
};

/* handing records over one at a time would cost a wakeup each */
#define WALK_BATCH 128

void rec_free(struct obj_rec *r)
{
	if (r->contents_later)
		close(r->contents_fd);
	buf_free(&r->data);
	buf_free(&r->calls_jited);
	buf_free(&r->calls_xlated);
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

/* Unchanged programs go to the writer as indices, WALK_BATCH_UNCHANGED to a record: a
 * record each would cost an allocation of a page's size where the work is a lookup. */
#define WALK_BATCH_UNCHANGED 512

static int unchanged_add(struct walker *w, uint32_t i)
{
	struct obj_rec *r = w->unchanged;
	int err;

	if (!r) {
		r = w->unchanged = calloc(1, sizeof(*r));
		if (!r)
			return err_set(&w->err, ENOMEM, "out of memory");
		r->kind = 'P';
	}
	if (buf_append(&r->data, &i, sizeof(i)))
		return err_set(&w->err, ENOMEM, "out of memory");
	if (r->data.len < WALK_BATCH_UNCHANGED * sizeof(i))
		return 0;
	w->unchanged = NULL;
	err = emit(w, r);
	return err ?: flush(w);
}

void walk_mem_free(struct walk_mem *m)
{
	fdinfo_close(&m->fdi);
	for (size_t i = 0; i < ARRAY_SIZE(m->scratch); i++)
		buf_free(&m->scratch[i]);
	buf_free(&m->vanished_map_ids);
	jited_scanner_close(m->scanner);
	m->scanner = NULL;
	blob_packer_free(&m->packer);
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

	if ((kind == 'm' && q->use_map_list) || (kind == 'p' && q->use_prog_list)) {
		const uint32_t *list = kind == 'm' ? q->map_list : q->prog_list;
		size_t nr = kind == 'm' ? q->nr_map_list : q->nr_prog_list;
		size_t *next = kind == 'm' ? &q->next_map_list : &q->next_prog_list;

		while (!*done && c->n < WALK_CHUNK) {
			if (*next == nr) {
				*done = true;
				break;
			}
			c->kind[c->n] = kind;
			c->id[c->n++] = list[(*next)++];
		}
		return 0;
	}
	while (!*done && c->n < WALK_CHUNK) {
		int rc = kind == 'p' ? bpf_prog_get_next_id(*cur, cur) : bpf_map_get_next_id(*cur, cur);

		if (!rc) {
			if (kind == 'm' && *cur == q->own_map && q->own_map)
				continue;
			if (kind == 'p' && q->nr_told &&
			    bsearch(cur, q->told_ids, q->nr_told, sizeof(*cur), span_id_cmp))
				continue;	/* (written from its iterator record) */
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
		r = NULL;
		if (c.kind[c.next++] == 'p') {
			long i = prog_fast_index(p, id);

			err = i >= 0 ? unchanged_add(w, i) : prog_walk_one(p, &w->mem, &w->err, id, &r);
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
	if (w->unchanged) {
		if (err)
			rec_free(w->unchanged);
		else
			emit(w, w->unchanged);
		w->unchanged = NULL;
	}
	flush(w);
	probe_trace(p, "walker %d: %5u objects %8.2f ms", w->idx, n, (now_monotonic_ns() - t0) / 1e6);
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

/* The programs and maps part of one snapshot, from walk_prepare to walk_finish. */
struct walk {
	struct rec_queue q;
	struct walker w[2];
	int64_t offset;		/* realtime - boottime: load times to wall clock */
	uint32_t *todo;		/* the map iterator's list */
	uint32_t *told_idx, *told_ids;	/* a live view's programs the iterator told of */
	size_t nr_told;
	bool maps_loaded;	/* the open map spans are read */
	bool code_loaded;	/* the open program spans are read */
	bool started;		/* the queue's conditions are initialized */
	int err;		/* walk_start's: walk_finish then only drains */
	struct buf maps_seen;	/* u32 ids of the maps written */
	struct buf map_refs;	/* u32 ids of the maps the programs written use */
};

bool walk_wants_map_iter(const struct probe *p)
{
	/* (contents need every map's fd) */
	return p->history && !p->opts->no_iter && !(p->mask & (SNAP_NO_MAPS | SNAP_MAPS_DATA));
}

/* The iterator path (capture/iter.h): the open map spans first, then the iterator's read
 * (run from the snapshot's start, capture/iter_job.c) decides which go on unchanged; the
 * walkers get only the other map ids (a database's first snapshot: every id the iterator
 * listed, where the walkers would list them again, one BPF_MAP_GET_NEXT_ID each). An
 * iterator that fails leaves the maps to the full walk. */
static int iter_path(struct probe *p, struct walk *wk)
{
	struct rec_queue *q = &wk->q;
	struct iter_scan scan;
	struct err ie = { 0 };
	int err;

	err = prev_maps_load(p);
	wk->maps_loaded = true;
	if (err)
		return err;
	if (iter_job_maps(p->iter, &scan, &ie)) {
		probe_trace(p, "iterator: %s (walking every map)", ie.msg);
		return 0;
	}
	err = maps_from_iter(p, &scan, &wk->todo, &q->nr_map_list);
	q->map_list = wk->todo;
	q->use_map_list = !err;
	probe_trace(p, "iterator: %zu maps, %zu to read %8.2f ms", scan.nr_maps, q->nr_map_list,
		    (now_monotonic_ns() - p->phase_t) / 1e6);
	iter_scan_free(&scan);
	return err;
}

int walk_prepare(struct probe *p, struct walk **out)
{
	struct walk *wk = calloc(1, sizeof(*wk));
	int err = 0;

	*out = wk;
	if (!wk)
		return err_set(p->e, ENOMEM, "out of memory");
	wk->q.mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	wk->q.cmu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	for (int i = 0; i < 2; i++)
		wk->w[i] = (struct walker){ .p = p, .q = &wk->q, .idx = i, .mem.fdi.fd = -1 };
	wk->offset = boot_offset_now();
	p->boot_hash = hash64(HASH64_INIT, p->boot_id, strlen(p->boot_id));
	if (!(p->mask & SNAP_NO_PROGS))
		err = writer_progs_prepare(&p->w);
	if (!err && !(p->mask & SNAP_NO_MAPS))
		err = writer_maps_prepare(&p->w);
	/* while the iterators' thread works (joined before the walkers start, who would
	 * otherwise wait for them): the open program spans */
	if (!err && p->iter && p->iter->started && !(p->mask & SNAP_NO_PROGS)) {
		err = prev_code_load(p);
		wk->code_loaded = true;
	}
	if (!err && walk_wants_map_iter(p))
		err = iter_path(p, wk);
	return err;
}

static void queue_stop(struct rec_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_mutex_unlock(&q->mu);
}

int walk_start(struct probe *p, struct walk *wk)
{
	struct rec_queue *q = &wk->q;
	int err = 0;

	pthread_cond_init(&q->cv, NULL);
	pthread_cond_init(&q->ready, NULL);
	wk->started = true;
	q->progs_done = p->mask & SNAP_NO_PROGS;
	q->maps_done = p->mask & SNAP_NO_MAPS;
	q->own_map = p->iter ? p->iter->own_map : 0;
	for (int i = 0; i < 2; i++) {
		struct walker *w = &wk->w[i];

		pthread_mutex_lock(&q->mu);
		q->running++;
		pthread_mutex_unlock(&q->mu);
		w->started = !pthread_create(&w->th, NULL, walker_main, w);
		if (!w->started) {
			pthread_mutex_lock(&q->mu);
			q->running--;
			q->stop = true;
			pthread_mutex_unlock(&q->mu);
			err = err_set(p->e, EAGAIN, "can't start a walker thread");
			break;
		}
	}
	/* while the walkers work: the open spans, unless read while the iterators ran */
	if (!err && !(p->mask & SNAP_NO_PROGS) && !wk->code_loaded)
		err = prev_code_load(p);
	/* (the walkers read programs only from here on) */
	if (!err && walk_wants_prog_iter(p))
		err = progs_from_iter(p, q->use_map_list);
	if (!err && !(p->mask & SNAP_NO_PROGS) && !p->history) {
		err = progs_live_select(p, &wk->told_idx, &wk->told_ids, &wk->nr_told);
		q->told_ids = wk->told_ids;
		q->nr_told = wk->nr_told;
	}
	/* (iter_job_join was before walk_start: the ids of our iterator programs are known) */
	if (!err && p->prog_list && p->iter) {
		size_t ours = 0;

		if (!prog_list_take(p->prog_list, p->iter->own_progs,
				    ARRAY_SIZE(p->iter->own_progs), &ours)) {
			q->prog_list = p->prog_list->ids;
			q->nr_prog_list = p->prog_list->n;
			q->use_prog_list = true;
			probe_trace(p, "program ids listed: %zu (and %zu of ours)", q->nr_prog_list,
				    ours);
		}
	}
	pthread_mutex_lock(&q->cmu);
	q->prev_ready = true;
	if (err)
		q->progs_done = q->maps_done = true;
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->cmu);
	if (!err && !wk->maps_loaded && !(p->mask & SNAP_NO_MAPS))
		err = prev_maps_load(p);
	if (err)
		queue_stop(q);
	wk->err = err;
	probe_trace(p, "open spans   %8.2f ms", (now_monotonic_ns() - p->phase_t) / 1e6);
	return err;
}

/* Write the records queued so far; after an error only drain them. */
static int write_batch(struct probe *p, struct walk *wk, struct obj_rec *batch, int err)
{
	while (batch) {
		struct obj_rec *r = batch;

		batch = r->next;
		if (!err) {
			if (r->kind == 'P') {	/* unchanged: their counters (no map to vouch for) */
				const uint32_t *v = (const uint32_t *)r->data.data;

				for (size_t i = 0; !err && i < r->data.len / sizeof(*v); i++)
					err = prog_write_unchanged(p, v[i]);
			} else if (r->kind == 'p') {
				size_t n;
				const void *ids = prog_rec_map_ids(r, &n);

				att_seen_prog(&p->att, r->info.prog.type);
				err = walked_add(p, r->info.prog.id) ?: prog_write(p, r, wk->offset);
				p->res->nr_progs += !err;
				if (!err && buf_append(&wk->map_refs, ids, n * sizeof(uint32_t)))
					err = err_set(p->e, ENOMEM, "out of memory");
			} else {
				err = map_write(p, r);
				p->res->nr_maps += !err;
				if (!err && buf_append(&wk->maps_seen, &r->info.map.id, sizeof(uint32_t)))
					err = err_set(p->e, ENOMEM, "out of memory");
			}
			if (err)	/* tell the walkers to stop; drain what they sent */
				queue_stop(&wk->q);
		}
		rec_free(r);
	}
	return err;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void ids_sort(struct buf *b)
{
	if (b->len >= 2 * sizeof(uint32_t))
		qsort(b->data, b->len / sizeof(uint32_t), sizeof(uint32_t), u32_cmp);
}

static bool ids_has(const struct buf *b, uint32_t id)
{
	return b->len && bsearch(&id, b->data, b->len / sizeof(uint32_t), sizeof(uint32_t), u32_cmp);
}

/* Programs and maps are walked side by side: a map made after the map walk passed its id,
 * with a program the program walk then found, is not in the snapshot. Each such map a
 * written program uses is read now; one gone since counts as vanished (once: not if a
 * walker counted it already). So every map id of a program is in the snapshot or counted
 * vanished. */
static int walk_dangling(struct probe *p, struct walk *wk)
{
	struct walk_mem mem = { .fdi.fd = -1 };
	struct buf gone = { 0 };
	const uint32_t *refs;
	size_t n, late = 0;
	int err = 0;

	for (int i = 0; i < 2 && !err; i++)
		if (buf_append(&gone, wk->w[i].mem.vanished_map_ids.data,
			       wk->w[i].mem.vanished_map_ids.len))
			err = err_set(p->e, ENOMEM, "out of memory");
	ids_sort(&gone);
	ids_sort(&wk->maps_seen);
	ids_sort(&wk->map_refs);
	refs = (const uint32_t *)wk->map_refs.data;
	n = wk->map_refs.len / sizeof(uint32_t);
	for (size_t i = 0; i < n && !err; i++) {
		const struct open_map *prev;
		struct obj_rec *r;

		if ((i && refs[i] == refs[i - 1]) || ids_has(&wk->maps_seen, refs[i]) ||
		    ids_has(&gone, refs[i]))
			continue;
		/* (a map the iterator found unchanged keeps its span unwalked: seen) */
		prev = p->nr_prev_maps ? bsearch(&refs[i], p->prev_maps, p->nr_prev_maps,
						 sizeof(*prev), span_id_cmp) : NULL;
		if (prev && prev->seen)
			continue;
		err = map_walk_one(p, &mem, p->e, refs[i], &r);
		if (err || !r)
			continue;
		err = map_write(p, r);
		p->res->nr_maps += !err;
		late += !err;
		rec_free(r);
	}
	p->res->vanished_maps += mem.vanished_maps;
	probe_trace(p, "late maps    %zu read, %u gone", late, mem.vanished_maps);
	walk_mem_free(&mem);
	buf_free(&gone);
	return err;
}

/* A live view's programs the iterator told all of, written while the walkers open the
 * others (and the maps). */
static int write_told(struct probe *p, struct walk *wk)
{
	struct obj_rec told = { .kind = 'p' };
	int err = 0;

	for (size_t i = 0; i < wk->nr_told && !err; i++) {
		const uint32_t *ids;
		uint32_t n;

		err = prog_write_live(p, wk->told_idx[i], &told, wk->offset, &ids, &n);
		if (!err && buf_append(&wk->map_refs, ids, n * sizeof(uint32_t)))
			err = err_set(p->e, ENOMEM, "out of memory");
	}
	buf_free(&told.data);
	if (err)
		queue_stop(&wk->q);
	return err;
}

int walk_finish(struct probe *p, struct walk *wk)
{
	struct obj_rec *batch;
	int err = wk->err;

	if (!err)
		err = write_told(p, wk);
	while ((batch = take_batch(&wk->q)))
		err = write_batch(p, wk, batch, err);
	for (int i = 0; i < 2; i++) {
		struct walker *w = &wk->w[i];

		if (w->started)
			pthread_join(w->th, NULL);
		w->started = false;
		if (!err && w->err.code) {
			*p->e = w->err;
			err = -w->err.code;
		}
		p->res->vanished_progs += w->mem.vanished_progs;
		p->res->vanished_maps += w->mem.vanished_maps;
	}
	probe_trace(p, "walked       %8.2f ms", (now_monotonic_ns() - p->phase_t) / 1e6);
	if (!err && !(p->mask & (SNAP_NO_PROGS | SNAP_NO_MAPS)))
		err = walk_dangling(p, wk);
	/* what this snapshot did not see is gone: its spans end */
	if (!err && !(p->mask & SNAP_NO_PROGS))
		err = progs_close_unseen(p);
	if (!err && !(p->mask & SNAP_NO_MAPS))
		err = maps_close_unseen(p);
	return err;
}

void walk_free(struct walk *wk)
{
	if (!wk)
		return;
	for (int i = 0; i < 2; i++) {
		if (wk->w[i].started)
			pthread_join(wk->w[i].th, NULL);
		walk_mem_free(&wk->w[i].mem);
	}
	if (wk->started) {
		pthread_cond_destroy(&wk->q.cv);
		pthread_cond_destroy(&wk->q.ready);
	}
	pthread_mutex_destroy(&wk->q.mu);
	pthread_mutex_destroy(&wk->q.cmu);
	free(wk->todo);
	free(wk->told_idx);
	free(wk->told_ids);
	buf_free(&wk->maps_seen);
	buf_free(&wk->map_refs);
	free(wk);
}
