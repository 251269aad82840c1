/* The version of the SQLite the store is linked with, for `bpfscope version`: cli/ speaks
 * no sqlite3_* itself. */
#ifndef BPFSCOPE_STORE_VERSION_H
#define BPFSCOPE_STORE_VERSION_H
const char *version_sqlite(void);
#endif
