/* Live handles from bpftool-style selectors: id, pinned, name (maps and programs) and tag
 * (programs) to an fd. They open objects; they change nothing. */
#ifndef BPFSCOPE_LIVE_SELECT_H
#define BPFSCOPE_LIVE_SELECT_H
#include <stdbool.h>
#include <stdint.h>
#include "lib/err.h"

struct btf;

/* kw: "id", "pinned", "name" (maps) or also "tag" (programs). A name or tag must match
 * exactly one object. *fd is the caller's to close. */
int live_map_fd(const char *kw, const char *arg, int *fd, struct err *e);
int live_prog_fd(const char *kw, const char *arg, int *fd, struct err *e);
bool live_map_kw(const char *kw);
bool live_prog_kw(const char *kw);
/* The id a live 'id ID' or 'pinned PATH' names, without listing anything (a live view of
 * that program alone); an error for other keywords, a bad id or a pin of no program. */
int live_prog_id(const char *kw, const char *arg, uint32_t *id, struct err *e);
/* LINK := id ID | pinned PATH (a pin of another kind is refused). */
int live_link_fd(const char *kw, const char *arg, int *fd, struct err *e);
bool live_link_kw(const char *kw);

/* The kernel's BTF object btf_id, parsed (NULL: it can't be had); live_btf_free frees it. */
struct btf *live_btf(uint32_t btf_id);
void live_btf_free(struct btf *btf);
#endif
