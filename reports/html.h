/* Writing HTML that is safe with hostile text: every string from the kernel or a database
 * is escaped for where it goes (element text, attribute values, inline script data), and
 * bytes that are not valid UTF-8 or are control characters become visible escapes. The page
 * is self-contained: its CSS and script are inline, nothing is fetched. */
#ifndef BPFSCOPE_HTML_H
#define BPFSCOPE_HTML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Text for element content or a double-quoted attribute value: & < > " ' escaped, control
 * bytes and invalid UTF-8 as U+FFFD-free \xNN text, NUL included (len bytes of s). */
void html_text_len(FILE *f, const char *s, size_t len);
void html_text(FILE *f, const char *s);	/* NULL: nothing */
/* printf, then html_text of the result */
void html_textf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An id/anchor made of [a-z0-9-] only from kind and number: "prog-42" */
void html_anchor(FILE *f, const char *kind, unsigned long long id);

/* The page: <!doctype>, title (escaped), the inline style and script (sorting and
 * filtering tables; the page reads fully without it). */
void html_page_start(FILE *f, const char *title);
void html_page_end(FILE *f);
/* A table whose header cells sort it and which the search box above filters. */
void html_table_start(FILE *f, const char *id, const char *const *cols, size_t ncols);
void html_table_end(FILE *f);
void html_td(FILE *f, const char *s);		/* <td>escaped</td> */
void html_td_num(FILE *f, long long v);
#endif
