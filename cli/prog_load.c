/* prog load | loadall | pin: load ELF objects (act/load.c), pin them, autoattach, and
 * record each loaded object in the history database for replay. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli/cli.h"
#include "capture/live_select.h"
#include "act/load.h"
#include "act/mount.h"

#define VERIFIER_TAIL_LINES 8

/* An error from a load, with the verifier's last lines where the kernel gave any. */
static int p_err_load(struct ctx *ctx, const struct err *e, const struct loaded *l)
{
	char tail[4096];

	load_log_tail(l, VERIFIER_TAIL_LINES, tail, sizeof(tail));
	if (ctx->debug && l->log.len && !out_json(&ctx->out))
		fprintf(stderr, "%s", (const char *)l->log.data);
	if (out_json(&ctx->out))
		return p_err_e_extra(ctx, e, "verifier_log", tail[0] ? tail : NULL);
	p_err_e(ctx, e);
	if (tail[0]) {
		char safe[1100];

		fprintf(stderr, "verifier log (last lines):\n");
		for (char *line = strtok(tail, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "  %s\n", out_safe(line, safe, sizeof(safe)));
	}
	return -1;
}

/* Best effort: a database we can't write must not undo a successful load. */
static void record_object(struct ctx *ctx, const char *path, const struct loaded *l,
			  const char *pin_dir)
{
	struct err e = { 0 };

	if (load_record_file(ctx->db_path, path, l, pin_dir, &e))
		p_info(ctx, "Warning: loaded, but not recorded for replay: %s", e.msg);
}

static void print_loaded(struct ctx *ctx, const struct loaded *l)
{
	struct out *o = &ctx->out;

	/* bpftool prints nothing on success; JSON says what was made */
	if (!out_json(o)) {
		if (ctx->verbose)
			for (size_t i = 0; i < l->nr_progs; i++)
				fprintf(stderr, "loaded %s (id %u)%s%s%s\n", l->progs[i].name,
					l->progs[i].id, l->progs[i].pinned[0] ? ", pinned at " : "",
					l->progs[i].pinned, l->progs[i].attached ? " (link)" : "");
		return;
	}
	out_obj_start(o, NULL);
	out_arr_start(o, "programs");
	for (size_t i = 0; i < l->nr_progs; i++) {
		const struct load_prog *p = &l->progs[i];

		out_obj_start(o, NULL);
		out_uint(o, "id", NULL, p->id);
		out_str(o, "name", NULL, p->name);
		out_str(o, "section", NULL, p->sec);
		out_str(o, "tag", NULL, p->tag);
		if (p->pinned[0])
			out_str(o, "pinned", NULL, p->pinned);
		if (p->attached) {
			out_str(o, "attach", NULL, load_attach_kind(p));
			out_uint(o, "link_id", NULL, p->link_id);
		}
		out_obj_end(o);
	}
	out_arr_end(o);
	out_arr_start(o, "maps");
	for (size_t i = 0; i < l->nr_maps; i++) {
		out_obj_start(o, NULL);
		out_uint(o, "id", NULL, l->maps[i].id);
		out_str(o, "name", NULL, l->maps[i].name);
		if (l->maps[i].pinned[0])
			out_str(o, "pinned", NULL, l->maps[i].pinned);
		out_obj_end(o);
	}
	out_arr_end(o);
	out_obj_end(o);
}

static int load_cmd(struct ctx *ctx, int argc, char **argv, bool all)
{
	struct load_map_reuse reuse[16];
	struct load_opts o = { .reuse = reuse };
	struct loaded l;
	struct err e = { 0 };
	const char *obj, *path;
	int ret = -1;

	if (argc < 2)
		return p_err(ctx, "expected OBJ and %s", all ? "DIR" : "PATH");
	obj = GET_ARG();
	path = GET_ARG();
	while (argc > 0) {
		const char *kw = GET_ARG();

		if (!strcmp(kw, "type")) {
			if (o.type)
				return p_err(ctx, "program type already specified");
			if (!(o.type = GET_ARG()))
				return p_err(ctx, "expected TYPE after 'type'");
		} else if (!strcmp(kw, "map")) {
			struct load_map_reuse *r = &reuse[o.nr_reuse];
			const char *how, *what, *mkw, *marg;
			int fd;

			if (o.nr_reuse == ARRAY_SIZE(reuse))
				return p_err(ctx, "too many 'map' replacements (at most %zu)",
					     ARRAY_SIZE(reuse));
			if (argc < 4)
				return p_err(ctx, "expected 'map {idx IDX | name NAME} MAP'");
			how = GET_ARG();
			what = GET_ARG();
			mkw = GET_ARG();
			marg = GET_ARG();
			if (!strcmp(how, "idx")) {
				char *end;

				r->name = NULL;
				r->idx = strtol(what, &end, 0);
				if (*end || r->idx < 0)
					return p_err(ctx, "can't parse map index '%s'", what);
			} else if (!strcmp(how, "name")) {
				r->name = what;
			} else {
				return p_err(ctx, "expected 'idx' or 'name' after 'map', got '%s'", how);
			}
			if (live_map_fd(mkw, marg, &fd, &e))
				goto out;
			r->fd = fd;
			o.nr_reuse++;
		} else if (!strcmp(kw, "pinmaps")) {
			if (!(o.pinmaps = GET_ARG()))
				return p_err(ctx, "expected DIR after 'pinmaps'");
		} else if (!strcmp(kw, "autoattach")) {
			o.autoattach = true;
		} else if (!strcmp(kw, "dev") || !strcmp(kw, "offload_dev") ||
			   !strcmp(kw, "xdpmeta_dev")) {
			return p_err(ctx, "'%s' (device offload) is not supported", kw);
		} else {
			return p_err(ctx, "expected no more arguments, 'type', 'map', 'pinmaps' or "
				     "'autoattach', got: '%s'", kw);
		}
	}
	if (env_ready(ENV_PRIV | ENV_BPFFS, ctx->mount, &e))
		goto out;
	if (all)
		o.pin_dir = path;
	else
		o.pin_first = path;
	if (load_object(obj, NULL, 0, &o, &l, &e)) {
		p_err_load(ctx, &e, &l);
		buf_free(&l.log);
		goto close_fds;
	}
	/* prog load with autoattach: bpftool attaches the first program and pins its link */
	if (!all && o.autoattach) {
		int err = load_attach_first(&l, &e);

		if (err && err != -EOPNOTSUPP) {
			p_err_load(ctx, &e, &l);
			load_abort(&l);
			buf_free(&l.log);
			goto close_fds;
		}
	}
	print_loaded(ctx, &l);
	record_object(ctx, obj, &l, all ? path : NULL);
	load_close(&l);
	buf_free(&l.log);
	ret = 0;
	goto close_fds;
out:
	p_err_e(ctx, &e);
close_fds:
	for (size_t i = 0; i < o.nr_reuse; i++)
		close(reuse[i].fd);
	return ret;
}

int do_prog_load(struct ctx *ctx, int argc, char **argv)
{
	return load_cmd(ctx, argc, argv, false);
}

int do_prog_loadall(struct ctx *ctx, int argc, char **argv)
{
	return load_cmd(ctx, argc, argv, true);
}

int do_prog_pin(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };
	const char *kw, *arg, *file;
	int fd;

	if (argc < 3)
		return p_err(ctx, "expected PROG FILE (" HELP_SPEC_PROGRAM ")");
	kw = GET_ARG();
	arg = GET_ARG();
	file = GET_ARG();
	NO_MORE_ARGS();
	if (live_prog_fd(kw, arg, &fd, &e))
		return p_err_e(ctx, &e);
	if (pin_fd(fd, file, &e)) {
		close(fd);
		return p_err_e(ctx, &e);
	}
	close(fd);
	if (out_json(&ctx->out))
		out_null(&ctx->out, NULL);
	return 0;
}
