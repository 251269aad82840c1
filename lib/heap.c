/* Without it glibc spreads a run over many mappings, each touched page by page: a heap for
 * each thread that allocates, a mapping for each block over 128 KiB (SQLite's in-memory
 * database, kernel symbols, vmlinux BTF), and the first, unaligned 2 MiB of the main heap. A
 * first snapshot of 1,000 programs took 6,700 page faults; 600 this way (docs/capture.md). */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/heap.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define MAX_BLOCK (32 << 20)	/* glibc's largest mmap threshold (64-bit) */

void heap_prepare(size_t bytes)
{
	uintptr_t at, lo, hi, end;
	void *first;

	if (bytes > INT32_MAX)
		bytes = INT32_MAX;
	/* one arena; blocks up to 32 MiB from the heap; no trimming, which would hand back the
	 * advised range: the heap grown again is a mapping without the advice */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, MAX_BLOCK);
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	/* the heap's next growth reserves it all (brk: address space only) */
	mallopt(M_TOP_PAD, (int)bytes);
	first = malloc(1);
	mallopt(M_TOP_PAD, (int)HUGE_PAGE);
	if (!first)
		return;
	/* the bytes up to the first 2 MiB boundary go to a block never used or freed (never
	 * touched either: no memory), so the blocks after it start in huge pages */
	at = (uintptr_t)first + 64;
	lo = (at + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	end = (uintptr_t)sbrk(0);
	hi = end & ~(HUGE_PAGE - 1);
	/* only where the block is the heap's and the heap grew by it (another malloc, say a
	 * sanitizer's, has a heap of its own) */
	if (at < end && end - at >= bytes && end - at <= bytes + 2 * HUGE_PAGE && hi > lo &&
	    (lo - at <= 4096 || malloc(lo - at - 256)))
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	free(first);
}
