/* One call per field serves plain and JSON output (iproute2's print_* idea):
 * plain mode prints fmt, JSON mode writes "key": value. A NULL fmt means
 * JSON only; a NULL key means plain only. */
#ifndef BPFSCOPE_OUTPUT_H
#define BPFSCOPE_OUTPUT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "lib/json_writer.h"

enum out_mode { OUT_PLAIN, OUT_JSON };

struct out {
	enum out_mode mode;
	FILE *f;
	struct jw jw;
};

void out_init(struct out *o, FILE *f, bool json, bool pretty);
static inline bool out_json(const struct out *o) { return o->mode == OUT_JSON; }

void out_obj_start(struct out *o, const char *key);
void out_obj_end(struct out *o);
void out_arr_start(struct out *o, const char *key);
void out_arr_end(struct out *o);

void out_uint(struct out *o, const char *key, const char *fmt, uint64_t v);
void out_int(struct out *o, const char *key, const char *fmt, int64_t v);
void out_str(struct out *o, const char *key, const char *fmt, const char *s);
/* plain prints fmt only when v is true (bpftool's "gpl") */
void out_bool(struct out *o, const char *key, const char *fmt, bool v);
void out_null(struct out *o, const char *key);
/* Bytes: JSON an array of "0x%02x" strings (bpftool's hex arrays), plain "%02x" apart by
 * spaces. */
void out_bytes(struct out *o, const char *key, const uint8_t *p, size_t n);
/* JSON only: a value already rendered as valid JSON (e.g. by analyze/). */
void out_raw(struct out *o, const char *key, const char *json);
/* An out writing JSON in bpftool's pretty layout (arrays' elements on their line), for what
 * bpftool prints as JSON even in plain mode. */
void out_init_bpftool_json(struct out *o, FILE *f);
/* plain-only text */
void out_plain(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_nl(struct out *o);
/* Terminal-safe copy of an untrusted string: control bytes become \xNN. */
const char *out_safe(const char *s, char *buf, size_t len);
int out_flush_end(struct out *o);	/* trailing newline after a JSON document; errno of a failed write */
/* A write failed (a full device): long outputs stop early, out_flush_end says why. */
static inline bool out_failed(const struct out *o) { return ferror(o->f); }
#endif
