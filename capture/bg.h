/* The once-per-boot heavy parts of a first snapshot (kernel symbols, vmlinux BTF), read,
 * and hashed in a background thread while the probe walks programs and maps. */
#ifndef BPFSCOPE_BG_H
#define BPFSCOPE_BG_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "analyze/ksyms.h"
#include "lib/sha256.h"
#include "lib/util.h"

struct bg_blob {
	bool ready;
	bool stored;		/* the database has this content already: no zlib, no insert */
	uint8_t hash[SHA256_LEN];
	size_t raw_size;
	struct buf z;		/* the bytes, stored as they are (codec 0) */
};

struct bg_job {
	pthread_t th_k, th_v;		/* kallsyms, vmlinux: each on its own thread */
	bool started_k, started_v;
	bool want_kallsyms, want_vmlinux;
	uint32_t vmlinux_id;	/* the BTF id the vmlinux blob is of */
	uint32_t vmlinux_size;
	uint8_t known[4][SHA256_LEN];	/* vmlinux BTF blobs of that size stored before (the same
					 * kernel, another boot) */
	int nr_known;
	struct bg_blob kallsyms, vmlinux;
	/* a snapshot into a file keeps the lines its programs' calls need: the text's index,
	 * made here while the walk runs, and no hash (capture/kallsyms.c) */
	bool want_index, index_ready;
	struct ksym_index index;
};

struct probe;
/* Decide what the database lacks for this boot and start the thread for it. */
void bg_start(struct probe *p, struct bg_job *j);
/* The symbols after all (a program of a later snapshot calls something the database has
 * no line for): read and indexed from now, beside the rest of the walk. */
void bg_start_kallsyms(struct bg_job *j);
void bg_join_kallsyms(struct bg_job *j);
void bg_join_vmlinux(struct bg_job *j);
void bg_free(struct bg_job *j);
#endif
