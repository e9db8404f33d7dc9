/* fuzz_spec.c: libFuzzer target for the spec parser: sockopt_spec_parse and sockopt_spec_add on any text. */
/*
 * Input: byte 0 picks the phase for a second sockopt_spec_add and the
 * socket kinds to validate against; the rest is split at the first
 * newline into the text to parse and the text to add.  Parsing must not
 * crash or leak, must write *OUT only on success, must add nothing when
 * an add fails, and every entry of a spec must have a value whose
 * canonical text is the entry's text and parses back to it.
 */
#include "fuzz.h"

/* Every entry of SPEC is complete and its value round-trips. */
static void check_entries(const sockopt_spec *spec)
{
	char text[FUZZ_TEXT_MAX];

	for (size_t i = 0; i < sockopt_spec_count(spec); i++) {
		const sockopt_entry *e = sockopt_spec_entry(spec, i);
		const sockopt_value *v = sockopt_spec_value(spec, i);
		const char *canonical = sockopt_spec_text(spec, i);

		FUZZ_ASSERT(e && v && canonical, "entry %zu is incomplete", i);
		FUZZ_ASSERT((unsigned)sockopt_spec_phase(spec, i) < SOCKOPT_PHASE_COUNT,
			    "entry %zu has phase %d", i, (int)sockopt_spec_phase(spec, i));
		FUZZ_ASSERT(sockopt_entry_access(e) & SOCKOPT_ACCESS_SET,
			    "%s is read-only but was accepted", sockopt_entry_name(e));
		check_format(sockopt_entry_type(e), v, i, text);
		FUZZ_ASSERT(strcmp(text, canonical) == 0,
			    "%s: spec text \"%s\", value formats as \"%s\"", sockopt_entry_name(e),
			    canonical, text);
		check_round_trip(sockopt_entry_type(e), v, text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[FUZZ_TEXT_MAX];
	sockopt_spec *spec = (sockopt_spec *)&spec, *const sentinel = spec;
	struct sockopt_diag diag;
	const char *more;
	char *newline;
	size_t before;
	bool with_diag;
	int phase, r;

	if (size < 1)
		return 0;
	phase = data[0] % (SOCKOPT_PHASE_COUNT + 1) - 1; /* SOCKOPT_PHASE_CATALOG too */
	fuzz_text(data + 1, size - 1, text, sizeof(text));
	newline = strchr(text, '\n');
	more = newline ? newline + 1 : "";
	if (newline)
		*newline = '\0';

	/*
	 * One run in sixteen asks for the sentence: for an unknown name it searches the
	 * whole catalog for close names, which would otherwise take most of the time.
	 */
	with_diag = (data[0] & 0xf0) == 0;
	r = sockopt_spec_parse(text, &spec, with_diag ? &diag : NULL);
	if (r < 0) {
		FUZZ_ASSERT(spec == sentinel, "\"%s\": *out written on failure", text);
		FUZZ_ASSERT(!with_diag || (diag.error == r && diag.text[0]),
			    "\"%s\": no sentence for %d", text, r);
		return 0;
	}
	check_entries(spec);
	sockopt_spec_validate(spec, (unsigned)data[0] << 1 & SOCKOPT_KIND_ALL, &diag);
	before = sockopt_spec_count(spec);
	r = sockopt_spec_add(spec, more, phase, with_diag ? &diag : NULL);
	if (r < 0)
		FUZZ_ASSERT(sockopt_spec_count(spec) == before,
			    "\"%s\": a failed add changed the spec", more);
	check_entries(spec);
	for (int p = 0; p < SOCKOPT_PHASE_COUNT; p++)
		sockopt_spec_has_phase(spec, (enum sockopt_phase)p, SOCKOPT_KIND_ALL);
	sockopt_spec_free(spec);
	return 0;
}
