/* The report pages (docs/reports.md): sections written from plain data (a snapshot's
 * objects, the audit's findings, a diff, decoded code), every string escaped by
 * reports/html.h. */
#ifndef BPFSCOPE_REPORT_H
#define BPFSCOPE_REPORT_H
#include <stdio.h>
#include "analyze/audit.h"
#include "analyze/cfg.h"
#include "analyze/diff.h"
#include "analyze/prog_code.h"
#include "lib/snap_objs.h"
#include "store/read_snapshot.h"

/* Programs with more instructions than this get their code but no drawn CFG: layout time
 * grows fast with the graph, and a page of thousands of large SVGs does not scroll. */
#define REPORT_CFG_MAX_INSNS 4000

/* The page's head: host, kernel, time, label, the BPF posture (r may be NULL: live). */
void report_header(FILE *f, const char *title, const struct snapshot_row *r);
/* Map entries shown per map in a program's section: the page is for reading, map dump is
 * for all of them. */
#define REPORT_MAP_ENTRIES 16

/* The opening of a link to program id's section: an anchor of this page, or with dir the
 * program's own page (prog-ID.html). */
void report_prog_href(FILE *f, uint32_t id, bool dir);
/* The findings, highest first, each linking to its object's section. */
void report_findings(FILE *f, const struct audit_findings *fs, bool dir);
/* Tables of programs, maps, BTF, links, attachments, pins and owners, sortable and
 * filterable; program names link to their sections. */
void report_tables(FILE *f, const struct snap_objs *s, bool dir);
/* Programs and maps per snapshot over the database's history, as an inline SVG plot. */
struct report_point {
	int64_t snap;
	uint64_t progs, maps;
};
void report_history_plot(FILE *f, const struct report_point *p, size_t n);
/* A program's section: opened (heading, where it is attached and pinned, who holds it, its
 * maps), its code and CFG, closed. */
void report_prog_start(FILE *f, const struct snap_objs *s, size_t i);
void report_prog_code(FILE *f, const struct prog_code *pc);
/* gvc: a graphviz context kept across programs (viz/cfg_render.h), or NULL */
struct cfg_gvc;
void report_prog_cfg(FILE *f, struct cfg_gvc *gvc, const struct prog_code *pc);
/* A CFG already built, its blocks marked (cfg_diff's marks; NULL: none) */
void report_cfg_svg(FILE *f, struct cfg_gvc *gvc, const struct prog_code *pc,
		    const struct cfg *c, const uint8_t *marks, const char *title,
		    const char *against);
/* Map m's first n entries (key and value texts; count: all of them), or why there are
 * none (err: NULL when none were captured). */
void report_map_entries(FILE *f, const struct so_map *m, const char *const *keys,
			const char *const *vals, size_t n, uint64_t count, const char *err);
/* The xlated diff side by side: lines a and b, the edit script between them (source lines
 * are lines of their own, "; ..."). */
struct seq_edit;
void report_code_sides(FILE *f, const char *const *a, const char *const *b,
		       const struct seq_edit *ed, size_t n);
void report_prog_end(FILE *f);
/* The diff as a page: added, removed, changed objects with their fields. */
void report_diff(FILE *f, const struct snap_objs *a, const struct snap_objs *b,
		 const struct diff_result *r);
#endif
