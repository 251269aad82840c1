/* Shared by net show, cgroup tree/show and perf show: say so when a stored snapshot was
 * taken without the attachments a command reads, rather than print an empty list. */
#ifndef BPFSCOPE_CLI_ATTACHMENTS_H
#define BPFSCOPE_CLI_ATTACHMENTS_H
#include "cli/cli.h"
#include "capture/attachments.h"

static inline void warn_not_captured(struct ctx *ctx, struct view *v, unsigned no_bit,
				     const char *what)
{
	struct err e = { 0 };

	if (!v->live && attach_captured(&v->db, v->snap_id, no_bit, &e) == 0)
		p_info(ctx, "Warning: snapshot %lld was taken without %s", (long long)v->snap_id,
		       what);
}
#endif
