/* Typed readers of a snapshot's BTF objects and of the BTF ids programs and maps refer to. */
#ifndef BPFSCOPE_READ_BTF_DATA_H
#define BPFSCOPE_READ_BTF_DATA_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

#define VMLINUX_BTF_MAX (256u << 20)

struct btf_data_row {
	char name[256];
	bool kernel;
	struct buf data;	/* empty when the snapshot was taken without BTF data */
};

/* BTF object id of snapshot snap_id. -ENOENT with "no BTF with id %u in snapshot %lld". */
int btf_data_read(struct db *db, int64_t snap_id, uint32_t id, struct btf_data_row *r, struct err *e);
void btf_data_free(struct btf_data_row *r);
/* The snapshot's vmlinux BTF data (kernel = 1, name vmlinux). -ENOENT, e untouched, when the
 * snapshot holds none. */
int btf_vmlinux_read(struct db *db, int64_t snap_id, struct buf *out, struct err *e);
/* The BTF ids a program (ids[0]) or a map (ids[0] btf_id, ids[1] key type, ids[2] value
 * type) refers to. -ENOENT, e untouched, when the object is not in the snapshot. */
int prog_btf_id_read(struct db *db, int64_t snap_id, uint32_t prog_id, int64_t ids[1],
		     struct err *e);
int map_btf_ids_read(struct db *db, int64_t snap_id, uint32_t map_id, int64_t ids[3],
		     struct err *e);
#endif
