/* temporary: objects not yet written */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_prog, "prog")
STUB_CMD(do_map, "map")
STUB_CMD(do_btf, "btf")
STUB_CMD(do_link, "link")
STUB_CMD(do_snapshot, "snapshot")
STUB_CMD(do_query, "query")
