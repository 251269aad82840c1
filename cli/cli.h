/* The command line: a context instead of globals, a command table per object,
 * bpftool-style argument walking that returns errors instead of exiting. */
#ifndef BPFSCOPE_CLI_H
#define BPFSCOPE_CLI_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "store/db.h"
#include "store/read_snapshot.h"
#include "cli/grammar.h"
#include "lib/err.h"
#include "lib/output.h"
#include "lib/util.h"

struct cfg_gvc;

struct ctx {
	struct out out;
	const char *db_path;	/* --db, else $BPFSCOPE_DB, else DB_DEFAULT_PATH */
	const char *snap_ref;	/* -s REF: read a stored snapshot; NULL: live */
	bool debug;
	int verbose;
	bool mount;		/* --mount: mount bpffs/tracefs where missing */
	bool show_pinned;	/* -f/--bpffs: list pinned paths, as bpftool -f */
	const char *argv0;
	int status;		/* the exit status of a command that succeeded (diff: 1, different) */
	int err_status;		/* the exit status of a command that failed; 0: 1 */
	/* batch files being read (nested: a batch file may run batch); inside one, a JSON
	 * error is a value of batch's one document, not a document of its own */
	int batch_depth;
	/* PNG and PDF drawings: one graphviz context (with cairo and pango) for the process,
	 * closed at exit (viz/cfg_render.h cfg_gvc_open_full says why) */
	struct cfg_gvc *cairo_gvc;
};

struct cmd {
	const char *name;
	int (*fn)(struct ctx *ctx, int argc, char **argv);
};

/* Run the command argv[0] names from table (keyword_find over the names: exact, else a
 * unique prefix; ambiguous and unknown names are reported with the valid ones). The first
 * entry is the default when argc == 0. help_fn prints the object's help. */
int cmd_select(struct ctx *ctx, const struct cmd *table, int argc, char **argv,
	       int (*help_fn)(struct ctx *ctx, int argc, char **argv));

/* Print an error (plain: "Error: ..." on stderr; JSON: {"error": ...} on stdout). Returns -1. */
int p_err(struct ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a struct err with its hint. Returns -1. */
int p_err_e(struct ctx *ctx, const struct err *e);
/* p_err_e with one more string member in JSON mode (key/val; NULL val: none), such as a
 * verifier log's tail; plain mode prints what p_err_e prints. */
int p_err_e_extra(struct ctx *ctx, const struct err *e, const char *key, const char *val);
void p_info(struct ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An object's help text (stderr; JSON mode prints null). Returns 0. */
int p_usage(struct ctx *ctx, const char *text);

/* The one keyword matcher: the index of arg in kws[0..n) by exact match, else by unique
 * prefix; KEYWORD_NONE when nothing matches (or arg is empty), KEYWORD_AMBIGUOUS when several
 * keywords start with arg. keyword_pick reports both ("ambiguous argument 'f' (valid:
 * ...)", what naming the kind of word) and returns the same values. */
#define KEYWORD_NONE (-1)
#define KEYWORD_AMBIGUOUS (-2)
int keyword_find(const char *arg, const char *const *kws, size_t n);
int keyword_pick(struct ctx *ctx, const char *arg, const char *const *kws, size_t n,
		 const char *what);
bool keyword_is(const char *arg, const char *kw);	/* keyword_find of one keyword */

/* Argument walking (bpftool's NEXT_ARG/REQ_ARGS, but returning errors): argc and argv move
 * together, and only through these. The P forms are for helpers that consume their
 * caller's words through int *argc, char ***argv. */
#define NEXT_ARG() ({ argc--; argv++; })
#define NEXT_ARGS(n) ({ int n_ = (n); argc -= n_; argv += n_; })
#define NEXT_ARGV(argcp, argvp, n) ({ int n_ = (n); *(argcp) -= n_; *(argvp) += n_; })
#define NEXT_ARGP(n) NEXT_ARGV(argc, argv, n)
#define REQ_ARGS(n) ({ if (argc < (n)) return p_err(ctx, "expected %d more argument(s) after '%s'", \
		(n) - argc, argv[-1]); })
#define GET_ARG() ({ argc > 0 ? (argc--, *argv++) : NULL; })
/* every command ends so: a word left over is named (the wording show and map dump used) */
#define NO_MORE_ARGS() ({ if (argc > 0) \
		return p_err(ctx, "unexpected argument '%s'", *argv); })

/* The database a command reads: a stored snapshot (-s REF) or a live in-memory one.
 * mask says what a live snapshot must fetch (store/snap_mask.h SNAP_*). */
struct view {
	struct db db;
	int64_t snap_id;
	bool live;
};
int view_open(struct ctx *ctx, unsigned mask, struct view *v);
/* The same for snapshot ref of the history database; NULL: live. */
int view_open_at(struct ctx *ctx, const char *ref, unsigned mask, struct view *v);
/* A view for a PROG argument (argv at its keyword): live by id or pinned, that program alone,
 * else view_open's. */
int view_open_prog(struct ctx *ctx, unsigned mask, int argc, char **argv, struct view *v);
void view_close(struct view *v);
/* After selecting from a live view opened without SNAP_CODE / SNAP_MAPS_DATA: fetch the code
 * of these programs / the contents of these maps only (no-op on a stored snapshot). */
int view_fill_progs(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n);
/* The same, the boot's kernel symbols left out unless kallsyms (a dump that may need none
 * reads them lazily: cli/prog_dump.c) */
int view_fill_code(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n, bool kallsyms);
int view_fill_maps(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n);
/* The kernel's BTF of the view: the snapshot's stored vmlinux, else (live) the running
 * kernel's; NULL when there is none. Free with struct_ops_btf_free (analyze/struct_ops.h). */
struct btf *view_vmlinux(struct view *v);
/* Open the history database for writing (snapshot take/delete) or reading (query, list). */
int history_open(struct ctx *ctx, bool write, struct db *db);

/* The OBJECT table of cli/main.c: argv[0] names the object. batch runs each line so. */
int run_object(struct ctx *ctx, int argc, char **argv);

/* objects */
int do_batch(struct ctx *ctx, int argc, char **argv);	/* cli/batch.c */
int do_feature(struct ctx *ctx, int argc, char **argv);	/* cli/feature.c */
int do_struct_ops(struct ctx *ctx, int argc, char **argv);	/* cli/struct_ops.c */
int do_iter(struct ctx *ctx, int argc, char **argv);	/* cli/iter.c */
int do_token(struct ctx *ctx, int argc, char **argv);	/* cli/token.c */
int do_prog(struct ctx *ctx, int argc, char **argv);
int do_map(struct ctx *ctx, int argc, char **argv);
int do_btf(struct ctx *ctx, int argc, char **argv);
int do_link(struct ctx *ctx, int argc, char **argv);
int do_net(struct ctx *ctx, int argc, char **argv);
int do_cgroup(struct ctx *ctx, int argc, char **argv);
int do_perf(struct ctx *ctx, int argc, char **argv);
int do_sock(struct ctx *ctx, int argc, char **argv);		/* cli/sock.c */
int do_snapshot(struct ctx *ctx, int argc, char **argv);
int do_query(struct ctx *ctx, int argc, char **argv);
/* Rows a runner hands over (query_run's or the fleet server's), printed as query prints
 * them after the [csv|json] word of argv (cli/query.c) */
typedef int (*query_runner)(void *arg, query_row_fn fn, void *fn_arg, struct err *e);
int query_output(struct ctx *ctx, int argc, char **argv, query_runner run, void *run_arg);
int do_fleet(struct ctx *ctx, int argc, char **argv);		/* cli/fleet.c */
int do_gen(struct ctx *ctx, int argc, char **argv);
int do_replay(struct ctx *ctx, int argc, char **argv);
int do_version(struct ctx *ctx, int argc, char **argv);
int do_diff(struct ctx *ctx, int argc, char **argv);		/* cli/diff.c */
int do_audit(struct ctx *ctx, int argc, char **argv);		/* cli/audit.c */
int do_report(struct ctx *ctx, int argc, char **argv);		/* cli/report.c */

/* prog subcommands living in their own files */
int do_prog_dump(struct ctx *ctx, int argc, char **argv);	/* cli/prog_dump.c */
int do_prog_cfg(struct ctx *ctx, int argc, char **argv);	/* cli/prog_cfg.c */
/* prog dump xlated PROG visual: argv as given to do_prog_dump after 'xlated' */
int do_prog_dump_visual(struct ctx *ctx, int argc, char **argv);	/* cli/prog_cfg.c */
int do_prog_load(struct ctx *ctx, int argc, char **argv);	/* cli/prog_load.c */
int do_prog_loadall(struct ctx *ctx, int argc, char **argv);	/* cli/prog_load.c */
int do_prog_pin(struct ctx *ctx, int argc, char **argv);	/* cli/prog_load.c */
int do_prog_attach(struct ctx *ctx, int argc, char **argv);	/* cli/prog_ops.c */
int do_prog_detach(struct ctx *ctx, int argc, char **argv);
int do_prog_profile(struct ctx *ctx, int argc, char **argv);
int do_prog_run(struct ctx *ctx, int argc, char **argv);	/* cli/prog_run.c */
int do_prog_tracelog(struct ctx *ctx, int argc, char **argv);
/* prog history and map history (cli/history.c) */
int do_prog_history(struct ctx *ctx, int argc, char **argv);
int do_map_history(struct ctx *ctx, int argc, char **argv);
int do_snapshot_watch(struct ctx *ctx, int argc, char **argv);	/* cli/watch.c */
/* map subcommands that change the kernel */
int do_map_lookup(struct ctx *ctx, int argc, char **argv);	/* cli/map_edit.c */
int do_map_update(struct ctx *ctx, int argc, char **argv);
int do_map_delete(struct ctx *ctx, int argc, char **argv);
int do_map_getnext(struct ctx *ctx, int argc, char **argv);
int do_map_pin(struct ctx *ctx, int argc, char **argv);
int do_map_pop(struct ctx *ctx, int argc, char **argv);	/* pop, dequeue */
/* MAP (id | pinned | name) of the live kernel opened, its words consumed */
struct mapedit_info;
int map_edit_open(struct ctx *ctx, int *argc, char ***argv, int *fd, struct mapedit_info *mi);
int do_map_create(struct ctx *ctx, int argc, char **argv);	/* cli/map_ops.c */
int do_map_freeze(struct ctx *ctx, int argc, char **argv);
int do_map_event_pipe(struct ctx *ctx, int argc, char **argv);
/* btf dump (cli/btf_dump.c) */
int do_btf_dump(struct ctx *ctx, int argc, char **argv);
/* net attach/detach (cli/net_attach.c) */
int do_net_attach(struct ctx *ctx, int argc, char **argv);
int do_net_detach(struct ctx *ctx, int argc, char **argv);
/* cgroup attach/detach (cli/cgroup_attach.c) */
int do_cgroup_attach(struct ctx *ctx, int argc, char **argv);
int do_cgroup_detach(struct ctx *ctx, int argc, char **argv);

/* PROG := id ID | name NAME | tag TAG | pinned PATH; resolves to program ids in the view.
 * ids is malloc'ed. Consumes its arguments. */
int prog_select(struct ctx *ctx, struct view *v, int *argc, char ***argv, uint32_t **ids,
		size_t *n);
int map_select(struct ctx *ctx, struct view *v, int *argc, char ***argv, uint32_t **ids,
	       size_t *n);

/* Run rows (which prints the rows of one object id, or of all when id < 0) for the selected
 * ids, all when ids is NULL: one object bare, several in an array, as bpftool does. */
int show_selected(struct ctx *ctx, struct view *v, const uint32_t *ids, size_t n,
		  int (*rows)(struct ctx *, struct view *, int64_t id, void *arg), void *arg);
/* Open the view of a show command (mask: what it need not fetch; pins are added for -f or a
 * pinned selector) and select from argv: progs or maps, all when argv is empty. On failure
 * nothing is left open. */
int show_open(struct ctx *ctx, unsigned mask, int argc, char **argv, bool progs, struct view *v,
	      uint32_t **ids, size_t *n);
/* With -f: the paths the object (type: prog, map, link, btf) is pinned at. */
int show_pinned(struct ctx *ctx, struct view *v, const char *type, uint32_t id, struct err *e);
/* bpftool's "pids": the processes holding the object. */
int show_pids(struct ctx *ctx, struct view *v, const char *type, uint32_t id, struct err *e);
/* The same from the holders of every object, read at once (owner_rows_all). */
struct id_rows;
void show_pids_of(struct ctx *ctx, const struct id_rows *owners, uint32_t id);
/* An id list as bpftool prints one ("  map_ids 1,2"; JSON "map_ids": [1, 2]); always: also
 * when empty (JSON "[]", plain nothing). */
struct id_list;
void show_id_list(struct ctx *ctx, const struct id_list *l, const char *key, const char *plain,
		  bool always);
/* [id ID] of btf show and link show: only = the id, or -1 for all. */
int show_only_id(struct ctx *ctx, int argc, char **argv, int64_t *only);

#endif
