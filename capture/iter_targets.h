/* The iterators' targets in vmlinux BTF (capture/iter_targets.c), and the raw BTF reading
 * that capture/iter_load.c shares with it. */
#ifndef BPFSCOPE_ITER_TARGETS_H
#define BPFSCOPE_ITER_TARGETS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>
#include "lib/err.h"
#include "lib/util.h"

/* Is there vmlinux BTF, which the iterators need? */
bool iter_have_btf(void);

/* A FUNC to find by name ("bpf_iter_bpf_map"): its id, 0 until found. */
struct iter_target {
	const char *name;
	uint32_t id;
	long str_off;		/* where the name is in the strings, -1 if nowhere */
};
/* Every target's id, in one walk of vmlinux BTF; an error names the first one missing. */
int iter_targets_find(struct iter_target *t, size_t n, struct err *e);
/* The same from this boot's cache (/run/bpfscope/iter-targets) when it has every one
 * (*cached), else by iter_targets_find, whose answer is then cached. A cached id is not
 * checked here: the iterator's link says which target the kernel attached it to
 * (capture/iter.c), and iter_targets_forget drops a cache that was wrong. The walk of
 * vmlinux BTF is ~1 ms, on the path of every live command. */
int iter_targets_lookup(struct iter_target *t, size_t n, bool *cached, struct err *e);
void iter_targets_forget(void);

/* The number of a boot cache's line "NAME NUMBER" (digits, at most max), if it has one. */
bool cache_line_number(const struct buf *b, const char *name, unsigned long max,
		       unsigned long *v);

/* vmlinux BTF's bytes (p, n): mapped where the kernel allows it, else read whole. */
struct vmlinux_btf {
	const unsigned char *p;
	size_t n;
	void *map;
	size_t map_len;
	struct buf raw;
};
int vmlinux_btf_open(struct vmlinux_btf *v, struct err *e);
void vmlinux_btf_close(struct vmlinux_btf *v);

/* A struct member to find in vmlinux BTF (user_struct's uid): its byte offset + 1, 0 when
 * there is no such member (or it is a bitfield). */
struct iter_member {
	const char *type, *member;
	uint32_t off;
	bool done;
};
/* Each one's offset, from this boot's cache (/run/bpfscope/iter-members) when it has them
 * all, else from one walk of the types, whose answers are then cached. The iterator reads
 * these fields there, not through CO-RE relocations: one of a type no other access names
 * costs every load a search of every vmlinux type (capture/iter_member.c). */
int iter_members_lookup(struct iter_member *m, size_t n, struct err *e);

/* Where a raw BTF's types and strings are, bounds-checked against its length. */
struct btf_sections {
	size_t types, types_end, str, str_len;
};
int btf_sections(const unsigned char *p, size_t n, struct btf_sections *s);
/* Bytes a type's record takes after struct btf_type, by kind; -1: a kind we do not know. */
long btf_type_extra(const struct btf_type *t);
#endif
