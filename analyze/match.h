/* Identity across snapshots: which object of snapshot B is this object of snapshot A. Kernel
 * ids change with every reload, so nothing compares by id. One rule for every reader (diff,
 * history, cfg --against, replay, audit baselines); docs/identity.md states it with its ties.
 * Pure functions over plain structs: the rows come from store/read_ident.h. */
#ifndef BPFSCOPE_MATCH_H
#define BPFSCOPE_MATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"

/* A program as identity sees it. NULL and "" strings both mean "none". */
struct prog_ident {
	uint32_t id, type;
	const char *name;		/* full name: BTF's when the kernel's is cut at 15 bytes */
	const char *tag;		/* tells versions of one identity apart */
	const char *pin;		/* a path the program is pinned at (the least one) */
	const char *link_pin;		/* a pin of a link to the program */
	const char *attach;		/* an attachment, "kind:target" */
	const char *link_target;	/* a link's target, "link type:target" */
	const char *maps;		/* the names of the maps it uses, for ties; NULL: unknown */
	uint64_t load_order;		/* load time; equal ones fall back to the id */
};

/* A map: type, name, key and value sizes, and its pin, else its owning program's identity. */
struct map_ident {
	uint32_t id, type;
	const char *name;
	uint32_t key_size, value_size;
	const char *pin;
	const struct prog_ident *owner;	/* NULL: no owner known */
	uint64_t load_order;
};

/* The attach point: pin, else link pin, else attachment, else link target; "" when none. */
const char *prog_attach_point(const struct prog_ident *p);
/* Same identity: type, full name and attach point. */
bool prog_same_ident(const struct prog_ident *a, const struct prog_ident *b);
bool map_same_ident(const struct map_ident *a, const struct map_ident *b);

/* Pair a[] with b[]: pair[i] is the index in b of a[i]'s object, or -1 (new in b's terms:
 * gone from a). Among several programs of one identity, a same tag and the same maps pair
 * first, then a same tag, then the same maps, then load order pairs the k-th of a with the
 * k-th of b. Maps have no tag: load order alone. O(n log n). */
int prog_match(const struct prog_ident *a, size_t na, const struct prog_ident *b, size_t nb,
	       long *pair, struct err *e);
int map_match(const struct map_ident *a, size_t na, const struct map_ident *b, size_t nb,
	      long *pair, struct err *e);

/* How far prog_match_best had to go. */
enum match_how { MATCH_NONE, MATCH_NAME, MATCH_IDENT };
/* The one program of c[] to compare p with (cfg --against): the same identity, else (the
 * program was reloaded elsewhere: pinned at another path, attached to another target) the
 * same type and full name; a same tag first, then the first loaded. -1 when none. */
long prog_match_best(const struct prog_ident *p, const struct prog_ident *c, size_t n,
		     enum match_how *how);
#endif
