/* One link as upstream bpftool's link show prints it, plain and JSON, from a snapshot row. */
#ifndef BPFSCOPE_CLI_LINK_PRINT_H
#define BPFSCOPE_CLI_LINK_PRINT_H
#include "cli/cli.h"
#include "store/read_link.h"

int link_print(struct ctx *ctx, struct view *v, const struct link_row *r, struct err *e);
#endif
