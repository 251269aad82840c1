/* Values decoded through BTF into JSON, as bpftool's btf_dumper shows map keys and values. */
#ifndef BPFSCOPE_BTF_VALUE_H
#define BPFSCOPE_BTF_VALUE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/json_writer.h"

struct btf;

/* Write the value of type_id held in data[0..size) as one JSON value. plain: the forms
 * bpftool uses in plain mode (pointers in hex). Returns 0, or -EINVAL when the type does
 * not fit the bytes (nothing is read past size). */
int btf_value_write(struct jw *w, const struct btf *btf, uint32_t type_id, const void *data,
		    size_t size, bool plain);
#endif
