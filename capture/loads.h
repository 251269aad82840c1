/* The loads recorder: every BPF program, map and link created on the machine while it is
 * open, with its code, owner and time, even when it is gone a moment later (capture/loads.c,
 * its tracepoint program capture/loads.bpf.c). */
#ifndef BPFSCOPE_LOADS_H
#define BPFSCOPE_LOADS_H
#include <stdint.h>
#include "lib/err.h"
#include "lib/load_event.h"

struct loads;

/* What the recorder counted since it was opened. */
struct loads_stats {
	uint64_t seen;		/* successful creating calls the tracepoint saw */
	uint64_t lost;		/* records the ring had no room for at all */
	uint64_t no_obj;	/* calls whose new fd held no object of the kind (raced away) */
	uint64_t events;	/* records handed to the caller */
	uint64_t alive;		/* programs still there when the recorder opened them by id */
	uint64_t code_same;	/* ... whose kernel dump and tracepoint copy agreed */
	uint64_t code_different;	/* ... and did not (the dump is kept) */
	uint64_t bad;		/* malformed records (never, unless the two sides disagree) */
};

/* Load the tracepoint program and attach it to syscalls/sys_enter_bpf and sys_exit_bpf, for
 * as long as the recorder stays open (never pinned). The calling process's own bpf() calls
 * are not recorded. Needs root (CAP_BPF, CAP_PERFMON, and CAP_SYS_ADMIN to open programs by
 * id), tracefs (env_check ENV_PRIV | ENV_TRACEFS), Linux 5.19 (ring buffer dynptrs). */
int loads_open(struct loads **out, struct err *e);
/* Wait up to timeout_ms (0: do not wait, -1: forever) for objects made, and hand each to fn
 * (its pointers are valid during the call only). A nonzero return of fn stops the poll and
 * is returned; otherwise 0 or an error. EINTR is not an error. */
int loads_poll(struct loads *l, int timeout_ms,
	       int (*fn)(const struct load_event *ev, void *arg), void *arg, struct err *e);
/* An fd that is readable when records wait (for a caller's own poll or epoll loop). */
int loads_fd(const struct loads *l);
void loads_stats(const struct loads *l, struct loads_stats *out);
/* Detach and unload (the ring's unread records are dropped). */
void loads_close(struct loads *l);

/* The tracepoint's copy of a program's translated code (len bytes, in place) made what the
 * kernel's own dump gives (kernel/bpf/syscall.c, bpf_insn_prepare_dump, for a reader who
 * may see kernel addresses): internal opcodes back to public ones, and map addresses back
 * to ids (maps: nr_maps struct loads_map_ref, in the program's order). */
struct loads_map_ref;
void loads_code_dump(void *code, uint32_t len, const struct loads_map_ref *maps,
		     uint32_t nr_maps);
#endif
