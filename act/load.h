/* Loading ELF objects into the kernel with libbpf's object API: type overrides, map reuse,
 * pinning, autoattach; and an undo list so a failure leaves nothing pinned or attached. */
#ifndef BPFSCOPE_LOAD_H
#define BPFSCOPE_LOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"
#include "lib/err.h"
#include "lib/util.h"

struct bpf_object;
struct bpf_link;

/* What was created, in order; undo_run takes it back in reverse (best effort). */
enum undo_kind { UNDO_UNPIN, UNDO_RMDIR, UNDO_XDP, UNDO_LINK_DETACH };
struct undo_step {
	enum undo_kind kind;
	char *path;		/* UNPIN, RMDIR */
	int ifindex;		/* XDP */
	uint32_t flags;		/* XDP: mode flags */
	uint32_t id;		/* XDP: the program we attached; LINK_DETACH: link id */
};
struct undo {
	struct undo_step *steps;
	size_t n, cap;
};
int undo_add(struct undo *u, const struct undo_step *s);
int undo_add_path(struct undo *u, enum undo_kind kind, const char *path);
void undo_run(struct undo *u);		/* take everything back, then forget */
void undo_forget(struct undo *u);	/* keep everything, free the list */
/* mkdir -p that records each directory it created (rmdir on undo). */
int mkdir_p_undo(const char *dir, struct undo *u, struct err *e);
/* Pin fd at path (creating parent directories), recording both. */
int pin_fd_undo(int fd, const char *path, struct undo *u, struct err *e);
/* Pin fd at path (creating parent directories); on failure nothing it created stays. */
int pin_fd(int fd, const char *path, struct err *e);

struct load_map_reuse {
	const char *name;	/* by name, or */
	int idx;		/* by index when name is NULL */
	int fd;			/* the existing map */
};

struct load_opts {
	const char *type;		/* prog type as a section name ("xdp", "kprobe"); NULL: sections */
	const struct load_map_reuse *reuse;
	size_t nr_reuse;
	const char *pinmaps;		/* pin every map as DIR/<name> */
	const char *pin_first;		/* prog load: pin the first program here */
	const char *pin_dir;		/* loadall: pin every program (or its link) as DIR/<name> */
	bool autoattach;		/* with pin_dir: attach what libbpf can, pin the links */
	const char *obj_name;		/* for open_mem: the object's name */
};

struct load_prog {
	char name[64];
	char sec[128];
	uint32_t id, type, attach_type;
	char pinned[4096];	/* where it (or its link) was pinned, "" if not */
	bool attached;		/* pinned[] is a link */
	uint32_t link_id;
	char tag[17];
};

struct load_map {
	char name[64];
	uint32_t id, type, key_size, value_size, max_entries;
	int fd;			/* owned by the object, valid until load_close */
	char pinned[4096];
};

struct loaded {
	struct bpf_object *obj;
	struct load_prog *progs;
	size_t nr_progs;
	struct load_map *maps;
	size_t nr_maps;
	struct bpf_link **links;
	bool *link_pinned;	/* parallel to links: pinned links are left as they are */
	size_t nr_links;
	struct undo undo;
	struct buf log;		/* what libbpf said, NUL-terminated */
	char failed_prog[64];	/* the program the kernel refused, if any */
	char path[4096];	/* the object, for messages */
};

/* Open (from a file, or from memory when elf != NULL), apply opts, load, pin and attach.
 * On failure everything created is taken back and e names the program and the reason;
 * l->log keeps libbpf's messages (load_log_tail() extracts the verifier's). */
int load_object(const char *path, const void *elf, size_t elf_len, const struct load_opts *o,
		struct loaded *l, struct err *e);
/* Steps of load_object for callers that pin and attach themselves (replay). */
int load_open(const char *path, const void *elf, size_t elf_len, const struct load_opts *o,
	      struct loaded *l, struct err *e);
int load_load(struct loaded *l, struct err *e);
int load_prog_fd(const struct loaded *l, size_t i);
/* Attach program i as its section says (libbpf links); -EOPNOTSUPP when it can't. The link
 * stays owned by l; pin it with load_pin_link. */
int load_attach(struct loaded *l, size_t i, struct bpf_link **link, struct err *e);
int load_pin_link(struct loaded *l, struct bpf_link *link, size_t i, const char *path,
		  struct err *e);
/* prog load autoattach, as bpftool: attach the first program and pin its link where the
 * program was pinned (the program's pin gives way). -EOPNOTSUPP: its section does not
 * say where to attach. */
int load_attach_first(struct loaded *l, struct err *e);
/* libbpf handles of program / map i (object order), for callers that attach by hand. */
struct bpf_program;
struct bpf_map;
struct bpf_program *load_prog_ptr(const struct loaded *l, size_t i);
struct bpf_map *load_map_ptr(const struct loaded *l, size_t i);
/* Adopt a link made by hand for program i (destroyed on abort, kept when pinned). */
int load_add_link(struct loaded *l, size_t i, struct bpf_link *link, struct err *e);
/* Pin an adopted link at path (one more pin; recorded for undo). */
int load_pin_link_at(struct loaded *l, struct bpf_link *link, const char *path, struct err *e);
/* Success: keep pins and attachments; free the process side (fds, links). */
void load_close(struct loaded *l);
/* Failure: take back every pin and attachment, then free. */
void load_abort(struct loaded *l);
/* libbpf's last message that is not the verifier log, without "libbpf: ". */
void load_log_last_line(const struct loaded *l, char *out, size_t len);
/* The last n lines of the verifier log in l->log (into out), or "" when there is none. */
void load_log_tail(const struct loaded *l, unsigned n, char *out, size_t len);
/* Human name of how a program attaches: "trace_fentry", "kprobe", "tracepoint", ... */
const char *load_attach_kind(const struct load_prog *p);

/* Capture libbpf's messages (warnings and info) into log, NUL-terminated, until
 * load_log_end; libbpf's print hook is process-wide, the sink is per thread. */
struct log_scope {
	void *old;
	struct buf *old_sink;
};
void load_log_begin(struct buf *log, struct log_scope *s);
void load_log_end(struct log_scope *s);

/* Record a loaded object in the history database's objects table. */
int load_record(struct db *db, const char *path, const void *elf, size_t elf_len,
		const struct loaded *l, const char *pin_dir, int64_t *obj_id, struct err *e);
/* The same from the object's file (at most LOAD_ELF_MAX bytes) into the database at
 * db_path (created if missing). */
#define LOAD_ELF_MAX (256u << 20)
int load_record_file(const char *db_path, const char *path, const struct loaded *l,
		     const char *pin_dir, struct err *e);
#endif
