/* Fuzz the HTML escaper (reports/html.c): any bytes come out as text with no raw markup
 * byte, and it never reads past the input. Links: reports/html.c */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return 0;
	html_text_len(f, (const char *)data, size);
	fclose(f);
	if (out && (memchr(out, '<', len) || memchr(out, '>', len) || memchr(out, '"', len) ||
		    memchr(out, 0, len)))
		abort();
	free(out);
	return 0;
}
