/* link show's one link: upstream bpftool's show_link_close_plain / _json, field by field,
 * from the raw struct bpf_link_info the snapshot kept (analyze/link_info.c reads it). */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include "analyze/link_info.h"
#include "cli/link_print.h"
#include "lib/bpf_names.h"
#include "store/read_prog.h"

static void attach_type(struct out *o, uint32_t at)
{
	const char *n = attach_type_name(at);

	if (n)
		out_str(o, "attach_type", "attach_type %s  ", n);
	else
		out_uint(o, "attach_type", "attach_type %llu  ", at);
}

/* "ifindex eth0(3)", "(detached)" for 0, "(unknown)" for a name the machine lacks (and in
 * a stored snapshot, where names belong to the machine it came from) */
static void ifindex(struct ctx *ctx, uint32_t idx)
{
	struct out *o = &ctx->out;
	char name[IF_NAMESIZE] = "";
	bool named = idx && ctx->snap_ref == NULL && if_indextoname(idx, name);

	if (out_json(o)) {
		out_str(o, "devname", NULL, named ? name : idx ? "(unknown)" : "(detached)");
		out_uint(o, "ifindex", NULL, idx);
	} else if (named) {
		out_plain(o, "ifindex %s(%u)  ", out_safe(name, (char[64]){ 0 }, 64), idx);
	} else {
		out_plain(o, "ifindex %s  ", idx ? "(unknown)" : "(detached)");
	}
}

static bool iter_map_target(const char *t)
{
	return !strcmp(t, "bpf_map_elem") || !strcmp(t, "bpf_sk_storage_map");
}

static void iter(struct out *o, const struct link_info *li, const char *t)
{
	static const char *const orders[] = { "order_unspec", "self_only", "descendants_pre",
					      "descendants_post", "ancestors_up" };

	out_str(o, "target_name", "target_name %s  ", t);
	if (iter_map_target(t)) {
		out_uint(o, "map_id", "map_id %llu  ", li->map_id);
	} else if (!strcmp(t, "task") || !strcmp(t, "task_file") || !strcmp(t, "task_vma")) {
		if (li->tid)
			out_uint(o, "tid", "tid %llu ", li->tid);
		else if (li->pid)
			out_uint(o, "pid", "pid %llu ", li->pid);
	}
	if (!strcmp(t, "cgroup")) {
		out_uint(o, "cgroup_id", "cgroup_id %llu  ", li->cgroup_id);
		out_str(o, "order", "order %s  ", li->order < 5 ? orders[li->order] : "unknown");
	}
}

static void netfilter(struct out *o, const struct link_info *li)
{
	static const char *const pfs[] = { [1] = "inet", [2] = "ip", [3] = "arp", [5] = "netdev",
					   [7] = "bridge", [10] = "ip6" };
	static const char *const inet_hooks[] = { "prerouting", "input", "forward", "output",
						   "postrouting" };
	static const char *const arp_hooks[] = { "input", "output" };
	const char *pf = li->nf_pf < 11 ? pfs[li->nf_pf] : NULL, *hook = NULL;

	if (out_json(o)) {
		out_uint(o, "pf", NULL, li->nf_pf);
		out_uint(o, "hook", NULL, li->nf_hook);
		out_int(o, "prio", NULL, li->nf_prio);
		out_uint(o, "flags", NULL, li->nf_flags);
		return;
	}
	if ((li->nf_pf == 1 || li->nf_pf == 2 || li->nf_pf == 7 || li->nf_pf == 10) && li->nf_hook < 5)
		hook = inet_hooks[li->nf_hook];
	else if (li->nf_pf == 3 && li->nf_hook < 2)
		hook = arp_hooks[li->nf_hook];
	if (pf)
		out_plain(o, "\n\t%s", pf);
	else
		out_plain(o, "\n\tpf: %u", li->nf_pf);
	if (hook)
		out_plain(o, " %s", hook);
	else
		out_plain(o, ", hook %u,", li->nf_hook);
	out_plain(o, " prio %d", li->nf_prio);
	if (li->nf_flags)
		out_plain(o, " flags 0x%x", li->nf_flags);
}

/* perf_event links: upstream prints nothing but the header when the name is empty */
static void perf_event(struct out *o, const struct link_info *li, const char *t)
{
	bool json = out_json(o), ret;

	switch (li->pe_type) {
	case LI_PE_TRACEPOINT:
		if (json) {
			out_str(o, "tracepoint", NULL, t);
			out_uint(o, "cookie", NULL, li->cookie);
		} else if (*t) {
			out_plain(o, "\n\ttracepoint %s  ", out_safe(t, (char[512]){ 0 }, 512));
			if (li->cookie)
				out_plain(o, "cookie %llu  ", (unsigned long long)li->cookie);
		}
		break;
	case LI_PE_UPROBE:
	case LI_PE_URETPROBE:
		ret = li->pe_type == LI_PE_URETPROBE;
		if (json) {
			out_bool(o, "retprobe", NULL, ret);
			out_str(o, "file", NULL, t);
			out_uint(o, "offset", NULL, li->offset);
			out_uint(o, "cookie", NULL, li->cookie);
			out_uint(o, "ref_ctr_offset", NULL, li->ref_ctr_offset);
		} else if (*t) {
			out_plain(o, "\n\t%s %s+%#x  ", ret ? "uretprobe" : "uprobe",
				  out_safe(t, (char[4200]){ 0 }, 4200), li->offset);
			if (li->cookie)
				out_plain(o, "cookie %llu  ", (unsigned long long)li->cookie);
			if (li->ref_ctr_offset)
				out_plain(o, "ref_ctr_offset 0x%llx  ",
					  (unsigned long long)li->ref_ctr_offset);
		}
		break;
	case LI_PE_KPROBE:
	case LI_PE_KRETPROBE:
		ret = li->pe_type == LI_PE_KRETPROBE;
		if (json) {
			out_bool(o, "retprobe", NULL, ret);
			out_uint(o, "addr", NULL, li->addr);
			out_str(o, "func", NULL, t);
			out_uint(o, "offset", NULL, li->offset);
			out_uint(o, "missed", NULL, li->missed);
			out_uint(o, "cookie", NULL, li->cookie);
		} else if (*t || li->addr) {
			out_plain(o, "\n\t%s ", ret ? "kretprobe" : "kprobe");
			if (li->addr)
				out_plain(o, "%llx ", (unsigned long long)li->addr);
			out_plain(o, "%s", out_safe(t, (char[512]){ 0 }, 512));
			if (li->offset)
				out_plain(o, "+%#x", li->offset);
			if (li->missed)
				out_plain(o, "  missed %llu", (unsigned long long)li->missed);
			if (li->cookie)
				out_plain(o, "  cookie %llu", (unsigned long long)li->cookie);
			out_plain(o, "  ");
		}
		break;
	case LI_PE_EVENT:	/* perf's event names are not kept: the numbers */
		out_uint(o, "event_type", "\n\tevent %llu :", li->event_type);
		out_uint(o, "event_config", "%llu  ", li->config);
		out_uint(o, "cookie", NULL, li->cookie);
		if (!json && li->cookie)
			out_plain(o, "cookie %llu  ", (unsigned long long)li->cookie);
		break;
	}
}

static int keep_prog_type(const struct prog_row *r, void *arg)
{
	*(int64_t *)arg = r->type;
	return 0;
}

static int tracing(struct ctx *ctx, struct view *v, const struct link_info *li, struct err *e)
{
	struct out *o = &ctx->out;
	int64_t pt = -1;
	const char *n;

	if (prog_rows(&v->db, v->snap_id, li->prog_id, keep_prog_type, &pt, e))
		return -1;
	n = pt >= 0 ? prog_type_name(pt) : NULL;
	if (n)
		out_str(o, "prog_type", "\n\tprog_type %s  ", n);
	else
		out_uint(o, "prog_type", "\n\tprog_type %llu  ", pt < 0 ? 0 : pt);
	attach_type(o, li->attach_type);
	out_uint(o, "target_obj_id", NULL, li->target_obj_id);
	out_uint(o, "target_btf_id", NULL, li->target_btf_id);
	out_uint(o, "cookie", NULL, li->cookie);
	if (li->target_obj_id || li->target_btf_id)
		out_plain(o, "\n\ttarget_obj_id %u  target_btf_id %u  ", li->target_obj_id,
			  li->target_btf_id);
	if (li->cookie)
		out_plain(o, "\n\tcookie %llu  ", (unsigned long long)li->cookie);
	return 0;
}

/* The row's columns as the raw info would say them (a file from before info_raw). */
static void from_columns(const struct link_row *r, struct link_info *li)
{
	*li = (struct link_info){ .type = r->type, .id = r->id, .prog_id = r->prog_id,
				  .attach_type = r->attach_type, .ifindex = r->ifindex,
				  .cookie = r->cookie, .target_obj_id = r->target_obj_id,
				  .target_btf_id = r->target_btf_id, .cgroup_id = r->cgroup_id,
				  .netns_ino = r->netns_ino, .offset = r->offset };
	if (r->type == BPF_LINK_TYPE_PERF_EVENT)
		li->pe_type = r->flags;
	if (r->type == 10)
		li->nf_flags = r->flags;
}

static int link_body(struct ctx *ctx, struct view *v, const struct link_info *li,
		     const char *t, struct err *e)
{
	struct out *o = &ctx->out;

	switch (li->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		out_str(o, "tp_name", "\n\ttp '%s'  ", t);
		out_uint(o, "cookie", NULL, li->cookie);
		if (li->cookie)
			out_plain(o, "cookie %llu  ", (unsigned long long)li->cookie);
		break;
	case BPF_LINK_TYPE_TRACING:
		return tracing(ctx, v, li, e);
	case BPF_LINK_TYPE_CGROUP:
		out_uint(o, "cgroup_id", "\n\tcgroup_id %llu  ", li->cgroup_id);
		attach_type(o, li->attach_type);
		break;
	case BPF_LINK_TYPE_ITER:
		iter(o, li, t);
		break;
	case BPF_LINK_TYPE_NETNS:
		out_uint(o, "netns_ino", "\n\tnetns_ino %llu  ", li->netns_ino);
		attach_type(o, li->attach_type);
		break;
	case 10:	/* netfilter */
		netfilter(o, li);
		break;
	case 11:	/* tcx */
	case 13:	/* netkit */
		out_plain(o, "\n\t");
		ifindex(ctx, li->ifindex);
		attach_type(o, li->attach_type);
		break;
	case 14:	/* sockmap */
		out_uint(o, "map_id", "\n\tmap_id %llu  ", li->map_id);
		attach_type(o, li->attach_type);
		break;
	case BPF_LINK_TYPE_XDP:
		out_plain(o, "\n\t");
		ifindex(ctx, li->ifindex);
		break;
	case 9:		/* struct_ops: its map in the header */
		out_uint(o, "map_id", NULL, li->map_id);
		break;
	case 12:	/* uprobe_multi: the offsets are not captured, the rest is */
		out_bool(o, "retprobe", NULL, li->flags & 1);
		out_str(o, "path", NULL, t);
		out_uint(o, "func_cnt", NULL, li->count);
		out_int(o, "pid", NULL, (int32_t)li->pid);
		if (li->count && !out_json(o)) {
			out_plain(o, "\n\t%s  path %s  func_cnt %u  ", li->flags & 1 ?
				  "uretprobe.multi" : "uprobe.multi",
				  out_safe(t, (char[4200]){ 0 }, 4200), li->count);
			if (li->pid)
				out_plain(o, "pid %u  ", li->pid);
		}
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		perf_event(o, li, t);
		break;
	}
	return 0;
}

int link_print(struct ctx *ctx, struct view *v, const struct link_row *r, struct err *e)
{
	struct out *o = &ctx->out;
	const char *tname = link_type_name(r->type), *t = r->target ? r->target : "";
	struct link_info li;

	if (r->info_raw && r->info_len >= 12)
		link_info_decode(r->info_raw, r->info_len, &li);
	else
		from_columns(r, &li);
	li.id = r->id;	/* the columns are the row's identity */
	li.type = r->type;
	out_obj_start(o, NULL);
	out_uint(o, "id", "%llu: ", r->id);
	if (tname)
		out_str(o, "type", "%s  ", tname);
	else
		out_uint(o, "type", "type %llu  ", r->type);
	out_uint(o, "prog_id", r->type == 9 ? NULL : "prog %llu  ", r->prog_id);
	if (r->type == 9)
		out_plain(o, "map %u  ", li.map_id);
	if (link_body(ctx, v, &li, t, e) ||
	    show_pinned(ctx, v, "link", r->id, e) || show_pids(ctx, v, "link", r->id, e))
		return -1;
	out_nl(o);
	out_obj_end(o);
	return 0;
}
