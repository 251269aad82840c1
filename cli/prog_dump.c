/* prog dump xlated|jited: stub until the disassemblers land. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_prog_dump, "prog dump")
