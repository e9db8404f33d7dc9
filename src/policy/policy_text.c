/* policy_text.c: process names hold any bytes; check's lines and JSON and export's labels need valid UTF-8. */
#include <stdio.h>
#include <string.h>

#include "policy.h"

size_t policy_utf8_length(const unsigned char *p)
{
	size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
	unsigned cp;

	if (n <= 1)
		return n;
	cp = *p & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void policy_text_clean(char *out, size_t size, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t used = 0;

	while (*p && used + 5 < size) {
		size_t n = policy_utf8_length(p);

		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			used += (size_t)snprintf(out + used, size - used, "\\x%02x", *p);
			p++;
			continue;
		}
		memcpy(out + used, p, n);
		used += n;
		p += n;
	}
	out[size ? used : 0] = '\0';
}
