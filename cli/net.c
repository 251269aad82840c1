/* net show: stub until attachments are captured. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_net, "net")
STUB_CMD(do_cgroup, "cgroup")
