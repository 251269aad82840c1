/* snapshot take|list|show|delete: the history database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "store/read_snapshot.h"
#include "capture/env.h"
#include "capture/snapshot.h"
#include "cli/snap_env.h"

static void progress_tty(void *arg, const char *what, uint64_t done, uint64_t total)
{
	(void)arg; (void)total;
	if (done % 16 == 0)
		fprintf(stderr, "\r%s: %llu maps read", what, (unsigned long long)done);
}

static int do_take(struct ctx *ctx, int argc, char **argv)
{
	struct snapshot_opts opts = { .mask = SNAP_DEFAULT };
	struct snapshot_result res;
	struct err e = { 0 };
	struct db db = { 0 };
	int err;

	while (argc > 0) {
		if (keyword_is(*argv, "label")) {
			NEXT_ARG();
			REQ_ARGS(1);
			opts.label = GET_ARG();
		} else if (!strcmp(*argv, "maps-data") || !strcmp(*argv, "data")) {
			opts.mask |= SNAP_MAPS_DATA;
			NEXT_ARG();
		} else if (keyword_is(*argv, "stats")) {
			NEXT_ARG();
			opts.mask |= SNAP_STATS;
			opts.stats_interval_ns = 1000000000ull;
			if (argc > 0 && atof(*argv) > 0) {
				opts.stats_interval_ns = (uint64_t)(atof(*argv) * 1e9);
				NEXT_ARG();
			}
		} else if (!strcmp(*argv, "no-code")) {
			opts.mask &= ~SNAP_CODE;
			NEXT_ARG();
		} else if (keyword_is(*argv, "views")) {
			opts.mask |= SNAP_VIEWS;
			NEXT_ARG();
		} else {
			return p_err(ctx, "unknown argument '%s' (snapshot take [label LABEL] [maps-data] [stats [SECONDS]] [no-code] [views])",
				     *argv);
		}
	}
	if (env_check(ENV_PRIV, &e))
		return p_err_e(ctx, &e);
	snapshot_opts_env(&opts);
	if ((opts.mask & SNAP_MAPS_DATA) && isatty(2) && !out_json(&ctx->out)) {
		opts.progress = progress_tty;
	}
	/* (opened there: the iterators start first) */
	err = snapshot_take_at(&db, ctx->db_path, &opts, &res, &e);
	if (opts.progress)
		fputs("\r\033[K", stderr);
	if (err) {
		db_close(&db);
		return p_err_e(ctx, &e);
	}
	{
		char *warnings = NULL;

		if (!snapshot_warnings_read(&db, res.id, &warnings, NULL) && warnings)
			fprintf(stderr, "Warning: %s\n", warnings);
		free(warnings);
	}
	uint64_t t_open = now_monotonic_ns();
	db_close(&db);
	if (getenv("BPFSCOPE_TRACE"))
		fprintf(stderr, "close        %8.2f ms\n", (now_monotonic_ns() - t_open) / 1e6);
	out_obj_start(&ctx->out, NULL);
	out_int(&ctx->out, "id", "snapshot %lld:", res.id);
	out_uint(&ctx->out, "progs", " %llu progs", res.nr_progs);
	out_uint(&ctx->out, "maps", ", %llu maps", res.nr_maps);
	out_uint(&ctx->out, "btf", ", %llu btf", res.nr_btf);
	out_uint(&ctx->out, "links", ", %llu links", res.nr_links);
	out_uint(&ctx->out, "attachments", ", %llu attachments", res.nr_attachments);
	out_uint(&ctx->out, "pins", ", %llu pins", res.nr_pins);
	out_uint(&ctx->out, "vanished", ", %llu vanished", res.vanished);
	out_uint(&ctx->out, "duration_ns", NULL, res.duration_ns);
	out_plain(&ctx->out, " in %.1f ms\n", res.duration_ns / 1e6);
	out_obj_end(&ctx->out);
	return 0;
}

static int print_snapshot_row(struct ctx *ctx, const struct snapshot_row *r, bool full)
{
	static const char *const counts[] = { "progs", "maps", "btf", "links", "attachments", "pins" };
	const uint64_t nums[] = { r->nr_progs, r->nr_maps, r->nr_btf, r->nr_links,
		r->nr_attachments, r->nr_pins };
	struct out *o = &ctx->out;
	char when[64];

	fmt_time_utc_ns(r->taken_at_ns, when, sizeof(when));
	out_obj_start(o, NULL);
	out_int(o, "id", "%lld: ", r->id);
	out_str(o, "taken_at", "%s", when);
	out_int(o, "taken_at_ns", NULL, r->taken_at_ns);
	if (r->label)
		out_str(o, "label", "  label %s", r->label);
	for (int i = 0; i < 6; i++) {
		char fmt[32];

		snprintf(fmt, sizeof(fmt), "  %s %%llu", counts[i]);
		out_uint(o, counts[i], fmt, nums[i]);
	}
	out_str(o, "host", "\n\thost %s", r->host);
	out_str(o, "kernel_release", "  kernel %s", r->kernel_release);
	out_str(o, "arch", "  arch %s", r->arch);
	out_uint(o, "duration_ns", NULL, r->duration_ns);
	out_plain(o, "  took %.1f ms", r->duration_ns / 1e6);
	if (full) {
		static const char *const posture[] = { "unprivileged_bpf_disabled", "bpf_jit_enable",
			"bpf_jit_harden", "bpf_jit_kallsyms", "bpf_stats_enabled" };

		out_uint(o, "vanished", "\n\tvanished %llu", r->vanished);
		out_str(o, "boot_id", "  boot_id %s", r->boot_id);
		out_str(o, "tool_version", "  bpfscope %s", r->tool_version);
		out_plain(o, "\n\t");
		for (int i = 0; i < SNAP_ROW_POSTURE; i++) {
			char fmt[64];

			snprintf(fmt, sizeof(fmt), "%s%s %%lld", i ? "  " : "", posture[i]);
			if (r->has_posture[i])
				out_int(o, posture[i], fmt, r->posture[i]);
		}
		if (r->warnings)
			out_str(o, "warnings", "\n\twarning: %s", r->warnings);
		out_uint(o, "mask", NULL, r->mask);
	}
	out_nl(o);
	out_obj_end(o);
	return 0;
}

/* the list is a JSON array, opened once its statement is ready */
static int print_list_row(void *ctx, const struct snapshot_row *r)
{
	if (!r) {
		out_arr_start(&((struct ctx *)ctx)->out, NULL);
		return 0;
	}
	return print_snapshot_row(ctx, r, false);
}

static int print_full_row(void *ctx, const struct snapshot_row *r)
{
	return r ? print_snapshot_row(ctx, r, true) : 0;
}

static int do_list(struct ctx *ctx, int argc, char **argv)
{
	struct db db;
	struct err e = { 0 };
	int err;

	NO_MORE_ARGS();
	if (history_open(ctx, false, &db))
		return -1;
	err = snapshot_rows_read(&db, -1, print_list_row, ctx, &e);
	if (err) {
		db_close(&db);
		return p_err_e(ctx, &e);
	}
	out_arr_end(&ctx->out);
	db_close(&db);
	return 0;
}

static int with_ref(struct ctx *ctx, int argc, char **argv, bool write, struct db *db, int64_t *id)
{
	struct err e = { 0 };
	const char *ref = argc > 0 ? argv[0] : ctx->snap_ref;

	if (!ref)
		return p_err(ctx, "expected a snapshot REF (ID, latest, latest~N or LABEL)");
	if (argc > 0)
		NEXT_ARG();
	NO_MORE_ARGS();
	if (history_open(ctx, write, db))
		return -1;
	if (snapshot_resolve(db, ref, id, &e)) {
		db_close(db);
		return p_err_e(ctx, &e);
	}
	return 0;
}

static int do_show_snap(struct ctx *ctx, int argc, char **argv)
{
	struct db db;
	int64_t id;

	if (argc == 0 && !ctx->snap_ref)
		return do_list(ctx, argc, argv);
	if (with_ref(ctx, argc, argv, false, &db, &id))
		return -1;
	snapshot_rows_read(&db, id, print_full_row, ctx, NULL);
	db_close(&db);
	return 0;
}

static int do_delete(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0 };
	struct db db;
	int64_t id;

	if (with_ref(ctx, argc, argv, true, &db, &id))
		return -1;
	if (snapshot_delete(&db, id, &e)) {
		db_close(&db);
		return p_err_e(ctx, &e);
	}
	db_close(&db);
	out_obj_start(&ctx->out, NULL);
	out_int(&ctx->out, "deleted", "snapshot %lld deleted\n", id);
	out_obj_end(&ctx->out);
	return 0;
}

static int do_snapshot_help(struct ctx *ctx, int argc, char **argv)
{
	(void)argc; (void)argv;
	return p_usage(ctx, GRAMMAR_SNAPSHOT);
}

static const struct cmd snapshot_cmds[] = {
	{ "list", do_list },
	{ "take", do_take },
	{ "show", do_show_snap },
	{ "delete", do_delete },
	{ "watch", do_snapshot_watch },
	{ "help", do_snapshot_help },
	{ 0 }
};

int do_snapshot(struct ctx *ctx, int argc, char **argv)
{
	return cmd_select(ctx, snapshot_cmds, argc, argv, do_snapshot_help);
}
