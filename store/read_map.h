/* Maps of a snapshot as typed rows: what map show prints, what map dump reads, how MAP
 * selects. */
#ifndef BPFSCOPE_READ_MAP_H
#define BPFSCOPE_READ_MAP_H
#include <stdbool.h>
#include "lib/map_chunks.h"
#include "store/read.h"

struct map_row {
	uint32_t id, type, key_size, value_size, max_entries, btf_id, ifindex;
	const char *name;	/* never NULL */
	uint64_t flags, bytes_memlock;
	int64_t frozen;
	bool has_owner_prog_type;	/* prog arrays: the type the first program fixed */
	uint32_t owner_prog_type;
	uint32_t vmlinux_value_type_id;	/* struct_ops: the kernel's bpf_struct_ops_<name> type */
	bool has_owner_jited;		/* prog arrays with an owner (schema 8) */
	bool owner_jited;
	/* the rest of bpf_map_info, for struct_ops dump */
	uint32_t btf_key_type_id, btf_value_type_id, btf_vmlinux_id;
	uint64_t map_extra, netns_dev, netns_ino;
};

/* Calls fn for each map of snapshot snap, by id: only id, or all (id < 0). fn returning
 * nonzero stops the walk and is returned. */
int map_rows(struct db *db, int64_t snap, int64_t id,
	     int (*fn)(const struct map_row *r, void *arg), void *arg, struct err *e);
/* The maps key names (text for name and pinned, id for FIND_ID; FIND_TAG is not one). */
int map_find(struct db *db, int64_t snap, enum find_key key, const char *text, uint32_t id,
	     struct id_list *out, struct err *e);

/* What map dump needs of one map: its sizes, its contents blob (store/map contents layout,
 * analyze/map_contents.h) and the BTF blob its key and value types refer to. */
struct map_data {
	uint32_t id, type, key_size, value_size, btf_id, key_type, value_type;
	uint32_t vmlinux_value_type;	/* struct_ops: its value's type in the kernel's BTF */
	struct buf contents;	/* empty: not captured (contents_error may say why) */
	struct map_chunk_list chunks;	/* map_data_read_chunked: nr_chunks > 0 when contents
					 * holds a chunk list (lib/map_chunks.h), read a chunk
					 * at a time with map_contents_chunk */
	struct buf btf;		/* empty: no BTF */
	bool has_error;
	char contents_error[512];
};
/* Fill md for map id (buffers replaced; map_data_free releases them). -ENOENT: no such map
 * in the snapshot. */
int map_data_read(struct db *db, int64_t snap, uint32_t id, struct map_data *md, struct err *e);
/* The same without joining chunks: a reader that goes through the entries in order holds
 * one chunk at a time, not a 10,000,000-entry map (store/db.h map_contents_list_col). */
int map_data_read_chunked(struct db *db, int64_t snap, uint32_t id, struct map_data *md,
			  struct err *e);
void map_data_free(struct map_data *md);
#endif
