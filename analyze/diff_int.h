/* What analyze/diff.c and analyze/diff_keyed.c share: the change list being built and its
 * helpers (dx_*). Internal to the diff. */
#ifndef BPFSCOPE_DIFF_INT_H
#define BPFSCOPE_DIFF_INT_H
#include "analyze/diff.h"
#include "analyze/match.h"

struct builder {
	struct diff_result *r;
	size_t cap;
	struct err *e;
	int err;
	const struct diff_opts *o;
	const struct snap_objs *a, *b;
	char **pid_a, **pid_b;		/* program identities */
	char **mid_a, **mid_b;		/* map identities, made when asked (dx_map_ident) */
	long *prog_pair;		/* A's program i is B's prog_pair[i]; -1: none */
	struct prog_ident *pia, *pib;	/* the programs as identity sees them (match.h) */
};

#define TYPE_BUF 24
#define PROG_TYPE(t, buf) dx_type_or_num(prog_type_name(t), (t), (buf), sizeof(buf))

const char *dx_nz(const char *s);
const char *dx_type_or_num(const char *name, uint32_t t, char *buf, size_t len);
bool dx_oom(struct builder *bd);
/* A new change (strings copied); NULL after an error. */
struct diff_change *dx_change_add(struct builder *bd, enum diff_op op, enum diff_kind kind,
				  long ia, long ib, const char *type, const char *name,
				  const char *identity, const char *where);
/* A field of c when before and after differ (both taken over). */
void dx_field_add(struct builder *bd, struct diff_change *c, const char *f, char *before,
		  char *after);
void dx_field_u64(struct builder *bd, struct diff_change *c, const char *f, uint64_t x,
		  uint64_t y);
void dx_field_str(struct builder *bd, struct diff_change *c, const char *f, const char *x,
		  const char *y);
/* c, a change looked at outside the list (op, kind, a, b, moved, fields), into the list with
 * these strings (copied); its fields are taken over, freed after an error. */
void dx_change_keep(struct builder *bd, struct diff_change *c, const char *type, const char *name,
		    const char *identity, const char *where);
/* pair[i]: the index in kb of the k-th of ka with ka[i]'s key, in list order; -1. */
int dx_pair_by_key(char **ka, size_t na, char **kb, size_t nb, long *pair, struct err *e);
void dx_free_strs(char **v, size_t n);
/* The identity of map i of B (side_b) or A, made the first time (most maps pair unchanged
 * and are never named); NULL after ENOMEM. */
const char *dx_map_ident(struct builder *bd, bool side_b, size_t i);
/* links, attachments, pins, BTF (diff_keyed.c); objects made and gone between A and B */
void dx_keyed(struct builder *bd);
void dx_transient(struct builder *bd);
#endif
