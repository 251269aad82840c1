/* BPF token delegation: the bpffs mounts with delegate_* options (bpftool token show). */
#ifndef BPFSCOPE_TOKEN_H
#define BPFSCOPE_TOKEN_H
#include <stddef.h>
#include "lib/err.h"

struct token_mount {
	char *dir;
	char *opts;	/* the mount's options, as /proc/mounts has them */
};
/* Every bpffs mount of this mount namespace with a delegate_* option, in mount order. */
int token_mounts(struct token_mount **out, size_t *n, struct err *e);
void token_mounts_free(struct token_mount *v, size_t n);
/* The same mounts into the snapshot being written (so -s REF token show answers). */
struct writer;
int tokens_store(struct writer *w, struct err *e);
#endif
