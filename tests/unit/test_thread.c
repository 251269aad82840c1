/* Unit checks of lib/thread.c: a thread started beside its creator runs its function with its
 * argument, starts on another cpu where the process may run on two or more, and runs with its
 * creator's cpus from its first line; a creator confined to one cpu still gets its thread. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include "lib/thread.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

struct seen {
	int cpu;		/* where the function first ran */
	cpu_set_t cpus;		/* the cpus it may run on there */
	int arg;
};

static void *note_where(void *arg)
{
	struct seen *s = arg;

	s->cpu = sched_getcpu();
	if (sched_getaffinity(0, sizeof(s->cpus), &s->cpus))
		CPU_ZERO(&s->cpus);	/* (then unlike any creator's) */
	s->arg++;
	return s;
}

/* n threads, one at a time: how many first ran on another cpu than their creator was on */
static int starts_elsewhere(const cpu_set_t *mine, int n)
{
	int elsewhere = 0;

	for (int i = 0; i < n; i++) {
		struct seen s = { .cpu = -1, .arg = 41 };
		int here = sched_getcpu();
		pthread_t th;
		void *ret = NULL;

		if (thread_start_beside(&th, note_where, &s)) {
			CHECK(0, "thread %d not started", i);
			continue;
		}
		pthread_join(th, &ret);
		CHECK(ret == &s && s.arg == 42, "thread %d: its function, its argument", i);
		CHECK(CPU_EQUAL(&s.cpus, mine), "thread %d: runs with its creator's cpus", i);
		elsewhere += s.cpu >= 0 && s.cpu != here;
	}
	return elsewhere;
}

int main(void)
{
	cpu_set_t all, one;
	int cpu = sched_getcpu(), n;

	if (sched_getaffinity(0, sizeof(all), &all) || cpu < 0) {
		printf("FAIL: no affinity to start from\n");
		return 1;
	}
	if (CPU_COUNT(&all) >= 2) {
		/* (a migration of the creator between its look and the thread's start: rare) */
		n = starts_elsewhere(&all, 20);
		CHECK(n >= 17, "%d of 20 threads started on another cpu than their creator's", n);
	}
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one)) {
		printf("FAIL: can't confine to cpu %d\n", cpu);
		return 1;
	}
	n = starts_elsewhere(&one, 3);
	CHECK(n == 0, "confined to one cpu, %d of 3 threads ran elsewhere", n);
	sched_setaffinity(0, sizeof(all), &all);
	return failed ? 1 : 0;
}
