/* replay REF: rebuild the pinned state of a stored snapshot. Programs and maps that share
 * maps came from one load of one object: each such group is matched to an available ELF
 * (by name and type, then by tag once loaded), pinned where the snapshot saw it pinned,
 * attached where its pinned links or netlink attachments were, and its maps refilled. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf_names.h"
#include "act/net_attach.h"
#include "lib/tcx_compat.h"
#include "store/read_replay.h"
#include "act/replay_int.h"


static const struct spin *pins_of(const struct rs *s, const char *kind, uint32_t id, size_t *it)
{
	for (; *it < s->npins; (*it)++)
		if (s->pins[*it].id == id && !strcmp(s->pins[*it].kind, kind))
			return &s->pins[(*it)++];
	return NULL;
}

static bool has_pin(const struct rs *s, const char *kind, uint32_t id)
{
	size_t it = 0;

	return pins_of(s, kind, id, &it) != NULL;
}

static bool in_group(const struct rs *s, int g, size_t idx)
{
	return rs_find(s->parent, idx) == g;
}

/* netlink attachments that are not links (an XDP link shows in netlink too), of the
 * kinds replay attaches by itself: xdp and tcx */
static bool att_is_own(const struct rs *s, const struct satt *a)
{
	if (a->link_id || (strcmp(a->kind, "xdp") && strcmp(a->kind, "tcx")))
		return false;
	for (size_t k = 0; k < s->nl; k++)
		if (s->links[k].prog_id == a->prog_id && s->links[k].ifindex == a->ifindex &&
		    (s->links[k].type == BPF_LINK_TYPE_XDP || s->links[k].type == BPFS_LINK_TYPE_TCX))
			return false;
	return true;
}

static void link_desc(const struct slink *k, char *out, size_t len)
{
	static const char *const pe_names[] = { "", "uprobe", "uretprobe", "kprobe", "kretprobe",
						"tracepoint" };

	switch (k->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		snprintf(out, len, "raw_tracepoint %.200s", k->target);
		break;
	case BPF_LINK_TYPE_TRACING:
		snprintf(out, len, "%s", attach_type_name(k->attach_type) ?: "tracing");
		break;
	case BPF_LINK_TYPE_XDP:
		snprintf(out, len, "xdp link %s", k->devname[0] ? k->devname : "?");
		break;
	case BPFS_LINK_TYPE_TCX:
		snprintf(out, len, "%s %s", k->attach_type == BPFS_TCX_EGRESS ? "tcx_egress" :
			 "tcx_ingress", k->devname[0] ? k->devname : "?");
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		if (k->pe == 1 || k->pe == 2)
			snprintf(out, len, "%s %.200s:0x%llx", pe_names[k->pe], k->target,
				 (unsigned long long)k->offset);
		else if (k->pe == 3 || k->pe == 4)
			snprintf(out, len, "%s %.200s+0x%llx", pe_names[k->pe], k->target,
				 (unsigned long long)k->offset);
		else if (k->pe == 5)
			snprintf(out, len, "tracepoint %.200s", k->target);
		else
			snprintf(out, len, "perf_event (kind %u)", k->pe);
		break;
	default:
		snprintf(out, len, "%s link", link_type_name(k->type) ?: "unknown");
	}
}

static bool link_supported(const struct slink *k)
{
	switch (k->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
	case BPF_LINK_TYPE_TRACING:
	case BPF_LINK_TYPE_XDP:
	case BPFS_LINK_TYPE_TCX:
		return true;
	case BPF_LINK_TYPE_PERF_EVENT:
		return k->pe >= 1 && k->pe <= 5;
	default:
		return false;
	}
}

static int dev_index(const char *devname, uint32_t old_ifindex)
{
	/* the name is what survives a reboot or a re-created device; the index may not */
	if (devname[0])
		return if_nametoindex(devname);
	return old_ifindex;
}

/* Why a group can't be replayed as things stand, or "" (paths taken, devices gone). */
static void group_precheck(const struct rs *s, int g, char *why, size_t len)
{
	why[0] = 0;
	for (size_t i = 0; i < s->npins; i++) {
		const struct spin *p = &s->pins[i];

		if (p->owner >= 0 && in_group(s, g, p->owner) && !access(p->path, F_OK)) {
			snprintf(why, len, "%s exists (restored already?)", p->path);
			return;
		}
	}
	for (size_t q = 0; q < s->np; q++) {
		if (!in_group(s, g, q))
			continue;
		for (size_t k = 0; k < s->nl; k++) {
			const struct slink *l = &s->links[k];
			char d[256];

			if (l->prog_id != s->progs[q].id || !has_pin(s, "link", l->id))
				continue;
			link_desc(l, d, sizeof(d));
			if (!link_supported(l)) {
				snprintf(why, len, "replay can't attach a %s", d);
				return;
			}
			if ((l->type == BPF_LINK_TYPE_XDP || l->type == BPFS_LINK_TYPE_TCX) &&
			    dev_index(l->devname, 0) <= 0) {
				snprintf(why, len, "device %s of %s is gone", l->devname[0] ?
					 l->devname : "?", d);
				return;
			}
		}
		for (size_t k = 0; k < s->na; k++) {
			const struct satt *a = &s->atts[k];

			if (a->prog_id == s->progs[q].id && att_is_own(s, a) &&
			    dev_index(a->devname, 0) <= 0) {
				snprintf(why, len, "device %s of its %s attachment is gone",
					 a->devname[0] ? a->devname : "?", a->kind);
				return;
			}
		}
	}
}

static bool group_persistent(const struct rs *s, int g)
{
	for (size_t q = 0; q < s->np; q++) {
		if (!in_group(s, g, q))
			continue;
		if (has_pin(s, "prog", s->progs[q].id))
			return true;
		for (size_t k = 0; k < s->nl; k++)
			if (s->links[k].prog_id == s->progs[q].id && has_pin(s, "link", s->links[k].id))
				return true;
		for (size_t k = 0; k < s->na; k++)
			if (s->atts[k].prog_id == s->progs[q].id && att_is_own(s, &s->atts[k]))
				return true;
	}
	for (size_t m = 0; m < s->nm; m++)
		if (in_group(s, g, s->np + m) && has_pin(s, "map", s->maps[m].id))
			return true;
	return false;
}

static void owner_text(const struct rs *s, uint32_t prog_id, char *out, size_t len)
{
	struct err ignore = { 0 };
	char comm[64];
	int64_t pid;

	out[0] = 0;
	if (rr_prog_owner(s->o->db, s->o->snap_id, prog_id, &pid, comm, sizeof(comm),
			  &ignore) == 1)
		snprintf(out, len, " (held by pid %lld %s)", (long long)pid, comm);
}

/* 1: the candidate holds the group (and, unless dry-run, is loaded in l with tags
 * checked); 0: it does not (why says so); <0: out of memory. */
static int try_cand(struct rs *s, int g, const struct cand *c, struct loaded *l, char *why,
		    size_t len)
{
	struct load_opts lo = { .obj_name = c->objname };
	struct err e2 = { 0 };
	struct buf b = { 0 };
	int err;

	if (load_open(c->label, c->elf.data, c->elf.len, &lo, l, &e2)) {
		snprintf(why, len, "%.200s: %.500s", c->label, e2.msg);
		goto no;
	}
	for (size_t q = 0; q < s->np; q++) {
		struct sprog *p = &s->progs[q];
		bool found = false;

		if (!in_group(s, g, q))
			continue;
		for (size_t i = 0; i < l->nr_progs && !found; i++) {
			struct replay_ident a = { .name = l->progs[i].name, .type = l->progs[i].type };
			struct replay_ident b = { .name = p->name, .type = p->type };

			if (replay_ident_eq(&a, &b)) {
				p->oi = i;
				found = true;
			}
		}
		if (!found) {
			snprintf(why, len, "no object has program %s (%s)", p->name,
				 prog_type_name(p->type) ?: "?");
			goto no;
		}
	}
	for (size_t m = 0; m < s->nm; m++) {
		struct smap *sm = &s->maps[m];
		bool found = false;

		if (!in_group(s, g, s->np + m))
			continue;
		for (size_t i = 0; i < l->nr_maps && !found; i++) {
			const struct load_map *om = &l->maps[i];
			struct replay_ident a = { .name = om->name, .type = om->type,
						  .key_size = om->key_size, .value_size = om->value_size };
			struct replay_ident b = { .name = sm->name, .type = sm->type,
						  .key_size = sm->key, .value_size = sm->value };

			if (replay_ident_eq(&a, &b)) {
				sm->oi = i;
				found = true;
			}
		}
		if (!found) {
			snprintf(why, len, "%.300s has no map like %s (%s, key %u, value %u)", c->label,
				 sm->name, map_type_name(sm->type) ?: "?", sm->key, sm->value);
			goto no;
		}
		if (sm->frozen && sm->has_contents && !s->o->dry_run) {
			struct map_contents mc;

			err = replay_contents(s->o->db, s->o->snap_id, sm->id, &b, &mc, &e2);
			if (!err)
				err = replay_set_initial(l, sm->oi, &mc, &e2);
			if (err && err != -ENODATA) {
				snprintf(why, len, "%s", e2.msg);
				goto no;
			}
		}
	}
	buf_free(&b);
	if (s->o->dry_run) {
		load_abort(l);
		buf_free(&l->log);
		return 1;
	}
	if (load_load(l, &e2)) {
		snprintf(why, len, "%s", e2.msg);
		goto no;
	}
	for (size_t q = 0; q < s->np; q++) {
		const struct sprog *p = &s->progs[q];

		if (in_group(s, g, q) && strcmp(l->progs[p->oi].tag, p->tag)) {
			snprintf(why, len, "%.300s: program %s has tag %s, the snapshot's has %s "
				 "(another build?)", c->label, p->name, l->progs[p->oi].tag, p->tag);
			goto no;
		}
	}
	return 1;
no:
	buf_free(&b);
	load_abort(l);
	buf_free(&l->log);
	return 0;
}

static int attach_link(struct rs *s, struct loaded *l, const struct sprog *p,
		       const struct slink *k, struct replay_row *row)
{
	struct bpf_program *prog = load_prog_ptr(l, p->oi);
	const struct spin *first, *more;
	struct bpf_link *link = NULL;
	struct log_scope ls;
	size_t it = 0;
	char d[256];
	int err = 0;

	link_desc(k, d, sizeof(d));
	first = pins_of(s, "link", k->id, &it);
	if (k->type == BPFS_LINK_TYPE_TCX) {
		struct netattach_result nr;
		int kind = k->attach_type == BPFS_TCX_EGRESS ? NA_TCX_EGRESS : NA_TCX_INGRESS;
		int fd;

		err = net_attach(kind, load_prog_fd(l, p->oi), dev_index(k->devname, k->ifindex),
				 false, first->path, &l->undo, &nr, s->e);
		if (err)
			return err;
		replay_row_note(row, "attached %s (link pinned at %s)", d, first->path);
		fd = bpf_obj_get(first->path);
		while (fd >= 0 && (more = pins_of(s, "link", k->id, &it)) && !err) {
			err = pin_fd_undo(fd, more->path, &l->undo, s->e);
			if (!err)
				replay_row_note(row, "link pinned at %s", more->path);
		}
		if (fd >= 0)
			close(fd);
		return err;
	}
	load_log_begin(&l->log, &ls);
	switch (k->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		link = bpf_program__attach_raw_tracepoint(prog, k->target);
		break;
	case BPF_LINK_TYPE_TRACING:
		link = bpf_program__attach_trace(prog);
		break;
	case BPF_LINK_TYPE_XDP:
		link = bpf_program__attach_xdp(prog, dev_index(k->devname, k->ifindex));
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		if (k->pe == 5) {
			char cat[256] = "";
			const char *sec = l->progs[p->oi].sec, *slash;

			/* the link names the event only: the category comes from the section
			 * (tracepoint/CAT/NAME) or from tracefs */
			if ((!strncmp(sec, "tracepoint/", 11) || !strncmp(sec, "tp/", 3)) &&
			    (slash = strrchr(sec, '/')) && !strcmp(slash + 1, k->target)) {
				const char *c0 = strchr(sec, '/') + 1;

				snprintf(cat, sizeof(cat), "%.*s", (int)(slash - c0), c0);
			} else if (replay_tp_category(k->target, cat, sizeof(cat))) {
				errno = ENOENT;
				break;
			}
			link = bpf_program__attach_tracepoint(prog, cat, k->target);
		} else if (k->pe == 3 || k->pe == 4) {
			LIBBPF_OPTS(bpf_kprobe_opts, ko, .offset = k->offset, .retprobe = k->pe == 4,
				    .bpf_cookie = k->cookie);

			link = bpf_program__attach_kprobe_opts(prog, k->target, &ko);
		} else {
			LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = k->pe == 2,
				    .bpf_cookie = k->cookie);

			link = bpf_program__attach_uprobe_opts(prog, -1, k->target, k->offset, &uo);
		}
		break;
	default:
		errno = EOPNOTSUPP;
	}
	err = link ? 0 : -errno;
	load_log_end(&ls);
	if (!link)
		return err_set(s->e, err, "can't attach program '%s' (%s): %s", p->name, d,
			       strerror(-err));
	err = load_add_link(l, p->oi, link, s->e);
	for (it = 0; !err && (more = pins_of(s, "link", k->id, &it));) {
		err = load_pin_link_at(l, link, more->path, s->e);
		if (!err)
			replay_row_note(row, "attached %s (link pinned at %s)", d, more->path);
	}
	return err;
}

static int attach_own(struct rs *s, struct loaded *l, const struct sprog *p,
		      const struct satt *a, struct replay_row *row)
{
	struct netattach_result nr;
	int kind;

	if (!strcmp(a->kind, "tcx"))
		kind = strstr(a->mode, "egress") ? NA_TCX_EGRESS : NA_TCX_INGRESS;
	else
		kind = !strcmp(a->mode, "driver") ? NA_XDP_DRV :
		       !strcmp(a->mode, "offload") ? NA_XDP_OFFLOAD : NA_XDP_GENERIC;
	if (net_attach(kind, load_prog_fd(l, p->oi), dev_index(a->devname, a->ifindex), false, NULL,
		       &l->undo, &nr, s->e))
		return -s->e->code;
	if (nr.link_id)
		replay_row_note(row, "attached %s %s (now a link pinned at %s)",
				netattach_kind_name(kind), a->devname, nr.pin);
	else
		replay_row_note(row, "attached %s %s", netattach_kind_name(kind), a->devname);
	return 0;
}

/* Pin, attach and refill one matched group (l loaded); dry-run: say what would be done. */
static int act(struct rs *s, int g, struct loaded *l)
{
	struct buf b = { 0 };
	int err = 0;

	for (size_t q = 0; q < s->np && !err; q++) {
		struct sprog *p = &s->progs[q];
		struct replay_row *row = &s->r->rows[p->row];
		const struct spin *pin;
		size_t it = 0;
		bool kept = false;

		if (!in_group(s, g, q))
			continue;
		if (!s->o->dry_run)
			row->new_id = l->progs[p->oi].id;
		while (!err && (pin = pins_of(s, "prog", p->id, &it))) {
			kept = true;
			if (!s->o->dry_run)
				err = pin_fd_undo(load_prog_fd(l, p->oi), pin->path, &l->undo, s->e);
			replay_row_note(row, "%s %s", s->o->dry_run ? "pin" : "pinned", pin->path);
		}
		for (size_t k = 0; k < s->nl && !err; k++) {
			const struct slink *lk = &s->links[k];
			char d[256];

			if (lk->prog_id != p->id)
				continue;
			link_desc(lk, d, sizeof(d));
			if (!has_pin(s, "link", lk->id)) {
				replay_row_note(row, "%s: held by a process, not restored", d);
				continue;
			}
			kept = true;
			if (s->o->dry_run)
				replay_row_note(row, "attach %s", d);
			else
				err = attach_link(s, l, p, lk, row);
		}
		for (size_t k = 0; k < s->na && !err; k++) {
			const struct satt *a = &s->atts[k];

			if (a->prog_id != p->id || !att_is_own(s, a))
				continue;
			kept = true;
			if (s->o->dry_run)
				replay_row_note(row, "attach %s %s (%s)", a->kind, a->devname, a->mode);
			else
				err = attach_own(s, l, p, a, row);
		}
		if (err) {
			row->status = RS_FAILED;
			snprintf(row->why, sizeof(row->why), "%s", s->e->msg);
		} else if (!kept) {
			row->status = RS_SKIPPED;
			row->new_id = 0;
			snprintf(row->why, sizeof(row->why), "not pinned or attached; its object was "
				 "replayed for the others");
		} else {
			row->status = s->o->dry_run ? RS_PLANNED : RS_RESTORED;
		}
	}
	for (size_t m = 0; m < s->nm && !err; m++) {
		struct smap *sm = &s->maps[m];
		struct replay_row *row = &s->r->rows[sm->row];
		const struct spin *pin;
		size_t it = 0;

		if (!in_group(s, g, s->np + m))
			continue;
		if (!s->o->dry_run)
			row->new_id = l->maps[sm->oi].id;
		while (!err && (pin = pins_of(s, "map", sm->id, &it))) {
			if (!s->o->dry_run)
				err = pin_fd_undo(l->maps[sm->oi].fd, pin->path, &l->undo, s->e);
			replay_row_note(row, "%s %s", s->o->dry_run ? "pin" : "pinned", pin->path);
		}
		if (!err && sm->has_contents) {
			uint64_t n = 0;

			if (s->o->dry_run) {
				replay_row_note(row, sm->frozen ? "initial value from the snapshot" :
						"restore contents");
			} else if (sm->frozen) {
				replay_row_note(row, "initial value from the snapshot");
			} else {
				err = replay_restore_map(s->o->db, s->o->snap_id, sm->id, l, sm->oi,
							 &n, s->e);
				if (!err)
					replay_row_note(row, "restored %llu entries",
							(unsigned long long)n);
			}
		}
		if (err) {
			row->status = RS_FAILED;
			snprintf(row->why, sizeof(row->why), "%s", s->e->msg);
		} else {
			row->status = s->o->dry_run ? RS_PLANNED : RS_RESTORED;
		}
	}
	buf_free(&b);
	return err;
}

static void rs_free(struct rs *s)
{
	for (size_t i = 0; i < s->npins; i++)
		free(s->pins[i].path);
	for (size_t i = 0; i < s->nc; i++)
		buf_free(&s->cands[i].elf);
	free(s->progs);
	free(s->maps);
	free(s->pins);
	free(s->links);
	free(s->atts);
	free(s->cands);
	free(s->parent);
	free(s->loaded);
}

static int add_rows(struct rs *s, int g, enum replay_status st, const char *why)
{
	for (size_t q = 0; q < s->np; q++) {
		struct sprog *p = &s->progs[q];
		struct replay_row *row;

		if (!in_group(s, g, q))
			continue;
		row = replay_row_add(s->r, "prog", p->name, s->e);
		if (!row)
			return -ENOMEM;
		p->row = row - s->r->rows;
		snprintf(row->type, sizeof(row->type), "%s", prog_type_name(p->type) ?: "?");
		snprintf(row->tag, sizeof(row->tag), "%s", p->tag);
		row->old_id = p->id;
		row->status = st;
		if (why) {
			snprintf(row->why, sizeof(row->why), "%s", why);
			if (!strcmp(why, "not pinned or attached"))
				owner_text(s, p->id, row->why + strlen(row->why),
					   sizeof(row->why) - strlen(row->why));
		}
	}
	if (st == RS_SKIPPED && why && !strcmp(why, "not pinned or attached"))
		return 0;	/* maps of a process's object: not part of the pinned state */
	for (size_t m = 0; m < s->nm; m++) {
		struct smap *sm = &s->maps[m];
		struct replay_row *row;

		if (!in_group(s, g, s->np + m))
			continue;
		row = replay_row_add(s->r, "map", sm->name, s->e);
		if (!row)
			return -ENOMEM;
		sm->row = row - s->r->rows;
		snprintf(row->type, sizeof(row->type), "%s", map_type_name(sm->type) ?: "?");
		row->old_id = sm->id;
		row->status = st;
		if (why)
			snprintf(row->why, sizeof(row->why), "%s", why);
	}
	return 0;
}

int replay_snapshot(const struct replay_snap_opts *o, struct replay_report *r, struct err *e)
{
	struct rs s = { .o = o, .r = r, .e = e };
	bool failed = false;
	int err;

	memset(r, 0, sizeof(*r));
	err = rs_read_rows(&s);
	if (!err)
		err = rs_read_cands(&s);
	if (err)
		goto out;
	s.loaded = calloc(s.np + s.nm + 1, sizeof(*s.loaded));
	if (!s.loaded) {
		err = err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t x = 0; x < s.np + s.nm && !failed; x++) {
		char why[768] = "";
		struct loaded *l = &s.loaded[s.nloaded];
		int g = rs_find(s.parent, x), found = 0;

		if (g != (int)x)
			continue;	/* visit each group once: at its root */
		if (!group_persistent(&s, g)) {
			/* a map alone (no program uses it) that nothing pins: nothing to say */
			bool has_prog = false;

			for (size_t q = 0; q < s.np; q++)
				has_prog |= in_group(&s, g, q);
			if (has_prog && (err = add_rows(&s, g, RS_SKIPPED, "not pinned or attached")))
				goto out;
			continue;
		}
		group_precheck(&s, g, why, sizeof(why));
		if (why[0]) {
			if ((err = add_rows(&s, g, RS_SKIPPED, why)))
				goto out;
			continue;
		}
		for (size_t c = 0; c < s.nc && !found; c++) {
			char w[768];

			found = try_cand(&s, g, &s.cands[c], l, w, sizeof(w));
			if (!found && (!why[0] || strncmp(w, "no object has", 13)))
				snprintf(why, sizeof(why), "%s", w);	/* the nearest miss */
		}
		if (!found) {
			if (!why[0])
				snprintf(why, sizeof(why), "no object to load it from");
			if ((err = add_rows(&s, g, RS_SKIPPED, why)))
				goto out;
			continue;
		}
		if ((err = add_rows(&s, g, o->dry_run ? RS_PLANNED : RS_RESTORED, NULL)))
			goto out;
		if (!o->dry_run)
			s.nloaded++;
		if (act(&s, g, l))
			failed = true;
	}
	if (failed) {
		/* all or nothing: take back every group, newest first */
		for (size_t i = s.nloaded; i-- > 0;) {
			load_abort(&s.loaded[i]);
			buf_free(&s.loaded[i].log);
		}
		s.nloaded = 0;
		for (size_t i = 0; i < r->n; i++) {
			if (r->rows[i].status == RS_FAILED)
				r->rows[i].new_id = 0;
			if (r->rows[i].status == RS_RESTORED) {
				r->rows[i].status = RS_FAILED;
				r->rows[i].new_id = 0;
				snprintf(r->rows[i].why, sizeof(r->rows[i].why),
					 "rolled back: %.480s", e->msg);
			}
		}
		err = -(e->code ? e->code : EIO);
	}
out:
	for (size_t i = 0; i < s.nloaded; i++) {
		if (err)
			load_abort(&s.loaded[i]);
		else
			load_close(&s.loaded[i]);
		buf_free(&s.loaded[i].log);
	}
	rs_free(&s);
	return err;
}
