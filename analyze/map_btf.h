/* A map's BTF for formatting its keys and values as bpftool does: loaded from the bytes a
 * snapshot stored, checked before use (a snapshot's BTF may be hostile). */
#ifndef BPFSCOPE_MAP_BTF_H
#define BPFSCOPE_MAP_BTF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/json_writer.h"

struct map_btf;
struct btf;

/* The BTF data[0..len) with the map's key and value type ids, or NULL when the map has no
 * BTF to format with (no data, no value type (a key type 0 is no key, as .bss), or BTF that does not load or hold up: its
 * entries then print in hex). */
struct map_btf *map_btf_open(const void *data, size_t len, uint32_t key_type,
			     uint32_t value_type);
/* The same over a parsed BTF (a live map's), which it takes over (freed on failure too). */
struct map_btf *map_btf_wrap(struct btf *btf, uint32_t key_type, uint32_t value_type);
void map_btf_close(struct map_btf *mb);
/* A key or a value (size bytes at p) as one JSON value, malloc'ed; NULL when the type does
 * not fit the bytes. plain: the forms bpftool uses in plain mode (pointers in hex). Rendered
 * apart, so a value that fails leaves no half object behind. */
char *map_btf_key(const struct map_btf *mb, const void *p, size_t size, bool plain);
char *map_btf_value(const struct map_btf *mb, const void *p, size_t size, bool plain);
/* Whether the key has a type (bpftool's formatted entry then has "key"). */
bool map_btf_has_key(const struct map_btf *mb);
/* A key or a value written into w as bpftool's btf_dumper writes it; on an error (a kind
 * bpftool cannot show, bytes the type does not fit) what was written stays, as bpftool's,
 * with every container closed, and the error is returned. */
int map_btf_write_key(const struct map_btf *mb, struct jw *w, const void *p, size_t size,
		      bool plain);
int map_btf_write_value(const struct map_btf *mb, struct jw *w, const void *p, size_t size,
			bool plain);
#endif
