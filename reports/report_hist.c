/* Each program of a report's snapshot followed back through earlier snapshots (by diff's
 * identity), and its history section: changes as a list, counters as inline SVG plots. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/diff.h"
#include "lib/util.h"
#include "reports/html.h"
#include "reports/report_hist.h"
#include "store/read_objs.h"
#include "store/read_snapshot.h"

/* A program under its identity; rank tells apart several of one identity (load order). */
struct hist_key {
	char *ident;
	uint64_t load_time;
	uint32_t id;
	size_t idx, rank;
};

static int key_cmp(const void *x, const void *y)
{
	const struct hist_key *a = x, *b = y;
	int c = strcmp(a->ident, b->ident);

	if (c)
		return c;
	if (a->load_time != b->load_time)
		return a->load_time < b->load_time ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int key_find_cmp(const void *x, const void *y)
{
	const struct hist_key *a = x, *b = y;
	int c = strcmp(a->ident, b->ident);

	return c ? c : a->rank < b->rank ? -1 : a->rank > b->rank;
}

static void keys_free(struct hist_key *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].ident);
	free(k);
}

/* o's programs as sorted keys with their ranks */
static int keys_make(const struct snap_objs *o, struct hist_key **out, struct err *e)
{
	struct hist_key *k = calloc(o->nprogs ? o->nprogs : 1, sizeof(*k));

	if (!k)
		return err_set(e, ENOMEM, "out of memory reading history");
	for (size_t i = 0; i < o->nprogs; i++) {
		k[i] = (struct hist_key){ diff_prog_identity(o, i), o->progs[i].load_time,
					  o->progs[i].id, i, 0 };
		if (!k[i].ident) {
			keys_free(k, i);
			return err_set(e, ENOMEM, "out of memory reading history");
		}
	}
	qsort(k, o->nprogs, sizeof(*k), key_cmp);
	for (size_t i = 1; i < o->nprogs; i++)
		if (!strcmp(k[i].ident, k[i - 1].ident))
			k[i].rank = k[i - 1].rank + 1;
	*out = k;
	return 0;
}

static int series_push(struct report_hist_series *s, const struct report_hist_point *p)
{
	if (array_room((void **)&s->v, &s->cap, s->n, sizeof(*s->v)))
		return -ENOMEM;
	s->v[s->n++] = *p;
	return 0;
}

/* Add snapshot (snap, o)'s points to the series of the programs they match in ref. */
static int hist_add(struct report_hist *h, const struct hist_key *ref, size_t nref,
		    int64_t snap, int64_t taken, const struct snap_objs *o, struct err *e)
{
	struct hist_key *k = NULL;
	int err = keys_make(o, &k, e);

	for (size_t i = 0; !err && i < o->nprogs; i++) {
		const struct hist_key *m = bsearch(&k[i], ref, nref, sizeof(*ref), key_find_cmp);
		const struct so_prog *p = &o->progs[k[i].idx];
		struct report_hist_point pt = { snap, taken, p->id, "", p->run_cnt, p->run_time_ns };

		if (!m)
			continue;
		snprintf(pt.tag, sizeof(pt.tag), "%s", p->tag);
		if (series_push(&h->progs[m->idx], &pt))
			err = err_set(e, ENOMEM, "out of memory reading history");
	}
	keys_free(k, o->nprogs);
	return err;
}

struct taken_arg {
	int64_t *taken;
	const int64_t *snaps;
	size_t n;
};

static int taken_row(void *arg, const struct snapshot_row *r)
{
	struct taken_arg *t = arg;

	for (size_t i = 0; r && i < t->n; i++)
		if (t->snaps[i] == r->id)
			t->taken[i] = r->taken_at_ns;
	return 0;
}

int report_hist_read(struct db *db, const int64_t *snaps, size_t nsnaps, int64_t snap,
		     const struct snap_objs *s, struct report_hist *h, struct err *e)
{
	struct hist_key *ref = NULL;
	int64_t *taken = NULL;
	size_t from = 0, upto = 0;
	int err;

	memset(h, 0, sizeof(*h));
	h->n = s->nprogs;
	h->progs = calloc(s->nprogs ? s->nprogs : 1, sizeof(*h->progs));
	taken = calloc(nsnaps ? nsnaps : 1, sizeof(*taken));
	if (!h->progs || !taken) {
		err = err_set(e, ENOMEM, "out of memory reading history");
		goto out;
	}
	while (upto < nsnaps && snaps[upto] <= snap)
		upto++;
	if (upto > REPORT_HIST_MAX_SNAPS) {
		from = upto - REPORT_HIST_MAX_SNAPS;
		h->truncated = true;
	}
	h->first_snap = upto ? snaps[from] : snap;
	h->nsnaps = upto - from;
	err = snapshot_rows_read(db, -1, taken_row,
				 &(struct taken_arg){ taken, snaps, nsnaps }, e);
	if (!err)
		err = keys_make(s, &ref, e);
	for (size_t k = from; !err && k < upto; k++) {
		struct snap_objs o;

		if (snaps[k] == snap) {
			err = hist_add(h, ref, s->nprogs, snap, taken[k], s, e);
			continue;
		}
		err = snap_objs_read(db, snaps[k], SO_PROGS, &o, e);
		if (err)
			break;
		err = hist_add(h, ref, s->nprogs, snaps[k], taken[k], &o, e);
		snap_objs_free(&o);
	}
out:
	keys_free(ref, s->nprogs);
	free(taken);
	if (err)
		report_hist_free(h);
	return err;
}

void report_hist_free(struct report_hist *h)
{
	for (size_t i = 0; h->progs && i < h->n; i++)
		free(h->progs[i].v);
	free(h->progs);
	memset(h, 0, sizeof(*h));
}

/* One counter per snapshot as a line plot (values are the kernel's running totals). */
static void counter_plot(FILE *f, const struct report_hist_series *s, bool time, const char *what)
{
	const int w = 420, ht = 120, pad = 44;
	uint64_t max = 1;

	for (size_t i = 0; i < s->n; i++) {
		uint64_t v = time ? s->v[i].run_time_ns : s->v[i].run_cnt;

		max = v > max ? v : max;
	}
	fprintf(f, "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" role=\"img\" aria-label=\"%s per snapshot\">\n", w + 2 * pad,
		ht + 2 * pad, what);
	fprintf(f, "<text x=\"%d\" y=\"14\" font-size=\"12\">%s</text>\n", pad, what);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
		pad, pad + ht, pad + w, pad + ht, pad, pad, pad, pad + ht);
	fprintf(f, "<text x=\"2\" y=\"%d\" font-size=\"10\">%" PRIu64 "</text>"
		"<text x=\"2\" y=\"%d\" font-size=\"10\">0</text>\n", pad + 4, max, pad + ht);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\">snapshot %" PRId64 "</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">snapshot %" PRId64
		"</text>\n", pad, pad + ht + 14, s->v[0].snap, pad + w, pad + ht + 14,
		s->v[s->n - 1].snap);
	fputs("<polyline fill=\"none\" stroke=\"#06c\" stroke-width=\"1.5\" points=\"", f);
	for (size_t i = 0; i < s->n; i++) {
		uint64_t v = time ? s->v[i].run_time_ns : s->v[i].run_cnt;
		double x = s->n > 1 ? pad + (double)w * i / (s->n - 1) : pad + w / 2.0;

		fprintf(f, "%.1f,%.1f ", x, pad + ht - (double)ht * v / max);
	}
	fputs("\"/>\n", f);
	for (size_t i = 0; i < s->n; i++) {
		uint64_t v = time ? s->v[i].run_time_ns : s->v[i].run_cnt;
		double x = s->n > 1 ? pad + (double)w * i / (s->n - 1) : pad + w / 2.0;

		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#06c\"><title>snapshot %"
			PRId64 ": %" PRIu64 "</title></circle>\n", x, pad + ht - (double)ht * v / max,
			s->v[i].snap, v);
	}
	fputs("</svg>\n", f);
}

void report_prog_history(FILE *f, const struct report_hist *h, size_t i)
{
	const struct report_hist_series *s;
	char when[64];
	bool stats = false;

	if (!h->progs || i >= h->n || !h->progs[i].n)
		return;
	s = &h->progs[i];
	fmt_time_utc_ns(s->v[0].taken_at_ns, when, sizeof(when));
	fputs("<div class=\"hist\"><h4>History</h4>\n<ul>", f);
	fprintf(f, "<li>first seen in snapshot %" PRId64 " (", s->v[0].snap);
	html_text(f, when);
	fprintf(f, ")%s as prog %u, tag ", s->v[0].snap == h->first_snap && h->truncated ?
		", the oldest snapshot read" : "", s->v[0].id);
	html_text(f, s->v[0].tag);
	fputs("</li>\n", f);
	for (size_t k = 1; k < s->n; k++) {
		const struct report_hist_point *a = &s->v[k - 1], *b = &s->v[k];
		bool tag = strcmp(a->tag, b->tag) != 0;

		if (!tag && a->id == b->id)
			continue;
		fmt_time_utc_ns(b->taken_at_ns, when, sizeof(when));
		fprintf(f, "<li>snapshot %" PRId64 " (", b->snap);
		html_text(f, when);
		fprintf(f, "): %s prog %u -&gt; %u", tag ? "new code," : "reloaded,", a->id, b->id);
		if (tag) {
			fputs(", tag ", f);
			html_textf(f, "%s -> %s", a->tag, b->tag);
		}
		fputs("</li>\n", f);
	}
	fprintf(f, "<li>in %zu of the %zu snapshot%s read (%" PRId64 " to %" PRId64 ")</li></ul>\n",
		s->n, h->nsnaps, h->nsnaps == 1 ? "" : "s", h->first_snap, s->v[s->n - 1].snap);
	for (size_t k = 0; k < s->n; k++)
		stats |= s->v[k].run_cnt || s->v[k].run_time_ns;
	if (stats) {
		counter_plot(f, s, false, "run_cnt");
		counter_plot(f, s, true, "run_time_ns");
	}
	fputs("</div>\n", f);
}
