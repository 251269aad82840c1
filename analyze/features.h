/* A kernel's BPF features, as `feature probe` reports them (bpftool 7.8's sections): the
 * result as plain data, its compact stored form (a blob per boot), and the names it uses. */
#ifndef BPFSCOPE_FEATURES_H
#define BPFSCOPE_FEATURES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"
#include "lib/util.h"

#define FEAT_PROG_MAX 64	/* program type ids probed: 1 .. nr_prog */
#define FEAT_MAP_MAX 64
#define FEAT_HELPER_MAX 256	/* helper ids: 1 .. nr_helpers - 1 (frozen at 212 upstream) */
#define FEAT_VAL_LEN 64		/* a kernel config value, as read (bounded) */

enum feat_misc {
	FEAT_LARGE_INSN_LIMIT, FEAT_BOUNDED_LOOPS, FEAT_V2_ISA, FEAT_V3_ISA, FEAT_V4_ISA,
	FEAT_NR_MISC
};
enum feat_sysctl {
	FEAT_UNPRIV_DISABLED, FEAT_JIT_ENABLE, FEAT_JIT_HARDEN, FEAT_JIT_KALLSYMS, FEAT_JIT_LIMIT,
	FEAT_NR_SYSCTL
};

struct features {
	bool device;			/* probed for a device (dev IF): no system section */
	bool full;			/* the helpers that write to dmesg were probed too */
	bool syscall;			/* have_bpf_syscall */
	bool procfs;			/* sysctls read (false: /proc missing) */
	bool config_read;		/* the kernel config was found */
	uint32_t nr_prog, nr_map, nr_helpers;
	bool prog[FEAT_PROG_MAX];
	bool map[FEAT_MAP_MAX];
	uint64_t helpers[FEAT_PROG_MAX][FEAT_HELPER_MAX / 64];
	bool misc[FEAT_NR_MISC];
	long sysctl[FEAT_NR_SYSCTL];	/* -1: could not be read */
	bool config_set[64];		/* per features_config_name index */
	char config[64][FEAT_VAL_LEN];
};

/* The names bpftool 7.8 prints, by index; NULL past the end. */
const char *features_config_name(size_t i);	/* "CONFIG_BPF", ... "CONFIG_HZ" */
size_t features_nr_config(void);
const char *features_misc_key(int i);		/* "have_large_insn_limit" */
const char *features_misc_plain(int i);		/* "Large program size limit" */
const char *features_misc_define(int i);	/* "LARGE_INSN_LIMIT" */
const char *features_sysctl_key(int i);		/* "unprivileged_bpf_disabled" */
/* bpftool's helper_name[]: "bpf_unspec" for 0 up to "bpf_cgrp_storage_delete" (211). */
const char *features_helper_name(uint32_t id);
uint32_t features_nr_helper_names(void);
/* The helpers probed only in full mode: they write to the kernel log. */
bool features_helper_noisy(uint32_t id);

static inline bool features_helper(const struct features *f, uint32_t prog, uint32_t id)
{
	return prog < FEAT_PROG_MAX && id < FEAT_HELPER_MAX &&
	       (f->helpers[prog][id / 64] >> (id % 64)) & 1;
}
void features_set_helper(struct features *f, uint32_t prog, uint32_t id);

/* The stored form: a short text (docs/schema.md, "Blob formats"). */
int features_encode(const struct features *f, struct buf *out);
/* From untrusted bytes: every length and number bounded. */
int features_decode(const void *data, size_t len, struct features *f, struct err *e);

/* One line per difference between a and b (what diff prints), into out: "name: old -> new". */
int features_compare(const struct features *a, const struct features *b, struct buf *out);
#endif
