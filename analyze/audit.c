/* The audit's rules over one snapshot (docs/audit.md says why each matters and where it
 * comes from). Every string here comes from a snapshot that may be hostile: findings copy
 * it, printers escape it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "analyze/audit.h"
#include "analyze/cbpf.h"
#include "analyze/xlated.h"
#include "lib/bpf_names.h"
#include "lib/util.h"

static const char *const sev_names[SEV_NR] = { "info", "low", "medium", "high" };

const char *audit_sev_name(enum audit_sev s)
{
	return (unsigned)s < SEV_NR ? sev_names[s] : "?";
}

int audit_sev_parse(const char *s, enum audit_sev *out)
{
	for (int i = 0; i < SEV_NR; i++)
		if (!strcmp(s, sev_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* A finding about object kind/id (name, identity, tag, path copied); evidence formatted. */
static int add(struct audit_findings *f, struct err *e, const char *rule, enum audit_sev sev,
	       const char *kind, uint32_t id, const char *name, const char *identity,
	       const char *tag, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 11, 12)));
static int add(struct audit_findings *f, struct err *e, const char *rule, enum audit_sev sev,
	       const char *kind, uint32_t id, const char *name, const char *identity,
	       const char *tag, const char *path, const char *fmt, ...)
{
	struct audit_finding *x;
	va_list ap;
	int n;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 32;
		void *p = realloc(f->v, cap * sizeof(*f->v));

		if (!p)
			return err_set(e, ENOMEM, "out of memory auditing");
		f->v = p;
		f->cap = cap;
	}
	x = &f->v[f->n];
	*x = (struct audit_finding){ .rule = rule, .sev = sev, .kind = kind, .id = id, .pid = -1 };
	x->name = strdup(nz(name));
	x->identity = strdup(nz(identity));
	x->comm = strdup("");
	x->tag = tag ? strdup(tag) : NULL;
	x->path = path && *path ? strdup(path) : NULL;
	va_start(ap, fmt);
	n = vasprintf(&x->evidence, fmt, ap);
	va_end(ap);
	f->n++;
	if (n < 0 || !x->name || !x->identity || !x->comm || (tag && !x->tag) ||
	    (path && *path && !x->path)) {
		if (n < 0)
			x->evidence = NULL;
		return err_set(e, ENOMEM, "out of memory auditing");
	}
	return 0;
}

void audit_findings_free(struct audit_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct audit_finding *x = &f->v[i];

		free(x->name); free(x->identity); free(x->tag); free(x->path); free(x->comm);
		free(x->evidence);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* ---- code: helpers an attacker wants ---- */

static const struct {
	const char *helper, *rule;
	enum audit_sev sev;
	const char *why;
} helper_rules[] = {
	{ "bpf_probe_write_user", "helper.write_user", SEV_HIGH, "writes another process's memory" },
	{ "bpf_override_return", "helper.override_return", SEV_HIGH, "changes a kernel function's return value" },
	{ "bpf_send_signal", "helper.signal", SEV_HIGH, "signals the current process" },
	{ "bpf_send_signal_thread", "helper.signal", SEV_HIGH, "signals the current thread" },
	{ "bpf_sys_bpf", "helper.sys_bpf", SEV_MEDIUM, "loads or changes BPF objects from BPF" },
	{ "bpf_d_path", "helper.d_path", SEV_LOW, "reads file paths of the files a process opens" },
	{ "bpf_skb_store_bytes", "helper.packet_rewrite", SEV_INFO, "rewrites packets" },
	{ "bpf_l3_csum_replace", "helper.packet_rewrite", SEV_INFO, "rewrites packets" },
	{ "bpf_l4_csum_replace", "helper.packet_rewrite", SEV_INFO, "rewrites packets" },
	{ "bpf_xdp_store_bytes", "helper.packet_rewrite", SEV_INFO, "rewrites packets" },
	{ "bpf_copy_from_user_task", "helper.read_other", SEV_LOW, "reads another task's memory" },
	{ "bpf_access_process_vm", "helper.read_other", SEV_LOW, "reads another task's memory" },
};

/* The helper or kfunc a call's text names: "(85) call bpf_send_signal#109" */
static bool call_name(const char *text, char *out, size_t len)
{
	const char *p = strstr(text, ") call "), *end;

	if (!p)
		return false;
	p += 7;
	end = strchr(p, '#');
	if (!end || end == p || (size_t)(end - p) >= len)
		return false;
	memcpy(out, p, end - p);
	out[end - p] = 0;
	return true;
}

int audit_prog_code(const struct snap_objs *s, size_t i, const struct prog_code *pc,
		    struct audit_findings *out, struct err *e)
{
	const struct so_prog *p = &s->progs[i];
	char text[512], name[128], *ident = diff_prog_identity(s, i);
	int err = ident ? 0 : err_set(e, ENOMEM, "out of memory auditing");

	for (uint32_t k = 0; !err && k < pc->nr_insns;) {
		const struct bpf_insn *in = &pc->insns[k];
		int span = xlated_insn_text(pc, k, text, sizeof(text));

		if (span <= 0)
			break;
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 && call_name(text, name, sizeof(name)))
			for (size_t r = 0; !err && r < ARRAY_SIZE(helper_rules); r++)
				if (!strcmp(name, helper_rules[r].helper))
					err = add(out, e, helper_rules[r].rule, helper_rules[r].sev, "prog",
						  p->id, p->name, ident, p->tag, NULL,
						  "call %s at insn %u (%s)", name, k, helper_rules[r].why);
		k += span;
	}
	free(ident);
	return err;
}

/* ---- attach points ---- */

/* syscalls and kernel functions hiding and theft hook (getdents to hide files, read to
 * filter what a process reads, bpf to hide BPF itself, kill to hide or protect processes) */
static const char *const hiding_points[] = {
	"sys_enter_getdents", "sys_exit_getdents", "sys_enter_getdents64", "sys_exit_getdents64",
	"sys_enter_read", "sys_exit_read", "sys_enter_bpf", "sys_exit_bpf", "sys_enter_kill",
	"sys_exit_kill", "__x64_sys_getdents64", "__x64_sys_getdents", "__arm64_sys_getdents64",
	"ksys_read", "vfs_read", "__x64_sys_read", "__x64_sys_bpf", "__sys_bpf",
	"__x64_sys_kill", "filldir64", "filldir", "iterate_dir",
};

/* user-space code whose hooks read credentials and cleartext */
static const char *const secret_files[] = {
	"*libpam.so*", "*/pam_*.so", "*libssl.so*", "*libcrypto.so*", "*libgnutls.so*",
	"*libnss3.so*", "*/sshd", "*/sudo", "*/su", "*/passwd", "*libgnutls*",
};


/* "perf_event" attachments: mode is the fd type's name, target the tracepoint, function
 * or file */
static int audit_attachment(const struct snap_objs *s, const struct so_attach *a,
			    const struct audit_rules *r, struct audit_findings *out, struct err *e)
{
	long k = snap_objs_prog(s, a->prog_id);
	const struct so_prog *p = k >= 0 ? &s->progs[k] : NULL;
	char *ident = k >= 0 ? diff_prog_identity(s, k) : strdup("");
	const char *name = p ? p->name : "", *tag = p ? p->tag : NULL;
	int err = ident ? 0 : err_set(e, ENOMEM, "out of memory auditing");

	if (err)
		return err;
	if (!strcmp(a->kind, "perf_event")) {
		bool uprobe = strstr(a->mode, "uprobe") != NULL;

		if (!uprobe && audit_glob_any(a->target, hiding_points, ARRAY_SIZE(hiding_points)))
			err = add(out, e, "attach.hiding", SEV_MEDIUM, "prog", a->prog_id, name, ident,
				  tag, a->target, "%s on %s (hides files, reads, BPF or processes)",
				  a->mode, a->target);
		else if (uprobe && (audit_glob_any(a->target, secret_files, ARRAY_SIZE(secret_files)) ||
				    audit_glob_any(a->target, (const char *const *)r->sensitive,
					     r->nsensitive)))
			err = add(out, e, "attach.secrets", SEV_HIGH, "prog", a->prog_id, name, ident,
				  tag, a->target, "%s on %s (credentials or cleartext)", a->mode,
				  a->target);
	} else if (!strcmp(a->kind, "xdp") || !strcmp(a->kind, "tc") ||
		   !strcmp(a->kind, "tcx") || !strcmp(a->kind, "netkit")) {
		err = add(out, e, "attach.network", SEV_INFO, "prog", a->prog_id, name, ident, tag,
			  a->target, "%s%s%s on %s: sees (and may drop or rewrite) its traffic",
			  a->kind, *a->mode ? " " : "", a->mode, a->target);
	}
	free(ident);
	return err;
}

/* Links: a pinned perf_event link keeps a tracepoint or uprobe no process holds, so the
 * attachment walk (per process fd) does not see it; its target does ("type:target"). */
static int audit_link(const struct snap_objs *s, const struct so_link *l,
		      const struct audit_rules *r, struct audit_findings *out, struct err *e)
{
	const char *target = strchr(l->target, ':');
	long k = snap_objs_prog(s, l->prog_id);
	char *ident;
	int err = 0;

	if (!target || k < 0)
		return 0;
	target++;
	ident = diff_prog_identity(s, k);
	if (!ident)
		return err_set(e, ENOMEM, "out of memory auditing");
	if (*target != '/' && audit_glob_any(target, hiding_points, ARRAY_SIZE(hiding_points)))
		err = add(out, e, "attach.hiding", SEV_MEDIUM, "prog", l->prog_id, s->progs[k].name,
			  ident, s->progs[k].tag, target,
			  "link on %s (hides files, reads, BPF or processes)", target);
	else if (*target == '/' && (audit_glob_any(target, secret_files, ARRAY_SIZE(secret_files)) ||
				    audit_glob_any(target, (const char *const *)r->sensitive,
						   r->nsensitive)))
		err = add(out, e, "attach.secrets", SEV_HIGH, "prog", l->prog_id, s->progs[k].name,
			  ident, s->progs[k].tag, target, "uprobe link on %s (credentials or cleartext)",
			  target);
	free(ident);
	return err;
}

/* programs by type: LSM programs decide what the kernel allows */
static int audit_prog(const struct snap_objs *s, size_t i, struct audit_findings *out,
		      struct err *e)
{
	const struct so_prog *p = &s->progs[i];
	char *ident = diff_prog_identity(s, i);
	int err = ident ? 0 : err_set(e, ENOMEM, "out of memory auditing");

	if (!err && p->type == BPF_PROG_TYPE_LSM)
		err = add(out, e, "attach.lsm", SEV_MEDIUM, "prog", p->id, p->name, ident, p->tag,
			  p->link_target, "an LSM program: allows or denies %s",
			  p->link_target ? p->link_target : "security hooks");
	if (!err && !*p->name)
		err = add(out, e, "prog.no_name", SEV_LOW, "prog", p->id, p->name, ident, p->tag,
			  NULL, "a program without a name");
	free(ident);
	return err;
}

static bool owned(const struct snap_objs *s, const char *type, uint32_t id)
{
	for (size_t i = 0; i < s->nowners; i++)
		if (s->owners[i].obj_id == id && !strcmp(s->owners[i].obj_type, type))
			return true;
	return false;
}

/* Held by nothing a user sees: no pin, no pinned or held link, no process; only the
 * attachment keeps it (what a loader that exits after attaching leaves behind). */
static int audit_orphans(const struct snap_objs *s, struct audit_findings *out, struct err *e)
{
	int err = 0;

	if (!(s->have & SO_OWNERS) || !(s->have & SO_PINS))
		return 0;
	for (size_t i = 0; !err && i < s->nprogs; i++) {
		const struct so_prog *p = &s->progs[i];
		bool link_held = false;
		char *ident;

		if (p->pin || p->link_pin || owned(s, "prog", p->id) || (!p->attach && !p->link_target))
			continue;
		for (size_t l = 0; l < s->nlinks && !link_held; l++)
			link_held = s->links[l].prog_id == p->id && owned(s, "link", s->links[l].id);
		if (link_held)
			continue;
		ident = diff_prog_identity(s, i);
		err = ident ? add(out, e, "orphan.attached", SEV_MEDIUM, "prog", p->id, p->name, ident,
				  p->tag, p->attach ? p->attach : p->link_target,
				  "held only by its attachment %s: no pin, no link or process holds it",
				  p->attach ? p->attach : p->link_target) :
			      err_set(e, ENOMEM, "out of memory auditing");
		free(ident);
	}
	return err;
}

/* Line i of a stored view (untrusted bytes, no NUL): into line, at most len - 1 bytes of
 * it; *at moves past it. false at the end. */
static bool view_line(const struct buf *b, size_t *at, char *line, size_t len)
{
	const uint8_t *p, *nl;
	size_t n;

	if (*at >= b->len)
		return false;
	p = b->data + *at;
	nl = memchr(p, '\n', b->len - *at);
	n = nl ? (size_t)(nl - p) : b->len - *at;
	*at += n + 1;
	if (n >= len)
		n = len - 1;
	memcpy(line, p, n);
	line[n] = 0;
	return true;
}

/* Programs held by a process whose executable was deleted (the view deleted_exe: "pid
 * gone|replaced path" lines): a loader that removed itself after loading, as implants do;
 * info only when another file took the path (a daemon running on across an upgrade). */
static int audit_deleted_exe(const struct snap_objs *s, struct audit_findings *out,
			     struct err *e)
{
	char line[4200];
	size_t at = 0;
	int err = 0;

	while (!err && view_line(&s->view_deleted_exe, &at, line, sizeof(line))) {
		char *how = strchr(line, ' '), *path = how ? strchr(how + 1, ' ') : NULL;
		bool replaced;
		long long pid;

		if (!path || sscanf(line, "%lld", &pid) != 1)
			continue;
		*path++ = 0;
		replaced = !strcmp(how + 1, "replaced");
		for (size_t i = 0; !err && i < s->nowners; i++) {
			const struct so_owner *o = &s->owners[i];
			long k = strcmp(o->obj_type, "prog") ? -1 : snap_objs_prog(s, o->obj_id);
			char *ident;

			if (o->pid != pid || k < 0)
				continue;
			ident = diff_prog_identity(s, k);
			err = ident ? add(out, e, "orphan.deleted_exe", replaced ? SEV_INFO : SEV_MEDIUM,
					  "prog", o->obj_id, s->progs[k].name, ident, s->progs[k].tag,
					  NULL, "held by process %lld (%s), whose executable %s is %s",
					  pid, o->comm, path, replaced ?
					  "deleted and replaced by another file (an upgrade?)" :
					  "deleted") :
				      err_set(e, ENOMEM, "out of memory auditing");
			free(ident);
		}
	}
	return err;
}

static int audit_volume(const struct snap_objs *s, const struct audit_rules *r,
			struct audit_findings *out, struct err *e)
{
	int err = 0;

	for (size_t i = 0; !err && i < s->nmaps; i++) {
		const struct so_map *m = &s->maps[i];
		char *ident;

		if (!(r->memlock_max && m->bytes_memlock > r->memlock_max) &&
		    !(r->entries_max && m->nr_entries > (int64_t)r->entries_max))
			continue;
		ident = diff_map_identity(s, i);
		err = ident ? add(out, e, "volume.map", SEV_LOW, "map", m->id, m->name, ident, NULL,
				  m->pin, "memlock %lluB, %lld entries (thresholds %lluB, %llu)",
				  (unsigned long long)m->bytes_memlock, (long long)m->nr_entries,
				  (unsigned long long)r->memlock_max, (unsigned long long)r->entries_max) :
			      err_set(e, ENOMEM, "out of memory auditing");
		free(ident);
	}
	return err;
}

/* ---- sockets: classic filters (BPFDoor) ---- */

/* "(000) ldh      [12]" as "ldh [12]": one line of evidence needs no columns */
static void squeeze(const char *in, char *out, size_t size)
{
	const char *p = strstr(in, ") ");
	size_t n = 0;

	for (p = p ? p + 2 : in; *p && n + 1 < size; p++)
		if (!((*p == ' ' || *p == '\t') && (n == 0 || out[n - 1] == ' ')))
			out[n++] = *p == '\t' ? ' ' : *p;
	out[n] = 0;
}

/* The finding's process is the socket's holder, not an owner of a BPF object. */
static int set_holder(struct audit_findings *f, const struct so_sockfilter *k, struct err *e)
{
	struct audit_finding *x = &f->v[f->n - 1];
	char *comm = strdup(k->comm);

	if (!comm)
		return err_set(e, ENOMEM, "out of memory auditing");
	free(x->comm);
	x->comm = comm;
	x->pid = k->pid;
	return 0;
}

/* A classic filter on a packet socket sees every frame of its protocol before the firewall
 * does, and runs where no BPF listing shows it: BPFDoor waits so for its magic packet. */
static int audit_sockets(const struct snap_objs *s, struct audit_findings *out, struct err *e)
{
	int err = 0;

	for (size_t i = 0; !err && i < s->nsocks; i++) {
		const struct so_sockfilter *k = &s->socks[i];
		const char *proto = cbpf_ethertype_name(k->protocol);
		char *ident = diff_sock_identity(s, i), summary[384], line[96], first[96], holder[64];
		struct cbpf_summary sum;

		if (!ident)
			return err_set(e, ENOMEM, "out of memory auditing");
		cbpf_summarize(k->insns, k->insns_len, &sum);
		cbpf_summary_text(&sum, summary, sizeof(summary));
		if (cbpf_insn_text(k->insns, k->insns_len, 0, line, sizeof(line)) < 0)
			snprintf(line, sizeof(line), "(none)");
		squeeze(line, first, sizeof(first));
		if (k->pid >= 0)
			snprintf(holder, sizeof(holder), "pid %lld fd %lld", (long long)k->pid,
				 (long long)k->fd);
		else
			snprintf(holder, sizeof(holder), "no process seen");
		err = add(out, e, "sock.filter", SEV_MEDIUM, "socket", k->ino, k->comm, ident, NULL,
			  k->devname[0] ? k->devname : "*",
			  "classic filter on a packet socket (proto %s%s0x%04x, dev %s, ino %u, %s): %s; "
			  "first insn %s", proto ? proto : "", proto ? " " : "", k->protocol,
			  k->devname[0] ? k->devname : "*", k->ino, holder, summary, first);
		err = err ?: set_holder(out, k, e);
		if (!err && sum.magic)
			err = add(out, e, "sock.filter_magic", SEV_HIGH, "socket", k->ino, k->comm,
				  ident, NULL, k->devname[0] ? k->devname : "*",
				  "its filter compares packets with %#x, a magic value of the BPFDoor "
				  "backdoor (ino %u, %s)", sum.magic, k->ino, holder) ?:
			      set_holder(out, k, e);
		free(ident);
	}
	return err;
}

/* ---- cross-view: ids other views name that the bpf() id walk did not list ---- */

struct seen {
	const char *type;		/* prog, map, link */
	uint32_t id;
	char where[256];		/* the first view that names it */
};

static uint32_t max_walked(const struct snap_objs *s, const char *type)
{
	uint32_t m = 0;

	if (!strcmp(type, "prog"))
		for (size_t i = 0; i < s->nprogs; i++)
			m = s->progs[i].id > m ? s->progs[i].id : m;
	else if (!strcmp(type, "map"))
		for (size_t i = 0; i < s->nmaps; i++)
			m = s->maps[i].id > m ? s->maps[i].id : m;
	else
		for (size_t i = 0; i < s->nlinks; i++)
			m = s->links[i].id > m ? s->links[i].id : m;
	return m;
}

static bool walked(const struct snap_objs *s, const char *type, uint32_t id)
{
	if (!strcmp(type, "prog"))
		return snap_objs_prog(s, id) >= 0;
	if (!strcmp(type, "map"))
		return snap_objs_map(s, id) >= 0;
	if (!strcmp(type, "link"))
		return snap_objs_link(s, id) >= 0;
	return true;	/* btf: the walk of BTF ids is not cross-checked */
}

/* One object another view names: hidden when the walk went past its id without it (ids
 * only grow: one above every walked id was made after the walk, and is left out). A view
 * taken before the walk (max NULL: the program iterator, whose programs the capture checked
 * were still there after it) names objects older than the walk. */
static int hidden_one(const struct snap_objs *s, const uint32_t *max, const char *type,
		      uint32_t id, const char *view, struct audit_findings *out, struct err *e)
{
	char ident[64];
	int t = !strcmp(type, "prog") ? 0 : !strcmp(type, "map") ? 1 : 2;

	if (!id || walked(s, type, id) || (max && id > max[t]))
		return 0;
	for (size_t i = 0; i < out->n; i++)	/* one finding an object, the first view's */
		if (!strcmp(out->v[i].rule, "hidden.object") && out->v[i].id == id &&
		    !strcmp(out->v[i].kind, type))
			return 0;
	snprintf(ident, sizeof(ident), "%s:id:%u", type, id);
	return add(out, e, "hidden.object", SEV_HIGH, type, id, "", ident, NULL, NULL,
		   "%s %u is named by %s but missing from the bpf() id walk", type, id, view);
}

/* Does kallsyms' view hold the symbol bpf_prog_<tag>_<name>? */
static bool in_kallsyms(const struct snap_objs *s, const char *tag, const char *name)
{
	char want[64], line[64];
	size_t at = 0;

	snprintf(want, sizeof(want), "%s %s", tag, name);
	while (view_line(&s->view_ksyms, &at, line, sizeof(line)))
		if (!strcmp(line, want))
			return true;
	return false;
}

/* The program iterator's view: a program it listed that the walk did not. */
static int hidden_iter(const struct snap_objs *s, struct audit_findings *out, struct err *e)
{
	char line[128], view[256], tag[17], name[17];
	size_t at = 0;
	unsigned id;
	int err = 0;

	while (!err && view_line(&s->view_iter, &at, line, sizeof(line))) {
		name[0] = 0;
		if (sscanf(line, "%u %16[0-9a-f] %16[^ ]", &id, tag, name) < 2 || walked(s, "prog", id))
			continue;	/* (a damaged line names nothing; kallsyms is read for the rest) */
		if (s->have_view_ksyms && in_kallsyms(s, tag, name))
			snprintf(view, sizeof(view), "the program iterator (%s, tag %s) and"
				 " /proc/kallsyms (bpf_prog_%s_%s)", name, tag, tag, name);
		else
			snprintf(view, sizeof(view), "the program iterator (%s, tag %s)", name, tag);
		err = hidden_one(s, NULL, "prog", id, view, out, e);
	}
	return err;
}

static int audit_hidden(const struct snap_objs *s, struct audit_findings *out, struct err *e)
{
	uint32_t max[3] = { max_walked(s, "prog"), max_walked(s, "map"), max_walked(s, "link") };
	char view[512];
	int err = 0;

	if (!(s->have & SO_PROGS) || !(s->have & SO_MAPS))
		return 0;
	for (size_t i = 0; !err && i < s->npins; i++) {
		snprintf(view, sizeof(view), "the pin %s", s->pins[i].path);
		err = hidden_one(s, max, s->pins[i].obj_type, s->pins[i].obj_id, view, out, e);
	}
	for (size_t i = 0; !err && i < s->nowners; i++) {
		snprintf(view, sizeof(view), "process %lld (%s)", (long long)s->owners[i].pid,
			 s->owners[i].comm);
		err = hidden_one(s, max, s->owners[i].obj_type, s->owners[i].obj_id, view, out, e);
	}
	for (size_t i = 0; !err && i < s->natts; i++) {
		snprintf(view, sizeof(view), "the %s attachment on %s", s->atts[i].kind,
			 s->atts[i].target);
		err = hidden_one(s, max, "prog", s->atts[i].prog_id, view, out, e);
	}
	for (size_t i = 0; !err && i < s->nlinks; i++) {
		snprintf(view, sizeof(view), "link %u", s->links[i].id);
		err = hidden_one(s, max, "prog", s->links[i].prog_id, view, out, e);
	}
	for (size_t i = 0; !err && i < s->nprogs; i++)
		for (size_t k = 0; !err && k < s->progs[i].nr_maps; k++) {
			snprintf(view, sizeof(view), "program %u's map references", s->progs[i].id);
			err = hidden_one(s, max, "map", s->progs[i].map_ids[k], view, out, e);
		}
	/* last: the views that name a program only (the other views' evidence comes first) */
	if (!err && s->have_view_iter)
		err = hidden_iter(s, out, e);
	return err;
}

int audit_objects(const struct snap_objs *s, const struct audit_rules *r,
		  struct audit_findings *out, struct err *e)
{
	int err = 0;

	for (size_t i = 0; !err && i < s->natts; i++)
		err = audit_attachment(s, &s->atts[i], r, out, e);
	for (size_t i = 0; !err && i < s->nlinks; i++)
		err = audit_link(s, &s->links[i], r, out, e);
	for (size_t i = 0; !err && i < s->nprogs; i++)
		err = audit_prog(s, i, out, e);
	if (!err)
		err = audit_orphans(s, out, e);
	if (!err && s->have_view_deleted_exe)
		err = audit_deleted_exe(s, out, e);
	if (!err)
		err = audit_volume(s, r, out, e);
	if (!err)
		err = audit_sockets(s, out, e);
	if (!err)
		err = audit_hidden(s, out, e);
	return err;
}

int audit_posture(const int64_t v[4], const bool has[4], struct audit_findings *out,
		  struct err *e)
{
	int err = 0;

	if (has[0] && v[0] == 0)
		err = add(out, e, "posture.unprivileged", SEV_HIGH, "posture", 0,
			  "kernel.unprivileged_bpf_disabled", "posture:unprivileged_bpf_disabled",
			  NULL, NULL, "kernel.unprivileged_bpf_disabled = 0: any user may load BPF");
	if (!err && has[0] && v[0] == 0 && has[2] && v[2] == 0)
		err = add(out, e, "posture.jit_harden", SEV_MEDIUM, "posture", 0,
			  "net.core.bpf_jit_harden", "posture:bpf_jit_harden", NULL, NULL,
			  "net.core.bpf_jit_harden = 0 while unprivileged BPF is allowed (JIT spraying)");
	if (!err && has[1] && v[1] == 0)
		err = add(out, e, "posture.jit_off", SEV_LOW, "posture", 0, "net.core.bpf_jit_enable",
			  "posture:bpf_jit_enable", NULL, NULL,
			  "net.core.bpf_jit_enable = 0: programs are interpreted");
	if (!err && has[3] && v[3] == 0)
		err = add(out, e, "posture.jit_kallsyms", SEV_LOW, "posture", 0,
			  "net.core.bpf_jit_kallsyms", "posture:bpf_jit_kallsyms", NULL, NULL,
			  "net.core.bpf_jit_kallsyms = 0: programs have no symbols in /proc/kallsyms");
	return err;
}

int audit_baseline(const struct snap_objs *s, const struct snap_objs *base,
		   const struct diff_result *d, struct audit_findings *out, struct err *e)
{
	int err = 0;

	for (size_t i = 0; !err && i < d->n; i++) {
		const struct diff_change *c = &d->v[i];
		uint32_t id = 0;
		const char *tag = NULL;

		if (c->kind == DK_BTF || c->op == DIFF_REMOVED)
			continue;
		if (c->op == DIFF_TRANSIENT) {
			const struct so_load *l = (size_t)c->b < s->nloads ? &s->loads[c->b] : NULL;

			if (l)
				err = add(out, e, "loads.transient", SEV_MEDIUM, l->kind, l->id, l->name,
					  c->identity, l->tag, NULL,
					  "%s %s made by pid %u (%s) and gone before the snapshot",
					  c->type, l->kind, l->pid, l->comm);
			continue;
		}
		if (c->kind == DK_PROG && c->b >= 0) {
			id = s->progs[c->b].id;
			tag = s->progs[c->b].tag;
		} else if (c->kind == DK_MAP && c->b >= 0) {
			id = s->maps[c->b].id;
		} else if (c->kind == DK_SOCK && c->b >= 0) {
			id = s->socks[c->b].ino;
		}
		if (c->op == DIFF_ADDED)
			err = add(out, e, "baseline.new", SEV_MEDIUM, diff_kind_name(c->kind), id,
				  c->name, c->identity, tag, c->where, "%s %s not in the baseline",
				  c->type, diff_kind_name(c->kind));
		else if (c->kind == DK_PROG)
			for (size_t f = 0; !err && f < c->nfields; f++)
				if (!strcmp(c->fields[f].field, "tag"))
					err = add(out, e, "baseline.changed", SEV_MEDIUM, "prog", id, c->name,
						  c->identity, tag, c->where, "tag %s in the baseline, %s now",
						  c->fields[f].before, c->fields[f].after);
	}
	(void)base;
	return err;
}
