/* fuzz_format.c: libFuzzer target for the formatters: any bytes as a value of any type, and parsed values. */
/*
 * Input: byte 0 picks the type, byte 1 the buffer size for the truncation
 * check and whether the rest is raw value bytes (as getsockopt could
 * return them, any length up to SOCKOPT_VALUE_MAX) or text to parse.
 * Text and JSON formatting must not crash, must keep the snprintf
 * contract and must produce valid JSON; a parsed value's canonical text
 * must parse back to an equal value.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[FUZZ_TEXT_MAX], input[FUZZ_TEXT_MAX];
	enum sockopt_type t;
	sockopt_value v;

	if (size < 2)
		return 0;
	t = (enum sockopt_type)(data[0] % SOCKOPT_TYPE_COUNT);
	memset(&v, 0, sizeof(v));
	if (data[1] & 1) {
		/* Raw bytes: what the kernel could hand back. */
		v.len = (socklen_t)(size - 2 < SOCKOPT_VALUE_MAX ? size - 2 : SOCKOPT_VALUE_MAX);
		memcpy(v.v.bytes, data + 2, v.len);
		check_format(t, &v, data[1] >> 1, text);
	} else if (sockopt_type_parse(t, fuzz_text(data + 2, size - 2, input, sizeof(input)), &v,
				      NULL) == 0) {
		check_format(t, &v, data[1] >> 1, text);
		check_round_trip(t, &v, text);
	}
	return 0;
}
