/* report's pieces shared by its files: the page files (0600, in a directory of ours) and the
 * diff page (cli/report_diff.c). */
#ifndef BPFSCOPE_CLI_REPORT_INT_H
#define BPFSCOPE_CLI_REPORT_INT_H
#include <stdio.h>
#include "cli/cli.h"

struct report_args {
	const char *ref, *ref_b, *file, *dir;
	bool diff;
};

/* DIR made 0700 when missing; an existing one must be empty or a report of ours (only
 * index.html, with our generator line, and prog-N.html), whose program pages are removed
 * first. *dfd: the directory, open. */
int report_dir_open(struct ctx *ctx, const char *dir, int *dfd);
/* name in dfd (AT_FDCWD: a path) created or truncated, mode 0600 even when it existed;
 * NULL after an error printed. dir: for messages (NULL: none). */
FILE *report_file_at(struct ctx *ctx, int dfd, const char *dir, const char *name);
/* fclose with the error printed: -1 when the page may be short */
int report_file_close(struct ctx *ctx, FILE *f, const char *dir, const char *name);

struct diff_side;
/* A side's head: its snapshots row (report_header), or "the live kernel" */
int report_side_header(struct ctx *ctx, FILE *f, struct diff_side *s, const char *title);
int report_diff_page(struct ctx *ctx, FILE *f, const struct report_args *a);
#endif
