/* The drawing cache of cfg_share.h: SVGs by the SHA-256 of their masked graph, and the fill
 * that writes a graph's own digits back into a copy of the shared drawing. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "viz/cfg_share.h"

struct share_slot {
	uint8_t key[SHA256_LEN];
	char *svg;		/* NULL: free */
	size_t len;
};

struct cfg_share {
	struct share_slot *slots;
	size_t cap, used;	/* cap: a power of two, at most half used */
	size_t bytes;
};

struct cfg_share *cfg_share_new(void)
{
	return calloc(1, sizeof(struct cfg_share));
}

void cfg_share_free(struct cfg_share *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].svg);
	free(s->slots);
	free(s);
}

static size_t slot_of(const struct share_slot *slots, size_t cap, const uint8_t *key)
{
	size_t h;

	memcpy(&h, key, sizeof(h));	/* a SHA-256 is spread well enough to index by */
	for (h &= cap - 1; slots[h].svg && memcmp(slots[h].key, key, SHA256_LEN); h = (h + 1) & (cap - 1))
		;
	return h;
}

const char *cfg_share_get(const struct cfg_share *s, const uint8_t key[SHA256_LEN], size_t *len)
{
	size_t i;

	if (!s || !s->cap)
		return NULL;
	i = slot_of(s->slots, s->cap, key);
	*len = s->slots[i].len;
	return s->slots[i].svg;
}

static int grow(struct cfg_share *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct share_slot *n = calloc(cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].svg)
			n[slot_of(n, cap, s->slots[i].key)] = s->slots[i];
	free(s->slots);
	s->slots = n;
	s->cap = cap;
	return 0;
}

void cfg_share_put(struct cfg_share *s, const uint8_t key[SHA256_LEN], char *svg, size_t len)
{
	size_t i;

	/* a full cache only costs layouts again: a drawing not kept is no error */
	if (!s || s->bytes + len > CFG_SHARE_MAX_BYTES ||
	    ((s->used + 1) * 2 > s->cap && grow(s))) {
		free(svg);
		return;
	}
	i = slot_of(s->slots, s->cap, key);
	if (s->slots[i].svg) {
		free(svg);
		return;
	}
	memcpy(s->slots[i].key, key, SHA256_LEN);
	s->slots[i].svg = svg;
	s->slots[i].len = len;
	s->used++;
	s->bytes += len;
}

static bool starts(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && !memcmp(p, lit, l);
}

static bool tag_has(const char *tag, size_t n, const char *lit)
{
	return memmem(tag, n, lit, strlen(lit)) != NULL;
}

/* The digits of copy c (len bytes) rewritten in place; -1 when the drawing does not fit.
 * graphviz writes a node as <g id="nodeN" class="node"><title>NAME</title>, its shapes and
 * its label's lines as <text> elements in label order, then </g>; clusters and edges are
 * <g> elements of their own, whose text is left alone. */
static int fill_digits(char *c, size_t len, cfg_share_digits_fn digits, void *arg, size_t nodes)
{
	const struct buf *dg = NULL;
	bool in_node = false, in_text = false;
	size_t i = 0, k = 0, seen = 0;

	while (i < len) {
		if (c[i] == '<') {
			const char *t = c + i, *gt = memchr(t, '>', len - i), *end;

			if (!gt)
				return -1;
			if (starts(t, len - i, "<g ")) {
				if (dg && k != dg->len)
					return -1;
				dg = NULL;
				in_node = tag_has(t, gt - t, "class=\"node\"");
			} else if (in_node && starts(t, len - i, "<title>")) {
				end = memchr(t + 7, '<', len - i - 7);
				if (!end)
					return -1;
				dg = digits(arg, t + 7, end - (t + 7));
				k = 0;
				seen += dg != NULL;
				in_node = false;
				i = end - c;
				continue;
			} else if (starts(t, len - i, "<text")) {
				in_text = true;
			} else if (starts(t, len - i, "</text>")) {
				in_text = false;
			}
			i = gt - c + 1;
		} else if (c[i] == '&') {	/* &#160; &#45; &lt;: no digit of the label */
			const char *semi = memchr(c + i, ';', len - i);

			if (!semi)
				return -1;
			i = semi - c + 1;
		} else {
			if (in_text && dg && c[i] >= '0' && c[i] <= '9') {
				if (k >= dg->len)
					return -1;
				c[i] = (char)dg->data[k++];
			}
			i++;
		}
	}
	return (dg && k != dg->len) || seen != nodes ? -1 : 0;
}

int cfg_share_fill(const char *svg, size_t len, cfg_share_digits_fn digits, void *arg,
		   size_t nodes, FILE *out)
{
	char *c = malloc(len ? len : 1);
	int ret;

	if (!c)
		return -ENOMEM;
	memcpy(c, svg, len);
	ret = fill_digits(c, len, digits, arg, nodes);
	if (!ret && (fwrite(c, 1, len, out) != len || fflush(out)))
		ret = -(errno ? errno : EIO);
	free(c);
	return ret;
}
