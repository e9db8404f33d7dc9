/* fuzz_json.c: libFuzzer target for the writers of names: any bytes as a JSON string and as escaped text. */
/*
 * Input: any bytes, NULs included (an abstract socket name, a unix path,
 * a process name).  sockopt_json_string must give a JSON string that a
 * strict checker accepts (well-formed UTF-8, escapes, no lone surrogate)
 * and that decodes to the input with exactly the bytes that are not
 * well-formed UTF-8 (as fuzz_utf8_char, written apart, decides) replaced
 * by U+FFFD, one each, and counted.  sockopt_text_escape must give one
 * line of well-formed UTF-8 with no control character that unescapes to
 * the input exactly.  Both must behave like snprintf with a short buffer.
 */
#include "fuzz.h"

#define OUT_MAX (6 * FUZZ_TEXT_MAX + 3) /* \u00XX for every byte, and quotes */

/* The value of hex digit C (already checked). */
static int hex_value(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Append code point CP as UTF-8 to OUT at *N. */
static void put_utf8(unsigned char *out, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (unsigned char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (unsigned char)(0xc0 | cp >> 6);
		out[(*n)++] = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (unsigned char)(0xe0 | cp >> 12);
		out[(*n)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[(*n)++] = (unsigned char)(0x80 | (cp & 0x3f));
	}
}

/* Decode the JSON string literal S (already checked) into OUT; its length. */
static size_t json_decode(const char *s, unsigned char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t n = 0;

	for (const char *p = s + 1; *p != '"'; p++) {
		if (*p != '\\') {
			out[n++] = (unsigned char)*p;
		} else if (p[1] == 'u') {
			put_utf8(out, &n, (uint32_t)json_hex4(p + 2));
			p += 5;
		} else {
			out[n++] = (unsigned char)to[strchr(from, p[1]) - from];
			p++;
		}
	}
	return n;
}

/* What the JSON string must decode to: DATA with each byte outside well-formed UTF-8 as U+FFFD. */
static size_t expected_json(const uint8_t *data, size_t size, unsigned char *out, size_t *replaced)
{
	size_t n = 0, len;
	uint32_t cp;

	*replaced = 0;
	for (size_t i = 0; i < size; i += len) {
		len = fuzz_utf8_char(data + i, size - i, &cp);
		if (len) {
			memcpy(out + n, data + i, len);
			n += len;
		} else {
			memcpy(out + n, "\xef\xbf\xbd", 3);
			n += 3;
			(*replaced)++;
			len = 1;
		}
	}
	return n;
}

/* Undo the text escapes of S into OUT; its length.  Every backslash must start an escape. */
static size_t text_decode(const char *s, unsigned char *out)
{
	static const char from[] = "\\0ntr", to[] = "\\\0\n\t\r";
	size_t n = 0;

	for (const char *p = s; *p; p++) {
		const char *letter = *p == '\\' && p[1] ? strchr(from, p[1]) : NULL;

		if (*p != '\\') {
			out[n++] = (unsigned char)*p;
		} else if (letter) {
			out[n++] = (unsigned char)to[letter - from];
			p++;
		} else {
			FUZZ_ASSERT(p[1] == 'x' && p[2] && p[3] &&
					    strchr("0123456789abcdef", p[2]) &&
					    strchr("0123456789abcdef", p[3]),
				    "a backslash that starts no escape in \"%s\"", s);
			out[n++] = (unsigned char)(hex_value(p[2]) << 4 | hex_value(p[3]));
			p += 3;
		}
	}
	return n;
}

/* OUT holds the first CUT - 1 bytes of FULL, terminated, and nothing was written past CUT. */
static void check_prefix(const char *small, size_t cut, const char *full, size_t n,
			 const char *what)
{
	if (cut > 0)
		FUZZ_ASSERT(strlen(small) == (n < cut ? n : cut - 1) &&
				    strncmp(small, full, cut - 1) == 0,
			    "%s: a %zu-byte buffer does not hold a prefix", what, cut);
	FUZZ_ASSERT(small[cut] == 'X', "%s: wrote past a %zu-byte buffer", what, cut);
}

static void check_json(const uint8_t *data, size_t size, size_t cut)
{
	static char out[OUT_MAX], small[OUT_MAX], doc[OUT_MAX + 16];
	static unsigned char decoded[3 * FUZZ_TEXT_MAX], expected[3 * FUZZ_TEXT_MAX];
	size_t replaced, want_replaced, n, m;
	int r = sockopt_json_string((const char *)data, size, out, sizeof(out), &replaced);

	FUZZ_ASSERT(r > 0 && (size_t)r < sizeof(out) && strlen(out) == (size_t)r,
		    "json: returned %d for %zu bytes", r, size);
	snprintf(doc, sizeof(doc), "{\"k\": %s}", out);
	FUZZ_ASSERT(json_valid(doc), "json: not a strict JSON string: %s", out);
	n = json_decode(out, decoded);
	m = expected_json(data, size, expected, &want_replaced);
	FUZZ_ASSERT(n == m && memcmp(decoded, expected, n) == 0,
		    "json: %s does not decode to the input with U+FFFD for its bad bytes", out);
	FUZZ_ASSERT(replaced == want_replaced, "json: %zu bytes replaced, %zu counted", want_replaced,
		    replaced);
	cut %= (size_t)r + 2;
	memset(small, 'X', sizeof(small));
	FUZZ_ASSERT(sockopt_json_string((const char *)data, size, small, cut, NULL) == r,
		    "json: the length depends on the buffer");
	check_prefix(small, cut, out, (size_t)r, "json");
}

static void check_text(const uint8_t *data, size_t size, size_t cut)
{
	static char out[4 * FUZZ_TEXT_MAX + 1], small[4 * FUZZ_TEXT_MAX + 1];
	static unsigned char decoded[FUZZ_TEXT_MAX];
	int r = sockopt_text_escape((const char *)data, size, out, sizeof(out));
	uint32_t cp;

	FUZZ_ASSERT(r >= 0 && (size_t)r < sizeof(out) && strlen(out) == (size_t)r,
		    "text: returned %d for %zu bytes", r, size);
	for (size_t i = 0, len; i < (size_t)r; i += len) {
		len = fuzz_utf8_char((const unsigned char *)out + i, (size_t)r - i, &cp);
		FUZZ_ASSERT(len > 0, "text: \"%s\" is not UTF-8 at byte %zu", out, i);
		FUZZ_ASSERT(cp >= 0x20 && cp != 0x7f && (cp < 0x80 || cp > 0x9f),
			    "text: \"%s\" holds control character U+%04X", out, (unsigned)cp);
	}
	FUZZ_ASSERT(text_decode(out, decoded) == size && memcmp(decoded, data, size) == 0,
		    "text: \"%s\" does not unescape to the input", out);
	cut %= (size_t)r + 2;
	memset(small, 'X', sizeof(small));
	FUZZ_ASSERT(sockopt_text_escape((const char *)data, size, small, cut) == r,
		    "text: the length depends on the buffer");
	check_prefix(small, cut, out, (size_t)r, "text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_TEXT_MAX)
		size = FUZZ_TEXT_MAX;
	check_json(data, size, size ? data[0] : 0);
	check_text(data, size, size > 1 ? data[1] : 0);
	return 0;
}
