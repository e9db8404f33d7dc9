/* msg.c: the one-line error and the progress switch every client of the command uses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

/* A sentence longer than this is cut: a 10 KB argument must not become a 10 KB line. */
#define FAIL_LINE_MAX 512

/* The length of the valid UTF-8 sequence at S (at most N bytes), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
					 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (len == 0 || len > n || (len == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Write TEXT to F with control characters and bytes that are not UTF-8 as \n, \t, \xNN. */
static void put_escaped(FILE *f, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text);

	for (size_t i = 0; i < n;) {
		size_t len = utf8_length(s + i, n - i);

		if (len == 1 && s[i] >= 0x20 && s[i] != 0x7f)
			putc(s[i], f);
		else if (s[i] == '\n')
			fputs("\\n", f);
		else if (s[i] == '\t')
			fputs("\\t", f);
		else if (len > 1)
			fwrite(s + i, 1, len, f);
		else
			fprintf(f, "\\x%02x", s[i]);
		i += len ? len : 1;
	}
}

/* Cut TEXT to at most MAX bytes on a character boundary and end it with "…" when it was longer. */
static void shorten_into(char *text, size_t max)
{
	size_t n = strlen(text);

	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)text[max] & 0xc0) == 0x80)
		max--;
	strcpy(text + max, "…");
}

int fail(int code, const char *fmt, ...)
{
	char line[FAIL_LINE_MAX + sizeof("…")];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, FAIL_LINE_MAX + 2, fmt, ap); /* one byte more than fits: shorten_into sees it */
	va_end(ap);
	shorten_into(line, FAIL_LINE_MAX);
	fputs("sockopt: ", stderr);
	put_escaped(stderr, line);
	fputc('\n', stderr);
	return code;
}

const char *arg_short(const char *arg)
{
	static char ring[4][ARG_SHORT_MAX + sizeof("…")];
	static unsigned next;
	char *out = ring[next++ % 4];

	snprintf(out, ARG_SHORT_MAX + 2, "%s", arg ? arg : "");
	shorten_into(out, ARG_SHORT_MAX);
	return out;
}

bool show_progress(void)
{
	return isatty(STDERR_FILENO);
}
