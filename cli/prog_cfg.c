/* prog cfg / prog dump xlated ... visual: stub until the CFG lands. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_prog_cfg, "prog cfg")
STUB_CMD(do_prog_dump_visual, "prog dump xlated visual")
