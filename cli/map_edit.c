/* map lookup|update|delete|getnext|pin: stub. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_map_lookup, "map lookup")
STUB_CMD(do_map_update, "map update")
STUB_CMD(do_map_delete, "map delete")
STUB_CMD(do_map_getnext, "map getnext")
STUB_CMD(do_map_pin, "map pin")
