/* batch file FILE: one command a line, read as bpftool's batch reads them ('#' comments,
 * quoted words, backslash-newline continuations); -j: one array of commands and outputs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"

/* bpftool's bounds: a longer command, or one of more words, is an error */
#define BATCH_LINE_MAX 65536
#define BATCH_WORDS_MAX 4096
/* a file that runs itself (batch file FILE inside FILE) must end somewhere */
#define BATCH_DEPTH_MAX 8

static void cut_comment(char *s)
{
	char *c = strchr(s, '#');

	if (c)
		*c = 0;
}

/* The next command's text into buf (BATCH_LINE_MAX bytes): a line, '#' and what follows cut,
 * joined with the lines after it while it ends in backslash-newline. cont is scratch of the
 * same size. Returns 1 (a command, maybe blank), 0 (end of file) or -1 (reported). cmd is
 * the command's number in errors: how many commands ran before it, as bpftool counts. */
static int read_command(struct ctx *ctx, FILE *f, char *buf, char *cont, unsigned cmd)
{
	char *bs;

	if (!fgets(buf, BATCH_LINE_MAX, f)) {
		int saved = errno;

		return ferror(f) ? p_err(ctx, "reading batch file failed: %s", strerror(saved)) : 0;
	}
	cut_comment(buf);
	if (strlen(buf) == BATCH_LINE_MAX - 1)
		return p_err(ctx, "command %u is too long", cmd);
	/* fgets stops at a newline, so a backslash-newline can only end buf */
	while ((bs = strstr(buf, "\\\n"))) {
		if (!fgets(cont, BATCH_LINE_MAX, f) || !*cont)
			return p_err(ctx, "missing continuation line on command %u", cmd);
		cut_comment(cont);
		if (strlen(buf) + strlen(cont) + 1 > BATCH_LINE_MAX)
			return p_err(ctx, "command %u is too long", cmd);
		*bs = 0;
		strcat(buf, cont);
	}
	return 1;
}

/* Split line into words in place, as bpftool does: blanks separate words; a word that
 * starts with ' or " runs to the next same quote (no escapes inside; the quote also ends
 * the word, so "a"b is two words). Returns the count, or -1 (reported). */
static int split_words(struct ctx *ctx, char *line, char **words, int max, unsigned cmd)
{
	static const char blanks[] = " \t\r\n";
	char *cp = line;
	int n = 0;

	while (*cp) {
		cp += strspn(cp, blanks);
		if (!*cp)
			break;
		if (n >= max - 1)
			return p_err(ctx, "too many arguments to command %u", cmd);
		if (*cp == '\'' || *cp == '"') {
			char quote = *cp++;

			words[n++] = cp;
			cp = strchr(cp, quote);
			if (!cp)
				return p_err(ctx, "unterminated quoted string in command %u", cmd);
		} else {
			words[n++] = cp;
			cp += strcspn(cp, blanks);
			if (!*cp)
				break;
		}
		*cp++ = 0;
	}
	words[n] = NULL;
	return n;
}

/* One command: JSON {"command": [words], "output": what it printed}. Whatever the command
 * left open (it failed half way) is closed, and no output at all is null. */
static int run_one(struct ctx *ctx, int n, char **words)
{
	struct out *o = &ctx->out;
	int depth, err;

	out_obj_start(o, NULL);
	out_arr_start(o, "command");
	for (int i = 0; i < n; i++)
		out_str(o, NULL, NULL, words[i]);
	out_arr_end(o);
	if (out_json(o))
		jw_name(&o->jw, "output");
	depth = o->jw.depth;
	err = run_object(ctx, n, words);
	if (out_json(o))
		jw_end_to(&o->jw, depth);
	out_obj_end(o);
	/* as bpftool's line-buffered stdout: a command's output before the next one's errors */
	fflush(o->f);
	return err;
}

static int run_file(struct ctx *ctx, FILE *f, char *buf, char *cont, char **words)
{
	unsigned done = 0;
	int n, err;

	for (;;) {
		err = read_command(ctx, f, buf, cont, done);
		if (err <= 0)
			break;
		n = split_words(ctx, buf, words, BATCH_WORDS_MAX, done);
		if (n < 0) {
			err = -1;
			break;
		}
		if (!n)
			continue;	/* blank, or a comment */
		err = run_one(ctx, n, words);
		if (err)
			break;
		done++;
	}
	if (!err)
		out_plain(&ctx->out, "processed %u commands\n", done);
	return err;
}

static int batch_help(struct ctx *ctx)
{
	return p_usage(ctx, GRAMMAR_BATCH);
}

int do_batch(struct ctx *ctx, int argc, char **argv)
{
	char *buf = NULL, *cont = NULL, **words = NULL;
	const char *path;
	FILE *f;
	int err = -1;

	if (argc == 1 && !strcmp(argv[0], "help"))
		return batch_help(ctx);
	if (argc < 2)
		return p_err(ctx, "too few parameters for batch");
	if (argc > 2)
		return p_err(ctx, "too many parameters for batch");
	if (!keyword_is(argv[0], "file"))
		return p_err(ctx, "expected 'file', got: %s", argv[0]);
	if (ctx->batch_depth >= BATCH_DEPTH_MAX)
		return p_err(ctx, "batch files nested deeper than %d", BATCH_DEPTH_MAX);
	path = argv[1];
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		int saved = errno;

		return p_err(ctx, "Can't open file (%s): %s", path, strerror(saved));
	}
	buf = malloc(BATCH_LINE_MAX);
	cont = malloc(BATCH_LINE_MAX);
	words = calloc(BATCH_WORDS_MAX, sizeof(*words));
	if (!buf || !cont || !words) {
		p_err(ctx, "out of memory");
		goto out;
	}
	ctx->batch_depth++;
	out_arr_start(&ctx->out, NULL);
	err = run_file(ctx, f, buf, cont, words);
	out_arr_end(&ctx->out);
	ctx->batch_depth--;
out:
	if (f != stdin)
		fclose(f);
	free(words);
	free(cont);
	free(buf);
	return err;
}
