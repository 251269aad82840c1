/* Streaming JSON writer. Unlike bpftool's, it escapes every control byte and
 * replaces invalid UTF-8, because names and strings come from untrusted snapshots. */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "lib/json_writer.h"

/* One thread writes a writer's stream: the stdio calls need not lock it for every byte
 * (which they do once the process has started a thread, as a snapshot does). A dump of a
 * million map entries makes some 40 million of these calls. */
#define fputc fputc_unlocked
#define fwrite fwrite_unlocked
#define fputs fputs_unlocked

void jw_init(struct jw *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
	w->first[0] = true;
}

static void jw_indent(struct jw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("    ", w->f);
}

/* Separator and indentation before a value or a name. */
static void jw_sep(struct jw *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->depth > 0 && !w->first[w->depth])
		fputc(',', w->f);
	if (w->depth > 0 && !(w->inline_arrays && w->array[w->depth]))
		jw_indent(w);
	w->first[w->depth] = false;
}

/* Length of a valid UTF-8 sequence starting at s, or 0. */
size_t utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool utf8_valid(const void *p, size_t len)
{
	const unsigned char *s = p;

	for (size_t i = 0, n; i < len; i += n) {
		n = s[i] ? utf8_seq_len(s + i, len - i) : 0;	/* (NUL: no text may hold it) */
		if (!n)
			return false;
	}
	return true;
}

void json_escape_to(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n, run = i;

		/* printable ASCII needing no escape goes out in one write: most of every name */
		while (run < len && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			fwrite(s + i, 1, run - i, f);
			i = run;
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\b': fputs("\\b", f); i++; continue;
		case '\f': fputs("\\f", f); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (!n) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
}

void jw_name(struct jw *w, const char *name)
{
	jw_sep(w);
	fputc('"', w->f);
	json_escape_to(w->f, name, strlen(name));
	fputs(w->pretty ? "\": " : "\":", w->f);
	w->after_name = true;
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	fputc(c, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->array[w->depth] = c == '[';
}

static void jw_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		jw_indent(w);
	fputc(c, w->f);
}

void jw_end_to(struct jw *w, int depth)
{
	if (w->after_name)
		jw_null(w);
	while (w->depth > depth && w->depth > 0)
		jw_close(w, w->array[w->depth] ? ']' : '}');
}

void jw_start_object(struct jw *w) { jw_open(w, '{'); }
void jw_end_object(struct jw *w) { jw_close(w, '}'); }
void jw_start_array(struct jw *w) { jw_open(w, '['); }
void jw_end_array(struct jw *w) { jw_close(w, ']'); }

void jw_string_len(struct jw *w, const char *s, size_t len)
{
	jw_sep(w);
	fputc('"', w->f);
	json_escape_to(w->f, s, len);
	fputc('"', w->f);
}

void jw_string(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_string_len(w, s, strlen(s));
}

/* digits by hand: fprintf's format parsing costs more than the number, a row has dozens */
static void put_u64(FILE *f, uint64_t v, bool minus)
{
	char b[24], *p = b + sizeof(b);

	do
		*--p = '0' + v % 10;
	while (v /= 10);
	if (minus)
		*--p = '-';
	fwrite(p, 1, b + sizeof(b) - p, f);
}

void jw_uint(struct jw *w, uint64_t v)
{
	jw_sep(w);
	put_u64(w->f, v, false);
}

void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	/* (the magnitude through unsigned arithmetic: -INT64_MIN does not exist) */
	put_u64(w->f, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	fputs("null", w->f);
}

void jw_double(struct jw *w, double v)
{
	jw_sep(w);
	if (isfinite(v))
		fprintf(w->f, "%.17g", v);
	else
		fputs("null", w->f);
}

/* The separator jw_sep writes before an element of the array open at w's depth, into
 * out (room for 2 + 4 * JW_MAX_DEPTH bytes); its length. */
static size_t elem_sep(struct jw *w, char *out)
{
	size_t n = 0;

	if (!w->first[w->depth])
		out[n++] = ',';
	if (w->pretty && !(w->inline_arrays && w->array[w->depth])) {
		out[n++] = '\n';
		for (int i = 0; i < w->depth; i++, n += 4)
			memcpy(out + n, "    ", 4);
	}
	w->first[w->depth] = false;
	return n;
}

void jw_hex_strings(struct jw *w, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		if (len > sizeof(buf) - (2 + 4 * JW_MAX_DEPTH) - 8) {
			fwrite(buf, 1, len, w->f);
			len = 0;
		}
		len += elem_sep(w, buf + len);
		memcpy(buf + len, "\"0x", 3);
		buf[len + 3] = hex[p[i] >> 4];
		buf[len + 4] = hex[p[i] & 15];
		buf[len + 5] = '"';
		len += 6;
	}
	fwrite(buf, 1, len, w->f);
}

void jw_raw(struct jw *w, const char *json)
{
	jw_sep(w);
	fputs(json, w->f);
}
