/* A command that a later change implements. */
#ifndef BPFSCOPE_STUB_H
#define BPFSCOPE_STUB_H
#define STUB_CMD(fn, what) \
	int fn(struct ctx *ctx, int argc, char **argv) \
	{ (void)argc; (void)argv; return p_err(ctx, "%s is not implemented yet", what); }
#endif
