/* fuzz.h: what the libFuzzer targets share: input as text, a JSON checker and the value round-trip checks. */
#ifndef SOCKOPT_FUZZ_H
#define SOCKOPT_FUZZ_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockopt.h"

/* Stop the run with a message; libFuzzer records the input as a crash. */
#define FUZZ_ASSERT(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz assertion failed: %s: ", #cond);                     \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define FUZZ_TEXT_MAX 8192 /* larger than any formatted value */

/* DATA as a NUL-terminated string in BUF (cut at BUF's size). */
static inline const char *fuzz_text(const uint8_t *data, size_t size, char *buf, size_t bufsize)
{
	size_t n = size < bufsize - 1 ? size : bufsize - 1;

	memcpy(buf, data, n);
	buf[n] = '\0';
	return buf;
}

/* ---- a strict UTF-8 and JSON checker (RFC 3629, RFC 8259) ---- */

/*
 * The code point of the UTF-8 sequence at P (at most N bytes) in *CP and
 * its length, or 0 when it is not well-formed: decoded from the bit
 * patterns, then overlong forms, surrogates and values past U+10FFFF
 * refused (written apart from the library's table, to check it).
 */
static inline size_t fuzz_utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
	static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
		     : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t c;

	if (len == 0 || len > n)
		return 0;
	c = len == 1 ? p[0] : p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < least[len] || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

static const char *json_value(const char *p, int depth);

static inline const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The four hex digits at P as a number, or -1. */
static inline long json_hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		if (!p[i] || !strchr("0123456789abcdefABCDEF", p[i]))
			return -1;
		v = v * 16 + (p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
	}
	return v;
}

/* The \uXXXX escape at P (after the backslash), a surrogate pair whole; its end, or NULL. */
static inline const char *json_unicode_escape(const char *p)
{
	long hi = json_hex4(p + 1), lo;

	if (hi < 0 || (hi >= 0xdc00 && hi <= 0xdfff))
		return NULL; /* a low surrogate alone */
	if (hi < 0xd800 || hi > 0xdbff)
		return p + 5;
	if (p[5] != '\\' || p[6] != 'u')
		return NULL; /* a high surrogate alone */
	lo = json_hex4(p + 7);
	return lo >= 0xdc00 && lo <= 0xdfff ? p + 11 : NULL;
}

/* A JSON string: well-formed UTF-8, no raw control characters, valid escapes, no lone surrogates. */
static inline const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		const unsigned char c = (unsigned char)*p;
		uint32_t cp;
		size_t len;

		if (c < 0x20)
			return NULL; /* control characters must be escaped; NUL ends the text */
		if (c >= 0x80) {
			if (!(len = fuzz_utf8_char((const unsigned char *)p, 4, &cp)))
				return NULL;
			p += len;
		} else if (c != '\\') {
			p++;
		} else if (p[1] == 'u') {
			if (!(p = json_unicode_escape(p + 1)))
				return NULL;
		} else if (p[1] && strchr("\"\\/bfnrt", p[1])) {
			p += 2;
		} else {
			return NULL;
		}
	}
	return p + 1;
}

static inline const char *json_number(const char *p)
{
	const char *start;

	if (*p == '-')
		p++;
	start = p;
	if (*p == '0')
		p++;
	else
		while (*p >= '0' && *p <= '9')
			p++;
	if (p == start)
		return NULL;
	if (*p == '.') {
		start = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p += p[1] == '+' || p[1] == '-' ? 2 : 1;
		start = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	return p;
}

/* A JSON object or array: OPEN, members separated by commas, CLOSE. */
static inline const char *json_container(const char *p, int depth, char open, char close)
{
	if (*p++ != open || depth > 32)
		return NULL;
	p = json_ws(p);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (open == '{') {
			p = json_string(json_ws(p));
			if (!p || *(p = json_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static inline const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (*p == '{' || *p == '[')
		return json_container(p, depth, *p, *p == '{' ? '}' : ']');
	if (*p == '"')
		return json_string(p);
	if (strncmp(p, "true", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	return json_number(p);
}

/* Whether TEXT is exactly one JSON value. */
static inline bool json_valid(const char *text)
{
	const char *end = json_value(text, 0);

	return end && *json_ws(end) == '\0';
}

/* ---- formatting checks ------------------------------------------------ */

/*
 * Format V as type T as text and JSON: the lengths are what snprintf would
 * say, a short buffer gets a terminated prefix, and the JSON is valid.
 * TEXT receives the full text form.
 */
static inline void check_format(enum sockopt_type t, const sockopt_value *v, size_t cut,
				char text[FUZZ_TEXT_MAX])
{
	char json[FUZZ_TEXT_MAX], small[FUZZ_TEXT_MAX];
	int n = sockopt_type_format(t, v, text, FUZZ_TEXT_MAX);
	int j = sockopt_type_format_json(t, v, json, sizeof(json));

	FUZZ_ASSERT(n >= 0 && n < FUZZ_TEXT_MAX && strlen(text) == (size_t)n,
		    "%s: format returned %d for \"%s\"", sockopt_type_name(t), n, text);
	FUZZ_ASSERT(j > 0 && j < FUZZ_TEXT_MAX && strlen(json) == (size_t)j,
		    "%s: format_json returned %d for %s", sockopt_type_name(t), j, json);
	FUZZ_ASSERT(json_valid(json), "%s: \"%s\" formats as invalid JSON: %s",
		    sockopt_type_name(t), text, json);
	/* A buffer of CUT bytes holds the first CUT - 1 of them, terminated. */
	cut %= (size_t)n + 2;
	memset(small, 'X', sizeof(small));
	small[sizeof(small) - 1] = '\0';
	FUZZ_ASSERT(sockopt_type_format(t, v, small, cut) == n,
		    "%s: the length depends on the buffer", sockopt_type_name(t));
	if (cut > 0)
		FUZZ_ASSERT(strlen(small) == ((size_t)n < cut ? (size_t)n : cut - 1) &&
				    strncmp(small, text, cut - 1) == 0,
			    "%s: a %zu-byte buffer holds \"%s\", not a prefix of \"%s\"",
			    sockopt_type_name(t), cut, small, text);
	FUZZ_ASSERT(small[cut] == 'X', "%s: format wrote past a %zu-byte buffer",
		    sockopt_type_name(t), cut);
}

/* The canonical TEXT of V parses back to a value equal to V that formats as TEXT again. */
static inline void check_round_trip(enum sockopt_type t, const sockopt_value *v, const char *text)
{
	char again_text[FUZZ_TEXT_MAX];
	struct sockopt_diag diag;
	sockopt_value again;
	int r = sockopt_type_parse(t, text, &again, &diag);

	FUZZ_ASSERT(r == 0, "%s: the canonical text \"%s\" does not parse: %s",
		    sockopt_type_name(t), text, diag.text);
	FUZZ_ASSERT(sockopt_value_equal(t, v, &again), "%s: \"%s\" parses to another value",
		    sockopt_type_name(t), text);
	sockopt_type_format(t, &again, again_text, sizeof(again_text));
	FUZZ_ASSERT(strcmp(text, again_text) == 0, "%s: \"%s\" re-formats as \"%s\"",
		    sockopt_type_name(t), text, again_text);
}

#endif /* SOCKOPT_FUZZ_H */
