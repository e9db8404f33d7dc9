/* test_catalog.c: the catalog's invariants: unique names, known levels, header numbers, lookups. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <strings.h>

#include "testutil.h"

/* Every kernel name and alias, checked against every other, ignoring case. */
static void names_and_aliases_are_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		char words[512], *save = NULL;

		assert_ptr_equal(sockopt_catalog_find(sockopt_entry_name(e)), e);
		snprintf(words, sizeof(words), "%s", sockopt_entry_aliases(e));
		for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			if (sockopt_catalog_find(w) != e)
				fail_msg("alias %s of %s finds another entry", w, sockopt_entry_name(e));
		}
		for (size_t j = i + 1; j < sockopt_catalog_count(); j++) {
			const sockopt_entry *f = sockopt_catalog_at(j);

			if (strcasecmp(sockopt_entry_name(e), sockopt_entry_name(f)) == 0)
				fail_msg("%s appears twice", sockopt_entry_name(e));
			if (sockopt_entry_level(e) == sockopt_entry_level(f) &&
			    sockopt_entry_optname(e) == sockopt_entry_optname(f))
				fail_msg("%s and %s share level and optname", sockopt_entry_name(e),
					 sockopt_entry_name(f));
		}
	}
}

/* Each entry has a known level, a type with a name, kinds, access and a summary. */
static void entries_are_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);

		assert_non_null(sockopt_level_name(sockopt_entry_level(e)));
		assert_non_null(sockopt_type_name(sockopt_entry_type(e)));
		assert_non_null(sockopt_phase_name(sockopt_entry_phase(e)));
		/* Kinds may be 0: names Linux defines that no socket takes (ancillary-only). */
		assert_true(sockopt_entry_access(e) != 0);
		assert_true(strlen(sockopt_entry_summary(e)) > 10);
		assert_ptr_equal(sockopt_catalog_find_number(sockopt_entry_level(e),
							     sockopt_entry_optname(e)), e);
	}
}

/* Numbers come from the system headers (the build checks every fallback too). */
static void numbers_match_the_headers(void **state)
{
	(void)state;
	assert_int_equal(sockopt_entry_optname(entry("SO_LINGER")), SO_LINGER);
	assert_int_equal(sockopt_entry_level(entry("SO_LINGER")), SOL_SOCKET);
	assert_int_equal(sockopt_entry_optname(entry("so_rcvtimeo")), SO_RCVTIMEO);
	assert_int_equal(sockopt_entry_optname(entry("TCP_NODELAY")), TCP_NODELAY);
	assert_int_equal(sockopt_entry_level(entry("TCP_NODELAY")), IPPROTO_TCP);
	assert_int_equal(sockopt_entry_optname(entry("IPV6_V6ONLY")), IPV6_V6ONLY);
	assert_int_equal(sockopt_entry_optname(entry("IP_TTL")), IP_TTL);
}

/* Names are found case-insensitively, by alias, and close misspellings are suggested. */
static void lookups(void **state)
{
	const char *close[3];

	(void)state;
	assert_ptr_equal(entry("nodelay"), entry("TCP_NODELAY"));
	assert_ptr_equal(entry("tcp_nodelay"), entry("TCP_NODELAY"));
	assert_ptr_equal(entry("SO_RCVTIMEO_NEW"), entry("SO_RCVTIMEO"));
	assert_null(sockopt_catalog_find("SO_NO_SUCH_OPTION"));
	assert_null(sockopt_catalog_find(""));
	assert_true(sockopt_catalog_suggest("SO_LINGR", close, 3) >= 1);
	assert_string_equal(close[0], "SO_LINGER");
	assert_int_equal(sockopt_catalog_suggest("qqqqqqqqqqqqqqqqqqqq", close, 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_aliases_are_unique),
		cmocka_unit_test(entries_are_complete),
		cmocka_unit_test(numbers_match_the_headers),
		cmocka_unit_test(lookups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
