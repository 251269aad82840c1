/* btf dump: stub. */
#include "cli/cli.h"
#include "cli/stub.h"
STUB_CMD(do_btf_dump, "btf dump")
