/* Comparing two snapshots' objects (lib/snap_objs.h) by identity (analyze/match.c): what was
 * added, removed and changed between A and B. Kernel ids never count; the same code
 * reloaded is no change. docs/diff.md states the rules and the output. */
#ifndef BPFSCOPE_DIFF_H
#define BPFSCOPE_DIFF_H
#include "lib/err.h"
#include "lib/snap_objs.h"

/* DIFF_TRANSIENT: made and gone between A and B (the loads recorder saw it, b->loads) */
enum diff_op { DIFF_REMOVED, DIFF_ADDED, DIFF_CHANGED, DIFF_TRANSIENT };
enum diff_kind { DK_PROG, DK_MAP, DK_LINK, DK_ATTACH, DK_PIN, DK_BTF, DK_SOCK, DK_NR };

struct diff_field {
	const char *field;		/* static: "tag", "bytes_xlated", "attach_point", ... */
	char *before, *after;
};

struct diff_change {
	enum diff_op op;
	enum diff_kind kind;
	long a, b;			/* index in A's / B's list of that kind (TRANSIENT: in
					 * b->loads); -1: none */
	char *type;			/* the type's name ("xdp", "hash", "tcx", ...) */
	char *name;			/* never NULL */
	char *identity;			/* docs/diff.md's identity string */
	char *where;			/* the attach point, pin path or target shown; never NULL */
	bool moved;			/* paired by type, name and tag after identity failed */
	struct diff_field *fields;
	size_t nfields;
};

struct diff_opts {
	unsigned kinds;			/* SO_* to compare */
	bool stats;			/* run-time counters count as changes */
	bool contents;			/* map contents (their hashes) count as changes */
};

struct diff_result {
	struct diff_change *v;
	size_t n;
	unsigned compared;		/* SO_* both snapshots had and were compared */
};

/* Compare a with b. Changes come sorted: by kind, then removed, added, changed, then by
 * identity, so the same two snapshots always print the same lines. */
int diff_compute(const struct snap_objs *a, const struct snap_objs *b,
		 const struct diff_opts *o, struct diff_result *out, struct err *e);
void diff_result_free(struct diff_result *r);
const char *diff_kind_name(enum diff_kind k);	/* "prog", "map", "link", ... */
/* The identity string of program i / map i of s (malloc'ed; NULL on ENOMEM). */
char *diff_prog_identity(const struct snap_objs *s, size_t i);
char *diff_map_identity(const struct snap_objs *s, size_t i);
/* The identity of socket i of s, "socket:packet:PROTO:COMM:HASH16" (malloc'ed; NULL on
 * ENOMEM), and what a change says of it (analyze/diff_sock.c). */
char *diff_sock_identity(const struct snap_objs *s, size_t i);
void diff_sock_describe(const struct snap_objs *s, size_t i, const char **type,
			const char **name, const char **where, char *buf, size_t len);
/* The names of the maps program i of s uses, in the kernel's order, "a,b" (malloc'ed). */
char *diff_prog_maps(const struct snap_objs *s, size_t i);
#endif
