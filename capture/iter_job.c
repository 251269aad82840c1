/* bpfscope's two iterators (capture/iter.h) in one thread from the snapshot's start: the
 * object read, the targets found and the BTF loaded once for both, beside the main thread's
 * database work; joined before the walkers list programs, which must not see ours. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "capture/capture_int.h"
#include "lib/thread.h"

/* A live view's rows come from the program iterator's records when there are this many
 * programs or more (capture/prog_fast.c): their rests cost the load 0.5 ms, and each program
 * told of saves the walk about 4 us. */
#define ITER_REST_MIN_PROGS 100

/* Are there at least n programs? (the ids' walk, stopped at n: 1 us each) */
static bool progs_at_least(unsigned n)
{
	uint32_t id = 0;

	while (n && !bpf_prog_get_next_id(id, &id))
		n--;
	return !n;
}

static void *iter_thread(void *arg)
{
	struct iter_job *j = arg;
	struct iter_kit *kit = NULL;
	struct err e = { 0 };
	uint64_t t0 = now_monotonic_ns(), t1, t2;
	int err;

	if ((j->want & ITER_WANT_PROG_REST) && !progs_at_least(ITER_REST_MIN_PROGS))
		j->want &= ~ITER_WANT_PROG_REST;
	err = iter_kit_open(j->want, &kit, &e);
	t1 = now_monotonic_ns();
	if (err) {	/* neither iterator runs: both say why */
		j->maps_err = j->owners_err = j->progs_err = err;
		j->maps_e = j->owners_e = j->progs_e = e;
		return NULL;
	}
	j->own_map = iter_kit_own_map(kit);
	/* the programs first: their iterator holds the kit's per-cpu map, which outlives it by
	 * an RCU grace period (iter_job_settle waits for what is left of it at the end). The
	 * map list last: the walkers, who take it, start only when all are done, and maps
	 * made after it are not in this snapshot. */
	if (j->want & ITER_WANT(ITER_PROGS))
		j->progs_err = iter_progs(kit, &j->progs, &j->nr_progs,
					  (j->want & ITER_WANT_PROG_REST) ? &j->rests : NULL,
					  &j->own_progs[0], &j->progs_e);
	iter_kit_drop_pcpu(kit);
	if (j->gated) {
		pthread_mutex_lock(&j->gate_mu);
		j->progs_at = now_monotonic_ns();
		while (!j->go)
			pthread_cond_wait(&j->gate_cv, &j->gate_mu);
		pthread_mutex_unlock(&j->gate_mu);
	}
	if (j->want & ITER_WANT(ITER_OWNERS))
		j->owners_err = iter_owners(kit, &j->o, &j->n, &j->own_progs[1], &j->owners_e);
	t2 = now_monotonic_ns();
	if (j->want & ITER_WANT(ITER_MAPS))
		j->maps_err = iter_scan(kit, &j->scan, &j->own_progs[2], &j->maps_e);
	iter_kit_close(kit);
	probe_trace(j->p, "iter thread: prepare %.2f ms, owners+progs %.2f ms (%zu progs%s%s), maps %.2f ms",
		    (t1 - t0) / 1e6, (t2 - t1) / 1e6, j->nr_progs, j->progs_err ? ": " : "",
		    j->progs_err ? j->progs_e.msg : "", (now_monotonic_ns() - t2) / 1e6);
	return NULL;
}

void iter_job_start(struct probe *p, struct iter_job *j, bool gated)
{
	j->p = p;
	if (p->mask & SNAP_OWNERS)
		j->want |= ITER_WANT(ITER_OWNERS);
	if (walk_wants_map_iter(p))
		j->want |= ITER_WANT(ITER_MAPS);
	/* the audit's view of programs: a history database's snapshots, and what asks; and
	 * each program's memlock for a live view of them all (a view of one reads its fdinfo) */
	if ((p->history || (p->mask & SNAP_VIEWS) || !p->opts->only_prog) && !p->opts->no_iter &&
	    !(p->mask & SNAP_NO_PROGS))
		j->want |= ITER_WANT(ITER_PROGS);
	if ((j->want & ITER_WANT(ITER_PROGS)) && progs_live_wanted(p))
		j->want |= ITER_WANT_PROG_REST;
	if (!j->want)
		return;
	if (!iter_have_btf()) {	/* the owners are left out, with this warning */
		if (j->want & ITER_WANT(ITER_OWNERS))
			snprintf(j->warn, sizeof(j->warn),
				 "no vmlinux BTF to find process owners with");
		j->want &= ~ITER_WANT(ITER_OWNERS);
		j->maps_err = err_set(&j->maps_e, ENOENT, "no vmlinux BTF");
		j->progs_err = err_set(&j->progs_e, ENOENT, "no vmlinux BTF");
		return;
	}
	if (gated) {
		j->gate_mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
		pthread_cond_init(&j->gate_cv, NULL);
	}
	j->gated = gated;
	j->started = !thread_start_beside(&j->th, iter_thread, j);
	if (!j->started) {
		j->gated = false;	/* (run here: nothing to wait for) */
		iter_thread(j);
	}
}

void iter_job_go(struct iter_job *j)
{
	if (!j->gated)
		return;
	pthread_mutex_lock(&j->gate_mu);
	/* (progs_at 0: the iterator still runs, after the lock) */
	if (!j->go && j->progs_at)
		j->progs_stale = now_monotonic_ns() - j->progs_at > ITER_PROGS_STALE_NS;
	j->go = true;
	pthread_cond_signal(&j->gate_cv);
	pthread_mutex_unlock(&j->gate_mu);
}

void iter_job_join(struct iter_job *j)
{
	uint64_t t0 = now_monotonic_ns();

	if (!j->started)
		return;
	iter_job_go(j);		/* (a gated job the snapshot gave up on before the lock) */
	pthread_join(j->th, NULL);
	j->started = false;
	/* (what the snapshot waited for them: the part of their time not hidden) */
	probe_trace(j->p, "iter wait    %8.2f ms", (now_monotonic_ns() - t0) / 1e6);
}

int iter_job_maps(struct iter_job *j, struct iter_scan *out, struct err *e)
{
	iter_job_join(j);
	memset(out, 0, sizeof(*out));
	if (!(j->want & ITER_WANT(ITER_MAPS)))
		return err_set(e, EINVAL, "the map iterator was not started");
	if (j->maps_err) {
		*e = j->maps_e;
		return j->maps_err;
	}
	*out = j->scan;
	memset(&j->scan, 0, sizeof(j->scan));
	return 0;
}

int iter_job_owners_store(struct probe *p, struct iter_job *j)
{
	int err = 0;

	iter_job_join(j);
	if (!(j->want & ITER_WANT(ITER_OWNERS)))
		return 0;
	if (j->owners_err) {
		snprintf(j->warn, sizeof(j->warn), "process owners not recorded: %.400s",
			 j->owners_e.msg);
		return 0;
	}
	for (size_t i = 0; !err && i < j->n; i++) {
		const struct iter_owner *o = &j->o[i];

		if (o->kind == 'p' && prog_gone_since_walk(p, o->id))
			continue;	/* (unloaded between the iterator and the walk) */
		if (o->kind <= 0xff)
			err = writer_owner(&p->w, (char)o->kind, o->id, o->pid, o->comm);
	}
	return err;
}

const struct iter_prog_rec *iter_job_progs(struct iter_job *j, size_t *n)
{
	iter_job_join(j);
	*n = 0;
	if (!(j->want & ITER_WANT(ITER_PROGS)) || j->progs_err || j->progs_stale)
		return NULL;
	*n = j->nr_progs;
	return j->progs;
}

const struct iter_prog_rec *iter_job_prog(const struct iter_job *j, uint32_t id)
{
	if (j->started || !(j->want & ITER_WANT(ITER_PROGS)) || j->progs_err)
		return NULL;
	return iter_prog_find(j->progs, j->nr_progs, id);
}

void iter_job_settle(struct iter_job *j)
{
	for (int i = 0; j->own_map && i < 50; i++) {
		uint32_t next = 0;

		if (bpf_map_get_next_id(j->own_map - 1, &next) || next != j->own_map)
			return;
		rcu_wait_step();
	}
}

bool iter_job_owners_ran(const struct iter_job *j)
{
	return !j->started && (j->want & ITER_WANT(ITER_OWNERS)) && !j->owners_err;
}

void iter_job_free(struct iter_job *j)
{
	iter_job_join(j);
	if (j->gated)
		pthread_cond_destroy(&j->gate_cv);
	j->gated = false;
	iter_scan_free(&j->scan);
	free(j->o);
	j->o = NULL;
	j->n = 0;
	free(j->progs);
	free(j->rests);
	j->progs = NULL;
	j->rests = NULL;
	j->nr_progs = 0;
}
