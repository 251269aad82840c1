/* BPF iterators, assembled here:
 * - over maps: lists in one read() what can change in a map the database already holds
 *   (frozen), so a repeat snapshot opens only the maps that are new, changed, or of a type
 *   whose fdinfo changes (memlock, owner). The syscall walk stays the reference: everything
 *   stored comes from it or from an earlier snapshot.
 * - over every process's open files: which processes hold which programs, maps, links and
 *   BTF objects (bpftool's "pids"), found by the anonymous inode's name ("bpf-prog", ...).
 *
 * Programs are not iterated: what changes in them (run-time counters) is per cpu, and
 * reaching another cpu's copy from BPF needs a per-cpu type tag in vmlinux BTF or a
 * kallsyms with data symbols, which kernels like this one's lack.
 *
 * The iterators are assembled here (no clang, no CO-RE at run time) from offsets read out
 * of vmlinux BTF once per boot and kept for the boot in ITER_LAYOUT_CACHE. */
#ifndef BPFSCOPE_ITER_H
#define BPFSCOPE_ITER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/err.h"

#define ITER_LAYOUT_VERSION 3

/* Where the fields are in this kernel: offsets in bytes, BTF ids of vmlinux. */
struct iter_layout {
	uint32_t version, size;			/* ITER_LAYOUT_VERSION, sizeof(struct iter_layout) */
	uint32_t map_func_id, task_file_func_id; /* FUNC bpf_iter_bpf_map, bpf_iter_task_file */
	uint32_t meta_seq;			/* struct bpf_iter_meta: seq */
	uint32_t map_id, map_frozen;		/* struct bpf_map */
	uint32_t task_tgid, task_leader, task_comm;	/* struct task_struct */
	uint32_t file_dentry, file_inode, file_private;	/* struct file (f_path.dentry, ...) */
	uint32_t inode_sb, sb_magic, dentry_name;	/* i_sb, s_magic, d_name.name */
	uint32_t prog_aux, aux_id, link_id, btf_id;	/* the objects' ids */
	char boot_id[40];			/* the boot it describes (the cache file's key) */
};

struct iter_map {
	uint32_t id, frozen;
};

struct iter_scan {
	struct iter_map *maps;
	size_t nr_maps;
};

/* A process holding an object: kind 'p'rog, 'm'ap, 'l'ink, 'b'tf. */
struct iter_owner {
	uint32_t pid, kind, id, pad;
	char comm[16];
};

/* From vmlinux BTF (slow: 20 ms, once per boot). 0 or a negative errno. */
int iter_layout_read(struct iter_layout *l, const char *boot_id);
/* The layout of this boot from its cache file (ITER_LAYOUT_CACHE, checked before use):
 * 0, or -ENOENT when there is none yet. */
int iter_layout_load(struct iter_layout *l, const char *boot_id);
/* Keep a layout for the rest of the boot (errors ignored: it is a cache). */
void iter_layout_save(const struct iter_layout *l);
#define ITER_LAYOUT_DIR "/run/bpfscope"
#define ITER_LAYOUT_CACHE ITER_LAYOUT_DIR "/iter-layout"
/* Run the map iterator. */
int iter_scan(const struct iter_layout *l, struct iter_scan *out, struct err *e);
void iter_scan_free(struct iter_scan *s);
/* Every (process, object) pair but this process's own, sorted by kind, id and pid. */
int iter_owners(const struct iter_layout *l, struct iter_owner **out, size_t *n, struct err *e);
#endif
