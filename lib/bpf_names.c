/* Enum names. Newer kernels than the installed libbpf have values libbpf cannot
 * name; these tables extend it (values from the kernel's uapi/linux/bpf.h). */
#include <string.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf_names.h"
#include "lib/util.h"

struct name_ext { uint32_t v; const char *name; };

static const struct name_ext prog_ext[] = { { 32, "netfilter" } };
static const struct name_ext map_ext[] = {
	{ 31, "user_ringbuf" }, { 32, "cgrp_storage" }, { 33, "arena" }, { 34, "insn_array" },
};
static const struct name_ext attach_ext[] = {
	{ 44, "struct_ops" }, { 45, "netfilter" }, { 46, "tcx_ingress" }, { 47, "tcx_egress" },
	{ 48, "trace_uprobe_multi" }, { 49, "cgroup_unix_connect" }, { 50, "cgroup_unix_sendmsg" },
	{ 51, "cgroup_unix_recvmsg" }, { 52, "cgroup_unix_getpeername" },
	{ 53, "cgroup_unix_getsockname" }, { 54, "netkit_primary" }, { 55, "netkit_peer" },
	{ 56, "trace_kprobe_session" }, { 57, "trace_uprobe_session" },
};
static const struct name_ext link_ext[] = {
	{ 9, "struct_ops" }, { 10, "netfilter" }, { 11, "tcx" }, { 12, "uprobe_multi" },
	{ 13, "netkit" }, { 14, "sockmap" },
};

static const char *ext_lookup(const struct name_ext *t, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}

const char *prog_type_name(uint32_t t)
{
	const char *s = libbpf_bpf_prog_type_str(t);

	return s ? s : ext_lookup(prog_ext, ARRAY_SIZE(prog_ext), t);
}

const char *map_type_name(uint32_t t)
{
	const char *s = libbpf_bpf_map_type_str(t);

	return s ? s : ext_lookup(map_ext, ARRAY_SIZE(map_ext), t);
}

const char *attach_type_name(uint32_t t)
{
	const char *s = libbpf_bpf_attach_type_str(t);

	return s ? s : ext_lookup(attach_ext, ARRAY_SIZE(attach_ext), t);
}

const char *attach_type_input_name(uint32_t t)
{
	static const struct name_ext short_names[] = {
		{ BPF_CGROUP_INET_INGRESS, "ingress" }, { BPF_CGROUP_INET_EGRESS, "egress" },
		{ BPF_CGROUP_INET_SOCK_CREATE, "sock_create" },
		{ BPF_CGROUP_INET_SOCK_RELEASE, "sock_release" },
		{ BPF_CGROUP_SOCK_OPS, "sock_ops" }, { BPF_CGROUP_DEVICE, "device" },
		{ BPF_CGROUP_INET4_BIND, "bind4" }, { BPF_CGROUP_INET6_BIND, "bind6" },
		{ BPF_CGROUP_INET4_CONNECT, "connect4" }, { BPF_CGROUP_INET6_CONNECT, "connect6" },
		{ BPF_CGROUP_INET4_POST_BIND, "post_bind4" },
		{ BPF_CGROUP_INET6_POST_BIND, "post_bind6" },
		{ BPF_CGROUP_INET4_GETPEERNAME, "getpeername4" },
		{ BPF_CGROUP_INET6_GETPEERNAME, "getpeername6" },
		{ BPF_CGROUP_INET4_GETSOCKNAME, "getsockname4" },
		{ BPF_CGROUP_INET6_GETSOCKNAME, "getsockname6" },
		{ BPF_CGROUP_UDP4_SENDMSG, "sendmsg4" }, { BPF_CGROUP_UDP6_SENDMSG, "sendmsg6" },
		{ BPF_CGROUP_SYSCTL, "sysctl" }, { BPF_CGROUP_UDP4_RECVMSG, "recvmsg4" },
		{ BPF_CGROUP_UDP6_RECVMSG, "recvmsg6" }, { BPF_CGROUP_GETSOCKOPT, "getsockopt" },
		{ BPF_CGROUP_SETSOCKOPT, "setsockopt" }, { BPF_TRACE_RAW_TP, "raw_tp" },
		{ BPF_TRACE_FENTRY, "fentry" }, { BPF_TRACE_FEXIT, "fexit" },
		{ BPF_MODIFY_RETURN, "mod_ret" },
		{ BPF_SK_REUSEPORT_SELECT, "sk_skb_reuseport_select" },
		{ BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, "sk_skb_reuseport_select_or_migrate" },
	};
	const char *s = ext_lookup(short_names, ARRAY_SIZE(short_names), t);

	return s ? s : attach_type_name(t);
}

const char *link_type_name(uint32_t t)
{
	const char *s = libbpf_bpf_link_type_str(t);

	return s ? s : ext_lookup(link_ext, ARRAY_SIZE(link_ext), t);
}

const char *version_libbpf(void)
{
	const char *v = libbpf_version_string();

	return v + (v[0] == 'v');	/* "v1.3" on some builds, "1.3" on others */
}
