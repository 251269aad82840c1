/* The linked SQLite's version (store/ alone calls sqlite3_*). */
#include <sqlite3.h>
#include "store/version.h"

const char *version_sqlite(void)
{
	return sqlite3_libversion();
}
