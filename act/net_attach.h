/* Attaching programs to network devices: XDP through netlink (bpf_xdp_attach) and tcx
 * through BPF_PROG_ATTACH, or raw BPF_LINK_CREATE with the link pinned to outlive us. */
#ifndef BPFSCOPE_NETATTACH_H
#define BPFSCOPE_NETATTACH_H
#include <stdbool.h>
#include <stdint.h>
#include "lib/err.h"
#include "act/load.h"

#define TCX_PIN_DIR "/sys/fs/bpf/bpfscope/tcx"

enum netattach_kind {
	NA_XDP, NA_XDP_GENERIC, NA_XDP_DRV, NA_XDP_OFFLOAD, NA_TCX_INGRESS, NA_TCX_EGRESS,
	NA_MAX
};
/* "xdp", "xdpgeneric", "xdpdrv", "xdpoffload", "tcx_ingress", "tcx_egress"; -1 unknown */
int netattach_kind(const char *name);
const char *netattach_kind_name(int kind);
static inline bool netattach_is_tcx(int kind)
{
	return kind == NA_TCX_INGRESS || kind == NA_TCX_EGRESS;
}
/* The kernel attach type of a tcx kind. */
uint32_t netattach_tcx_type(int kind);

struct netattach_result {
	uint32_t prog_id;
	uint32_t link_id;	/* tcx */
	char pin[4096];		/* tcx: where the link is pinned */
};

/* Attach prog_fd at ifindex. overwrite: replace what is there (XDP) or detach the
 * others after attaching (tcx). pin_path: where to pin a tcx link (NULL: under
 * TCX_PIN_DIR as <ifname>_<ingress|egress>_<progid>). u (may be NULL) records what
 * was created so a caller can take it back. */
int net_attach(int kind, int prog_fd, int ifindex, bool overwrite, const char *pin_path,
	       struct undo *u, struct netattach_result *r, struct err *e);
/* tcx as bpftool attaches it: BPF_PROG_ATTACH on the device, no link, nothing pinned; the
 * device holds the program until a detach. prepend: first in the chain (BPF_F_BEFORE). */
int net_attach_tcx_prog(int kind, int prog_fd, int ifindex, bool prepend,
			struct netattach_result *r, struct err *e);
/* Detach whatever of kind is at ifindex (tcx: every program; their pins under
 * TCX_PIN_DIR are removed). *count: how many were detached. */
int net_detach(int kind, int ifindex, unsigned *count, struct err *e);
#endif
