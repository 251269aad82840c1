/* diff's sides and its printers (plain lines, docs/diff.md's JSON, code and contents), shared
 * by diff and snapshot watch. */
#ifndef BPFSCOPE_CLI_DIFF_PRINT_H
#define BPFSCOPE_CLI_DIFF_PRINT_H
#include "analyze/diff.h"
#include "cli/cli.h"
#include "analyze/ksyms.h"
#include "lib/snap_objs.h"

struct diff_args {
	const char *ref_a, *ref_b;
	struct diff_opts o;
	bool code;
};

struct diff_side {
	const char *ref;		/* as given: "live" or a REF */
	struct view v;			/* what diff_side_open opened */
	struct db *db;			/* the database read: &v.db, or watch's */
	int64_t snap_id;
	bool live;
	struct snap_objs objs;
	struct ksyms *ksyms;		/* the boot's kernel symbols, loaded once by code */
};

/* A [B] [KINDS] [code] [contents] [stats] (B: live when left out) */
int diff_args_parse(struct ctx *ctx, int argc, char **argv, struct diff_args *da);
int diff_side_open(struct ctx *ctx, const char *ref, unsigned live_mask, struct diff_side *s);
int diff_side_read(struct ctx *ctx, struct diff_side *s, unsigned kinds);
void diff_side_close(struct diff_side *s);

/* contents: the keys listed per map, then "... N more" */
#define DIFF_CONTENTS_MAX 20

/* A list of owned strings: a change's code or contents lines. */
struct strlist {
	char **v;
	size_t n, cap;
};
int strlist_push(struct strlist *l, char *s);	/* takes s; -ENOMEM (s NULL or no room) */
void strlist_free(struct strlist *l);

/* A changed program's xlated code on both sides as lines (la, lb) and the edit script
 * between them (*ed malloc'ed; NULL and nothing for other changes). */
struct seq_edit;
int diff_code_edits(struct diff_side *a, struct diff_side *b, const struct diff_change *c,
		    struct strlist *la, struct strlist *lb, struct seq_edit **ed, size_t *n,
		    struct err *e);
/* The unified diff of a changed program's xlated code (nothing for other changes). */
int diff_code_lines(struct diff_side *a, struct diff_side *b,
		    const struct diff_change *c, struct strlist *out, struct err *e);
/* A changed map's keys added ("+ key K value V"), removed and changed, at most max of them,
 * then "... N more" (nothing for other changes or maps without contents on both sides). */
int diff_contents_lines(struct diff_side *a, struct diff_side *b,
			const struct diff_change *c, size_t max, struct strlist *out,
			struct err *e);
/* The first max entries of map id's captured contents as key and value texts (BTF-formatted
 * where the map has BTF, else hex); *count: all its entries. -ENOENT: none captured. */
int map_entries_text(struct db *db, int64_t snap, uint32_t id, size_t max, struct strlist *keys,
		     struct strlist *vals, uint64_t *count, struct err *e);

/* Compare a with b, print it (plain or JSON) and set the exit status (0 equal, 1 not):
 * diff's and fleet diff's last step. */
int diff_sides_print(struct ctx *ctx, const struct diff_args *da, struct diff_side *a,
		     struct diff_side *b);

/* The BPF features that differ between the sides' boots (cli/diff_features.c): plain
 * "~ feature ..." lines, or JSON "features": [...] inside diff's object; how many. */
int diff_features_print(struct ctx *ctx, struct diff_side *a, struct diff_side *b);
int diff_features_count(struct diff_side *a, struct diff_side *b);

/* The whole diff: plain lines (with code and contents details when asked) or one JSON
 * object. */
int diff_print(struct ctx *ctx, const struct diff_args *da, struct diff_side *a,
	       struct diff_side *b, const struct diff_result *r);
/* One change as diff's plain line (watch prints the same lines). */
void diff_print_line(struct ctx *ctx, const struct snap_objs *a, const struct snap_objs *b,
		     const struct diff_change *c);
/* The audit's findings of side s (against base when not NULL), through rules r: code,
 * objects, posture, baseline (cli/audit.c; report uses it too). */
struct audit_rules;
struct audit_findings;
/* The side's boot's kernel symbols, parsed once for all its users (the audit, diff's code,
 * the report); NULL only when out of memory (no symbols: an empty set). */
struct ksyms *diff_side_ksyms(struct diff_side *s);
int audit_collect(struct ctx *ctx, struct diff_side *s, struct diff_side *base,
		  const struct audit_rules *r, struct audit_findings *f);
#endif
