/* diff's sides and its printers (plain lines, docs/diff.md's JSON, code and contents), shared
 * by diff and snapshot watch. */
#ifndef BPFSCOPE_CLI_DIFF_PRINT_H
#define BPFSCOPE_CLI_DIFF_PRINT_H
#include "analyze/diff.h"
#include "cli/cli.h"
#include "lib/snap_objs.h"

struct diff_args {
	const char *ref_a, *ref_b;
	struct diff_opts o;
	bool code;
};

struct diff_side {
	const char *ref;		/* as given: "live" or a REF */
	struct view v;
	struct snap_objs objs;
};

int diff_side_open(struct ctx *ctx, const char *ref, unsigned live_mask, struct diff_side *s);
int diff_side_read(struct ctx *ctx, struct diff_side *s, unsigned kinds);
void diff_side_close(struct diff_side *s);

/* The whole diff: plain lines (with code and contents details when asked) or one JSON
 * object. */
int diff_print(struct ctx *ctx, const struct diff_args *da, const struct diff_side *a,
	       const struct diff_side *b, const struct diff_result *r);
/* One change as diff's plain line (watch prints the same lines). */
void diff_print_line(struct ctx *ctx, const struct snap_objs *a, const struct snap_objs *b,
		     const struct diff_change *c);
#endif
