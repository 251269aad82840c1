/* The snapshot database schema: tables, views, and the version that migrations move between. */
#ifndef BPFSCOPE_SCHEMA_H
#define BPFSCOPE_SCHEMA_H
#include <stdint.h>

#define DB_APPLICATION_ID 0x62706673	/* "bpfs" */
#define DB_SCHEMA_VERSION 3
/* last_snap of a span whose object is still there as of the latest snapshot */
#define SPAN_OPEN INT64_MAX
#define SPAN_OPEN_SQL "9223372036854775807"

/* Full schema of the current version (tables and views). */
extern const char db_schema_sql[];
/* Views only: dropped and recreated on every open by a writer, so views improve
 * with the binary without a migration. */
extern const char db_views_sql[];
/* The sockets table (packet sockets, classic filters): CREATE ... IF NOT EXISTS, run with
 * the views by a writer, so older files of this version gain it (see store/schema.c). */
extern const char db_sockets_sql[];
/* 1 -> 2 */
extern const char db_migration_1_sql[];
/* 2 -> 3 (needs bpfscope_detail(), db_migrate_functions) */
extern const char db_migration_2_sql[];
/* SQL functions the migrations use, on db's connection: bpfscope_detail(TEXT, KEY), the
 * number after "KEY=" in a schema-2 detail string ("pid=4 fd=6", "parent=0xfff1"), NULL when
 * absent. */
struct db;
struct err;
int db_migrate_functions(struct db *db, struct err *e);
#endif
