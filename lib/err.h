/* Errors as values: libraries fill a struct err and return a negative errno;
 * only cli/ prints them. */
#ifndef BPFSCOPE_ERR_H
#define BPFSCOPE_ERR_H
#include <stddef.h>

struct err {
	int code;		/* positive errno-style code, 0 when unset */
	char msg[512];		/* one line, no trailing newline */
	char hint[256];		/* optional: what to run to fix it */
};

/* Set the error (keeps the first one set) and return -code. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set a hint on an existing error. */
void err_hint(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
#endif
