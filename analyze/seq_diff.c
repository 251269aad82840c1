/* Sequence differences: a line diff (prefix, suffix, then an LCS table of the middle when it
 * is small enough) and a keyed diff of two map contents blobs (both sorted by key). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/seq_diff.h"

struct edits {
	struct seq_edit *v;
	size_t n, cap;
};

static int push(struct edits *ed, enum seq_op op, size_t a, size_t b, struct err *e)
{
	if (ed->n == ed->cap) {
		size_t cap = ed->cap ? ed->cap * 2 : 64;
		void *p = realloc(ed->v, cap * sizeof(*ed->v));

		if (!p)
			return err_set(e, ENOMEM, "out of memory comparing code");
		ed->v = p;
		ed->cap = cap;
	}
	ed->v[ed->n++] = (struct seq_edit){ op, a, b };
	return 0;
}

/* LCS of a[0..n) and b[0..m) (n * m <= TEXT_DIFF_MAX_CELLS), edits appended from index
 * offsets oa, ob. */
static int lcs_middle(const char *const *a, size_t n, const char *const *b, size_t m,
		      size_t oa, size_t ob, struct edits *ed, struct err *e)
{
	uint32_t *t = calloc((n + 1) * (m + 1), sizeof(*t));
	size_t i = 0, j = 0;
	int err = 0;

	if (!t)
		return err_set(e, ENOMEM, "out of memory comparing code");
#define T(x, y) t[(x) * (m + 1) + (y)]
	/* T(x, y): the LCS length of a[x..n) and b[y..m) */
	for (size_t x = n; x-- > 0;)
		for (size_t y = m; y-- > 0;)
			T(x, y) = !strcmp(a[x], b[y]) ? T(x + 1, y + 1) + 1 :
				  T(x + 1, y) >= T(x, y + 1) ? T(x + 1, y) : T(x, y + 1);
	while (!err && (i < n || j < m)) {
		if (i < n && j < m && !strcmp(a[i], b[j]))
			err = push(ed, SEQ_SAME, oa + i++, ob + j++, e);
		else if (j < m && (i == n || T(i, j + 1) > T(i + 1, j)))
			err = push(ed, SEQ_INS, oa + i, ob + j++, e);
		else
			err = push(ed, SEQ_DEL, oa + i++, ob + j, e);
	}
#undef T
	free(t);
	return err;
}

int text_diff(const char *const *a, size_t na, const char *const *b, size_t nb,
	      struct seq_edit **out, size_t *nout, struct err *e)
{
	struct edits ed = { 0 };
	size_t pre = 0, suf = 0, ma, mb;
	int err = 0;

	while (pre < na && pre < nb && !strcmp(a[pre], b[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && !strcmp(a[na - 1 - suf], b[nb - 1 - suf]))
		suf++;
	ma = na - pre - suf;
	mb = nb - pre - suf;
	for (size_t i = 0; !err && i < pre; i++)
		err = push(&ed, SEQ_SAME, i, i, e);
	if (!err && ma && mb && ma <= TEXT_DIFF_MAX_CELLS / mb) {
		err = lcs_middle(a + pre, ma, b + pre, mb, pre, pre, &ed, e);
	} else {
		for (size_t i = 0; !err && i < ma; i++)
			err = push(&ed, SEQ_DEL, pre + i, pre, e);
		for (size_t j = 0; !err && j < mb; j++)
			err = push(&ed, SEQ_INS, pre + ma, pre + j, e);
	}
	for (size_t i = 0; !err && i < suf; i++)
		err = push(&ed, SEQ_SAME, pre + ma + i, pre + mb + i, e);
	if (err) {
		free(ed.v);
		return err;
	}
	*out = ed.v;
	*nout = ed.n;
	return 0;
}

int text_diff_hunks(const struct seq_edit *ed, size_t n, unsigned ctx,
		    int (*hunk)(void *arg, size_t from, size_t to, size_t a_start, size_t a_len,
				size_t b_start, size_t b_len),
		    void *arg)
{
	size_t i = 0;

	while (i < n) {
		size_t from, to, a_len = 0, b_len = 0, last_change;
		int err;

		while (i < n && ed[i].op == SEQ_SAME)
			i++;
		if (i == n)
			break;
		from = i > ctx ? i - ctx : 0;
		/* extend while the next change is within 2 * ctx lines of the last */
		last_change = i;
		for (to = i; to < n; to++) {
			if (ed[to].op != SEQ_SAME)
				last_change = to;
			else if (to - last_change > 2 * (size_t)ctx)
				break;
		}
		to = last_change + 1 + ctx < n ? last_change + 1 + ctx : n;
		for (size_t k = from; k < to; k++) {
			a_len += ed[k].op != SEQ_INS;
			b_len += ed[k].op != SEQ_DEL;
		}
		err = hunk(arg, from, to, ed[from].a, a_len, ed[from].b, b_len);
		if (err)
			return err;
		i = to;
	}
	return 0;
}

/* ---- map contents ---- */

static int key_cmp(const void *x, const void *y, void *arg)
{
	const struct map_contents *mc = arg;
	uint64_t i = *(const uint64_t *)x, j = *(const uint64_t *)y;
	int c = memcmp(map_contents_key(mc, i), map_contents_key(mc, j), mc->key_size);

	return c ? c : (i > j) - (i < j);
}

static uint64_t *key_order(const struct map_contents *mc)
{
	uint64_t *o = malloc((mc->count + 1) * sizeof(*o));

	if (!o)
		return NULL;
	for (uint64_t i = 0; i < mc->count; i++)
		o[i] = i;
	qsort_r(o, mc->count, sizeof(*o), key_cmp, (void *)mc);
	return o;
}

int contents_diff(const struct map_contents *a, const struct map_contents *b,
		  struct seq_edit **out, size_t *nout, struct err *e)
{
	struct edits ed = { 0 };
	uint64_t *oa = NULL, *ob = NULL, x = 0, y = 0;
	int err = 0;

	if (a->key_size != b->key_size)
		return err_set(e, EINVAL, "map contents with key sizes %u and %u",
			       a->key_size, b->key_size);
	oa = key_order(a);
	ob = key_order(b);
	if (!oa || !ob) {
		err = err_set(e, ENOMEM, "out of memory comparing map contents");
		goto out;
	}
	while (!err && (x < a->count || y < b->count)) {
		int c = x == a->count ? 1 : y == b->count ? -1 :
			memcmp(map_contents_key(a, oa[x]), map_contents_key(b, ob[y]), a->key_size);

		if (c < 0) {
			err = push(&ed, SEQ_DEL, oa[x++], 0, e);
		} else if (c > 0) {
			err = push(&ed, SEQ_INS, 0, ob[y++], e);
		} else {
			if (a->value_stride != b->value_stride ||
			    memcmp(map_contents_value(a, oa[x]), map_contents_value(b, ob[y]),
				   a->value_stride))
				err = push(&ed, SEQ_SAME, oa[x], ob[y], e);
			x++, y++;
		}
	}
out:
	free(oa);
	free(ob);
	if (err) {
		free(ed.v);
		return err;
	}
	*out = ed.v;
	*nout = ed.n;
	return 0;
}
