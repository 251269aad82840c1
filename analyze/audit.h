/* The audit: what in a snapshot an attacker would load or hide (docs/audit.md): helpers that
 * write user memory, signal or override, attach points used for hiding and theft, programs
 * held by nothing a user sees, the BPF posture, what is new since a baseline, volume. Pure
 * functions over lib/snap_objs.h and decoded code; the rules file is parsed here too. */
#ifndef BPFSCOPE_AUDIT_H
#define BPFSCOPE_AUDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analyze/diff.h"
#include "analyze/prog_code.h"
#include "lib/err.h"
#include "lib/snap_objs.h"

enum audit_sev { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_NR };
const char *audit_sev_name(enum audit_sev s);
int audit_sev_parse(const char *s, enum audit_sev *out);	/* -EINVAL: no such level */

struct audit_finding {
	const char *rule;		/* static: "helper.signal", "attach.hiding", ... */
	enum audit_sev sev;
	const char *kind;		/* static: prog, map, link, attachment, pin, posture, socket */
					/* (a socket: id is its inode, pid its holder) */
	uint32_t id;			/* kernel id; 0 for posture */
	char *name, *identity;		/* never NULL */
	char *tag, *path;		/* a program's tag, the attach point or pin; may be NULL */
	int64_t pid;			/* an owning process; -1: none known */
	char *comm;			/* never NULL */
	char *evidence;			/* one line */
};

struct audit_findings {
	struct audit_finding *v;
	size_t n, cap;
};
void audit_findings_free(struct audit_findings *f);

/* The rules file: allowlists and overrides (docs/audit.md). */
enum allow_field { ALLOW_IDENTITY, ALLOW_COMM, ALLOW_TAG, ALLOW_PATH };
struct audit_allow {
	enum allow_field field;
	char *glob;
	char *rule;			/* NULL: every rule */
};
struct audit_rules {
	struct audit_allow *allow;
	size_t nallow;
	struct { char *rule; enum audit_sev sev; } *sev;
	size_t nsev;
	char **sensitive;		/* uprobe targets (path globs) beyond the built-in ones */
	size_t nsensitive;
	uint64_t memlock_max;		/* bytes; a map above it is a finding */
	uint64_t entries_max;		/* entries of a map with contents */
};
/* Parse text (untrusted: a rules file may come with a snapshot); errors name the line. */
int audit_rules_parse(const char *text, size_t len, struct audit_rules *r, struct err *e);
void audit_rules_free(struct audit_rules *r);
void audit_rules_default(struct audit_rules *r);

/* Findings in program i's code (pc decoded, kernel symbols attached: helpers by name). */
int audit_prog_code(const struct snap_objs *s, size_t i, const struct prog_code *pc,
		    struct audit_findings *out, struct err *e);
/* Findings in what the snapshot holds: attach points, orphans, volume. */
int audit_objects(const struct snap_objs *s, const struct audit_rules *r,
		  struct audit_findings *out, struct err *e);
/* The BPF posture sysctls: unprivileged_bpf_disabled, bpf_jit_enable, bpf_jit_harden,
 * bpf_jit_kallsyms (has[i] false: not recorded). */
int audit_posture(const int64_t v[4], const bool has[4], struct audit_findings *out,
		  struct err *e);
/* What is new or changed since the baseline (d: diff_compute(base, s)). */
int audit_baseline(const struct snap_objs *s, const struct snap_objs *base,
		   const struct diff_result *d, struct audit_findings *out, struct err *e);
/* Owners filled in from s (may be NULL), severity overrides and allowlists applied, then
 * sorted: severity (highest first), rule, identity. */
void audit_finish(struct audit_findings *f, const struct audit_rules *r,
		  const struct snap_objs *s);
/* s matches one of the fnmatch(3) globs */
bool audit_glob_any(const char *s, const char *const *globs, size_t n);
#endif
