/* util.c: diagnostics, bounded text output, integer parsing and word lists shared by the library. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

int diag_set(struct sockopt_diag *diag, int err, const char *fmt, ...)
{
	if (diag) {
		va_list ap;

		diag->error = err;
		va_start(ap, fmt);
		vsnprintf(diag->text, sizeof(diag->text), fmt, ap);
		va_end(ap);
	}
	return err;
}

void out_printf(struct out *o, const char *fmt, ...)
{
	size_t room = o->pos < o->size ? o->size - o->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

void out_write(struct out *o, const char *s, size_t n)
{
	if (o->pos < o->size) {
		size_t room = o->size - o->pos - 1, k = n < room ? n : room;

		memcpy(o->buf + o->pos, s, k);
		o->buf[o->pos + k] = '\0';
	}
	o->pos += n;
}

void out_puts(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

void out_u64(struct out *o, unsigned long long n)
{
	char digits[24];
	size_t i = sizeof(digits);

	do
		digits[--i] = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	out_write(o, digits + i, sizeof(digits) - i);
}

int parse_integer(const char *text, long long min, long long max, long long *out)
{
	char *end;
	long long n;

	if (!text || !*text || isspace((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	n = strtoll(text, &end, 0);
	if (end == text || *end)
		return -EINVAL;
	if (errno == ERANGE || n < min || n > max)
		return -ERANGE;
	*out = n;
	return 0;
}

int parse_scaled(const char *text, const struct unit *units, size_t count,
		 long long default_scale, long long max, long long *out, const char **problem)
{
	size_t digits = strspn(text, "0123456789");
	long long n, scale = default_scale;
	char number[32];
	int r;

	if (text[0] == '-')
		return -ERANGE;
	if (digits == 0 || digits >= sizeof(number))
		return digits ? -ERANGE : -EINVAL;
	if (text[digits]) {
		size_t i;

		for (i = 0; i < count; i++)
			if (strcasecmp(text + digits, units[i].suffix) == 0)
				break;
		if (i == count) {
			*problem = "has an unknown unit suffix";
			return -EINVAL;
		}
		scale = units[i].scale;
	}
	memcpy(number, text, digits);
	number[digits] = '\0';
	r = parse_integer(number, 0, max / scale, &n);
	if (r == 0)
		*out = n * scale;
	return r;
}

const char *errno_name(int err)
{
	return err > 0 ? strerrorname_np(err) : NULL;
}

long long monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

const char *word_next(const char **cursor, size_t *len)
{
	const char *w = *cursor + strspn(*cursor, " ");

	if (!*w)
		return NULL;
	*len = strcspn(w, " ");
	*cursor = w + *len;
	return w;
}

SOCKOPT_EXPORT const char *sockopt_word_next(const char **cursor, size_t *len)
{
	return word_next(cursor, len);
}
