/* The records bpfscope's iterators (capture/iter.bpf.c) write and capture/iter.c reads:
 * one layout for both sides, hence fixed-size __u32 fields and no padding. */
#ifndef BPFSCOPE_ITER_REC_H
#define BPFSCOPE_ITER_REC_H
#include <linux/types.h>

/* A map: what can change in a map the database already holds. */
struct iter_map {
	__u32 id, frozen;
};

#define ITER_PROG_MAP_IDS 8

/* A program, as the audit's program view lists it, with what of its stored row can change
 * while it stays loaded (docs/probe.md): the maps bound to it since, whether it still has
 * a target program (attaching drops it, and attach_btf_obj_id with it), and its run-time
 * counters summed over nr_cpus cpus (0: not read; user space compares with its count). */
struct iter_prog_rec {
	__u32 id, type, nr_map_ids, xlated_len, jited_len, flags;
	__u64 load_time;
	__u8 tag[8];
	char name[16];
	__u64 run_cnt, run_time_ns, recursion_misses;
	__u32 attach_btf_obj_id, nr_cpus;
	__u32 pages, reserved;	/* fdinfo's memlock in pages, fixed at load (0: not read) */
};
/* The rest of what get-info tells of a program without arrays, for a live view's rows
 * (capture/prog_fast.c): the creator's uid, the program's BTF, its first maps. It follows
 * its record when the record's flags have ITER_PROG_REST (ITER_WANT_PROG_REST). */
struct iter_prog_rest {
	__u32 uid, btf_id, verified_insns, attach_btf_id;
	__u32 map_ids[ITER_PROG_MAP_IDS];
};
#define ITER_PROG_DST 1		/* aux->dst_prog is set */
#define ITER_PROG_DEV 2		/* offloaded or bound to a device (ifindex can become 0) */
#define ITER_PROG_GPL 4		/* gpl_compatible */
#define ITER_PROG_SUBPROGS 64	/* JITed as several functions: get-info sums their sizes */
#define ITER_PROG_MAPS_CUT 128	/* more maps than map_ids holds */
#define ITER_PROG_REST 256	/* a struct iter_prog_rest follows */

/* The ld_imm64 the loader turns into a reference to its per-cpu array (capture/iter_load.c):
 * the object carries no maps, which only libbpf's loader would create. */
#define ITER_PCPU_MARKER 0x7063707562736366ull
/* The ld_imm64s the loader turns into this boot's per-cpu offsets when it knows them (cpu
 * c's is OFF0 + c * STRIDE: capture/iter_load.c), and the one it makes 1 then. With 0 the
 * program reads them through its per-cpu array and tells them in its last record. */
#define ITER_OFF0_MARKER 0x3066666f62736366ull
#define ITER_STRIDE_MARKER 0x6469727462736366ull
#define ITER_USE_OFF_MARKER 0x66666f6573756263ull
/* The program iterator's last record when it read the offsets (id 0, which no program has):
 * flags ITER_PROG_OFFSETS, run_cnt cpu 0's offset, run_time_ns the stride, nr_cpus how
 * many cpus they were read for, and ITER_PROG_LINEAR when cpu c's is off0 + c * stride. */
#define ITER_PROG_OFFSETS 16
#define ITER_PROG_LINEAR 32
/* The ld_imm64s the loader turns into user_struct's uid's offset and bpf_map's id's
 * (capture/iter_member.c), in the program iterator with rests */
#define ITER_UID_OFF_MARKER 0x6f64697562736366ull
#define ITER_MAP_ID_OFF_MARKER 0x6f64696d62736366ull
/* The ld_imm64 the loader turns into the number of possible cpus: the counters' loop is
 * verified once per iteration its bound allows, so the bound is the machine's, not 256. */
#define ITER_NCPU_MARKER 0x7570636e62736366ull

/* A process holding an object: kind 'p'rog, 'm'ap, 'l'ink, 'b'tf, or 's' a packet socket
 * (id: its inode, fd: the process's fd; 0 for the others). */
struct iter_owner {
	__u32 pid, kind, id, fd;
	char comm[16];
};
#endif
