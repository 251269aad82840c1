/* PROG and MAP arguments resolved against a view: id, name, tag, pinned path; the shared
 * parts of the show commands (one object bare or several in an array, -f paths, pids). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "capture/env.h"
#include "capture/snapshot.h"
#include "store/read_map.h"
#include "store/read_pins.h"
#include "store/read_prog.h"

/* The FIND_* key and its text or id from KEYWORD ARG; an error for a keyword not one. */
static int find_key_of(struct ctx *ctx, struct view *v, const char *kw, const char **arg,
		       char *real, uint32_t *id, bool progs, enum find_key *key)
{
	const char *what = progs ? "prog" : "map";

	if (!strcmp(kw, "id")) {
		char *end;
		unsigned long long n = strtoull(*arg, &end, 0);

		if (*end || !**arg || n > UINT32_MAX)
			return p_err(ctx, "can't parse %s as an id", *arg);
		*id = n;
		*key = FIND_ID;
	} else if (!strcmp(kw, "name")) {
		*key = FIND_NAME;
	} else if (progs && !strcmp(kw, "tag")) {
		*key = FIND_TAG;
	} else if (!strcmp(kw, "pinned")) {
		if (v->live) {
			if (!realpath(*arg, real)) {
				int saved = errno;

				return p_err(ctx, "can't find %s pinned at %s: %s%s", what, *arg,
					     strerror(saved), env_is_bpffs("/sys/fs/bpf") ? "" :
					     " (bpffs is not mounted: mount -t bpf bpf /sys/fs/bpf)");
			}
			*arg = real;
		}
		*key = FIND_PINNED;
	} else {
		return p_err(ctx, "expected 'id', 'name'%s or 'pinned', got '%s'",
			     progs ? ", 'tag'" : "", kw);
	}
	return 0;
}

static int select_common(struct ctx *ctx, struct view *v, int *argcp, char ***argvp,
			 uint32_t **ids, size_t *n, bool progs)
{
	const char *what = progs ? "prog" : "map", *kw = "all", *arg = "all";
	char real[PATH_MAX];
	struct id_list found = { 0 };
	enum find_key key = FIND_ALL;
	struct err e = { 0 };
	uint32_t id = 0;
	int used = 1;

	*ids = NULL;
	*n = 0;
	if (*argcp < 1 || strcmp((*argvp)[0], "all")) {
		if (*argcp == 1)	/* one word alone: name it ("prog -- show -j") */
			return p_err(ctx, "expected %s, got '%s': %s", what, (*argvp)[0],
				     progs ? HELP_SPEC_PROGRAM : HELP_SPEC_MAP);
		if (*argcp < 2)
			return p_err(ctx, "expected %s: %s", what,
				     progs ? HELP_SPEC_PROGRAM : HELP_SPEC_MAP);
		kw = (*argvp)[0];
		arg = (*argvp)[1];
		used = 2;
		if (find_key_of(ctx, v, kw, &arg, real, &id, progs, &key))
			return -1;
	}
	NEXT_ARGV(argcp, argvp, used);
	if ((progs ? prog_find : map_find)(&v->db, v->snap_id, key, arg, id, &found, &e)) {
		id_list_free(&found);
		return p_err_e(ctx, &e);
	}
	if (!found.n) {
		id_list_free(&found);
		return p_err(ctx, "can't find %s with %s %s%s", what, kw, arg,
			     v->live ? "" : " in the snapshot");
	}
	*ids = found.v;
	*n = found.n;
	return 0;
}

int prog_select(struct ctx *ctx, struct view *v, int *argc, char ***argv, uint32_t **ids, size_t *n)
{
	return select_common(ctx, v, argc, argv, ids, n, true);
}

int map_select(struct ctx *ctx, struct view *v, int *argc, char ***argv, uint32_t **ids, size_t *n)
{
	return select_common(ctx, v, argc, argv, ids, n, false);
}

int show_selected(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n,
		  int (*rows)(struct ctx *, struct view *, int64_t id, void *arg), void *arg)
{
	bool array = !ids || n > 1;
	int err = 0;

	if (array)
		out_arr_start(&ctx->out, NULL);
	for (size_t i = 0; i < (ids ? n : 1) && !err; i++)
		err = rows(ctx, v, ids ? (int64_t)ids[i] : -1, arg);
	if (array)
		out_arr_end(&ctx->out);
	return err;
}

struct list_state {
	struct out *o;
	bool first;
};

static int print_pin(const char *path, void *arg)
{
	struct list_state *ls = arg;

	if (ls->first)
		out_arr_start(ls->o, "pinned");
	out_str(ls->o, NULL, "\n\tpinned %s", path);
	ls->first = false;
	return 0;
}

int show_pinned(struct ctx *ctx, struct view *v, const char *type, uint32_t id, struct err *e)
{
	struct list_state ls = { &ctx->out, true };
	int err;

	bool any = false;

	if (!ctx->show_pinned)
		return 0;
	err = pin_paths(&v->db, v->snap_id, type, id, print_pin, &ls, e);
	if (!err && ls.first && out_json(ls.o))
		err = pins_any(&v->db, v->snap_id, type, &any, e);
	if (any)	/* bpftool: "pinned": [] once anything of the type is pinned */
		out_arr_start(ls.o, "pinned");
	if (!ls.first || any)
		out_arr_end(ls.o);
	return err;
}

static int print_owner(const struct owner_row *r, void *arg)
{
	struct list_state *ls = arg;
	struct out *o = ls->o;

	if (ls->first) {
		out_arr_start(o, "pids");
		out_plain(o, "\n\tpids ");
	}
	out_obj_start(o, NULL);
	out_int(o, "pid", NULL, r->pid);
	out_str(o, "comm", ls->first ? "%s" : ", %s", r->comm);
	out_plain(o, "(%lld)", (long long)r->pid);
	out_obj_end(o);
	ls->first = false;
	return 0;
}

int show_pids(struct ctx *ctx, struct view *v, const char *type, uint32_t id, struct err *e)
{
	struct list_state ls = { &ctx->out, true };
	int err = owner_rows(&v->db, v->snap_id, type, id, print_owner, &ls, e);

	if (!ls.first)
		out_arr_end(ls.o);
	return err;
}

void show_pids_of(struct ctx *ctx, const struct id_rows *owners, uint32_t id)
{
	struct list_state ls = { &ctx->out, true };
	size_t from, n = id_rows_find(owners, id, &from);

	for (size_t i = from; i < from + n; i++)
		print_owner(&(struct owner_row){ owners->v[i].num,
			    (const char *)owners->texts.data + owners->v[i].text }, &ls);
	if (!ls.first)
		out_arr_end(ls.o);
}

void show_id_list(struct ctx *ctx, const struct id_list *l, const char *key, const char *plain,
		  bool always)
{
	struct out *o = &ctx->out;

	if (!l->n && !always)
		return;
	out_arr_start(o, key);
	for (size_t i = 0; i < l->n; i++) {
		if (!i)
			out_plain(o, "%s", plain);
		out_uint(o, NULL, i ? ",%llu" : "%llu", l->v[i]);
	}
	out_arr_end(o);
}

/* [id ID] of btf show and link show: -1 for all. */
int show_only_id(struct ctx *ctx, int argc, char **argv, int64_t *only)
{
	*only = -1;
	if (argc >= 2 && keyword_is(argv[0], "id")) {
		*only = strtoll(argv[1], NULL, 0);
		NEXT_ARGS(2);
		NO_MORE_ARGS();
	}
	if (argc > 0)
		return p_err(ctx, "expected 'id ID', got '%s'", argv[0]);
	return 0;
}

int show_open(struct ctx *ctx, unsigned mask, int argc, char **argv, bool progs, struct view *v,
	      uint32_t **ids, size_t *n)
{
	int err;

	*ids = NULL;
	*n = 0;
	if (ctx->show_pinned || (argc && !strcmp(argv[0], "pinned")))
		mask |= SNAP_PINS;
	if ((progs ? view_open_prog(ctx, mask, argc, argv, v) : view_open(ctx, mask, v)))
		return -1;
	if (!argc)
		return 0;
	err = progs ? prog_select(ctx, v, &argc, &argv, ids, n) : map_select(ctx, v, &argc, &argv, ids, n);
	if (!err && argc > 0)
		err = p_err(ctx, "unexpected argument '%s'", argv[0]);
	if (err) {
		free(*ids);
		*ids = NULL;
		view_close(v);
	}
	return err;
}
