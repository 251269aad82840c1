/* A thread for a short job beside the main thread's, placed on another cpu from its start.
 *
 * Some kernels pack a new thread onto its creator's cpu, where it runs only once the creator
 * blocks: the guests bpfscope is measured on boot with sched_vcpu_pack (their vCPUs kept
 * idle), and there the iterators' thread of a live `prog show id N` started 1-2 ms late, when
 * the main thread waited for it: all of the overlap lost (docs/capture.md). So the thread is
 * created allowed only the other cpus and, once it runs on one, takes its creator's cpus back:
 * from then on the scheduler moves it as it would any thread. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include "lib/thread.h"

struct thread_start {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t cpus;		/* the creator's */
};

static void *thread_begin(void *arg)
{
	struct thread_start s = *(struct thread_start *)arg;

	free(arg);
	/* (refused: it stays on the cpus it was started on, a subset of the creator's) */
	sched_setaffinity(0, sizeof(s.cpus), &s.cpus);
	return s.fn(s.arg);
}

int thread_start_beside(pthread_t *th, void *(*fn)(void *), void *arg)
{
	struct thread_start *s;
	pthread_attr_t attr;
	cpu_set_t elsewhere;
	int cpu = sched_getcpu();

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return pthread_create(th, NULL, fn, arg);
	s = malloc(sizeof(*s));
	if (!s)
		return ENOMEM;
	s->fn = fn;
	s->arg = arg;
	/* one cpu, more cpus than a cpu_set_t holds (EINVAL), or the others refused: placed as
	 * pthread_create places it */
	if (sched_getaffinity(0, sizeof(s->cpus), &s->cpus))
		goto plain;
	elsewhere = s->cpus;
	CPU_CLR(cpu, &elsewhere);
	if (CPU_COUNT(&elsewhere) == 0 || pthread_attr_init(&attr))
		goto plain;
	if (pthread_attr_setaffinity_np(&attr, sizeof(elsewhere), &elsewhere)) {
		pthread_attr_destroy(&attr);
		goto plain;
	}
	/* (refused: the kernel took none of those cpus for the new thread, say) */
	if (!pthread_create(th, &attr, thread_begin, s)) {
		pthread_attr_destroy(&attr);
		return 0;
	}
	pthread_attr_destroy(&attr);
plain:
	free(s);
	return pthread_create(th, NULL, fn, arg);
}
