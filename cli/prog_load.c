/* prog load|loadall|pin: stub. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_prog_load, "prog load")
STUB_CMD(do_prog_loadall, "prog loadall")
STUB_CMD(do_prog_pin, "prog pin")
