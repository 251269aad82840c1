/* A map's entries printed as upstream bpftool prints them (map.c's print_entry_* and
 * do_dump_btf): shared by map dump (live or stored, the same blob) and map lookup (live). */
#ifndef BPFSCOPE_CLI_MAP_PRINT_H
#define BPFSCOPE_CLI_MAP_PRINT_H
#include <stdint.h>
#include "analyze/map_btf.h"
#include "cli/cli.h"

/* What printing an entry needs of its map. */
struct map_fmt {
	uint32_t type, key_size, value_size;
	uint32_t nr_cpus;		/* 0: not a per-CPU map */
	const struct map_btf *mb;	/* NULL: no BTF to format with */
};

/* One entry whose lookup worked. JSON mode: into o's array (hex, inner_map_id, formatted).
 * Plain: with bw (bpftool's plain-mode JSON writer, used when every map dumped has BTF) and
 * a BTF the formatted entry, else the hex lines. */
void map_entry_print(struct out *o, struct jw *bw, const struct map_fmt *mf, const uint8_t *key,
		     const uint8_t *val);
/* A key whose lookup failed with errno err: "<no entry>", the error text. */
void map_entry_error(struct out *o, const struct map_fmt *mf, const uint8_t *key, int err);
int do_map_dump(struct ctx *ctx, int argc, char **argv);
#endif
