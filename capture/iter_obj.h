/* bpfscope's iterator object (capture/iter.bpf.c as the build embeds it), read in place by
 * capture/iter_obj.c for capture/iter_load.c. */
#ifndef BPFSCOPE_ITER_OBJ_H
#define BPFSCOPE_ITER_OBJ_H
#include <stddef.h>
#include <stdint.h>

enum iter_prog {
	ITER_MAPS,	/* bpfscope_maps over bpf_iter_bpf_map */
	ITER_OWNERS,	/* bpfscope_pids over bpf_iter_task_file */
	ITER_PROGS,	/* bpfscope_progs over bpf_iter_bpf_prog */
	ITER_NR
};
#define ITER_WANT(p) (1u << (p))
/* With ITER_WANT(ITER_PROGS): the program iterator that follows each record with its rest
 * (struct iter_prog_rest: what a live view's row needs), a few reads more a program and
 * more relocations at load that a snapshot into a file does not pay */
#define ITER_WANT_PROG_REST (1u << 8)

/* One program as BPF_PROG_LOAD takes it: pointers into the object's bytes. */
struct iter_obj_prog {
	const void *insns;
	uint32_t insn_cnt;
	uint32_t func_type;		/* the program's FUNC in the object's BTF */
	const void *relo;		/* struct bpf_core_relo records, as .BTF.ext holds them */
	uint32_t nr_relo;
};

struct iter_obj {
	struct iter_obj_prog prog[ITER_NR];	/* those asked for */
	unsigned char *btf;		/* the object's BTF as the kernel takes it (a copy) */
	size_t btf_len;
};

/* The programs in want (ITER_WANT bits) of the object (obj, len), and its BTF: 0, or a
 * negative errno (-EPROTO: not an object of the layout the build makes). */
int iter_obj_read(const void *obj, size_t len, unsigned want, struct iter_obj *out);
void iter_obj_free(struct iter_obj *o);
/* The object the binary carries (capture/iter_load.c, which includes it). */
void iter_obj_builtin(const void **obj, size_t *len);
const char *iter_prog_name(enum iter_prog which);
/* Its target's FUNC in vmlinux BTF ("bpf_iter_bpf_map"). */
const char *iter_target_name(enum iter_prog which);
#endif
