/* fuzz_values.c: libFuzzer target for the value parser: any text, as every type and as every catalog option. */
/*
 * Input: byte 0 picks the type, byte 1 the catalog entry, the rest is the
 * text.  Parsing must not crash, must leave the output alone on failure
 * with a sentence in the diagnostic, and a parsed value must format to a
 * canonical text that parses back to the same value.
 */
#include "fuzz.h"

/* Parse TEXT with PARSE's contract checked: output untouched on failure, a sentence given. */
static void check_parse(int r, const sockopt_value *out, const sockopt_value *sentinel,
			const struct sockopt_diag *diag, const char *what, const char *text)
{
	if (r == 0)
		return;
	FUZZ_ASSERT(r == -EINVAL || r == -ERANGE, "%s \"%s\": unexpected error %d", what, text, r);
	FUZZ_ASSERT(memcmp(out, sentinel, sizeof(*out)) == 0,
		    "%s \"%s\": output written on failure", what, text);
	FUZZ_ASSERT(diag->error == r && diag->text[0] != '\0' &&
			    strnlen(diag->text, sizeof(diag->text)) < sizeof(diag->text),
		    "%s \"%s\": no sentence for error %d", what, text, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[FUZZ_TEXT_MAX];
	char formatted[FUZZ_TEXT_MAX];
	struct sockopt_diag diag;
	sockopt_value v, sentinel;
	enum sockopt_type t;
	const sockopt_entry *e;
	int r;

	if (size < 2)
		return 0;
	t = (enum sockopt_type)(data[0] % SOCKOPT_TYPE_COUNT);
	e = sockopt_catalog_at(data[1] % sockopt_catalog_count());
	fuzz_text(data + 2, size - 2, text, sizeof(text));
	memset(&sentinel, 0xa5, sizeof(sentinel));

	v = sentinel;
	r = sockopt_type_parse(t, text, &v, &diag);
	check_parse(r, &v, &sentinel, &diag, sockopt_type_name(t), text);
	if (r == 0) {
		check_format(t, &v, data[1], formatted);
		check_round_trip(t, &v, formatted);
	}

	v = sentinel;
	r = sockopt_value_parse(e, text, &v, &diag);
	check_parse(r, &v, &sentinel, &diag, sockopt_entry_name(e), text);
	if (r == 0) {
		check_format(sockopt_entry_type(e), &v, data[0], formatted);
		check_round_trip(sockopt_entry_type(e), &v, formatted);
	}
	return 0;
}
