/* msg.c: the one-line error and the progress switch every client of the command uses. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "msg.h"

int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("sockopt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

bool show_progress(void)
{
	return isatty(STDERR_FILENO);
}
