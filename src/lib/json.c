/* json.c: any bytes as a valid JSON string literal or as one line of escaped text, the one writer every output uses. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

/*
 * The length of the well-formed UTF-8 sequence at P (N bytes left), or 0
 * when P starts none.  RFC 3629, table 3-7 of Unicode: no overlong forms
 * (C0, C1, E0 80-9F, F0 80-8F), no surrogates (ED A0-BF), nothing above
 * U+10FFFF (F4 90-BF, F5-FF).
 */
size_t utf8_sequence(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

static const char hex_digits[] = "0123456789abcdef";

/* Append "\u00XX" for the control byte C. */
static void out_unicode_escape(struct out *o, unsigned char c)
{
	char e[6] = { '\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15] };

	out_write(o, e, sizeof(e));
}

/* The short JSON escape of C ("\n" …), or 0 when it has none. */
static char short_escape(unsigned char c)
{
	static const char from[] = "\"\\\n\t\r\b\f", to[] = "\"\\ntrbf";
	const char *p = c ? strchr(from, c) : NULL;

	return p ? to[p - from] : 0;
}

/* Whether byte C can be copied into a JSON string as it is (ASCII, not special). */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

size_t out_json_bytes(struct out *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t replaced = 0;

	out_write(o, "\"", 1);
	while (p < end) {
		const unsigned char *run = p;
		size_t seq;

		while (p < end && json_plain(*p))
			p++;
		out_write(o, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p < 0x80) {
			char e[2] = { '\\', short_escape(*p) };

			if (e[1])
				out_write(o, e, 2);
			else
				out_unicode_escape(o, *p);
			p++;
		} else if ((seq = utf8_sequence(p, (size_t)(end - p))) > 0) {
			out_write(o, (const char *)p, seq);
			p += seq;
		} else {
			out_write(o, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
			replaced++;
			p++;
		}
	}
	out_write(o, "\"", 1);
	return replaced;
}

void out_json_string(struct out *o, const char *s)
{
	out_json_bytes(o, s, strlen(s));
}

SOCKOPT_EXPORT int sockopt_json_string(const char *s, size_t len, char *buf, size_t size,
				       size_t *replaced)
{
	struct out o = { buf, size, 0 };
	size_t r;

	if (size)
		buf[0] = '\0';
	r = out_json_bytes(&o, s, len);
	if (replaced)
		*replaced = r;
	return o.pos > INT_MAX ? -EOVERFLOW : (int)o.pos;
}

/* The bytes text escapes with a letter, and the letters; the rest take "\xNN". */
static const char text_bytes[5] = { '\\', '\0', '\n', '\t', '\r' };
static const char text_letters[5] = { '\\', '0', 'n', 't', 'r' };

/* The letter that escapes C in text ("\\", "\0", "\n", "\t", "\r"), or 0. */
static char text_escape_letter(unsigned char c)
{
	const char *p = memchr(text_bytes, c, sizeof(text_bytes));

	return p ? text_letters[p - text_bytes] : 0;
}

/*
 * Whether the UTF-8 sequence at P of length SEQ goes into text as it is:
 * not the C1 controls U+0080-U+009F (C2 80-9F), which some terminals obey.
 */
static bool text_plain_sequence(const unsigned char *p, size_t seq)
{
	return seq > 0 && !(p[0] == 0xc2 && p[1] < 0xa0);
}

void out_text_bytes(struct out *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		const unsigned char *run = p;
		size_t seq;

		while (p < end && *p >= 0x20 && *p < 0x7f && *p != '\\')
			p++;
		out_write(o, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		seq = *p >= 0x80 ? utf8_sequence(p, (size_t)(end - p)) : 0;
		if (text_plain_sequence(p, seq)) {
			out_write(o, (const char *)p, seq);
			p += seq;
			continue;
		}
		if (text_escape_letter(*p)) {
			char e[2] = { '\\', text_escape_letter(*p) };

			out_write(o, e, 2);
		} else {
			char e[4] = { '\\', 'x', hex_digits[*p >> 4], hex_digits[*p & 15] };

			out_write(o, e, 4);
		}
		p++;
	}
}

SOCKOPT_EXPORT int sockopt_text_escape(const char *s, size_t len, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	out_text_bytes(&o, s, len);
	return o.pos > INT_MAX ? -EOVERFLOW : (int)o.pos;
}

/* The value of hex digit C, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

ssize_t text_unescape(const char *text, char *buf, size_t size)
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		char c = *p;

		if (c == '\\') {
			const char *letter = p[1] ? memchr(text_letters, p[1], sizeof(text_letters)) : NULL;

			if (letter) {
				c = text_bytes[letter - text_letters];
				p++;
			} else if (p[1] == 'x' && hex_value(p[2]) >= 0 && hex_value(p[3]) >= 0) {
				c = (char)(hex_value(p[2]) << 4 | hex_value(p[3]));
				p += 3;
			} else {
				return -EINVAL;
			}
		}
		if (n == size)
			return -ERANGE;
		buf[n++] = c;
	}
	return (ssize_t)n;
}
