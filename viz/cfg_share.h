/* One layout for CFGs that differ only in the digits of their code (map ids, constants,
 * instruction numbers): a drawing cache keyed by the graph with those digits masked, and
 * the copy of a cached SVG with one graph's own digits written back into its text. */
#ifndef BPFSCOPE_CFG_SHARE_H
#define BPFSCOPE_CFG_SHARE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lib/sha256.h"
#include "lib/util.h"

struct cfg_share;

struct cfg_share *cfg_share_new(void);
void cfg_share_free(struct cfg_share *s);
/* The SVG drawn for key, or NULL. */
const char *cfg_share_get(const struct cfg_share *s, const uint8_t key[SHA256_LEN], size_t *len);
/* Keep svg (len bytes, taken over: freed with s, or now when it is not kept: the cache
 * holds at most CFG_SHARE_MAX_BYTES of drawings). */
void cfg_share_put(struct cfg_share *s, const uint8_t key[SHA256_LEN], char *svg, size_t len);
#define CFG_SHARE_MAX_BYTES	(96u << 20)

/* A node's digits, in label order, by the node's name (as its SVG <title> spells it);
 * NULL: the node's label was not masked, its text is copied as it is. */
typedef const struct buf *(*cfg_share_digits_fn)(void *arg, const char *name, size_t len);

/* Write svg to out with, inside each masked node's <text> elements, its k-th digit (entities
 * such as &#160; skipped) replaced by the k-th digit digits() gives for the node. nodes: how
 * many masked nodes the graph has. -1 (nothing written) when the drawing does not fit: a
 * node's digit count or the count of masked nodes differs; -errno when writing fails. */
int cfg_share_fill(const char *svg, size_t len, cfg_share_digits_fn digits, void *arg,
		   size_t nodes, FILE *out);
#endif
