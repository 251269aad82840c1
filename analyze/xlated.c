/* BPF instruction printer: stub until the decoder lands. */
#include <errno.h>
#include <stdio.h>
#include "analyze/xlated.h"

int xlated_insn_text(const struct prog_code *pc, uint32_t idx, char *buf, size_t len)
{
	if (idx >= pc->nr_insns)
		return 0;
	snprintf(buf, len, "(%02x)", pc->insns[idx].code);
	return 1;
}

int xlated_dump(const struct prog_code *pc, unsigned flags, struct dump *d, struct err *e)
{
	(void)pc; (void)flags; (void)d;
	return err_set(e, ENOTSUP, "xlated dump is not implemented yet");
}
