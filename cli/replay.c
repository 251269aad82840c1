/* replay: stub. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_replay, "replay")
