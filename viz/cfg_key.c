/* The key of a CFG's drawing without building it: cfg_graph_build run against a stand-in for
 * libcgraph whose every call is hashed instead of made (building, writing and freeing the
 * graph was half of a report whose drawings are shared). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "viz/cfg_graph.h"
#include "viz/cfg_key.h"

struct key_obj {
	struct cfg_key_state *st;
	uint32_t id;
	struct key_obj *next;
};

struct cfg_key_state {
	struct gv_api api;	/* the stand-in; the graph's discipline leads back here */
	struct sha256 sha;
	struct key_obj *objs;
	uint32_t n;
	bool oom;
};

static struct cfg_key_state *state_of_api(const struct gv_api *api)
{
	return (struct cfg_key_state *)((char *)api - offsetof(struct cfg_key_state, api));
}

static void h_str(struct cfg_key_state *st, const char *s)
{
	s = s ? s : "";
	sha256_update(&st->sha, s, strlen(s) + 1);	/* with its NUL: strings stay apart */
}

static void h_u32(struct cfg_key_state *st, uint32_t v)
{
	sha256_update(&st->sha, &v, sizeof(v));
}

/* a new object: its number and the tag of the call that made it are hashed */
static struct key_obj *obj_new(struct cfg_key_state *st, char tag)
{
	struct key_obj *o = calloc(1, sizeof(*o));

	if (!o) {
		st->oom = true;
		return NULL;
	}
	o->st = st;
	o->id = st->n++;
	o->next = st->objs;
	st->objs = o;
	sha256_update(&st->sha, &tag, 1);
	h_u32(st, o->id);
	return o;
}

static struct key_obj *obj(void *p)
{
	return p;
}

static Agraph_t *k_agopen(char *name, Agdesc_t desc, Agdisc_t *disc)
{
	struct cfg_key_state *st = state_of_api(((struct seq_disc *)disc)->gv);
	struct key_obj *o = obj_new(st, 'G');

	h_str(st, name);
	h_u32(st, desc.directed | desc.strict << 1);
	return (Agraph_t *)o;
}

static int k_agclose(Agraph_t *g)
{
	(void)g;		/* the objects are freed with the state */
	return 0;
}

static Agraph_t *k_agsubg(Agraph_t *g, char *name, int cflag)
{
	struct cfg_key_state *st = obj(g)->st;
	struct key_obj *o = obj_new(st, 'S');

	h_u32(st, obj(g)->id);
	h_str(st, name);
	h_u32(st, cflag);
	return (Agraph_t *)o;
}

static Agnode_t *k_agnode(Agraph_t *g, char *name, int cflag)
{
	struct cfg_key_state *st = obj(g)->st;
	struct key_obj *o = obj_new(st, 'N');

	h_u32(st, obj(g)->id);
	h_str(st, name);
	h_u32(st, cflag);
	return (Agnode_t *)o;
}

static Agedge_t *k_agedge(Agraph_t *g, Agnode_t *t, Agnode_t *h, char *name, int cflag)
{
	struct cfg_key_state *st = obj(g)->st;
	struct key_obj *o = obj_new(st, 'E');

	h_u32(st, obj(g)->id);
	h_u32(st, obj(t)->id);
	h_u32(st, obj(h)->id);
	h_str(st, name);
	h_u32(st, cflag);
	return (Agedge_t *)o;
}

static int k_agsafeset(void *p, char *name, char *value, char *def)
{
	struct cfg_key_state *st = obj(p)->st;

	sha256_update(&st->sha, "A", 1);
	h_u32(st, obj(p)->id);
	h_str(st, name);
	h_str(st, value);
	h_str(st, def);
	return 0;
}

/* an attribute declared on the root: an object of its own, which agxset names */
static Agsym_t *k_agattr(Agraph_t *g, int kind, char *name, char *value)
{
	struct cfg_key_state *st = obj(g)->st;
	struct key_obj *o = obj_new(st, 'D');

	h_u32(st, obj(g)->id);
	h_u32(st, kind);
	h_str(st, name);
	h_str(st, value);
	return (Agsym_t *)o;
}

static int k_agxset(void *p, Agsym_t *sym, char *value)
{
	struct cfg_key_state *st = obj(p)->st;

	sha256_update(&st->sha, "X", 1);
	h_u32(st, obj(p)->id);
	h_u32(st, obj(sym)->id);
	h_str(st, value);
	return 0;
}

/* an HTML string is hashed where agxset uses it */
static char *k_agstrdup_html(Agraph_t *g, char *s)
{
	(void)g;
	return s;
}

static int k_agstrfree(Agraph_t *g, char *s)
{
	(void)g;
	(void)s;
	return 0;
}

int cfg_key_of(const struct gv_api *real, const struct prog_code *pc, const struct cfg *cfg,
	       const struct cfg_render_opts *o, struct buf *digits, uint8_t key[SHA256_LEN],
	       struct err *e)
{
	struct cfg_key_state *st = calloc(1, sizeof(*st));
	struct seq_disc d;
	Agraph_t *g;
	int err = 0;

	if (!st)
		return err_set(e, ENOMEM, "out of memory");
	/* every function cfg_graph_build calls is a stand-in: a new call there must come here */
	st->api.agopen = k_agopen;
	st->api.agclose = k_agclose;
	st->api.agsubg = k_agsubg;
	st->api.agnode = k_agnode;
	st->api.agedge = k_agedge;
	st->api.agsafeset = k_agsafeset;
	st->api.agattr = k_agattr;
	st->api.agxset = k_agxset;
	st->api.agstrdup_html = k_agstrdup_html;
	st->api.agstrfree = k_agstrfree;
	st->api.Agdirected = real->Agdirected;
	sha256_init(&st->sha);
	d.gv = &st->api;	/* all k_agopen reads of the discipline */
	g = cfg_graph_build(&st->api, &d, pc, cfg, o, digits, e);
	if (!g)
		err = -e->code;
	else if (st->oom)
		err = err_set(e, ENOMEM, "out of memory");
	else
		sha256_final(&st->sha, key);
	while (st->objs) {
		struct key_obj *n = st->objs->next;

		free(st->objs);
		st->objs = n;
	}
	free(st);
	return err;
}
