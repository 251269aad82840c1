/* prog cfg: stub until the CFG lands. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_prog_cfg, "prog cfg")
