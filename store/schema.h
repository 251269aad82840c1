/* The snapshot database schema: tables, views, and the version that migrations move between. */
#ifndef BPFSCOPE_SCHEMA_H
#define BPFSCOPE_SCHEMA_H
#include <stdint.h>

#define DB_APPLICATION_ID 0x62706673	/* "bpfs" */
#define DB_SCHEMA_VERSION 10
/* last_snap of a span whose object is still there as of the latest snapshot */
#define SPAN_OPEN INT64_MAX
#define SPAN_OPEN_SQL "9223372036854775807"

/* A snapshot's facts that are the same from one snapshot to the next (schema 4): the columns
 * of snapshot_envs, and SQL saying env row e has those of v (a row alias and a dot, or ':'
 * for named parameters :host ...). */
#define ENV_COLS "host, boot_id, kernel_release, kernel_version, arch, page_size, nr_cpus," \
	" tool_version, unprivileged_bpf_disabled, bpf_jit_enable, bpf_jit_harden,"	\
	" bpf_jit_kallsyms, bpf_stats_enabled"
/* env row e has the facts of v (a row alias and a dot, or ':' for named parameters) */
#define ENV_SAME(e, v) \
	e ".host IS " v "host AND " e ".boot_id IS " v "boot_id AND "			\
	e ".kernel_release IS " v "kernel_release AND " e ".kernel_version IS " v "kernel_version" \
	" AND " e ".arch IS " v "arch AND " e ".page_size IS " v "page_size AND "		\
	e ".nr_cpus IS " v "nr_cpus AND " e ".tool_version IS " v "tool_version AND "	\
	e ".unprivileged_bpf_disabled IS " v "unprivileged_bpf_disabled AND "		\
	e ".bpf_jit_enable IS " v "bpf_jit_enable AND " e ".bpf_jit_harden IS " v "bpf_jit_harden" \
	" AND " e ".bpf_jit_kallsyms IS " v "bpf_jit_kallsyms AND "				\
	e ".bpf_stats_enabled IS " v "bpf_stats_enabled"
#define ENV_VALUES(v) \
	v "host, " v "boot_id, " v "kernel_release, " v "kernel_version, " v "arch, "	\
	v "page_size, " v "nr_cpus, " v "tool_version, " v "unprivileged_bpf_disabled, "	\
	v "bpf_jit_enable, " v "bpf_jit_harden, " v "bpf_jit_kallsyms, " v "bpf_stats_enabled"
/* the snapshot_rows columns after env, as they are named in snapshots */
/* Full schema of the current version (tables and views). */
extern const char db_schema_sql[];
/* Views only: dropped and recreated on every open by a writer, so views improve
 * with the binary without a migration. */
extern const char db_views_sql[];
/* 5 -> 6: the sockets table (packet sockets, classic filters; see store/schema.c) */
extern const char db_sockets_sql[];
extern const char db_view_rows_sql[];
/* 7 -> 8: map_rows' owner_jited and btf_vmlinux_id; the tokens table */
extern const char db_migration_7_sql[];
/* 8 -> 9: map_chunks (large map contents in chunks) */
extern const char db_map_chunks_sql[];
/* 9 -> 10: blobs in a rowid table, the hash a unique index */
extern const char db_migration_9_sql[];
/* 1 -> 2 */
extern const char db_migration_1_sql[];
/* 2 -> 3 (needs bpfscope_detail(), db_migrate_functions) */
extern const char db_migration_2_sql[];
/* 3 -> 4: the loads recorder's table */
extern const char db_migration_3_sql[];
/* 4 -> 5: BTF objects, links, attachments, owners, counters, contents become spans */
extern const char db_migration_4_sql[];
/* SQL functions the migrations use, on db's connection: bpfscope_detail(TEXT, KEY), the
 * number after "KEY=" in a schema-2 detail string ("pid=4 fd=6", "parent=0xfff1"), NULL when
 * absent. */
struct db;
struct err;
int db_migrate_functions(struct db *db, struct err *e);
extern const char *const db_query_only_views[];

#endif
