/* diff A [B] [KINDS] [code] [contents] [stats]: what changed between two snapshots (or a
 * snapshot and the live kernel), by identity (analyze/diff.c), one line per change or
 * docs/diff.md's JSON; exit 0 when equal, 1 when different, 2 on error, as diff(1). */
#include <errno.h>
#include <stdlib.h>
#include "analyze/diff.h"
#include "cli/cli.h"
#include "cli/diff_print.h"
#include "store/read_objs.h"
#include "store/snap_mask.h"

static const char *const kind_words[] = { "progs", "maps", "links", "attachments", "pins", "btf",
					  "sockets", "all" };
static const unsigned kind_bits[] = { SO_PROGS, SO_MAPS, SO_LINKS, SO_ATTACH, SO_PINS, SO_BTF,
				      SO_SOCKS, SO_ALL };
static const char *const flag_words[] = { "code", "contents", "stats" };

static bool is_keyword(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_words); i++)
		if (!strcmp(w, kind_words[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(flag_words); i++)
		if (!strcmp(w, flag_words[i]))
			return true;
	return false;
}

/* One side: a stored snapshot of the history database, or "live" (an in-memory snapshot
 * of what the comparison needs). */
int diff_side_open(struct ctx *ctx, const char *ref, unsigned live_mask, struct diff_side *s)
{
	bool live = !strcmp(ref, "live");

	memset(s, 0, sizeof(*s));
	s->ref = ref;
	if (view_open_at(ctx, live ? NULL : ref, live ? live_mask : 0, &s->v))
		return -1;
	s->db = &s->v.db;
	s->snap_id = s->v.snap_id;
	s->live = s->v.live;
	return 0;
}

/* Side s, a stored snapshot of the file side a (also stored) reads: through a's connection
 * and read transaction, so one open, one schema parse and one set of prepared statements
 * serve both (a outlives s). */
static int diff_side_share(struct ctx *ctx, const char *ref, struct diff_side *a,
			   struct diff_side *s)
{
	struct err e = { 0 };

	memset(s, 0, sizeof(*s));
	s->ref = ref;
	s->db = a->db;
	if (snapshot_resolve(s->db, ref, &s->snap_id, &e))
		return p_err_e(ctx, &e);
	s->v.snap_id = s->snap_id;
	return 0;
}

int diff_side_read(struct ctx *ctx, struct diff_side *s, unsigned kinds)
{
	struct err e = { 0 };

	if (snap_objs_read(s->db, s->snap_id, kinds, &s->objs, &e))
		return p_err_e(ctx, &e);
	return 0;
}

void diff_side_close(struct diff_side *s)
{
	if (s->ksyms)
		ksyms_free(s->ksyms);
	free(s->ksyms);
	snap_objs_free(&s->objs);
	view_close(&s->v);
}

int diff_args_parse(struct ctx *ctx, int argc, char **argv, struct diff_args *da)
{
	da->o.kinds = 0;
	da->ref_a = GET_ARG();
	if (!da->ref_a)
		return p_err(ctx, "expected a snapshot REF or 'live' to compare");
	da->ref_b = argc > 0 && !is_keyword(*argv) ? GET_ARG() : "live";
	while (argc > 0) {
		int k = keyword_find(*argv, kind_words, ARRAY_SIZE(kind_words));

		if (k >= 0) {
			da->o.kinds |= kind_bits[k];
		} else if (keyword_is(*argv, "code")) {
			da->code = true;
		} else if (keyword_is(*argv, "contents")) {
			da->o.contents = true;
		} else if (keyword_is(*argv, "stats")) {
			da->o.stats = true;
		} else {
			return p_err(ctx, "unexpected argument '%s' (valid: progs, maps, links, "
				     "attachments, pins, btf, sockets, all, code, contents, stats)", *argv);
		}
		NEXT_ARG();
	}
	if (!da->o.kinds)
		da->o.kinds = SO_ALL;
	return 0;
}

/* What a live side must capture to be compared with a stored one. */
static unsigned live_mask(const struct diff_args *da)
{
	unsigned m = SNAP_PINS | SNAP_ATTACH;

	if (da->code)
		m |= SNAP_CODE;
	if (da->o.contents)
		m |= SNAP_MAPS_DATA | SNAP_BTF_DATA;	/* keys and values through their BTF */
	if (da->o.kinds & SO_SOCKS)
		m |= SNAP_SOCK;
	return m;
}

int diff_sides_print(struct ctx *ctx, const struct diff_args *da, struct diff_side *a,
		     struct diff_side *b)
{
	struct diff_result r = { 0 };
	struct err e = { 0 };
	int ret = -1;

	if (diff_compute(&a->objs, &b->objs, &da->o, &r, &e))
		p_err_e(ctx, &e);
	else if (!diff_print(ctx, da, a, b, &r))
		ret = 0;
	if (!ret)
		ctx->status = r.n || diff_features_count(a, b) > 0 ? 1 : 0;
	diff_result_free(&r);
	return ret;
}

int do_diff(struct ctx *ctx, int argc, char **argv)
{
	struct diff_args da = { 0 };
	struct diff_side a = { 0 }, b = { 0 };
	struct err e = { 0 };
	int ret = -1;

	ctx->err_status = 2;
	if (argc > 0 && (keyword_is(*argv, "help") && argc == 1)) {
		p_usage(ctx, GRAMMAR_DIFF);
		return 0;
	}
	if (diff_args_parse(ctx, argc, argv, &da))
		return -1;
	if (diff_side_open(ctx, da.ref_a, live_mask(&da), &a) ||
	    (!a.live && strcmp(da.ref_b, "live") ? diff_side_share(ctx, da.ref_b, &a, &b) :
	     diff_side_open(ctx, da.ref_b, live_mask(&da), &b)) ||
	    diff_side_read(ctx, &a, da.o.kinds) || diff_side_read(ctx, &b, da.o.kinds))
		goto out;
	/* what the loads recorder saw made between two stored snapshots of one file */
	if (!a.live && !b.live && a.snap_id < b.snap_id &&
	    snap_loads_read(b.db, a.snap_id, b.snap_id, &b.objs, &e)) {
		p_err_e(ctx, &e);
		goto out;
	}
	ret = diff_sides_print(ctx, &da, &a, &b);
out:
	diff_side_close(&a);
	diff_side_close(&b);
	return ret;
}
