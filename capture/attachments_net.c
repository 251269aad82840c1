/* Network attachments in the current network namespace: XDP per device and mode (one
 * RTM_GETLINK dump), tcx/netkit chains (BPF_PROG_QUERY per device), classic tc bpf
 * filters (RTM_GETTFILTER on the parents that exist) and the flow dissector. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include "capture/attachments_int.h"
#include "capture/netlink.h"

struct dev {
	int ifindex;
	char name[64];
};

struct qdisc {
	int ifindex;
	uint32_t handle;
	char kind[32];
};

struct net_walk {
	struct att_ctx *c;
	struct dev *devs;
	size_t nr_devs, cap_devs;
	struct qdisc *qds;
	size_t nr_qds, cap_qds;
	/* current device and parent label while dumping filters */
	const struct dev *dev;
	const char *parent_kind;
};

static int xdp_row(struct att_ctx *c, const struct dev *d, uint8_t attached, const char *mode,
		   uint32_t prog_id)
{
	struct attach_row r = { .kind = ATTACH_XDP };

	if (!prog_id)
		return 0;
	r.ifindex = d->ifindex;
	r.devname = d->name;
	r.mode = mode;
	r.prog_id = prog_id;
	r.has_attach_type = true;
	r.attach_type = BPF_XDP;
	r.u.xdp.attached = attached;
	return att_insert(c, &r);
}

static int link_cb(const struct nlmsghdr *nh, void *arg)
{
	struct net_walk *w = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct nlattr *tb[IFLA_MAX + 1], *xdp[IFLA_XDP_MAX + 1];
	struct dev *d;
	uint8_t mode;
	int ret;

	if (nh->nlmsg_type != RTM_NEWLINK || nla_parse_msg(tb, IFLA_MAX, nh, sizeof(*ifi)))
		return 0;
	if (w->nr_devs == w->cap_devs) {
		size_t cap = w->cap_devs ? 2 * w->cap_devs : 16;
		struct dev *t = realloc(w->devs, cap * sizeof(*t));

		if (!t)
			return err_set(w->c->e, ENOMEM, "out of memory");
		w->devs = t;
		w->cap_devs = cap;
	}
	d = &w->devs[w->nr_devs++];
	d->ifindex = ifi->ifi_index;
	nla_str(tb[IFLA_IFNAME], d->name, sizeof(d->name));
	if (!tb[IFLA_XDP] || nla_parse_nested_attr(xdp, IFLA_XDP_MAX, tb[IFLA_XDP]))
		return 0;
	mode = nla_u8(xdp[IFLA_XDP_ATTACHED]);
	switch (mode) {
	case XDP_ATTACHED_MULTI:
		/* bpftool's order: generic, driver, offload */
		ret = xdp_row(w->c, d, mode, "generic", nla_u32(xdp[IFLA_XDP_SKB_PROG_ID]));
		if (!ret)
			ret = xdp_row(w->c, d, mode, "driver", nla_u32(xdp[IFLA_XDP_DRV_PROG_ID]));
		if (!ret)
			ret = xdp_row(w->c, d, mode, "offload", nla_u32(xdp[IFLA_XDP_HW_PROG_ID]));
		return ret;
	case XDP_ATTACHED_DRV:
		return xdp_row(w->c, d, mode, "driver", nla_u32(xdp[IFLA_XDP_PROG_ID]));
	case XDP_ATTACHED_SKB:
		return xdp_row(w->c, d, mode, "generic", nla_u32(xdp[IFLA_XDP_PROG_ID]));
	case XDP_ATTACHED_HW:
		return xdp_row(w->c, d, mode, "offload", nla_u32(xdp[IFLA_XDP_PROG_ID]));
	default:
		return 0;
	}
}

static int dump_links(struct nl_sock *s, struct net_walk *w)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		struct nlattr ext_hdr;
		uint32_t ext_mask;
	} req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.ifi.ifi_family = AF_UNSPEC,
		.ext_hdr.nla_len = NLA_HDRLEN + sizeof(uint32_t),
		.ext_hdr.nla_type = IFLA_EXT_MASK,
		/* counters are most of a link message and we need none of them */
		.ext_mask = RTEXT_FILTER_SKIP_STATS,
	};

	return nl_dump(s, &req, sizeof(req), sizeof(struct ifinfomsg), link_cb, w, w->c->e);
}

static int qdisc_cb(const struct nlmsghdr *nh, void *arg)
{
	struct net_walk *w = arg;
	const struct tcmsg *t = NLMSG_DATA(nh);
	const struct nlattr *tb[TCA_MAX + 1];
	struct qdisc *q;

	if ((nh->nlmsg_type != RTM_NEWQDISC && nh->nlmsg_type != RTM_NEWTCLASS) ||
	    nla_parse_msg(tb, TCA_MAX, nh, sizeof(*t)))
		return 0;
	if (w->nr_qds == w->cap_qds) {
		size_t cap = w->cap_qds ? 2 * w->cap_qds : 16;
		struct qdisc *n = realloc(w->qds, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		w->qds = n;
		w->cap_qds = cap;
	}
	q = &w->qds[w->nr_qds++];
	q->ifindex = t->tcm_ifindex;
	q->handle = t->tcm_handle;
	if (tb[TCA_KIND])
		nla_str(tb[TCA_KIND], q->kind, sizeof(q->kind));
	else
		snprintf(q->kind, sizeof(q->kind), "unknown");
	return 0;
}

/* RTM_GETQDISC without strict checking dumps every device's qdiscs at once; classes
 * need one dump per device. */
static int dump_tc(struct nl_sock *s, struct net_walk *w, int type, int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = type,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.t.tcm_family = AF_UNSPEC,
		.t.tcm_ifindex = ifindex,
	};
	struct err e = { 0 };

	return nl_dump(s, &req, sizeof(req), sizeof(struct tcmsg), qdisc_cb, w, &e);
}

static int filter_cb(const struct nlmsghdr *nh, void *arg)
{
	struct net_walk *w = arg;
	const struct tcmsg *t = NLMSG_DATA(nh);
	const struct nlattr *tb[TCA_MAX + 1], *opt[TCA_BPF_MAX + 1];
	struct attach_row r = { .kind = ATTACH_TC };
	char kind[16], name[256];

	if (nh->nlmsg_type != RTM_NEWTFILTER || nla_parse_msg(tb, TCA_MAX, nh, sizeof(*t)))
		return 0;
	nla_str(tb[TCA_KIND], kind, sizeof(kind));
	if (strcmp(kind, "bpf") || !tb[TCA_OPTIONS] ||
	    nla_parse_nested_attr(opt, TCA_BPF_MAX, tb[TCA_OPTIONS]))
		return 0;
	nla_str(opt[TCA_BPF_NAME], name, sizeof(name));
	r.ifindex = w->dev->ifindex;
	r.devname = w->dev->name;
	r.mode = w->parent_kind;
	r.target = opt[TCA_BPF_NAME] ? name : NULL;
	r.prog_id = nla_u32(opt[TCA_BPF_ID]);
	r.u.tc.handle = t->tcm_handle;
	r.u.tc.prio = TC_H_MAJ(t->tcm_info) >> 16;
	r.u.tc.parent = t->tcm_parent;
	r.u.tc.protocol = ntohs(TC_H_MIN(t->tcm_info));
	r.u.tc.flags = nla_u32(opt[TCA_BPF_FLAGS]);
	return att_insert(w->c, &r);
}

static int dump_filters(struct nl_sock *s, struct net_walk *w, uint32_t parent, const char *kind)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = RTM_GETTFILTER,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.t.tcm_family = AF_UNSPEC,
		.t.tcm_ifindex = w->dev->ifindex,
		.t.tcm_parent = parent,
	};
	struct err e = { 0 };
	int ret;

	w->parent_kind = kind;
	ret = nl_dump(s, &req, sizeof(req), sizeof(struct tcmsg), filter_cb, w, &e);
	/* a row that failed to insert is fatal; a device or qdisc that went away is not */
	return w->c->e->code ? ret : 0;
}

/* tcx and netkit chains: the kernel lists programs and the links holding them */
static int dev_mprog(struct att_ctx *c, const struct dev *d)
{
	static const struct { uint32_t type; enum attach_kind kind; const char *label; } locs[] = {
		{ BPFS_TCX_INGRESS, ATTACH_TCX, "tcx/ingress" },
		{ BPFS_TCX_EGRESS, ATTACH_TCX, "tcx/egress" },
		{ BPFS_NETKIT_PRIMARY, ATTACH_NETKIT, "netkit/primary" },
		{ BPFS_NETKIT_PEER, ATTACH_NETKIT, "netkit/peer" },
	};
	int ret = 0;

	for (size_t i = 0; i < sizeof(locs) / sizeof(locs[0]) && !ret; i++) {
		struct att_query q = { .target = d->ifindex, .attach_type = locs[i].type };

		if (att_prog_query_all(&q, true)) {
			att_query_free(&q);
			continue;	/* no such hook on this device, or an older kernel */
		}
		for (uint32_t j = 0; j < q.cnt && !ret; j++) {
			struct attach_row r = { .kind = locs[i].kind };

			r.ifindex = d->ifindex;
			r.devname = d->name;
			r.mode = locs[i].label;
			r.has_attach_type = true;
			r.attach_type = locs[i].type;
			r.prog_id = q.prog_ids[j];
			r.link_id = q.link_ids[j];
			r.u.mprog.position = j;
			r.u.mprog.prog_flags = q.prog_flags[j];
			r.u.mprog.link_flags = q.link_flags[j];
			ret = att_insert(c, &r);
		}
		att_query_free(&q);
	}
	return ret;
}

/* Classic tc: bpftool asks every class and qdisc of the device, then root and the two
 * clsact hooks. Filters only hang off classful qdiscs (non-zero handle) and clsact/
 * ingress, so we ask only the parents that can hold one. */
static int dev_tc(struct nl_sock *s, struct net_walk *w, const struct dev *d)
{
	bool classful = false, clsact = false;
	size_t first_class, end_class;
	int ret = 0;

	w->dev = d;
	for (size_t i = 0; i < w->nr_qds; i++) {
		if (w->qds[i].ifindex != d->ifindex)
			continue;
		if (!strcmp(w->qds[i].kind, "clsact") || !strcmp(w->qds[i].kind, "ingress"))
			clsact = true;
		else if (w->qds[i].handle)
			classful = true;
	}
	if (classful) {
		size_t nr_qds = w->nr_qds;

		first_class = w->nr_qds;
		dump_tc(s, w, RTM_GETTCLASS, d->ifindex);
		end_class = w->nr_qds;
		for (size_t i = first_class; i < end_class && !ret; i++)
			if (w->qds[i].ifindex == d->ifindex)
				ret = dump_filters(s, w, w->qds[i].handle, w->qds[i].kind);
		w->nr_qds = nr_qds;	/* classes were only for this device */
		for (size_t i = 0; i < w->nr_qds && !ret; i++) {
			struct qdisc *q = &w->qds[i];

			if (q->ifindex == d->ifindex && q->handle && strcmp(q->kind, "clsact"))
				ret = dump_filters(s, w, q->handle, q->kind);
		}
		if (!ret)
			ret = dump_filters(s, w, TC_H_ROOT, "root");
	}
	if (clsact && !ret)
		ret = dump_filters(s, w, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), "clsact/ingress");
	if (clsact && !ret)
		ret = dump_filters(s, w, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), "clsact/egress");
	return ret;
}

static int flow_dissector(struct att_ctx *c)
{
	struct att_query q = { .attach_type = BPF_FLOW_DISSECTOR };
	char target[64];
	struct stat sb;
	int fd, ret = 0;

	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb))
		sb.st_ino = 0;
	snprintf(target, sizeof(target), "net:[%llu]", (unsigned long long)sb.st_ino);
	q.target = fd;
	if (!att_prog_query_all(&q, false)) {
		for (uint32_t i = 0; i < q.cnt && !ret; i++) {
			struct attach_row r = { .kind = ATTACH_FLOW_DISSECTOR };

			r.prog_id = q.prog_ids[i];
			r.has_attach_type = true;
			r.attach_type = BPF_FLOW_DISSECTOR;
			r.target = target;
			r.u.flow.position = i;
			ret = att_insert(c, &r);
		}
	}
	att_query_free(&q);
	close(fd);
	return ret;
}

int attach_net(struct att_ctx *c)
{
	bool want_xdp = att_have(c, BPF_PROG_TYPE_XDP);
	bool want_tc = att_have(c, BPF_PROG_TYPE_SCHED_CLS) || att_have(c, BPF_PROG_TYPE_SCHED_ACT);
	struct net_walk w = { .c = c };
	struct nl_sock s;
	int ret;

	if (att_have(c, BPF_PROG_TYPE_FLOW_DISSECTOR)) {
		ret = flow_dissector(c);
		if (ret)
			return ret;
	}
	if (!want_xdp && !want_tc)
		return 0;
	ret = nl_open(&s, c->e);
	if (ret)
		return ret;
	ret = dump_links(&s, &w);
	if (!ret && want_tc) {
		dump_tc(&s, &w, RTM_GETQDISC, 0);
		for (size_t i = 0; i < w.nr_devs && !ret; i++) {
			ret = dev_mprog(c, &w.devs[i]);
			if (!ret)
				ret = dev_tc(&s, &w, &w.devs[i]);
		}
	}
	nl_close(&s);
	free(w.devs);
	free(w.qds);
	return ret;
}
