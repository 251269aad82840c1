/* One attachment as the snapshot database keeps it (schema 3): named fields per kind, no
 * text to parse. store/ writes and reads these; analyze/ and cli/ use them as plain data. */
#ifndef BPFSCOPE_ATTACH_ROW_H
#define BPFSCOPE_ATTACH_ROW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum attach_kind {
	ATTACH_XDP,		/* netlink IFLA_XDP, one row per mode */
	ATTACH_TCX,		/* tcx chains (BPF_PROG_QUERY per device) */
	ATTACH_NETKIT,		/* netkit chains */
	ATTACH_TC,		/* classic cls_bpf filters (RTM_GETTFILTER) */
	ATTACH_FLOW_DISSECTOR,	/* per network namespace */
	ATTACH_CGROUP,		/* cgroup v2 queries */
	ATTACH_NETFILTER,	/* netfilter links */
	ATTACH_PERF_EVENT,	/* BPF_TASK_FD_QUERY per process fd */
	ATTACH_NR_KINDS,
	ATTACH_OTHER = ATTACH_NR_KINDS,	/* a kind this binary does not know (read only) */
};
#define ATTACH_BIT(k) (1u << (k))

struct attach_row {
	enum attach_kind kind;
	uint32_t prog_id, link_id;	/* 0: none */
	int32_t ifindex;		/* 0: none */
	bool has_attach_type;
	uint32_t attach_type;		/* enum bpf_attach_type */
	/* xdp: generic|driver|offload; tc: the parent (clsact/ingress, root, a qdisc kind);
	 * tcx/netkit: tcx/ingress...; perf_event: the fd type's name */
	const char *mode;
	const char *devname, *cgroup_path;
	/* tc: TCA_BPF_NAME; flow_dissector: "net:[INO]"; cgroup: the cgroup2 mount;
	 * perf_event: function, tracepoint or file */
	const char *target;
	union {
		struct { uint32_t attached; } xdp;	/* IFLA_XDP_ATTACHED */
		struct { uint32_t position, prog_flags, link_flags; } mprog;	/* tcx, netkit */
		struct { uint32_t handle, prio, parent, protocol, flags; } tc;	/* flags: TCA_BPF_FLAGS */
		struct { uint32_t position; } flow;
		struct { uint32_t position, attach_flags; uint64_t cgroup_id; } cgroup;
		struct { uint32_t pf, hooknum, flags; int32_t prio; } nf;
		struct { int32_t pid, fd; uint32_t fd_type; uint64_t offset, addr; } perf;
	} u;
	/* read back only: the attached program as the snapshot has it */
	bool prog_found;
	const char *prog_name;		/* full name, else name */
	uint32_t attach_btf_obj_id, attach_btf_id;
};

struct attach_rows {
	struct attach_row *v;
	size_t n;
};

#endif
