/* Checks a BTF object's type graph before libbpf 1.1 walks it: btf__new() there checks
 * record sizes but not type references, and btf_dump/btf__align_of recurse along them. */
#ifndef BPFSCOPE_BTF_CHECK_H
#define BPFSCOPE_BTF_CHECK_H
#include "lib/err.h"

struct btf;

/* Longest chain of by-value references (PTR breaks a chain) we accept; real kernels
 * stay far below it (vmlinux 6.x: under 40), and libbpf's recursion needs a bound. */
#define BTF_CHECK_MAX_DEPTH 512
/* Largest struct/union we dump (vmlinux 6.x: 240 KiB); bounds btf_dump's padding output. */
#define BTF_CHECK_MAX_SIZE (64u << 20)

/* 0 if every type id a type refers to exists, by-value references form no cycle and no
 * chain deeper than BTF_CHECK_MAX_DEPTH, every name is in the string section, scalar
 * sizes are ones C has, and every struct/union is at most BTF_CHECK_MAX_SIZE with its
 * members inside it; else -EINVAL naming the first bad type. */
int btf_check_refs(const struct btf *btf, struct err *e);
#endif
