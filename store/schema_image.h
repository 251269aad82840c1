/* The empty database a live view starts from, made at build time by gen/tools/mkdbimage.c
 * from this very schema: copying it costs less than its hundred CREATE statements. */
#ifndef BPFSCOPE_SCHEMA_IMAGE_H
#define BPFSCOPE_SCHEMA_IMAGE_H
#include <stddef.h>

/* The image's bytes, or len 0 in a build without one (the tool that makes it, the fuzzers'
 * own build): db_open then creates the schema statement by statement. */
void db_schema_image(const void **image, size_t *len);

#endif
