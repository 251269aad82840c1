/* libbpf's CO-RE relocation calculator, which gen min_core_btf runs over each object's
 * relocations: declared here because libbpf installs no header for it. */
#ifndef BPFSCOPE_CORE_RELO_H
#define BPFSCOPE_CORE_RELO_H
/* Why this header exists: bpf_core_calc_relo_insn, bpf_core_add_cands,
 * bpf_core_free_cands and bpf_core_essential_name_len are internal to libbpf (its
 * relo_core.h and libbpf_internal.h are not installed, and the shared library's version
 * script hides them), but Debian's static archive libbpf.a, which bpfscope links, holds
 * them as global symbols. The declarations below repeat libbpf 1.1's relo_core.h: the
 * structs must have exactly the layout the archive was compiled with. relo_core.h is the
 * same from v1.0.0 through v1.7.0 (checked against libbpf's git history), so
 * min_core_btf_supported() accepts libbpf 1.0 to 1.7 at run time and refuses others.
 * scripts/configure.sh defines HAVE_LIBBPF_CORE_RELO only when the symbols link. */
#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>	/* struct bpf_core_relo, enum bpf_core_relo_kind */

struct btf;

#define CORE_RELO_LIBBPF_MAJOR 1
#define CORE_RELO_LIBBPF_MINOR_MAX 7

struct bpf_core_cand {
	const struct btf *btf;
	__u32 id;
};

struct bpf_core_cand_list {
	struct bpf_core_cand *cands;	/* malloc()ed by bpf_core_add_cands */
	int len;
};

#define BPF_CORE_SPEC_MAX_LEN 64

struct bpf_core_accessor {
	__u32 type_id;
	__u32 idx;
	const char *name;
};

struct bpf_core_spec {
	const struct btf *btf;
	struct bpf_core_accessor spec[BPF_CORE_SPEC_MAX_LEN];
	__u32 root_type_id;	/* before modifiers and typedefs are skipped */
	enum bpf_core_relo_kind relo_kind;
	int len;
	int raw_spec[BPF_CORE_SPEC_MAX_LEN];	/* member/element index per access step */
	int raw_len;
	__u32 bit_offset;
};

struct bpf_core_relo_res {
	__u64 orig_val;
	__u64 new_val;
	bool poison;
	bool validate;
	bool fail_memsz_adjust;
	__u32 orig_sz;
	__u32 orig_type_id;
	__u32 new_sz;
	__u32 new_type_id;
};

size_t bpf_core_essential_name_len(const char *name);
int bpf_core_add_cands(struct bpf_core_cand *local_cand, size_t local_essent_len,
		       const struct btf *targ_btf, const char *targ_btf_name, int targ_start_id,
		       struct bpf_core_cand_list *cands);
void bpf_core_free_cands(struct bpf_core_cand_list *cands);
/* specs_scratch: 3 specs; [2] is the target's when a candidate matched (else left as
 * it was: the caller zeroes it). */
int bpf_core_calc_relo_insn(const char *prog_name, const struct bpf_core_relo *relo,
			    int relo_idx, const struct btf *local_btf,
			    struct bpf_core_cand_list *cands, struct bpf_core_spec *specs_scratch,
			    struct bpf_core_relo_res *targ_res);
#endif
