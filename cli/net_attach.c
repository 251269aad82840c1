/* net attach|detach: stub. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_net_attach, "net attach")
STUB_CMD(do_net_detach, "net detach")
