/* Probing the running kernel's BPF features, as bpftool feature probe does: which program
 * types, map types and helpers it accepts, the ISA extensions, the sysctls and kernel config. */
#ifndef BPFSCOPE_FEATURE_PROBE_H
#define BPFSCOPE_FEATURE_PROBE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analyze/features.h"
#include "lib/err.h"
#include "store/features.h"

struct feature_probe_opts {
	uint32_t ifindex;	/* dev IF: offload probes for that device; 0: the kernel */
	bool full;		/* also the helpers that write to the kernel log */
	bool unprivileged;	/* probe without CAP_SYS_ADMIN, CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON */
};

/* Fill f. Errors: only what stops the whole probe (no thread for an unprivileged run). */
int feature_probe(const struct feature_probe_opts *o, struct features *f, struct err *e);
/* Probe and store the features of this boot, unless the database has them (snapshot take:
 * after every object was read, so the probe's throwaway objects are in no listing). */
int feature_probe_boot(struct db *db, const char *boot_id, struct err *e);
/* The BPF capabilities the process lacks for a privileged probe, as "CAP_BPF, CAP_PERFMON, "
 * into out; false when none is missing. */
bool feature_caps_missing(char *out, size_t len);
#endif
