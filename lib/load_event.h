/* One BPF object as the loads recorder saw it made (capture/loads.c) and the store keeps it
 * (store/write_loads.c, table load_events): plain data, shared by both layers. */
#ifndef BPFSCOPE_LOAD_EVENT_H
#define BPFSCOPE_LOAD_EVENT_H
#include <stdbool.h>
#include <stdint.h>

enum load_kind { LOAD_PROG = 'p', LOAD_MAP = 'm', LOAD_LINK = 'l' };

/* Where a program's code came from. */
enum load_code_from {
	LOAD_CODE_NONE,		/* none: code_missing says why */
	LOAD_CODE_INFO,		/* BPF_OBJ_GET_INFO_BY_FD: the program was still there */
	LOAD_CODE_KMEM,		/* the tracepoint's copy of prog->insnsi, its map addresses
				 * turned into ids as the kernel's dump does */
};

/* What the kmem copy says against the kernel's dump, when there were both. */
enum load_code_check { LOAD_CHECK_NONE, LOAD_CHECK_SAME, LOAD_CHECK_DIFFERENT };

struct load_event {
	char kind;			/* enum load_kind */
	uint32_t cmd;			/* the bpf(2) command that made it */
	uint32_t id;			/* the kernel's id of the object */
	int64_t time_ns;		/* wall clock (UTC) of the syscall's return */
	uint64_t boot_ns;		/* the same moment on the boot clock */
	uint32_t pid, tid, uid;		/* the caller: process, thread, uid */
	char comm[17];			/* the process's name */
	uint32_t type;			/* prog, map or link type */
	char name[17];			/* prog or map name, as the kernel cut it */
	uint32_t attach_type;		/* prog: expected; link: its own (has_attach_type) */
	bool has_attach_type;
	/* programs */
	uint8_t tag[8];
	uint64_t load_time;		/* boot clock, as bpf_prog_info */
	uint32_t insns;			/* translated instructions */
	uint32_t bytes_jited, verified_insns, btf_id;
	const uint32_t *map_ids;	/* nr_map_ids ids, in the program's order, as loaded */
	uint32_t nr_map_ids;
	const void *xlated;		/* code_len bytes of translated code, or NULL */
	uint32_t code_len;
	enum load_code_from code_from;
	enum load_code_check code_check;
	const char *code_missing;	/* why there is no code, or NULL */
	bool alive;			/* the recorder could still open it by id */
	/* maps */
	uint32_t key_size, value_size, max_entries, map_flags;
	uint64_t map_extra;
	/* links */
	uint32_t prog_id;
};
#endif
