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
/* bpftool's prog_id_as_func_ptr (struct_ops dump): a function pointer holding a program id
 * prints as the string "<prototype> <name>/prog_id:<id>" ("<prototype> 0" when empty). name
 * gives the BTF name of program id's main function, NULL when unknown. */
struct btf_value_progs {
	const char *(*name)(void *arg, uint32_t id);
	void *arg;
};
int btf_value_write_progs(struct jw *w, const struct btf *btf, uint32_t type_id,
			  const void *data, size_t size, bool plain,
			  const struct btf_value_progs *progs);
#endif
