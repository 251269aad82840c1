/* Graph IDs in creation order for cgraph, so that agwrite prints a CFG's clusters in the
 * same order every run (the default discipline's IDs are heap addresses). */
#include <stdlib.h>
#include <string.h>
#include "viz/cfg_seqid.h"

/* cgraph orders subgraphs by ID and names' IDs are heap addresses, so agwrite would
 * print the clusters in an order that changes from run to run. This ID discipline numbers
 * (sub)graphs in creation order and leaves nodes and edges to the default one. */
struct seq_ids {
	const struct gv_api *gv;
	void *dflt;		/* the default discipline's state */
	Agraph_t *g;		/* the root: names are interned in its string dict, where
				 * agwrite looks for their HTML flag */
	char **names;		/* graph names; ID 2 * (i + 1) */
	uint32_t n, cap;
	IDTYPE anon;		/* anonymous subgraphs: odd IDs */
};

static void *seq_open(Agraph_t *g, Agdisc_t *disc)
{
	struct seq_ids *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->gv = ((struct seq_disc *)disc)->gv;
	s->dflt = s->gv->AgIdDisc->open(g, disc);
	s->g = g;
	s->anon = 1;
	return s;
}

static long seq_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	struct seq_ids *s = state;
	uint32_t i;

	if (objtype != AGRAPH)
		return s->gv->AgIdDisc->map(s->dflt, objtype, str, id, createflag);
	if (!str) {
		*id = s->anon;
		s->anon += 2;
		return 1;
	}
	for (i = 0; i < s->n; i++) {
		if (s->names[i] && !strcmp(s->names[i], str)) {
			*id = 2 * ((IDTYPE)i + 1);
			return 1;
		}
	}
	if (!createflag)
		return 0;
	if (s->n == s->cap) {
		uint32_t ncap = s->cap ? s->cap * 2 : 16;
		char **p = realloc(s->names, ncap * sizeof(*p));

		if (!p)
			return 0;
		s->names = p;
		s->cap = ncap;
	}
	s->names[s->n] = s->gv->agstrdup(s->g, str);
	if (!s->names[s->n])
		return 0;
	*id = 2 * ((IDTYPE)s->n + 1);
	s->n++;
	return 1;
}

static long seq_alloc(void *state, int objtype, IDTYPE id)
{
	struct seq_ids *s = state;

	return objtype == AGRAPH ? 0 : s->gv->AgIdDisc->alloc(s->dflt, objtype, id);
}

static void seq_free(void *state, int objtype, IDTYPE id)
{
	struct seq_ids *s = state;

	if (objtype != AGRAPH) {
		s->gv->AgIdDisc->free(s->dflt, objtype, id);
	} else if (id % 2 == 0 && id / 2 - 1 < s->n) {
		s->gv->agstrfree(s->g, s->names[id / 2 - 1]);
		s->names[id / 2 - 1] = NULL;
	}
}

static char *seq_print(void *state, int objtype, IDTYPE id)
{
	struct seq_ids *s = state;

	if (objtype != AGRAPH)
		return s->gv->AgIdDisc->print(s->dflt, objtype, id);
	return id % 2 == 0 && id / 2 - 1 < s->n ? s->names[id / 2 - 1] : NULL;
}

static void seq_close(void *state)
{
	struct seq_ids *s = state;

	/* names left are freed with the root's string dict, after this */
	free(s->names);
	s->gv->AgIdDisc->close(s->dflt);
	free(s);
}

static void seq_register(void *state, int objtype, void *obj)
{
	struct seq_ids *s = state;

	s->gv->AgIdDisc->idregister(s->dflt, objtype, obj);
}

void seq_disc_init(struct seq_disc *d, const struct gv_api *gv)
{
	d->id = (Agiddisc_t){ seq_open, seq_map, seq_alloc, seq_free, seq_print, seq_close,
			      seq_register };
	d->disc = (Agdisc_t){ gv->AgMemDisc, &d->id, gv->AgIoDisc };
	d->gv = gv;
}

