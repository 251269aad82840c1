/* Differences of two sequences: lines of two programs' code (a unified diff), and the
 * entries of two map contents blobs (keys added, removed, changed). Pure functions over
 * bytes; every bound is checked, inputs may be hostile. */
#ifndef BPFSCOPE_SEQ_DIFF_H
#define BPFSCOPE_SEQ_DIFF_H
#include <stddef.h>
#include <stdint.h>
#include "analyze/map_contents.h"
#include "lib/err.h"

enum seq_op { SEQ_SAME, SEQ_DEL, SEQ_INS };
struct seq_edit {
	enum seq_op op;
	size_t a, b;		/* the line's index in a (SAME, DEL) and b (SAME, INS) */
};

/* An edit script turning lines a into lines b: common prefix and suffix, and a longest
 * common subsequence of the middle when it has at most TEXT_DIFF_MAX_CELLS pairs (else the
 * middle is all removed, then all inserted). *out is malloc'ed. */
#define TEXT_DIFF_MAX_CELLS (4u << 20)
int text_diff(const char *const *a, size_t na, const char *const *b, size_t nb,
	      struct seq_edit **out, size_t *nout, struct err *e);

/* Hunks of a unified diff with ctx lines of context: calls hunk() once per hunk with the
 * range of edits [from, to) it covers and its header's start lines and counts. */
int text_diff_hunks(const struct seq_edit *ed, size_t n, unsigned ctx,
		    int (*hunk)(void *arg, size_t from, size_t to, size_t a_start, size_t a_len,
				size_t b_start, size_t b_len),
		    void *arg);

/* Entries of map contents a and b (same key size): a key only in a is SEQ_DEL, only in b
 * SEQ_INS, in both with other value bytes SEQ_SAME (changed). Sorted by key bytes. Entries
 * with equal values are not listed. -EINVAL when the key sizes differ. */
int contents_diff(const struct map_contents *a, const struct map_contents *b,
		  struct seq_edit **out, size_t *nout, struct err *e);
#endif
