/* audit [REF | live] [baseline REF] [rules FILE] [severity LEVEL]: the findings of
 * analyze/audit.c over one snapshot (stored: no root, no bpf()), highest first; exit 0 when
 * none is at or above LEVEL (default medium), 1 when one is, 2 on error. */
#include <errno.h>
#include <stdlib.h>
#include "analyze/audit.h"
#include "analyze/diff.h"
#include "analyze/prog_code.h"
#include "cli/code_load.h"
#include "cli/diff_print.h"
#include "store/read_objs.h"
#include "store/read_snapshot.h"
#include "store/snap_mask.h"

struct audit_args {
	const char *ref, *baseline, *rules_file;
	enum audit_sev threshold;
};

static int audit_parse(struct ctx *ctx, int argc, char **argv, struct audit_args *a)
{
	*a = (struct audit_args){ .ref = "live", .threshold = SEV_MEDIUM };
	if (argc > 0 && strcmp(*argv, "baseline") && strcmp(*argv, "rules") &&
	    strcmp(*argv, "severity"))
		a->ref = GET_ARG();
	while (argc > 0) {
		const char *kw = GET_ARG();

		REQ_ARGS(1);
		if (!strcmp(kw, "baseline")) {
			a->baseline = GET_ARG();
		} else if (!strcmp(kw, "rules")) {
			a->rules_file = GET_ARG();
		} else if (!strcmp(kw, "severity")) {
			if (audit_sev_parse(*argv, &a->threshold))
				return p_err(ctx, "severity: expected info, low, medium or high, got '%s'",
					     *argv);
			NEXT_ARG();
		} else {
			return p_err(ctx, "unexpected argument '%s' (audit [REF | live] [baseline REF] "
				     "[rules FILE] [severity LEVEL])", kw);
		}
	}
	return 0;
}

static int rules_load(struct ctx *ctx, const char *path, struct audit_rules *r)
{
	struct buf b = { 0 };
	struct err e = { 0 };
	int err;

	if (!path) {
		audit_rules_default(r);
		return 0;
	}
	err = read_file(path, 16u << 20, &b, &e) ?:
	      audit_rules_parse((const char *)b.data, b.len, r, &e);
	buf_free(&b);
	if (err)
		return p_err(ctx, "rules %s: %s", path, e.msg);
	return 0;
}

static int posture_row(void *arg, const struct snapshot_row *r)
{
	struct audit_findings *f = ((void **)arg)[0];
	struct err *e = ((void **)arg)[1];
	int64_t v[4];
	bool has[4];

	if (!r)
		return 0;
	for (int i = 0; i < 4; i++) {
		v[i] = r->posture[i];
		has[i] = r->has_posture[i];
	}
	return audit_posture(v, has, f, e);
}

/* Every program's code through the code rules; helpers named by the boot's symbols. */
static int audit_code(struct diff_side *s, struct audit_findings *f, struct err *e)
{
	struct ksyms *k;
	int err = 0;

	if (!s->objs.have_code)
		return 0;
	k = diff_side_ksyms(s);	/* (kept for the side's other users: the report's sections) */
	if (!k)
		return err_set(e, ENOMEM, "out of memory");
	for (size_t i = 0; !err && i < s->objs.nprogs; i++) {
		struct prog_code pc;

		if (code_load(s->db, s->snap_id, s->objs.progs[i].id, PROG_CODE_XLATED, &pc, e))
			continue;	/* a program without code (vanished, or no-code) */
		prog_code_use_ksyms(&pc, k);
		err = audit_prog_code(&s->objs, i, &pc, f, e);
		prog_code_free(&pc);
	}
	return err;
}

static void print_finding(struct out *o, const struct audit_finding *f)
{
	char n[256], id[4096], ev[4096], c[64];

	out_obj_start(o, NULL);
	out_str(o, "rule", NULL, f->rule);
	out_str(o, "severity", NULL, audit_sev_name(f->sev));
	out_str(o, "kind", NULL, f->kind);
	out_uint(o, "id", NULL, f->id);
	out_str(o, "name", NULL, f->name);
	out_str(o, "identity", NULL, f->identity);
	if (f->pid >= 0) {
		out_int(o, "pid", NULL, f->pid);
		out_str(o, "comm", NULL, f->comm);
	}
	out_str(o, "evidence", NULL, f->evidence);
	out_obj_end(o);
	if (out_json(o))
		return;
	out_plain(o, "%-6s %-22s %s", audit_sev_name(f->sev), f->rule, f->kind);
	if (f->id)
		out_plain(o, " %u", f->id);
	out_plain(o, " %s  %s", out_safe(f->name, n, sizeof(n)), out_safe(f->identity, id, sizeof(id)));
	if (f->pid >= 0)
		out_plain(o, "  pid %lld %s", (long long)f->pid, out_safe(f->comm, c, sizeof(c)));
	out_plain(o, "\n\t%s\n", out_safe(f->evidence, ev, sizeof(ev)));
}

int audit_collect(struct ctx *ctx, struct diff_side *s, struct diff_side *base,
		  const struct audit_rules *r, struct audit_findings *f)
{
	struct err e = { 0 };
	void *arg[2] = { f, &e };
	struct diff_result d = { 0 };
	struct diff_opts o = { .kinds = SO_ALL };
	int err;

	err = audit_code(s, f, &e) ?: audit_objects(&s->objs, r, f, &e) ?:
	      snapshot_rows_read(s->db, s->snap_id, posture_row, arg, &e);
	if (!err && base && !s->live && !base->live && base->snap_id < s->snap_id)
		err = snap_loads_read(s->db, base->snap_id, s->snap_id, &s->objs, &e);
	if (!err && base)
		err = diff_compute(&base->objs, &s->objs, &o, &d, &e) ?:
		      audit_baseline(&s->objs, &base->objs, &d, f, &e);
	diff_result_free(&d);
	if (err)
		return p_err_e(ctx, &e);
	audit_finish(f, r, &s->objs);
	return 0;
}

int do_audit(struct ctx *ctx, int argc, char **argv)
{
	struct audit_args a;
	struct audit_rules r = { 0 };
	struct audit_findings f = { 0 };
	struct diff_side s = { 0 }, base = { 0 };
	unsigned live_mask = SNAP_CODE | SNAP_PINS | SNAP_ATTACH | SNAP_OWNERS | SNAP_SOCK | SNAP_VIEWS;
	bool hit = false;
	int ret = -1;

	ctx->err_status = 2;
	if (argc == 1 && keyword_is(*argv, "help")) {
		p_usage(ctx, GRAMMAR_AUDIT);
		return 0;
	}
	if (audit_parse(ctx, argc, argv, &a) || rules_load(ctx, a.rules_file, &r))
		goto out;
	if (diff_side_open(ctx, a.ref, live_mask, &s) ||
	    diff_side_read(ctx, &s, SO_ALL | SO_OWNERS | SO_VIEWS) ||
	    (a.baseline && (diff_side_open(ctx, a.baseline, live_mask, &base) ||
			    diff_side_read(ctx, &base, SO_ALL))))
		goto out;
	if (audit_collect(ctx, &s, a.baseline ? &base : NULL, &r, &f))
		goto out;
	out_arr_start(&ctx->out, NULL);
	for (size_t i = 0; i < f.n; i++) {
		print_finding(&ctx->out, &f.v[i]);
		hit |= f.v[i].sev >= a.threshold;
	}
	out_arr_end(&ctx->out);
	ctx->status = hit ? 1 : 0;
	ret = 0;
out:
	audit_findings_free(&f);
	audit_rules_free(&r);
	diff_side_close(&s);
	if (a.baseline)
		diff_side_close(&base);
	return ret;
}
