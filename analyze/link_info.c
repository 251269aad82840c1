/* struct bpf_link_info by offset: our uapi headers (Linux 6.1) lack the newer members
 * (netfilter, tcx, struct_ops, perf_event probes, cookies), the kernel that filled it has them. */
#include <string.h>
#include <linux/bpf.h>
#include "analyze/link_info.h"

#define U 16	/* the union starts at byte 16 */

struct raw {
	const uint8_t *p;
	size_t len;
};

static uint32_t r32(const struct raw *r, size_t off)
{
	uint32_t v = 0;

	if (off + 4 <= r->len)
		memcpy(&v, r->p + off, 4);
	return v;
}

static uint64_t r64(const struct raw *r, size_t off)
{
	uint64_t v = 0;

	if (off + 8 <= r->len)
		memcpy(&v, r->p + off, 8);
	return v;
}

static void perf_event(const struct raw *r, struct link_info *li)
{
	li->pe_type = r32(r, U);
	switch (li->pe_type) {
	case LI_PE_UPROBE:
	case LI_PE_URETPROBE:
		li->offset = r32(r, U + 20);
		li->cookie = r64(r, U + 24);
		li->ref_ctr_offset = r64(r, U + 32);
		break;
	case LI_PE_KPROBE:
	case LI_PE_KRETPROBE:
		li->offset = r32(r, U + 20);
		li->addr = r64(r, U + 24);
		li->missed = r64(r, U + 32);
		li->cookie = r64(r, U + 40);
		break;
	case LI_PE_TRACEPOINT:
		li->cookie = r64(r, U + 24);
		break;
	case LI_PE_EVENT:
		li->config = r64(r, U + 8);
		li->event_type = r32(r, U + 16);
		li->cookie = r64(r, U + 24);
		break;
	}
}

void link_info_decode(const void *raw, size_t len, struct link_info *li)
{
	struct raw r = { raw, raw ? len : 0 };

	memset(li, 0, sizeof(*li));
	li->type = r32(&r, 0);
	li->id = r32(&r, 4);
	li->prog_id = r32(&r, 8);
	switch (li->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		li->cookie = r64(&r, U + 16);
		break;
	case BPF_LINK_TYPE_TRACING:
		li->attach_type = r32(&r, U);
		li->target_obj_id = r32(&r, U + 4);
		li->target_btf_id = r32(&r, U + 8);
		li->cookie = r64(&r, U + 16);
		break;
	case BPF_LINK_TYPE_CGROUP:
		li->cgroup_id = r64(&r, U);
		li->attach_type = r32(&r, U + 8);
		break;
	case BPF_LINK_TYPE_ITER:
		li->map_id = r32(&r, U + 12);
		li->cgroup_id = r64(&r, U + 16);
		li->order = r32(&r, U + 24);
		li->tid = r32(&r, U + 16);
		li->pid = r32(&r, U + 20);
		break;
	case BPF_LINK_TYPE_NETNS:
		li->netns_ino = r32(&r, U);
		li->attach_type = r32(&r, U + 4);
		break;
	case BPF_LINK_TYPE_XDP:
		li->ifindex = r32(&r, U);
		break;
	case 9:		/* struct_ops */
		li->map_id = r32(&r, U);
		break;
	case 10:	/* netfilter */
		li->nf_pf = r32(&r, U);
		li->nf_hook = r32(&r, U + 4);
		li->nf_prio = (int32_t)r32(&r, U + 8);
		li->nf_flags = r32(&r, U + 12);
		break;
	case 11:	/* tcx */
	case 13:	/* netkit */
		li->ifindex = r32(&r, U);
		li->attach_type = r32(&r, U + 4);
		break;
	case 12:	/* uprobe_multi: path, offsets, ref_ctr_offsets, cookies, size, count */
		li->count = r32(&r, U + 36);
		li->flags = r32(&r, U + 40);
		li->pid = r32(&r, U + 44);
		break;
	case 14:	/* sockmap */
		li->map_id = r32(&r, U);
		li->attach_type = r32(&r, U + 4);
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		perf_event(&r, li);
		break;
	}
}
