/* Fuzz diff's sequence comparisons (analyze/seq_diff.c): the line diff and its hunks over
 * lines cut from the input, and the keyed diff of two map contents blobs cut from it. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/seq_diff.h"

static int count_hunk(void *arg, size_t from, size_t to, size_t as, size_t al, size_t bs, size_t bl)
{
	(void)from; (void)to; (void)as; (void)al; (void)bs; (void)bl;
	(*(size_t *)arg)++;
	return 0;
}

static void lines(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *lines[512], *p;
	size_t n = 0, half, hunks = 0, ne = 0;
	struct seq_edit *ed = NULL;
	struct err e = { 0 };

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = 0;
	for (p = strtok(text, "\n"); p && n < 512; p = strtok(NULL, "\n"))
		lines[n++] = p;
	half = n / 2;
	if (!text_diff((const char *const *)lines, half, (const char *const *)lines + half,
		       n - half, &ed, &ne, &e))
		text_diff_hunks(ed, ne, 3, count_hunk, &hunks);
	free(ed);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_contents a, b;
	struct seq_edit *ed = NULL;
	struct err e = { 0 };
	size_t n = 0, cut;

	lines(data, size);
	if (size < 2)
		return 0;
	cut = ((size_t)data[0] << 8 | data[1]) % size;
	if (!map_contents_parse(data, cut, &a, &e) && !map_contents_parse(data + cut, size - cut, &b, &e) &&
	    !contents_diff(&a, &b, &ed, &n, &e))
		free(ed);
	return 0;
}
