/* The kernel's types as capture/loads.bpf.c reads them: only the fields read (enums as the
 * uapi's enums: CO-RE does not match an int to an enum), marked
 * preserve_access_index so that each access is moved to where this kernel has the field
 * (CO-RE). BPF side only; capture/iter_kern.h is the iterators' own, smaller, set. */
#ifndef BPFSCOPE_LOADS_KERN_H
#define BPFSCOPE_LOADS_KERN_H
#include <linux/types.h>
#include <linux/bpf.h>

#define CORE __attribute__((preserve_access_index))

struct btf {
	__u32 id;
} CORE;

struct bpf_map {
	enum bpf_map_type map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u64 map_extra;
	__u32 map_flags;
	__u32 id;
	char name[16];
} CORE;

struct bpf_array {
	__u32 elem_size;
	char value[0];
} CORE;

struct bpf_prog_aux {
	__u32 used_map_cnt;
	__u32 id;
	__u32 verified_insns;
	__u64 load_time;
	struct bpf_map **used_maps;
	struct bpf_prog *prog;
	struct btf *btf;
	char name[16];
} CORE;

struct bpf_prog {
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	__u32 len;
	__u32 jited_len;
	__u8 tag[8];
	struct bpf_prog_aux *aux;
	struct bpf_insn insnsi[0];
} CORE;

struct bpf_link {
	__u32 id;
	enum bpf_link_type type;
	enum bpf_attach_type attach_type;	/* Linux 6.17 */
	struct bpf_prog *prog;
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

struct super_block {
	unsigned long s_magic;
} CORE;

struct inode {
	struct super_block *i_sb;
} CORE;

struct file {
	struct path f_path;
	struct inode *f_inode;
	void *private_data;
} CORE;

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} CORE;

struct files_struct {
	struct fdtable *fdt;
} CORE;

struct task_struct {
	struct task_struct *group_leader;
	struct files_struct *files;
	char comm[16];
} CORE;

/* The syscall tracepoints' records (kernel/trace/trace_syscalls.c): the common header,
 * the syscall's number, then its arguments or its return value, a long each. */
struct loads_sys_enter {
	__u64 common;
	__s32 nr;
	__u64 args[6];
};

struct loads_sys_exit {
	__u64 common;
	__s32 nr;
	__s64 ret;
};
#endif
