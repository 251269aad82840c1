/* The kernel's link and attach types that came after the installed uapi headers
 * (linux-libc-dev 6.1), by name: code compares named constants, never bare numbers.
 * Types the headers have are used under their own names (BPF_XDP, BPF_LINK_TYPE_XDP). */
#ifndef BPFSCOPE_BPF_KINDS_H
#define BPFSCOPE_BPF_KINDS_H
#include "lib/tcx_compat.h"

/* enum bpf_link_type */
#define BPFS_LINK_TYPE_NETFILTER	10	/* 6.4 */
/* BPFS_LINK_TYPE_TCX 11 is in lib/tcx_compat.h */
#define BPFS_LINK_TYPE_UPROBE_MULTI	12	/* 6.6 */
#define BPFS_LINK_TYPE_NETKIT		13	/* 6.7 */

/* enum bpf_attach_type */
#define BPFS_NETFILTER			45	/* 6.4 */
/* BPFS_TCX_INGRESS 46, BPFS_TCX_EGRESS 47 are in lib/tcx_compat.h */
#define BPFS_CGROUP_UNIX_CONNECT	49	/* 6.7 */
#define BPFS_CGROUP_UNIX_SENDMSG	50
#define BPFS_CGROUP_UNIX_RECVMSG	51
#define BPFS_CGROUP_UNIX_GETPEERNAME	52
#define BPFS_CGROUP_UNIX_GETSOCKNAME	53
#define BPFS_NETKIT_PRIMARY		54	/* 6.7 */
#define BPFS_NETKIT_PEER		55

/* enum bpf_prog_type */
#define BPFS_PROG_TYPE_NETFILTER	32	/* 6.4 */
#endif
