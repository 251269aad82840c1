/* The bits of the tcx uapi (kernel 6.6) that Debian's libbpf 1.1 headers lack: attach types,
 * the link type and the BPF_LINK_CREATE / BPF_PROG_QUERY attr layouts we fill by hand. */
#ifndef BPFSCOPE_TCX_COMPAT_H
#define BPFSCOPE_TCX_COMPAT_H
#include <stdint.h>

#define BPFS_TCX_INGRESS	46	/* enum bpf_attach_type */
#define BPFS_TCX_EGRESS		47
#define BPFS_LINK_TYPE_TCX	11	/* enum bpf_link_type */
#define BPFS_CMD_PROG_QUERY	16	/* enum bpf_cmd */
#define BPFS_CMD_LINK_CREATE	28

/* union bpf_attr, BPF_LINK_CREATE member, with the tcx tail (kernel 6.6+) */
struct bpfs_link_create_attr {
	uint32_t prog_fd;
	uint32_t target_ifindex;
	uint32_t attach_type;
	uint32_t flags;
	union {
		uint32_t relative_fd;
		uint32_t relative_id;
	};
	uint32_t pad0;
	uint64_t expected_revision;
};

/* union bpf_attr, BPF_PROG_QUERY member, with link ids (kernel 6.6+) */
struct bpfs_prog_query_attr {
	uint32_t target_ifindex;
	uint32_t attach_type;
	uint32_t query_flags;
	uint32_t attach_flags;
	uint64_t prog_ids;
	uint32_t count;
	uint32_t pad0;
	uint64_t prog_attach_flags;
	uint64_t link_ids;
	uint64_t link_attach_flags;
	uint64_t revision;
};

/* struct bpf_link_info: the tcx member of the union sits at offset 16 */
#define BPFS_LINK_INFO_TCX_IFINDEX	16
#define BPFS_LINK_INFO_TCX_ATTACH_TYPE	20
#endif
