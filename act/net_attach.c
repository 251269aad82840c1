/* XDP via netlink (libbpf) and tcx via raw bpf(BPF_LINK_CREATE): libbpf 1.1 has no tcx
 * helper, so the attr layout comes from lib/tcx_compat.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "lib/bpf_names.h"
#include "act/net_attach.h"
#include "lib/tcx_compat.h"

static const char *const kind_names[NA_MAX] = {
	[NA_XDP] = "xdp", [NA_XDP_GENERIC] = "xdpgeneric", [NA_XDP_DRV] = "xdpdrv",
	[NA_XDP_OFFLOAD] = "xdpoffload", [NA_TCX_INGRESS] = "tcx_ingress",
	[NA_TCX_EGRESS] = "tcx_egress",
};

int netattach_kind(const char *name)
{
	for (int i = 0; i < NA_MAX; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

const char *netattach_kind_name(int kind)
{
	return kind >= 0 && kind < NA_MAX ? kind_names[kind] : "?";
}

uint32_t netattach_tcx_type(int kind)
{
	return kind == NA_TCX_EGRESS ? BPFS_TCX_EGRESS : BPFS_TCX_INGRESS;
}

static uint32_t xdp_flags(int kind)
{
	switch (kind) {
	case NA_XDP_GENERIC: return XDP_FLAGS_SKB_MODE;
	case NA_XDP_DRV: return XDP_FLAGS_DRV_MODE;
	case NA_XDP_OFFLOAD: return XDP_FLAGS_HW_MODE;
	default: return 0;
	}
}

static int prog_info(int fd, struct bpf_prog_info *info, struct err *e)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		int err = errno;

		return err_set(e, err, "can't get prog info: %s", strerror(err));
	}
	return 0;
}

static bool kernel_older_than(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

static int attach_xdp(int kind, int prog_fd, int ifindex, bool overwrite, struct undo *u,
		      struct netattach_result *r, struct err *e)
{
	uint32_t flags = xdp_flags(kind);
	char ifname[IF_NAMESIZE] = "?";
	struct buf log = { 0 };
	struct log_scope ls;
	char *kmsg;
	int err;

	if_indextoname(ifindex, ifname);
	if (!overwrite)
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	/* libbpf prints the kernel's extended ack; we put it in the message instead */
	load_log_begin(&log, &ls);
	err = bpf_xdp_attach(ifindex, prog_fd, flags, NULL);
	load_log_end(&ls);
	kmsg = log.data ? strstr((char *)log.data, "Kernel error message: ") : NULL;
	if (kmsg) {
		kmsg += strlen("Kernel error message: ");
		kmsg[strcspn(kmsg, "\n")] = 0;	/* the message's line, not libbpf's next */
	}
	if (err) {
		err_set(e, -err, "can't attach %s program (id %u) to %s: %s%s%s%s", kind_names[kind],
			r->prog_id, ifname, strerror(-err), kmsg ? " (" : "", kmsg ? kmsg : "",
			kmsg ? ")" : "");
		buf_free(&log);
		if (err == -EEXIST || err == -EBUSY)
			err_hint(e, "a program is attached already: add 'overwrite' to replace it");
		else if (err == -EOPNOTSUPP && kind != NA_XDP_GENERIC)
			err_hint(e, "the driver may lack native XDP: try xdpgeneric");
		return err;
	}
	buf_free(&log);
	if (u) {
		struct undo_step s = { .kind = UNDO_XDP, .ifindex = ifindex,
				       .flags = xdp_flags(kind), .id = r->prog_id };

		if (undo_add(u, &s)) {
			bpf_xdp_detach(ifindex, xdp_flags(kind), NULL);
			return err_set(e, ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* prog and link ids at a tcx hook (BPF_PROG_QUERY with link ids, kernel 6.6+) */
static int tcx_query(int ifindex, uint32_t type, uint32_t *progs, uint32_t *links,
		     uint32_t *count, struct err *e)
{
	struct bpfs_prog_query_attr a = {
		.target_ifindex = ifindex, .attach_type = type,
		.prog_ids = (uintptr_t)progs, .link_ids = (uintptr_t)links, .count = *count,
	};

	if (syscall(__NR_bpf, BPFS_CMD_PROG_QUERY, &a, sizeof(a)) < 0) {
		int err = errno;

		return err_set(e, err, "can't query tcx programs: %s", strerror(err));
	}
	*count = a.count < *count ? a.count : *count;
	return 0;
}

static int attach_tcx(int kind, int prog_fd, int ifindex, bool overwrite, const char *pin_path,
		      struct undo *u, struct netattach_result *r, struct err *e)
{
	struct bpfs_link_create_attr a = {
		.prog_fd = prog_fd, .target_ifindex = ifindex,
		.attach_type = netattach_tcx_type(kind),
	};
	const char *dir = kind == NA_TCX_EGRESS ? "egress" : "ingress";
	struct bpf_prog_info info;
	struct bpf_link_info li = {};
	uint32_t len = sizeof(li), olds[64], oldl[64], nold = 64;
	char ifname[IF_NAMESIZE] = "?";
	int fd, err;
	struct undo local = {};

	if_indextoname(ifindex, ifname);
	err = prog_info(prog_fd, &info, e);
	if (err)
		return err;
	if (info.type != BPF_PROG_TYPE_SCHED_CLS)
		return err_set(e, EINVAL, "program id %u is a %s program; %s takes tc (sched_cls) "
			       "programs", info.id, prog_type_name(info.type) ?: "?", kind_names[kind]);
	if (overwrite && tcx_query(ifindex, a.attach_type, olds, oldl, &nold, e))
		return -e->code;
	for (uint32_t i = 0; overwrite && i < nold; i++) {
		unsigned n;

		/* the kernel takes a program once per hook: to attach it anew, clear the hook
		 * first (a short gap, unlike the usual attach-then-detach) */
		if (olds[i] == info.id) {
			if (net_detach(kind, ifindex, &n, e))
				return -e->code;
			nold = 0;
			break;
		}
	}
	fd = syscall(__NR_bpf, BPFS_CMD_LINK_CREATE, &a, sizeof(a));
	if (fd < 0) {
		err = errno;
		if (err == EINVAL && kernel_older_than(6, 6))
			return err_set(e, err, "tcx needs kernel >= 6.6");
		err_set(e, err, "can't attach %s program (id %u) to %s: %s", kind_names[kind],
			info.id, ifname, strerror(err));
		if (err == EEXIST)
			err_hint(e, "it is attached there already; 'overwrite' attaches it anew");
		return -err;
	}
	if (!bpf_obj_get_info_by_fd(fd, &li, &len))
		r->link_id = li.id;
	if (!u)
		u = &local;
	{
		struct undo_step s = { .kind = UNDO_LINK_DETACH, .id = r->link_id };

		undo_add(u, &s);
	}
	if (pin_path)
		snprintf(r->pin, sizeof(r->pin), "%s", pin_path);
	else
		snprintf(r->pin, sizeof(r->pin), TCX_PIN_DIR "/%s_%s_%u", ifname, dir, info.id);
	/* the link dies with this process unless pinned */
	err = pin_fd_undo(fd, r->pin, u, e);
	close(fd);
	if (err) {
		if (u == &local)
			undo_run(&local);
		return err;
	}
	if (u == &local)
		undo_forget(&local);
	if (overwrite) {
		/* attach first, then take the old ones off: no moment without a program */
		for (uint32_t i = 0; i < nold; i++) {
			if (oldl[i]) {
				int lfd = bpf_link_get_fd_by_id(oldl[i]);

				if (lfd >= 0) {
					bpf_link_detach(lfd);
					close(lfd);
				}
			} else {
				int pfd = bpf_prog_get_fd_by_id(olds[i]);

				if (pfd >= 0) {
					bpf_prog_detach2(pfd, ifindex, a.attach_type);
					close(pfd);
				}
			}
		}
	}
	return 0;
}

int net_attach(int kind, int prog_fd, int ifindex, bool overwrite, const char *pin_path,
	       struct undo *u, struct netattach_result *r, struct err *e)
{
	struct bpf_prog_info info;
	int err;

	memset(r, 0, sizeof(*r));
	if (kind < 0 || kind >= NA_MAX)
		return err_set(e, EINVAL, "unknown attach type");
	err = prog_info(prog_fd, &info, e);
	if (err)
		return err;
	r->prog_id = info.id;
	if (netattach_is_tcx(kind))
		return attach_tcx(kind, prog_fd, ifindex, overwrite, pin_path, u, r, e);
	if (info.type != BPF_PROG_TYPE_XDP)
		return err_set(e, EINVAL, "program id %u is a %s program; %s takes xdp programs",
			       info.id, prog_type_name(info.type) ?: "?", kind_names[kind]);
	return attach_xdp(kind, prog_fd, ifindex, overwrite, u, r, e);
}

int net_attach_tcx_prog(int kind, int prog_fd, int ifindex, bool prepend,
			struct netattach_result *r, struct err *e)
{
	/* BPF_F_BEFORE with no relative program: the front of the chain (uapi, 6.6) */
	LIBBPF_OPTS(bpf_prog_attach_opts, o, .flags = prepend ? (1u << 3) : 0);
	struct bpf_prog_info info;
	int err;

	memset(r, 0, sizeof(*r));
	err = prog_info(prog_fd, &info, e);
	if (err)
		return err;
	r->prog_id = info.id;
	/* the tcx attach types take the device's ifindex where others take a target fd */
	if (bpf_prog_attach_opts(prog_fd, ifindex, netattach_tcx_type(kind), &o)) {
		err = errno;
		if (err == EINVAL && kernel_older_than(6, 6))
			return err_set(e, err, "tcx needs kernel >= 6.6");
		return err_set(e, err, "interface %s attach failed: %s", kind_names[kind],
			       strerror(err));
	}
	return 0;
}

/* Remove our pins of the links in ids[] (TCX_PIN_DIR/<ifname>_<dir>_*). */
static void unpin_tcx(const char *ifname, const char *dir, const uint32_t *ids, uint32_t n)
{
	char prefix[64], path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(TCX_PIN_DIR);

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "%s_%s_", ifname, dir);
	while ((de = readdir(d))) {
		struct bpf_link_info li = {};
		uint32_t len = sizeof(li);
		int fd;

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), TCX_PIN_DIR "/%s", de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &li, &len))
			for (uint32_t i = 0; i < n; i++)
				if (ids[i] && ids[i] == li.id)
					unlink(path);
		close(fd);
	}
	closedir(d);
}

int net_detach(int kind, int ifindex, unsigned *count, struct err *e)
{
	char ifname[IF_NAMESIZE] = "?";
	uint32_t progs[64], links[64], n = 64;
	int err;

	*count = 0;
	if_indextoname(ifindex, ifname);
	if (!netattach_is_tcx(kind)) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);

		if (!bpf_xdp_query(ifindex, 0, &q) && !q.prog_id)
			return err_set(e, ENOENT, "no XDP program attached to %s", ifname);
		err = bpf_xdp_detach(ifindex, xdp_flags(kind), NULL);
		if (err)
			return err_set(e, -err, "can't detach %s from %s: %s", kind_names[kind],
				       ifname, strerror(-err));
		*count = 1;
		return 0;
	}
	memset(links, 0, sizeof(links));
	err = tcx_query(ifindex, netattach_tcx_type(kind), progs, links, &n, e);
	if (err) {
		if (-err == EINVAL && kernel_older_than(6, 6))
			return err_set(e, EINVAL, "tcx needs kernel >= 6.6");
		return err;
	}
	if (!n)
		return err_set(e, ENOENT, "no %s program attached to %s", kind_names[kind], ifname);
	unpin_tcx(ifname, kind == NA_TCX_EGRESS ? "egress" : "ingress", links, n);
	for (uint32_t i = 0; i < n; i++) {
		int fd;

		if (links[i]) {
			fd = bpf_link_get_fd_by_id(links[i]);
			if (fd < 0) {
				(*count)++;	/* went away with its last pin */
				continue;
			}
			err = bpf_link_detach(fd) ? errno : 0;
		} else {
			fd = bpf_prog_get_fd_by_id(progs[i]);
			if (fd < 0)
				continue;
			err = bpf_prog_detach2(fd, ifindex, netattach_tcx_type(kind)) ? errno : 0;
		}
		close(fd);	/* errno is saved in err: close may change it */
		if (err && err != ENOENT)
			return err_set(e, err, "can't detach %s program (id %u) from %s: %s",
				       kind_names[kind], progs[i], ifname, strerror(err));
		(*count)++;
	}
	return 0;
}
