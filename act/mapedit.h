/* Live handles from bpftool-style selectors (id, pinned, name, tag) and map element edits:
 * lookup, update, delete, get-next-key, and refilling a map from a stored contents blob. */
#ifndef BPFSCOPE_MAPEDIT_H
#define BPFSCOPE_MAPEDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analyze/map_contents.h"
#include "lib/err.h"

/* kw: "id", "pinned", "name" (maps) or also "tag" (programs). A name or tag must match
 * exactly one object. *fd is the caller's to close. */
int live_map_fd(const char *kw, const char *arg, int *fd, struct err *e);
int live_prog_fd(const char *kw, const char *arg, int *fd, struct err *e);
bool live_map_kw(const char *kw);
bool live_prog_kw(const char *kw);

struct mapedit_info {
	uint32_t id, type, key_size, value_size, max_entries, flags;
	char name[16];
	uint32_t btf_id, btf_key_type_id, btf_value_type_id;
	bool percpu;
	uint32_t nr_cpus;	/* possible CPUs, for per-cpu maps */
	size_t value_buf;	/* bytes of a value as the syscalls take it */
};
int mapedit_info(int fd, struct mapedit_info *mi, struct err *e);

/* bpftool's byte lists: [hex] BYTE... ; words are consumed up to n bytes.
 * Without "hex" a byte is C notation (90, 0x5a, 0132). Returns the words used. */
int mapedit_parse_bytes(char **words, int nwords, uint8_t *out, size_t n, const char *what,
			struct err *e);

/* Fill the map fd (of mi) with the entries of a contents blob; per-cpu values are
 * adapted when the number of CPUs differs. *done: entries written. */
int mapedit_restore(int fd, const struct mapedit_info *mi, const struct map_contents *mc,
		    uint64_t *done, struct err *e);
#endif
