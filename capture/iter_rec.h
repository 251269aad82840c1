/* The records bpfscope's iterators (capture/iter.bpf.c) write and capture/iter.c reads:
 * one layout for both sides, hence fixed-size __u32 fields and no padding. */
#ifndef BPFSCOPE_ITER_REC_H
#define BPFSCOPE_ITER_REC_H
#include <linux/types.h>

/* A map: what can change in a map the database already holds. */
struct iter_map {
	__u32 id, frozen;
};

/* A program, as the audit's program view lists it. */
struct iter_prog_rec {
	__u32 id, type, nr_map_ids, xlated_len, jited_len, pad;
	__u64 load_time;
	__u8 tag[8];
	char name[16];
};

/* A process holding an object: kind 'p'rog, 'm'ap, 'l'ink, 'b'tf, or 's' a packet socket
 * (id: its inode, fd: the process's fd; 0 for the others). */
struct iter_owner {
	__u32 pid, kind, id, fd;
	char comm[16];
};
#endif
