/* print.c: text and JSON output through one set of calls. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"

#define MAX_DEPTH 16
/* Room for the usual string on the stack; a longer one is written into memory of its size. */
#define STRING_ROOM 512

/* The size of the buffer of print_buffer_stdout, and of the block it is written in. */
#define OWN_BUFFER (1 << 16)

static struct {
	bool json;
	int depth;
	bool first[MAX_DEPTH];
	char *own; /* print_buffer_stdout's buffer, or NULL: straight to stdio */
	size_t used;
} out;

/* Write what the own buffer holds to stdout. */
static void flush_own(void)
{
	if (out.used)
		fwrite(out.own, 1, out.used, stdout);
	out.used = 0;
}

/* The N bytes at S on stdout when the own buffer cannot take them: stdio, or a full buffer written first. */
static void emit_slow(const char *s, size_t n)
{
	if (!out.own) {
		fwrite(s, 1, n, stdout);
		return;
	}
	flush_own();
	if (n > OWN_BUFFER) {
		fwrite(s, 1, n, stdout);
		return;
	}
	memcpy(out.own, s, n);
	out.used = n;
}

/* The N bytes at S on stdout, into the own buffer when there is one (show emits a few bytes at a time). */
static inline void emit(const char *s, size_t n)
{
	if (out.own && n <= OWN_BUFFER - out.used) {
		memcpy(out.own + out.used, s, n);
		out.used += n;
	} else {
		emit_slow(s, n);
	}
}

static void emit_str(const char *s)
{
	emit(s, strlen(s));
}

static inline void emit_char(char c)
{
	if (out.own && out.used < OWN_BUFFER)
		out.own[out.used++] = c;
	else
		emit_slow(&c, 1);
}

/* FMT and its arguments on stdout, through the own buffer when there is one; the length written. */
static int emit_vf(const char *fmt, va_list ap)
{
	char small[STRING_ROOM], *big = NULL;
	va_list again;
	int n;

	if (!out.own)
		return vprintf(fmt, ap);
	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small) && (big = malloc((size_t)n + 1)))
		vsnprintf(big, (size_t)n + 1, fmt, again);
	va_end(again);
	if (big)
		emit(big, (size_t)n);
	else if (n > 0) /* out of memory for a long one: the prefix that fitted */
		emit(small, strlen(small));
	free(big);
	return n;
}

static int emitf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int emitf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = emit_vf(fmt, ap);
	va_end(ap);
	return n;
}

/*
 * The LEN bytes of S as a JSON string literal (JSON) or as escaped text,
 * in SMALL (STRING_ROOM bytes) or, when longer, in memory the caller
 * frees when it is not SMALL; *REPLACED counts bytes that became U+FFFD.
 */
static char *escaped(const char *s, size_t len, bool json, char *small, size_t *replaced)
{
	char *buf = small;
	size_t size = STRING_ROOM;
	int n;

	for (;;) {
		n = json ? sockopt_json_string(s, len, buf, size, replaced)
			 : sockopt_text_escape(s, len, buf, size);
		if (n < 0 || (size_t)n < size || buf != small)
			return buf;
		size = (size_t)n + 1;
		if (!(buf = malloc(size)))
			return small; /* out of memory: the terminated prefix is what there is */
	}
}

/* The bytes a JSON string holds as they are (printable ASCII but '"' and '\\'), filled by print_start. */
static bool json_plain[256];

/* LEN bytes of S as a JSON string literal on stdout; how many became U+FFFD. */
static size_t json_bytes(const char *s, size_t len)
{
	char small[STRING_ROOM], *buf;
	size_t replaced = 0, plain = 0;

	/* Names, keys and values are nearly always printable ASCII: copied as they are. */
	while (plain < len && json_plain[(unsigned char)s[plain]])
		plain++;
	if (plain == len && out.own && len + 2 <= OWN_BUFFER - out.used) {
		char *p = out.own + out.used;

		p[0] = '"';
		memcpy(p + 1, s, len);
		p[len + 1] = '"';
		out.used += len + 2;
		return 0;
	}
	if (plain == len) {
		emit_char('"');
		emit(s, len);
		emit_char('"');
		return 0;
	}
	buf = escaped(s, len, true, small, &replaced);
	emit_str(buf);
	if (buf != small)
		free(buf);
	return replaced;
}

static void json_string(const char *s)
{
	json_bytes(s, strlen(s));
}

/* N in decimal, two digits a step, without printf's parsing of a format (show prints ten per socket). */
static void json_int(long long n)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;

	for (; u >= 10; u /= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (u % 100), 2);
		if (u < 100)
			break;
	}
	if (u < 10)
		*--p = (char)('0' + u);
	if (n < 0)
		*--p = '-';
	emit(p, (size_t)(buf + sizeof(buf) - p));
}

/* Emit the separator and key that come before a JSON value. */
static void json_key(const char *key)
{
	bool comma = false;
	size_t n = 0;

	if (out.depth > 0) {
		comma = !out.first[out.depth];
		out.first[out.depth] = false;
	}
	while (key && json_plain[(unsigned char)key[n]])
		n++;
	if (key && !key[n] && out.own && n + 5 <= OWN_BUFFER - out.used) {
		/* A key is a word of the code: the comma and "key": go straight into the buffer. */
		char *p = out.own + out.used;

		*p = ',';
		p += comma;
		*p++ = '"';
		memcpy(p, key, n);
		memcpy(p + n, "\": ", 3);
		out.used = (size_t)(p + n + 3 - out.own);
		return;
	}
	if (comma)
		emit_char(',');
	if (key) {
		json_string(key);
		emit_str(": ");
	}
}

void print_start(bool json)
{
	memset(&out, 0, sizeof(out));
	out.json = json;
	for (int c = 0x20; c < 0x7f; c++)
		json_plain[c] = c != '"' && c != '\\';
}

void print_buffer_stdout(void)
{
	if (!out.own)
		out.own = malloc(OWN_BUFFER); /* without it, output goes through stdio as before */
}

void print_end(void)
{
	if (out.json)
		emit_char('\n');
	if (out.own) {
		flush_own();
		free(out.own);
		out.own = NULL;
	}
	fflush(stdout);
}

bool print_is_json(void)
{
	return out.json;
}

static void open_container(const char *key, char c)
{
	if (!out.json)
		return;
	json_key(key);
	emit_char(c);
	if (out.depth < MAX_DEPTH - 1)
		out.depth++;
	out.first[out.depth] = true;
}

static void close_container(char c)
{
	if (!out.json)
		return;
	emit_char(c);
	if (out.depth > 0)
		out.depth--;
}

void print_open_object(const char *key) { open_container(key, '{'); }
void print_close_object(void) { close_container('}'); }
void print_open_array(const char *key) { open_container(key, '['); }
void print_close_array(void) { close_container(']'); }

/* KEY_hex: the exact bytes of a string whose JSON form had to replace some of them. */
static void json_hex_sidecar(const char *key, const char *s, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_hex", key);
	json_key(name);
	emit_char('"');
	for (size_t i = 0; i < len; i++)
		emitf("%02x", (unsigned char)s[i]);
	emit_char('"');
}

void print_bytes(enum print_mode mode, const char *key, const char *fmt, const char *s, size_t len)
{
	if (out.json && (mode & PRINT_JSON)) {
		json_key(key);
		if (!s)
			emit_str("null");
		else if (json_bytes(s, len) && key)
			json_hex_sidecar(key, s, len);
	} else if (!out.json && (mode & PRINT_TEXT) && fmt) {
		char small[STRING_ROOM], *text = s ? escaped(s, len, false, small, NULL) : NULL;

		emitf(fmt, text ? text : "-");
		if (text && text != small)
			free(text);
	}
}

void print_name(enum print_mode mode, const char *key, const char *fmt, const char *value)
{
	print_bytes(mode, key, fmt, value, value ? strlen(value) : 0);
}

void print_string(enum print_mode mode, const char *key, const char *fmt, const char *value)
{
	if (out.json && (mode & PRINT_JSON))
		print_bytes(mode, key, fmt, value, value ? strlen(value) : 0);
	else if (!out.json && (mode & PRINT_TEXT) && fmt)
		emitf(fmt, value ? value : "-");
}

void print_int(enum print_mode mode, const char *key, const char *fmt, long long value)
{
	if (out.json && (mode & PRINT_JSON)) {
		json_key(key);
		json_int(value);
	} else if (!out.json && (mode & PRINT_TEXT) && fmt) {
		emitf(fmt, value);
	}
}

void print_bool(enum print_mode mode, const char *key, const char *fmt, bool value)
{
	if (out.json && (mode & PRINT_JSON)) {
		json_key(key);
		emit_str(value ? "true" : "false");
	} else if (!out.json && (mode & PRINT_TEXT) && fmt) {
		emitf(fmt, value ? "yes" : "no");
	}
}

void print_double(enum print_mode mode, const char *key, const char *fmt, double value)
{
	if (out.json && (mode & PRINT_JSON)) {
		json_key(key);
		if (isfinite(value))
			emitf("%.6g", value);
		else
			emit_str("null");
	} else if (!out.json && (mode & PRINT_TEXT) && fmt) {
		emitf(fmt, value);
	}
}

void print_json_value(const char *key, const char *json)
{
	if (!out.json)
		return;
	json_key(key);
	emit_str(json);
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	emit_vf(fmt, ap);
	va_end(ap);
}

void print_wrapped(const char *text, int indent, int col)
{
	bool line_start = true;

	while (*text) {
		size_t word = strcspn(text, " ");

		if (line_start) {
			col += emitf("%*s", col < indent ? indent - col : 0, "");
		} else if (col + 1 + (int)word > 78) {
			emitf("\n%*s", indent, "");
			col = indent;
		} else {
			emit_char(' ');
			col++;
		}
		line_start = false;
		col += emitf("%.*s", (int)word, text);
		text += word;
		text += strspn(text, " ");
	}
	emit_char('\n');
}

void print_option_value(const sockopt_entry *e, const sockopt_value *v, int err)
{
	char text[4 * SOCKOPT_VALUE_MAX], json[4 * SOCKOPT_VALUE_MAX];

	if (err < 0) {
		const char *name = strerrorname_np(-err);

		print_string(PRINT_JSON, "error", NULL, name ? name : "unknown");
		print_text("(%s)", name ? name : "error");
		return;
	}
	sockopt_type_format(sockopt_entry_type(e), v, text, sizeof(text));
	if (!text[0]) { /* no device bound, no filter, no IP options: "-" and null */
		print_json_value("value", "null");
		print_string(PRINT_ANY, "text", "%s", NULL);
		return;
	}
	sockopt_type_format_json(sockopt_entry_type(e), v, json, sizeof(json));
	print_json_value("value", json);
	print_string(PRINT_ANY, "text", "%s", text);
}
