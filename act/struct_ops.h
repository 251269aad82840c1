/* struct_ops register and unregister: what changes the kernel of bpftool's struct_ops. */
#ifndef BPFSCOPE_ACT_STRUCT_OPS_H
#define BPFSCOPE_ACT_STRUCT_OPS_H
#include <stdint.h>
#include "lib/err.h"

struct struct_ops_reg {
	char name[16];			/* the map's */
	char kernel[128];		/* the kernel struct it implements */
	uint32_t map_id;		/* 0: registered, but its id could not be read */
	uint32_t link_id;		/* a .struct_ops.link map's link; 0: none */
	char error[256];		/* set when this map failed to register */
};

/* Load OBJ and register each of its struct_ops maps; links of .struct_ops.link maps are
 * pinned under link_dir (NULL: not pinned), named after the map. regs[0..*n) say what each
 * map did (up to max). Returns 0 when every map registered, -ENOENT when OBJ has none. */
int struct_ops_register(const char *obj, const char *link_dir, struct struct_ops_reg *regs,
			int max, int *n, struct err *e);
/* Unregister the struct_ops map of this id (delete its one element). */
int struct_ops_unregister(uint32_t map_id, struct err *e);
#endif
