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

/* Indices 0..n-1 in load order. */
static size_t *load_order_prog(const struct prog_ident *p, size_t n)
{
	size_t *o = malloc((n ? n : 1) * sizeof(*o));

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {	/* insertion sort: stable, n is small */
		size_t j = i;

		while (j && loaded_before(p[i].load_order, p[i].id, p[o[j - 1]].load_order,
					  p[o[j - 1]].id)) {
			o[j] = o[j - 1];
			j--;
		}
		o[j] = i;
	}
	return o;
}

int prog_match(const struct prog_ident *a, size_t na, const struct prog_ident *b, size_t nb,
	       long *pair, struct err *e)
{
	size_t *oa = load_order_prog(a, na), *ob = load_order_prog(b, nb);
	bool *taken = calloc(nb ? nb : 1, sizeof(*taken));
	int err = 0;

	if (!oa || !ob || !taken) {
		err = err_set(e, ENOMEM, "out of memory matching programs");
		goto out;
	}
	for (size_t i = 0; i < na; i++)
		pair[i] = -1;
	/* pass 0: same identity and tag; pass 1: same identity */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t x = 0; x < na; x++) {
			const struct prog_ident *p = &a[oa[x]];

			if (pair[oa[x]] >= 0)
				continue;
			for (size_t y = 0; y < nb; y++) {
				const struct prog_ident *q = &b[ob[y]];

				if (taken[ob[y]] || !prog_same_ident(p, q) ||
				    (pass == 0 && !str_eq(p->tag, q->tag)))
					continue;
				pair[oa[x]] = ob[y];
				taken[ob[y]] = true;
				break;
			}
		}
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
	bool *taken = calloc(nb ? nb : 1, sizeof(*taken));

	if (!taken)
		return err_set(e, ENOMEM, "out of memory matching maps");
	/* maps have no tag: among equals, the earlier loaded pairs first */
	for (size_t i = 0; i < na; i++) {
		long best = -1;

		for (size_t j = 0; j < nb; j++) {
			if (taken[j] || !map_same_ident(&a[i], &b[j]))
				continue;
			if (best < 0 || loaded_before(b[j].load_order, b[j].id, b[best].load_order,
						      b[best].id))
				best = j;
		}
		pair[i] = best;
		if (best >= 0)
			taken[best] = true;
	}
	free(taken);
	return 0;
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
