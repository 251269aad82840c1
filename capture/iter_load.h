/* Loading bpfscope's own iterator programs (capture/iter.bpf.c), relocated by the kernel
 * for the running one (capture/iter_load.c). */
#ifndef BPFSCOPE_ITER_LOAD_H
#define BPFSCOPE_ITER_LOAD_H
#include <stdint.h>
#include "capture/iter_obj.h"	/* enum iter_prog, ITER_WANT */
#include "capture/iter_targets.h"	/* iter_have_btf */
#include "lib/err.h"

/* What the programs of one snapshot share: the object read once, the targets found in one
 * walk of vmlinux BTF, the object's BTF loaded once. */
struct iter_kit;
/* Prepare the programs in want (ITER_WANT bits). */
int iter_kit_open(unsigned want, struct iter_kit **out, struct err *e);
/* Load one of them: its fd, or a negative errno with e set. */
int iter_kit_load(const struct iter_kit *k, enum iter_prog which, struct err *e);
/* An iterator failed to load or attached elsewhere than its target: the target ids, if they
 * came from the boot's cache, are not to be believed again. */
void iter_kit_target_wrong(const struct iter_kit *k);
/* Close the kit's per-cpu map once the program iterator is loaded (which holds it): the
 * sooner it goes, the sooner the kernel frees it. */
void iter_kit_drop_pcpu(struct iter_kit *k);
void iter_kit_close(struct iter_kit *k);
/* The per-cpu offsets the program iterator read through its map (its last record): kept
 * for the rest of the boot when they are off0 + c * stride for every possible cpu c, so
 * that later runs make no map (and wait for none to go). */
void iter_kit_offsets(const struct iter_kit *k, uint64_t off0, uint64_t stride, uint32_t ncpus);
/* The id of the map the kit made for the program iterator (0: none): its release, like
 * the programs', is deferred, so a map walk may still list it. */
uint32_t iter_kit_own_map(const struct iter_kit *k);
#endif
