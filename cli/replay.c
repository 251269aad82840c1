/* replay OBJ.o ... | replay REF ...: load an object as its sections say (with map
 * contents from a snapshot), or rebuild a snapshot's pinned state; a table of what was
 * restored and what was skipped, and why. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "act/mount.h"
#include "act/replay.h"

#define REPLAY_HELP GRAMMAR_REPLAY

static int replay_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	if (out_json(&ctx->out)) {
		out_obj_start(&ctx->out, NULL);
		out_str(&ctx->out, "usage", NULL, REPLAY_HELP);
		out_obj_end(&ctx->out);
	} else {
		printf("%s", REPLAY_HELP);
	}
	return 0;
}

static bool is_elf_file(const char *path)
{
	unsigned char m[4];
	struct stat st;
	FILE *f;
	bool ok;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || !(f = fopen(path, "rb")))
		return false;
	ok = fread(m, 1, 4, f) == 4 && !memcmp(m, "\x7f" "ELF", 4);
	fclose(f);
	return ok;
}

static void print_report(struct ctx *ctx, const struct replay_report *r, int64_t snap)
{
	struct out *o = &ctx->out;
	unsigned count[4] = { 0 };

	for (size_t i = 0; i < r->n; i++)
		count[r->rows[i].status]++;
	if (out_json(o)) {
		out_obj_start(o, NULL);
		if (snap)
			out_int(o, "snapshot", NULL, snap);
		if (r->pin_dir[0])
			out_str(o, "pin_dir", NULL, r->pin_dir);
		out_arr_start(o, "items");
		for (size_t i = 0; i < r->n; i++) {
			const struct replay_row *w = &r->rows[i];

			out_obj_start(o, NULL);
			out_str(o, "kind", NULL, w->kind);
			out_str(o, "name", NULL, w->name);
			out_str(o, "type", NULL, w->type);
			if (w->tag[0])
				out_str(o, "tag", NULL, w->tag);
			if (w->old_id)
				out_uint(o, "old_id", NULL, w->old_id);
			if (w->new_id)
				out_uint(o, "new_id", NULL, w->new_id);
			out_str(o, "status", NULL, replay_status_name(w->status));
			if (w->detail[0])
				out_str(o, "detail", NULL, w->detail);
			if (w->why[0])
				out_str(o, "why", NULL, w->why);
			out_obj_end(o);
		}
		out_arr_end(o);
		out_uint(o, "planned", NULL, count[RS_PLANNED]);
		out_uint(o, "restored", NULL, count[RS_RESTORED]);
		out_uint(o, "skipped", NULL, count[RS_SKIPPED]);
		out_uint(o, "failed", NULL, count[RS_FAILED]);
		out_obj_end(o);
		return;
	}
	printf("%-9s %-4s %-16s %-14s %7s %7s  %s\n", "STATUS", "KIND", "NAME", "TYPE", "OLD_ID",
	       "NEW_ID", "DETAIL");
	for (size_t i = 0; i < r->n; i++) {
		const struct replay_row *w = &r->rows[i];
		char a[8], b[8], safe[1100], name[128];

		snprintf(a, sizeof(a), "%u", w->old_id);
		snprintf(b, sizeof(b), "%u", w->new_id);
		printf("%-9s %-4s %-16s %-14s %7s %7s  ", replay_status_name(w->status), w->kind,
		       out_safe(w->name, name, sizeof(name)), w->type, w->old_id ? a : "-",
		       w->new_id ? b : "-");
		if (w->detail[0])
			printf("%s", out_safe(w->detail, safe, sizeof(safe)));
		if (w->why[0])
			printf("%s%s", w->detail[0] ? "; " : "", out_safe(w->why, safe, sizeof(safe)));
		printf("\n");
	}
	if (r->pin_dir[0])
		printf("pinned under %s\n", r->pin_dir);
	if (count[RS_PLANNED])
		printf("%u planned, %u skipped (dry run: nothing changed)\n", count[RS_PLANNED],
		       count[RS_SKIPPED]);
	else
		printf("%u restored, %u skipped, %u failed\n", count[RS_RESTORED], count[RS_SKIPPED],
		       count[RS_FAILED]);
}

static int replay_obj_cmd(struct ctx *ctx, const char *path, int argc, char **argv)
{
	struct replay_obj_opts o = { .path = path };
	struct replay_report r;
	struct err e = { 0 };
	const char *ref = NULL;
	struct db db;
	bool have_db = false;
	int ret;

	while (argc > 0) {
		const char *kw = GET_ARG();

		if (!strcmp(kw, "pin") && argc > 0)
			o.pin_dir = GET_ARG();
		else if (!strcmp(kw, "dev") && argc > 0)
			o.dev = GET_ARG();
		else if (!strcmp(kw, "restore") && argc > 0)
			ref = GET_ARG();
		else if (!strcmp(kw, "autoattach"))
			o.autoattach = true;
		else if (!strcmp(kw, "dry-run"))
			o.dry_run = true;
		else
			return p_err(ctx, "unexpected argument '%s' (expected pin DIR, autoattach, "
				     "dev IFNAME, restore REF or dry-run)", kw);
	}
	if (!o.dry_run && env_ready(ENV_PRIV | ENV_BPFFS | (o.autoattach ? ENV_TRACEFS : 0),
				    ctx->mount, &e))
		return p_err_e(ctx, &e);
	if (ref) {
		if (db_open(&db, ctx->db_path, DB_READ, &e) ||
		    snapshot_resolve(&db, ref, &o.restore_snap, &e))
			return p_err_e(ctx, &e);
		have_db = true;
		o.db = &db;
	}
	ret = replay_object(&o, &r, &e);
	if (ret)
		p_err_e(ctx, &e);
	else
		print_report(ctx, &r, o.restore_snap);
	replay_report_free(&r);
	if (have_db)
		db_close(&db);
	return ret ? -1 : 0;
}

static int replay_snap_cmd(struct ctx *ctx, const char *ref, int argc, char **argv)
{
	struct replay_snap_opts o = { 0 };
	struct replay_report r;
	struct err e = { 0 };
	struct db db;
	int ret;

	while (argc > 0) {
		const char *kw = GET_ARG();

		if (!strcmp(kw, "objects") && argc > 0)
			o.objects_dir = GET_ARG();
		else if (!strcmp(kw, "dry-run"))
			o.dry_run = true;
		else
			return p_err(ctx, "unexpected argument '%s' (expected objects DIR or dry-run)",
				     kw);
	}
	if (!o.dry_run && env_ready(ENV_PRIV | ENV_BPFFS, ctx->mount, &e))
		return p_err_e(ctx, &e);
	if (db_open(&db, ctx->db_path, DB_READ, &e) || snapshot_resolve(&db, ref, &o.snap_id, &e))
		return p_err_e(ctx, &e);
	o.db = &db;
	ret = replay_snapshot(&o, &r, &e);
	if (ret && !r.n)
		p_err_e(ctx, &e);
	else
		print_report(ctx, &r, o.snap_id);
	if (ret && r.n && !out_json(&ctx->out))
		p_err_e(ctx, &e);
	replay_report_free(&r);
	db_close(&db);
	return ret ? -1 : 0;
}

int do_replay(struct ctx *ctx, int argc, char **argv)
{
	const char *what;

	if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "-h"))
		return replay_help(ctx, 0, NULL);
	what = GET_ARG();
	if (is_elf_file(what))
		return replay_obj_cmd(ctx, what, argc, argv);
	return replay_snap_cmd(ctx, what, argc, argv);
}
