/* Shared by act/replay.c (object mode) and act/replay_snap.c (snapshot mode). */
#ifndef BPFSCOPE_REPLAY_INT_H
#define BPFSCOPE_REPLAY_INT_H
#include <limits.h>
#include <net/if.h>
#include "analyze/map_contents.h"
#include "lib/sha256.h"
#include "act/load.h"
#include "act/replay.h"

struct replay_row *replay_row_add(struct replay_report *r, const char *kind, const char *name,
				  struct err *e);
/* Append "; text" (or text) to row->detail. */
void replay_row_note(struct replay_row *row, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The stored contents of map_id in a snapshot: -ENODATA when it was not captured. */
int replay_contents(struct db *db, int64_t snap, uint32_t map_id, struct buf *b,
		    struct map_contents *mc, struct err *e);
/* Fill map i of a loaded object with map_id's contents in a snapshot, a chunk at a time when
 * they are stored in chunks (a map of millions of entries is never whole in memory); *n the
 * entries written; -ENODATA when none were stored. */
int replay_restore_map(struct db *db, int64_t snap, uint32_t map_id, struct loaded *l, size_t i,
		       uint64_t *n, struct err *e);
/* Frozen maps (.rodata, .kconfig) can't be written after load: give libbpf their stored
 * value as the initial one (before load_load). */
int replay_set_initial(struct loaded *l, size_t i, const struct map_contents *mc, struct err *e);
/* The category of tracepoint name ("syscalls" for sys_enter_getpid), from tracefs. */
int replay_tp_category(const char *name, char *cat, size_t len);
/* Kernel map names are 15 bytes at most: does the object's name match a stored one? */
bool replay_name_eq(const char *obj_name, const char *kernel_name);
/* What replay knows of an object on both sides: an ELF object's program or map and a
 * snapshot's (programs: sizes 0). */
struct replay_ident {
	const char *name;
	uint32_t type, key_size, value_size;
};
/* Is the snapshot's object the ELF object's? (the one rule, see act/replay.c) */
bool replay_ident_eq(const struct replay_ident *obj, const struct replay_ident *stored);

/* ---- snapshot mode: what a snapshot says, read once (act/replay_read.c) ---- */

struct sprog {
	uint32_t id, type;
	char name[64], tag[17];
	size_t row, oi;		/* report row; index in the loaded object */
};
struct smap {
	uint32_t id, type, key, value;
	bool frozen, has_contents;
	char name[64];
	size_t row, oi;
};
struct spin {
	char *path;
	char kind[8];
	uint32_t id;
	int owner;	/* union-find index of the prog/map (a link's: its prog), -1 none */
};
struct slink {
	uint32_t id, type, prog_id, attach_type, ifindex, pe;
	char target[4096], devname[IF_NAMESIZE];
	uint64_t offset, cookie;
};
struct satt {
	char kind[16], mode[32], devname[IF_NAMESIZE];
	uint32_t prog_id, ifindex, link_id;
};
struct cand {
	char label[PATH_MAX], objname[64];
	struct buf elf;
	uint8_t hash[SHA256_LEN];
};

struct rs {
	const struct replay_snap_opts *o;
	struct replay_report *r;
	struct err *e;
	struct sprog *progs; size_t np;
	struct smap *maps; size_t nm;
	struct spin *pins; size_t npins;
	struct slink *links; size_t nl;
	struct satt *atts; size_t na;
	struct cand *cands; size_t nc;
	int *parent;		/* union-find over progs then maps */
	struct loaded *loaded; size_t nloaded;
};

int rs_find(int *parent, int x);	/* union-find root */
int rs_read_rows(struct rs *s);		/* progs, maps, pins, links, attachments, groups */
int rs_read_cands(struct rs *s);	/* ELF objects: objects DIR, then the objects table */
#endif
