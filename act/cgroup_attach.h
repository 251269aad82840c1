/* Attaching programs to cgroups the old way (BPF_PROG_ATTACH / BPF_PROG_DETACH on the
 * cgroup's directory), as bpftool cgroup attach and detach do. */
#ifndef BPFSCOPE_CGROUP_ATTACH_H
#define BPFSCOPE_CGROUP_ATTACH_H
#include <stdint.h>
#include "lib/err.h"

#define CGROUP_ATTACH_MULTI	(1u << 0)	/* BPF_F_ALLOW_MULTI */
#define CGROUP_ATTACH_OVERRIDE	(1u << 1)	/* BPF_F_ALLOW_OVERRIDE */

/* Attach prog_fd at the cgroup (v2) directory path with attach_type (enum
 * bpf_attach_type) and the CGROUP_ATTACH_* flags. */
int cgroup_attach(const char *path, uint32_t attach_type, int prog_fd, unsigned flags,
		  struct err *e);
/* Detach the program prog_fd from the cgroup's attach_type. */
int cgroup_detach(const char *path, uint32_t attach_type, int prog_fd, struct err *e);
#endif
