/* The identity rule of docs/identity.md, over plain structs. Matching is quadratic in the
 * objects of one snapshot: a few thousand programs pair in milliseconds, and the rule stays
 * readable (a hash by identity is the step if hosts with 10^5 programs appear). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/match.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(nz(a), nz(b));
}

const char *prog_attach_point(const struct prog_ident *p)
{
	const char *points[] = { p->pin, p->link_pin, p->attach, p->link_target };

	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		if (points[i] && points[i][0])
			return points[i];
	return "";
}

bool prog_same_ident(const struct prog_ident *a, const struct prog_ident *b)
{
	return a->type == b->type && str_eq(a->name, b->name) &&
	       !strcmp(prog_attach_point(a), prog_attach_point(b));
}

bool map_same_ident(const struct map_ident *a, const struct map_ident *b)
{
	if (a->type != b->type || !str_eq(a->name, b->name) || a->key_size != b->key_size ||
	    a->value_size != b->value_size)
		return false;
	if (nz(a->pin)[0] || nz(b->pin)[0])
		return str_eq(a->pin, b->pin);
	if (!a->owner || !b->owner)
		return !a->owner && !b->owner;
	return prog_same_ident(a->owner, b->owner);
}

/* load order, then id: the earlier one first */
static bool loaded_before(uint64_t la, uint32_t ia, uint64_t lb, uint32_t ib)
{
	return la != lb ? la < lb : ia < ib;
}

/* Sorting by identity, then load order: equal identities end up side by side, so pairing is
 * a merge of two sorted lists, O(n log n) at the 5,000 programs of a large host. */
static int prog_ident_cmp(const struct prog_ident *a, const struct prog_ident *b)
{
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	c = strcmp(nz(a->name), nz(b->name));
	return c ? c : strcmp(prog_attach_point(a), prog_attach_point(b));
}

static int prog_order_cmp(const void *x, const void *y, void *arg)
{
	const struct prog_ident *p = arg, *a = &p[*(const size_t *)x], *b = &p[*(const size_t *)y];
	int c = prog_ident_cmp(a, b);

	if (c)
		return c;
	return loaded_before(a->load_order, a->id, b->load_order, b->id) ? -1 :
	       loaded_before(b->load_order, b->id, a->load_order, a->id) ? 1 : 0;
}

static int map_ident_cmp(const struct map_ident *a, const struct map_ident *b)
{
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = strcmp(nz(a->name), nz(b->name))))
		return c;
	if (a->key_size != b->key_size)
		return a->key_size < b->key_size ? -1 : 1;
	if (a->value_size != b->value_size)
		return a->value_size < b->value_size ? -1 : 1;
	if ((c = strcmp(nz(a->pin), nz(b->pin))) || nz(a->pin)[0])
		return c;
	if (!a->owner || !b->owner)
		return !!a->owner - !!b->owner;
	return prog_ident_cmp(a->owner, b->owner);
}

static int map_order_cmp(const void *x, const void *y, void *arg)
{
	const struct map_ident *m = arg, *a = &m[*(const size_t *)x], *b = &m[*(const size_t *)y];
	int c = map_ident_cmp(a, b);

	if (c)
		return c;
	return loaded_before(a->load_order, a->id, b->load_order, b->id) ? -1 :
	       loaded_before(b->load_order, b->id, a->load_order, a->id) ? 1 : 0;
}

/* Indices 0..n-1 sorted by cmp over arr; NULL on ENOMEM. */
static size_t *sorted_order(const void *arr, size_t n, int (*cmp)(const void *, const void *, void *))
{
	size_t *o = malloc((n ? n : 1) * sizeof(*o));

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++)
		o[i] = i;
	qsort_r(o, n, sizeof(*o), cmp, (void *)arr);
	return o;
}

/* Pair one group of equal identities, a's oa[0..na) with b's ob[0..nb), both in load order:
 * pass 0 a same tag and the same maps, pass 1 a same tag, pass 2 the same maps, pass 3 load
 * order alone. */
static void prog_pair_group(const struct prog_ident *a, const size_t *oa, size_t na,
			    const struct prog_ident *b, const size_t *ob, size_t nb, long *pair,
			    bool *taken)
{
	for (int pass = 0; pass < 4; pass++) {
		bool tag = pass < 2, maps = pass == 0 || pass == 2;

		for (size_t x = 0; x < na; x++) {
			const struct prog_ident *p = &a[oa[x]];

			if (pair[oa[x]] >= 0)
				continue;
			for (size_t y = 0; y < nb; y++) {
				const struct prog_ident *q = &b[ob[y]];

				if (taken[ob[y]] || (tag && !str_eq(p->tag, q->tag)) ||
				    (maps && !str_eq(p->maps, q->maps)))
					continue;
				pair[oa[x]] = ob[y];
				taken[ob[y]] = true;
				break;
			}
		}
	}
}

int prog_match(const struct prog_ident *a, size_t na, const struct prog_ident *b, size_t nb,
	       long *pair, struct err *e)
{
	size_t *oa = sorted_order(a, na, prog_order_cmp), *ob = sorted_order(b, nb, prog_order_cmp);
	bool *taken = calloc(nb ? nb : 1, sizeof(*taken));
	size_t x = 0, y = 0;
	int err = 0;

	if (!oa || !ob || !taken) {
		err = err_set(e, ENOMEM, "out of memory matching programs");
		goto out;
	}
	for (size_t i = 0; i < na; i++)
		pair[i] = -1;
	while (x < na && y < nb) {
		int c = prog_ident_cmp(&a[oa[x]], &b[ob[y]]);
		size_t gx = x, gy = y;

		if (c < 0) {
			x++;
			continue;
		}
		if (c > 0) {
			y++;
			continue;
		}
		while (gx < na && !prog_ident_cmp(&a[oa[gx]], &a[oa[x]]))
			gx++;
		while (gy < nb && !prog_ident_cmp(&b[ob[gy]], &b[ob[y]]))
			gy++;
		prog_pair_group(a, oa + x, gx - x, b, ob + y, gy - y, pair, taken);
		x = gx;
		y = gy;
	}
out:
	free(oa);
	free(ob);
	free(taken);
	return err;
}

int map_match(const struct map_ident *a, size_t na, const struct map_ident *b, size_t nb,
	      long *pair, struct err *e)
{
	size_t *oa = sorted_order(a, na, map_order_cmp), *ob = sorted_order(b, nb, map_order_cmp);
	size_t x = 0, y = 0;
	int err = 0;

	if (!oa || !ob) {
		err = err_set(e, ENOMEM, "out of memory matching maps");
		goto out;
	}
	for (size_t i = 0; i < na; i++)
		pair[i] = -1;
	/* maps have no tag: within a group of equals, the k-th loaded pairs with the k-th */
	while (x < na && y < nb) {
		int c = map_ident_cmp(&a[oa[x]], &b[ob[y]]);

		if (c < 0)
			x++;
		else if (c > 0)
			y++;
		else
			pair[oa[x++]] = ob[y++];
	}
out:
	free(oa);
	free(ob);
	return err;
}

long prog_match_best(const struct prog_ident *p, const struct prog_ident *c, size_t n,
		     enum match_how *how)
{
	long best = -1;
	int best_score = -1;

	/* score: 2 for the same attach point, 1 for the same tag */
	for (size_t i = 0; i < n; i++) {
		int score;

		if (c[i].type != p->type || !str_eq(c[i].name, p->name))
			continue;
		score = (!strcmp(prog_attach_point(&c[i]), prog_attach_point(p)) ? 2 : 0) +
			(str_eq(c[i].tag, p->tag) ? 1 : 0);
		if (score > best_score ||
		    (score == best_score && loaded_before(c[i].load_order, c[i].id,
							  c[best].load_order, c[best].id))) {
			best = i;
			best_score = score;
		}
	}
	if (how)
		*how = best < 0 ? MATCH_NONE : best_score >= 2 ? MATCH_IDENT : MATCH_NAME;
	return best;
}
