/* The fields of a raw struct bpf_link_info (as the kernel of the snapshot filled it, newer
 * than our uapi headers) that bpftool's link show prints, read by offset and bounds-checked. */
#ifndef BPFSCOPE_LINK_INFO_H
#define BPFSCOPE_LINK_INFO_H
#include <stddef.h>
#include <stdint.h>

/* bpf_link_info.perf_event.type */
enum { LI_PE_UPROBE = 1, LI_PE_URETPROBE, LI_PE_KPROBE, LI_PE_KRETPROBE, LI_PE_TRACEPOINT,
       LI_PE_EVENT };

struct link_info {
	uint32_t type, id, prog_id;
	uint32_t attach_type;		/* tracing, cgroup, netns, tcx, netkit, sockmap */
	uint32_t ifindex;		/* xdp, tcx, netkit */
	uint32_t map_id;		/* struct_ops, sockmap, iter of a map */
	uint64_t cookie;		/* raw_tp, tracing, perf_event */
	uint32_t target_obj_id, target_btf_id;	/* tracing */
	uint64_t cgroup_id;		/* cgroup; iter of cgroups */
	uint32_t order, tid, pid;	/* iter */
	uint32_t netns_ino;
	uint32_t nf_pf, nf_hook, nf_flags;
	int32_t nf_prio;
	uint32_t pe_type, offset;	/* perf_event: LI_PE_*, probe offset */
	uint64_t addr, missed, ref_ctr_offset, config;	/* kprobe; kprobe; uprobe; event */
	uint32_t event_type;		/* perf_event event */
	uint32_t count, flags;		/* uprobe_multi, kprobe_multi */
};

/* Fill li from raw[0..len); bytes past len read as zero. */
void link_info_decode(const void *raw, size_t len, struct link_info *li);
#endif
