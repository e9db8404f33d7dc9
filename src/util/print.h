/* print.h: one printer for the command's text and JSON output, in the manner of iproute2's json_print. */
#ifndef SOCKOPT_PRINT_H
#define SOCKOPT_PRINT_H

#include <stdbool.h>

#include "sockopt.h"

/* Where a field goes: text only, JSON only, or both. */
enum print_mode { PRINT_TEXT = 1, PRINT_JSON = 2, PRINT_ANY = 3 };

/* Start output; JSON output when JSON is true. */
void print_start(bool json);
/*
 * From now until print_end, output gathers in the printer's own buffer and
 * goes to stdout in 64 KiB blocks, not through stdio call by call: for a
 * command whose every byte on stdout goes through these calls (show).
 */
void print_buffer_stdout(void);
/* Finish output (a newline after JSON). */
void print_end(void);
bool print_is_json(void);

void print_open_object(const char *key);
void print_close_object(void);
void print_open_array(const char *key);
void print_close_array(void);

/*
 * A field: in JSON as KEY, in text through FMT (NULL: not in text).  A
 * string always becomes valid JSON (sockopt_json_string); when some of its
 * bytes are not UTF-8 they become U+FFFD and a field "KEY_hex" beside it
 * carries the exact bytes.  Text goes out as it is: sentences, tables.
 */
void print_string(enum print_mode mode, const char *key, const char *fmt, const char *value);
/*
 * A name from outside (a path, a process or interface name, a string
 * value) as print_string does in JSON, and in text escaped to one line
 * (sockopt_text_escape: "\n", "\0", "\xff").  print_bytes takes LEN bytes,
 * NULs included (abstract socket names).
 */
void print_name(enum print_mode mode, const char *key, const char *fmt, const char *value);
void print_bytes(enum print_mode mode, const char *key, const char *fmt, const char *s, size_t len);
void print_int(enum print_mode mode, const char *key, const char *fmt, long long value);
void print_bool(enum print_mode mode, const char *key, const char *fmt, bool value);
/* A measured figure: in JSON with six significant digits (null when not finite). */
void print_double(enum print_mode mode, const char *key, const char *fmt, double value);
/* A JSON value already formatted (from sockopt_type_format_json). */
void print_json_value(const char *key, const char *json);
/* Text-only output. */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Print TEXT word by word on stdout from column COL, where the line has
 * got to, wrapped at 78 columns, each line starting at column INDENT; then
 * a newline.  (Text output only.)
 */
void print_wrapped(const char *text, int indent, int col);

/*
 * An option value as a JSON "value"/"text" pair, or "error" when ERR < 0;
 * an empty value (no device bound, no filter) is "-" in text and null in JSON.
 */
void print_option_value(const sockopt_entry *e, const sockopt_value *v, int err);

#endif /* SOCKOPT_PRINT_H */
