/* Names of the kernel's BPF enums, spelled as bpftool/libbpf spell them. libbpf names
 * what it knows; our table covers what came after the installed libbpf. */
#ifndef BPFSCOPE_BPF_NAMES_H
#define BPFSCOPE_BPF_NAMES_H
#include <stdint.h>

/* NULL when unknown */
const char *prog_type_name(uint32_t t);
const char *map_type_name(uint32_t t);
const char *attach_type_name(uint32_t t);
const char *link_type_name(uint32_t t);
/* The name bpftool takes for attach type t on its command line: the traditional short one
 * where there is one ("ingress", "sock_ops", "bind4", ...), else attach_type_name's. */
const char *attach_type_input_name(uint32_t t);
/* the linked libbpf's version, without a leading 'v' ("1.3.0") */
const char *version_libbpf(void);
/* upper bounds for table walks */
#define NAMES_MAX_PROG_TYPE 64
#define NAMES_MAX_MAP_TYPE 64
#define NAMES_MAX_ATTACH_TYPE 96
#define NAMES_MAX_LINK_TYPE 32
#endif
