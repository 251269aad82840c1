/* Errors as values: the first failure wins, so the deepest cause is what the user sees. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lib/err.h"

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (!code)
		code = 1;
	if (!e)
		return -code;
	if (e->code)
		return -e->code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -code;
}

void err_hint(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->hint[0])
		return;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
}

void err_clear(struct err *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}
