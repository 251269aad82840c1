/* A program dump as data (see dump.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/dump.h"

static const char *dump_strdup(struct dump *d, const char *s)
{
	char *c;

	if (!s)
		return NULL;
	if (d->nstrs == d->capstrs) {
		size_t cap = d->capstrs ? d->capstrs * 2 : 64;
		char **p = realloc(d->strs, cap * sizeof(*p));

		if (!p)
			return NULL;
		d->strs = p;
		d->capstrs = cap;
	}
	c = strdup(s);
	if (c)
		d->strs[d->nstrs++] = c;
	return c;
}

int dump_add(struct dump *d, const struct dump_line *l)
{
	struct dump_line *n;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;

		n = realloc(d->lines, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		d->lines = n;
		d->cap = cap;
	}
	n = &d->lines[d->n];
	*n = *l;
	n->text = dump_strdup(d, l->text);
	n->file = dump_strdup(d, l->file);
	if ((l->text && !n->text) || (l->file && !n->file))
		return -ENOMEM;
	if (l->kind == DL_WARN)
		d->nwarn++;
	d->n++;
	return 0;
}

void dump_free(struct dump *d)
{
	for (size_t i = 0; i < d->nstrs; i++)
		free(d->strs[i]);
	free(d->strs);
	free(d->lines);
	memset(d, 0, sizeof(*d));
}
