/* The empty databases a live view and a new file start from, made at build time by
 * gen/tools/mkdbimage.c from this very schema: copying one costs less than its hundred
 * CREATE statements. */
#ifndef BPFSCOPE_SCHEMA_IMAGE_H
#define BPFSCOPE_SCHEMA_IMAGE_H
#include <stddef.h>

/* The image's bytes, or len 0 in a build without one (the tool that makes it, the fuzzers'
 * own build): db_open then creates the schema statement by statement. */
void db_schema_image(const void **image, size_t *len);
/* A new database file's bytes (every view, WAL mode), or len 0 likewise. */
void db_file_image(const void **image, size_t *len);

#endif
