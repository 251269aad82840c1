/* Streaming JSON writer: always valid output, whatever bytes the strings hold. */
#ifndef BPFSCOPE_JSON_WRITER_H
#define BPFSCOPE_JSON_WRITER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 64

struct jw {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JW_MAX_DEPTH];	/* no element written yet at this depth */
	bool after_name;
	/* bpftool's pretty layout: an array's elements stay on its line ("[{", "},{"); object
	 * members still go one per line. bpftool prints BTF-formatted map dumps so. */
	bool inline_arrays;
	bool array[JW_MAX_DEPTH];	/* the container at this depth is an array */
};

void jw_init(struct jw *w, FILE *f, bool pretty);
void jw_name(struct jw *w, const char *name);
void jw_start_object(struct jw *w);
void jw_end_object(struct jw *w);
void jw_start_array(struct jw *w);
void jw_end_array(struct jw *w);
void jw_string(struct jw *w, const char *s);
/* Bytes that may hold NULs, control bytes or invalid UTF-8 (replaced by U+FFFD). */
void jw_string_len(struct jw *w, const char *s, size_t len);
void jw_uint(struct jw *w, uint64_t v);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_double(struct jw *w, double v);
/* Inside an open array: one string "0xHH" per byte of p, as n jw_string calls would write
 * them, in one write. */
void jw_hex_strings(struct jw *w, const uint8_t *p, size_t n);
/* A value that is already valid JSON (e.g. rendered by another writer). */
void jw_raw(struct jw *w, const char *json);
/* Close every container opened above depth (a name left without its value gets null), so
 * that what a caller nests another writer's output in stays valid JSON whatever it left. */
void jw_end_to(struct jw *w, int depth);
/* Write s escaped for a JSON string body (no quotes) to f. */
void json_escape_to(FILE *f, const char *s, size_t len);
/* Length of the valid UTF-8 sequence (RFC 3629: no overlong form, no surrogate) starting at
 * s, or 0; and whether all of p is such text, without NUL. */
size_t utf8_seq_len(const unsigned char *s, size_t left);
bool utf8_valid(const void *p, size_t len);

#endif
