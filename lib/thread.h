/* Threads for short jobs beside the main thread, started on another cpu (lib/thread.c). */
#ifndef BPFSCOPE_THREAD_H
#define BPFSCOPE_THREAD_H

#include <pthread.h>

/* pthread_create(th, NULL, fn, arg), the new thread first placed on a cpu the caller is not
 * on (where the process may run on another), then allowed the caller's cpus again: 0 or an
 * errno. */
int thread_start_beside(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
