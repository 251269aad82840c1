/* The process's memory in transparent huge pages: a page first touched costs a fault, 10-15 us
 * for each 4 KiB page on the VMs bpfscope was measured on (their hypervisor keeps shadow page
 * tables), about 50 times less per byte in a 2 MiB page. */
#ifndef BPFSCOPE_HEAP_H
#define BPFSCOPE_HEAP_H
#include <stddef.h>

/* First thing in main, before any thread: every thread allocates from the main heap (one
 * arena), whose next bytes (address space, not memory) are reserved at once, aligned and
 * advised for huge pages (MADV_HUGEPAGE: the kernel gives them where it has them, else small
 * pages), and not given back before exit: a run's peak is its footprint. */
void heap_prepare(size_t bytes);
#endif
