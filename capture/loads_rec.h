/* The records capture/loads.bpf.c puts in its ring buffer, one per BPF object created, as
 * capture/loads.c reads them: shared by both sides, so fixed-size types only. */
#ifndef BPFSCOPE_LOADS_REC_H
#define BPFSCOPE_LOADS_REC_H
#include <linux/types.h>

#define LOADS_MAX_MAPS		64	/* the kernel's MAX_USED_MAPS */
#define LOADS_CHUNK		4096	/* bytes of code read from the kernel per step */
/* Code copied per program: larger programs are recorded without it (LOADS_F_CODE_CUT);
 * capture/loads.c still fetches their code by id if they are still there. */
#define LOADS_MAX_CODE		(256 * LOADS_CHUNK)
#define LOADS_RING_BYTES	(8u << 20)

/* flags */
#define LOADS_F_CODE_CUT	(1u << 0)	/* the program is larger than LOADS_MAX_CODE */
#define LOADS_F_CODE_FAULT	(1u << 1)	/* reading its instructions failed */
#define LOADS_F_NO_ROOM		(1u << 2)	/* the ring had no room for the code */
#define LOADS_F_MAPS_CUT	(1u << 3)	/* more maps than LOADS_MAX_MAPS (never, today) */
#define LOADS_F_LINK_ATTACH	(1u << 4)	/* attach_type is the link's own (Linux 6.17) */

/* counters (a per-CPU array, summed by user space) */
enum { LOADS_STAT_SEEN, LOADS_STAT_LOST, LOADS_STAT_NO_OBJ, LOADS_STAT_NR };

/* A map a program uses, with what the kernel's dump needs to turn its address back into
 * an id (kernel/bpf/syscall.c, bpf_map_from_imm): the map, and for a one-element array
 * the range of its value, which a direct value load points into. */
struct loads_map_ref {
	__u64 addr;
	__u64 value_addr;	/* 0: not an array */
	__u32 id;
	__u32 type;
	__u32 elem_size;
	__u32 max_entries;
};

/* One object: the header, then nr_maps struct loads_map_ref, then code_len bytes of the
 * program's translated instructions as the kernel holds them (prog->insnsi). */
struct loads_rec {
	__u64 boot_ns;		/* bpf_ktime_get_boot_ns() at the syscall's return */
	__u64 load_time;	/* prog: aux->load_time (boot clock, as bpf_prog_info has it) */
	__u64 map_extra;
	__u32 pid, tid, uid;
	__u32 cmd;		/* the bpf(2) command */
	__u32 kind;		/* 'p', 'm', 'l' */
	__u32 id;
	__u32 type;		/* prog, map or link type */
	__u32 attach_type;	/* prog: expected_attach_type; link: its attach type */
	__u32 len;		/* prog: instructions (xlated) */
	__u32 jited_len;
	__u32 verified_insns;
	__u32 btf_id;
	__u32 prog_id;		/* link: its program */
	__u32 key_size, value_size, max_entries, map_flags;
	__u32 nr_maps;		/* map refs that follow */
	__u32 used_map_cnt;	/* the program's, even if more than fit */
	__u32 code_len;		/* bytes of code after the map refs */
	__u32 flags;		/* LOADS_F_* */
	__u8 tag[8];
	char name[16];
	char comm[16];		/* the process's (its group leader's) name */
};
#endif
