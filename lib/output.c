/* Plain/JSON output through one call per field. Plain text is made terminal-safe:
 * a hostile program name must not emit escape sequences on the user's tty. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include "lib/output.h"

void out_init(struct out *o, FILE *f, bool json, bool pretty)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->mode = json || pretty ? OUT_JSON : OUT_PLAIN;
	jw_init(&o->jw, f, pretty);
	o->jw.inline_arrays = pretty;	/* bpftool -p: an array's elements stay on its line */
}

void out_obj_start(struct out *o, const char *key)
{
	if (!out_json(o))
		return;
	if (key)
		jw_name(&o->jw, key);
	jw_start_object(&o->jw);
}

void out_obj_end(struct out *o)
{
	if (out_json(o))
		jw_end_object(&o->jw);
}

void out_arr_start(struct out *o, const char *key)
{
	if (!out_json(o))
		return;
	if (key)
		jw_name(&o->jw, key);
	jw_start_array(&o->jw);
}

void out_arr_end(struct out *o)
{
	if (out_json(o))
		jw_end_array(&o->jw);
}

void out_uint(struct out *o, const char *key, const char *fmt, uint64_t v)
{
	if (out_json(o)) {
		if (key)
			jw_name(&o->jw, key);
		jw_uint(&o->jw, v);
	} else if (fmt) {
		fprintf(o->f, fmt, v);
	}
}

void out_int(struct out *o, const char *key, const char *fmt, int64_t v)
{
	if (out_json(o)) {
		if (key)
			jw_name(&o->jw, key);
		jw_int(&o->jw, v);
	} else if (fmt) {
		fprintf(o->f, fmt, v);
	}
}

const char *out_safe(const char *s, char *buf, size_t len)
{
	size_t j = 0;

	if (!s)
		return "";
	for (size_t i = 0; s[i] && j + 5 < len; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(buf + j, len - j, "\\x%02x", c);
			j += 4;
		} else {
			buf[j++] = c;
		}
	}
	buf[j] = 0;
	return buf;
}

void out_str(struct out *o, const char *key, const char *fmt, const char *s)
{
	if (out_json(o)) {
		if (key)
			jw_name(&o->jw, key);
		jw_string(&o->jw, s ? s : "");
	} else if (fmt) {
		char buf[1024];

		fprintf(o->f, fmt, out_safe(s, buf, sizeof(buf)));
	}
}

void out_bool(struct out *o, const char *key, const char *fmt, bool v)
{
	if (out_json(o)) {
		if (key)
			jw_name(&o->jw, key);
		jw_bool(&o->jw, v);
	} else if (fmt && v) {
		fputs(fmt, o->f);
	}
}

void out_null(struct out *o, const char *key)
{
	if (!out_json(o))
		return;
	if (key)
		jw_name(&o->jw, key);
	jw_null(&o->jw);
}

void out_plain(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (out_json(o))
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

void out_nl(struct out *o)
{
	if (!out_json(o))
		fputc('\n', o->f);
}

int out_flush_end(struct out *o)
{
	if (out_json(o))
		fputc('\n', o->f);
	if (fflush(o->f))
		return errno ? errno : EIO;
	/* a write that failed earlier (the buffer filled mid-run) leaves only the flag */
	return ferror(o->f) ? EIO : 0;
}

void out_bytes(struct out *o, const char *key, const uint8_t *p, size_t n)
{
	out_arr_start(o, key);
	if (out_json(o))	/* (a million-entry dump: one write per array, not per byte) */
		jw_hex_strings(&o->jw, p, n);
	for (size_t i = 0; i < n && !out_json(o); i++)
		fprintf(o->f, "%s%02x", i ? " " : "", p[i]);
	out_arr_end(o);
}

void out_raw(struct out *o, const char *key, const char *json)
{
	if (!out_json(o))
		return;
	if (key)
		jw_name(&o->jw, key);
	jw_raw(&o->jw, json);
}

void out_init_bpftool_json(struct out *o, FILE *f)
{
	out_init(o, f, true, true);
	o->jw.inline_arrays = true;
}
