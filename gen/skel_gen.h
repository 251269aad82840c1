/* A libbpf (1.1 API) skeleton or subskeleton header generated from a BPF ELF object, as data:
 * written to a caller's FILE (a memstream in cli/gen.c), nothing printed on its own. */
#ifndef BPFSCOPE_SKEL_GEN_H
#define BPFSCOPE_SKEL_GEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "lib/err.h"

#define SKEL_NAME_MAX 64

/* bpftool's default skeleton name: the file's basename without ".o", every
 * character that can't be in a C identifier turned into '_' (a leading digit
 * gets a '_' prefix). "getpid_count.bpf.o" -> "getpid_count_bpf". */
void skel_default_name(const char *path, char *out, size_t len);
/* Is s a C identifier that is not a keyword? */
bool skel_is_ident(const char *s);

/* Write the skeleton for the object (obj, len) named name (a C identifier) to out.
 * Map, program and variable names that can't become distinct C identifiers are
 * an error naming the culprit. */
int skel_gen(const void *obj, size_t len, const char *name, FILE *out, struct err *e);
/* The subskeleton (gen/subskel_gen.c) of a BPF library object: NAME__open(src) finds the
 * library's maps, programs and global variables in src, an object it was linked into. */
int subskel_gen(const void *obj, size_t len, const char *name, FILE *out, struct err *e);
#endif
