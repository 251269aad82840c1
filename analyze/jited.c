/* JIT disassembler: stub until the capstone printer lands. */
#include <errno.h>
#include "analyze/jited.h"

int jited_dump(const struct prog_code *pc, unsigned flags, struct dump *d, struct err *e)
{
	(void)pc; (void)flags; (void)d;
	return err_set(e, ENOTSUP, "jited dump is not implemented yet");
}
