/* The kernel's types as capture/iter.bpf.c reads them: only the fields it reads, marked
 * preserve_access_index so that libbpf moves every access to where this kernel's BTF has
 * the field (CO-RE), with no vmlinux.h to generate or ship. BPF side only. */
#ifndef BPFSCOPE_ITER_KERN_H
#define BPFSCOPE_ITER_KERN_H
#include <linux/types.h>

#define CORE __attribute__((preserve_access_index))

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
} CORE;

struct bpf_map {
	__u32 id;
	_Bool frozen;
} CORE;

/* A per-cpu array's values: pptrs[0] is its one element's __percpu address. */
struct bpf_array {
	union {
		struct {
			void *pptrs[0];
		};
	};
} CORE;

/* The run-time counters, one copy per cpu (u64_stats_t: a 64-bit counter in a struct) */
struct bpf_prog_stats {
	struct { long v; } cnt;
	struct { long v; } nsecs;
	struct { long v; } misses;
} CORE;

struct btf {
	__u32 id;
} CORE;

struct bpf_prog;

struct bpf_prog_aux {
	__u32 id;
	__u32 used_map_cnt;
	__u32 func_cnt;
	__u32 verified_insns;
	__u32 attach_btf_id;
	__u64 load_time;
	char name[16];
	struct btf *attach_btf;
	struct btf *btf;
	struct bpf_prog *dst_prog;
	struct bpf_map **used_maps;
	void *user;		/* struct user_struct: its uid at ITER_UID_OFF_MARKER */
	void *offload;
	_Bool dev_bound;
} CORE;

struct bpf_prog {
	__u16 pages;		/* memlock, in pages */
	__u16 gpl_compatible: 1;
	enum bpf_prog_type type;	/* (iter.bpf.c includes linux/bpf.h first) */
	__u32 len;		/* instructions */
	__u32 jited_len;
	__u8 tag[8];
	struct bpf_prog_stats *stats;	/* __percpu */
	struct bpf_prog_aux *aux;
} CORE;

struct bpf_link {
	__u32 id;
} CORE;

struct task_struct {
	int tgid;
	struct task_struct *group_leader;
	char comm[16];
} CORE;

struct super_block {
	unsigned long s_magic;
} CORE;

struct inode {
	struct super_block *i_sb;
	unsigned long i_ino;
} CORE;

/* a socket file's private_data, down to its family */
struct sock_common {
	unsigned short skc_family;
} CORE;

struct sock {
	struct sock_common __sk_common;
} CORE;

struct socket {
	struct sock *sk;
} CORE;

struct qstr {
	const unsigned char *name;
} CORE;

struct dentry {
	struct qstr d_name;
} CORE;

struct path {
	struct dentry *dentry;
} CORE;

struct file {
	struct path f_path;
	struct inode *f_inode;
	void *private_data;
} CORE;

/* An iterator program's context is its target's arguments, a u64 slot each (the kernel's
 * bpf_iter__<target> structs, an ABI: no relocation needed). */
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
};

struct bpf_iter__bpf_prog {
	struct bpf_iter_meta *meta;
	struct bpf_prog *prog;
};

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
};
#endif
