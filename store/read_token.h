/* The delegating bpffs mounts a snapshot saw (schema 8's tokens table), for token show
 * -s REF. */
#ifndef BPFSCOPE_READ_TOKEN_H
#define BPFSCOPE_READ_TOKEN_H
#include "store/read.h"

/* Calls fn(dir, opts, arg) for each mount of snapshot snap in mount order; dir and opts
 * never NULL. fn returning nonzero stops the walk and is returned. */
int token_rows(struct db *db, int64_t snap, int (*fn)(const char *dir, const char *opts, void *arg),
	       void *arg, struct err *e);
#endif
