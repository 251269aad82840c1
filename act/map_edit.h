/* Map element edits on a live map (lookup, update, delete, get-next-key, pin) with the
 * syscalls they make, and refilling a map from a stored contents blob. The selectors that
 * open a map are capture/live_select.h's. */
#ifndef BPFSCOPE_MAP_EDIT_H
#define BPFSCOPE_MAP_EDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analyze/map_contents.h"
#include "lib/err.h"

struct mapedit_info {
	uint32_t id, type, key_size, value_size, max_entries, flags;
	char name[16];
	uint32_t btf_id, btf_key_type_id, btf_value_type_id;
	bool percpu;
	uint32_t nr_cpus;	/* possible CPUs, for per-cpu maps */
	size_t value_buf;	/* bytes of a value as the syscalls take it */
};
int mapedit_info(int fd, struct mapedit_info *mi, struct err *e);
/* live_map_fd, then mapedit_info; on failure nothing stays open. */
int mapedit_open(const char *kw, const char *arg, int *fd, struct mapedit_info *mi,
		 struct err *e);

/* What an update's value is: bytes, or a program or map given by a selector (prog
 * arrays, maps of maps), whose fd the value holds. */
enum mapedit_value { MV_BYTES, MV_PROG, MV_MAP };
enum mapedit_value mapedit_value_kind(const struct mapedit_info *mi);
/* bpftool's update flags: "any", "exist", "noexist"; -1 for any other word. */
int mapedit_flag(const char *word);

/* bpftool's byte lists: [hex] BYTE... ; words are consumed up to n bytes.
 * Without "hex" a byte is C notation (90, 0x5a, 0132). Returns the words used. */
int mapedit_parse_bytes(char **words, int nwords, uint8_t *out, size_t n, const char *what,
			struct err *e);

/* key: key_size bytes (ignored for maps without keys); value: value_buf bytes. */
/* -ENOENT: no such key, an answer rather than an error (e is left as it was). */
int mapedit_lookup(int fd, const struct mapedit_info *mi, const void *key, void *value,
		   struct err *e);
/* value holds one value; a per-cpu map's every CPU gets it (bpftool's rule). */
int mapedit_update(int fd, const struct mapedit_info *mi, const void *key, void *value,
		   uint64_t flags, struct err *e);
int mapedit_delete(int fd, const struct mapedit_info *mi, const void *key, struct err *e);
/* key NULL: the first key. */
int mapedit_next_key(int fd, const struct mapedit_info *mi, const void *key, void *next,
		     struct err *e);

/* Fill the map fd (of mi) with the entries of a contents blob; per-cpu values are
 * adapted when the number of CPUs differs. *done: entries written. */
int mapedit_restore(int fd, const struct mapedit_info *mi, const struct map_contents *mc,
		    uint64_t *done, struct err *e);
#endif
