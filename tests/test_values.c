/* test_values.c: every value type parses, formats canonically, round-trips and rejects bad text. */
#include <limits.h>
#include <stdio.h>
#include <sys/time.h>

#include "testutil.h"

/* INPUT of type T formats as CANONICAL, and CANONICAL formats as itself. */
static const struct {
	enum sockopt_type type;
	const char *input;
	const char *canonical;
} round_trips[] = {
	{ SOCKOPT_TYPE_BOOL, "on", "on" },	      { SOCKOPT_TYPE_BOOL, "YES", "on" },
	{ SOCKOPT_TYPE_BOOL, "1", "on" },	      { SOCKOPT_TYPE_BOOL, "false", "off" },
	{ SOCKOPT_TYPE_INT, "-1", "-1" },	      { SOCKOPT_TYPE_INT, "0x10", "16" },
	{ SOCKOPT_TYPE_UINT, "4294967295", "4294967295" },
	{ SOCKOPT_TYPE_U64, "18446744073709551615", "18446744073709551615" },
	{ SOCKOPT_TYPE_BYTES, "212992", "212992" },   { SOCKOPT_TYPE_BYTES, "64K", "65536" },
	{ SOCKOPT_TYPE_BYTES, "4M", "4194304" },      { SOCKOPT_TYPE_BYTES, "1GiB", "1073741824" },
	{ SOCKOPT_TYPE_SECONDS, "30", "30s" },	      { SOCKOPT_TYPE_SECONDS, "120s", "2m" },
	{ SOCKOPT_TYPE_SECONDS, "7200", "2h" },	      { SOCKOPT_TYPE_SECONDS, "75", "75s" },
	{ SOCKOPT_TYPE_SECONDS, "0", "0" },	      { SOCKOPT_TYPE_SECONDS, "2000ms", "2s" },
	{ SOCKOPT_TYPE_MILLIS, "250", "250ms" },      { SOCKOPT_TYPE_MILLIS, "2s", "2s" },
	{ SOCKOPT_TYPE_MICROS, "50", "50us" },	      { SOCKOPT_TYPE_MICROS, "1000us", "1ms" },
	{ SOCKOPT_TYPE_LINGER, "off", "off" },	      { SOCKOPT_TYPE_LINGER, "on:30", "on:30" },
	{ SOCKOPT_TYPE_LINGER, "30", "on:30" },	      { SOCKOPT_TYPE_LINGER, "abort", "on:0" },
	{ SOCKOPT_TYPE_LINGER, "0", "on:0" },	      { SOCKOPT_TYPE_LINGER, "on:1m", "on:60" },
	{ SOCKOPT_TYPE_TIMEVAL, "0", "0" },	      { SOCKOPT_TYPE_TIMEVAL, "1500ms", "1500ms" },
	{ SOCKOPT_TYPE_TIMEVAL, "2s", "2s" },	      { SOCKOPT_TYPE_TIMEVAL, "250000", "250ms" },
	{ SOCKOPT_TYPE_STRING, "cubic", "cubic" },    { SOCKOPT_TYPE_STRING, "", "" },
	{ SOCKOPT_TYPE_SOCKTYPE, "stream", "SOCK_STREAM" },
	{ SOCKOPT_TYPE_SOCKTYPE, "2", "SOCK_DGRAM" }, { SOCKOPT_TYPE_SOCKTYPE, "99", "99" },
	{ SOCKOPT_TYPE_FAMILY, "inet6", "AF_INET6" }, { SOCKOPT_TYPE_FAMILY, "AF_UNIX", "AF_UNIX" },
	{ SOCKOPT_TYPE_PROTOCOL, "tcp", "IPPROTO_TCP" },
	{ SOCKOPT_TYPE_PMTUDISC, "do", "IP_PMTUDISC_DO" },
	{ SOCKOPT_TYPE_TOS, "0", "CS0" },	      { SOCKOPT_TYPE_TOS, "ef", "EF" },
	{ SOCKOPT_TYPE_TOS, "AF41:ECT0", "AF41:ECT0" }, { SOCKOPT_TYPE_TOS, "0x10", "DSCP4" },
	{ SOCKOPT_TYPE_TOS, "DSCP4:CE", "DSCP4:CE" },
	{ SOCKOPT_TYPE_ERRNO, "ECONNREFUSED", "ECONNREFUSED" },
	{ SOCKOPT_TYPE_ERRNO, "111", "ECONNREFUSED" }, { SOCKOPT_TYPE_ERRNO, "0", "0" },
	{ SOCKOPT_TYPE_UCRED, "pid=12 uid=0 gid=5", "pid=12 uid=0 gid=5" },
	{ SOCKOPT_TYPE_SOCKADDR, "127.0.0.1:80", "127.0.0.1:80" },
	{ SOCKOPT_TYPE_SOCKADDR, "[::1]:8080", "[::1]:8080" },
	{ SOCKOPT_TYPE_SOCKADDR, "/run/x.sock", "/run/x.sock" },
	{ SOCKOPT_TYPE_SOCKADDR, "@abstract", "@abstract" },
	{ SOCKOPT_TYPE_SOCKADDR, "unnamed", "unnamed" },
	{ SOCKOPT_TYPE_INADDR, "10.1.2.3", "10.1.2.3" },
	{ SOCKOPT_TYPE_MREQ, "239.1.2.3", "239.1.2.3" },
	{ SOCKOPT_TYPE_MREQ, "239.1.2.3@lo", "239.1.2.3@lo" },
	{ SOCKOPT_TYPE_MREQ, "239.1.2.3@1", "239.1.2.3@lo" },
	{ SOCKOPT_TYPE_MREQ, "239.1.2.3@127.0.0.1", "239.1.2.3@127.0.0.1" },
	{ SOCKOPT_TYPE_MREQ6, "ff02::1:3@lo", "ff02::1:3@lo" },
	{ SOCKOPT_TYPE_HEX, "0A0b0c", "0a0b0c" },     { SOCKOPT_TYPE_HEX, "", "" },
	{ SOCKOPT_TYPE_MTUINFO, "1280", "1280" },
	{ SOCKOPT_TYPE_MTUINFO, "1280@[2001:db8::1]:0", "1280@[2001:db8::1]:0" },
	{ SOCKOPT_TYPE_TXTIME, "monotonic", "CLOCK_MONOTONIC" },
	{ SOCKOPT_TYPE_TXTIME, "tai:deadline_mode:report_errors",
	  "CLOCK_TAI:deadline_mode:report_errors" },
	{ SOCKOPT_TYPE_TXTIME, "1:2", "CLOCK_MONOTONIC:report_errors" },
	{ SOCKOPT_TYPE_TXTIME, "11:0x8", "CLOCK_TAI:0x8" },
	{ SOCKOPT_TYPE_TXTIME, "7", "7" },
};

static void text_round_trips(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++) {
		enum sockopt_type t = round_trips[i].type;
		sockopt_value v, again;
		char text[1024], text2[1024];
		struct sockopt_diag diag;

		if (sockopt_type_parse(t, round_trips[i].input, &v, &diag) != 0)
			fail_msg("%s \"%s\": %s", sockopt_type_name(t), round_trips[i].input, diag.text);
		assert_true(sockopt_type_format(t, &v, text, sizeof(text)) >= 0);
		if (strcmp(text, round_trips[i].canonical) != 0)
			fail_msg("%s \"%s\" formats as \"%s\", not \"%s\"", sockopt_type_name(t),
				 round_trips[i].input, text, round_trips[i].canonical);
		assert_int_equal(sockopt_type_parse(t, text, &again, NULL), 0);
		assert_true(sockopt_value_equal(t, &v, &again));
		sockopt_type_format(t, &again, text2, sizeof(text2));
		assert_string_equal(text, text2);
	}
}

/* Every type round-trips the canonical text of a zeroed value of its own size. */
static void every_type_has_parser_and_formatter(void **state)
{
	(void)state;
	for (int t = 0; t < SOCKOPT_TYPE_COUNT; t++) {
		sockopt_value v, again;
		char text[4096], json[4096];

		memset(&v, 0, sizeof(v));
		v.len = sizeof(int);
		if (t == SOCKOPT_TYPE_TCPINFO || t == SOCKOPT_TYPE_LINGER || t == SOCKOPT_TYPE_TIMEVAL ||
		    t == SOCKOPT_TYPE_UCRED || t == SOCKOPT_TYPE_MREQ || t == SOCKOPT_TYPE_MREQ6 ||
		    t == SOCKOPT_TYPE_U64)
			assert_int_equal(sockopt_type_parse(t, t == SOCKOPT_TYPE_TCPINFO ? "" :
						t == SOCKOPT_TYPE_LINGER ? "off" :
						t == SOCKOPT_TYPE_UCRED ? "pid=0 uid=0 gid=0" :
						t == SOCKOPT_TYPE_MREQ ? "0.0.0.0" :
						t == SOCKOPT_TYPE_MREQ6 ? "::" : "0", &v, NULL), 0);
		if (t == SOCKOPT_TYPE_SOCKADDR)
			assert_int_equal(sockopt_type_parse(t, "0.0.0.0:0", &v, NULL), 0);
		assert_non_null(sockopt_type_name(t));
		assert_true(sockopt_type_format(t, &v, text, sizeof(text)) >= 0);
		assert_true(sockopt_type_format_json(t, &v, json, sizeof(json)) > 0);
		if (sockopt_type_parse(t, text, &again, NULL) != 0)
			fail_msg("%s: canonical \"%s\" does not parse", sockopt_type_name(t), text);
		assert_true(sockopt_value_equal(t, &v, &again));
	}
}

/* Values order by what they measure, parsed from the same text the command takes. */
static const struct {
	enum sockopt_type type;
	const char *a, *b;
	int order; /* 2: the type has no order */
} orders[] = {
	{ SOCKOPT_TYPE_BYTES, "1M", "2097152", -1 },
	{ SOCKOPT_TYPE_BYTES, "64K", "65536", 0 },
	{ SOCKOPT_TYPE_SECONDS, "5m", "300", 0 },
	{ SOCKOPT_TYPE_SECONDS, "1h", "300", 1 },
	{ SOCKOPT_TYPE_MILLIS, "2s", "250", 1 },
	{ SOCKOPT_TYPE_BOOL, "off", "on", -1 },
	{ SOCKOPT_TYPE_LINGER, "off", "on:0", -1 },
	{ SOCKOPT_TYPE_LINGER, "on:30", "on:5", 1 },
	{ SOCKOPT_TYPE_TIMEVAL, "1500us", "1ms", 1 },
	{ SOCKOPT_TYPE_U64, "18446744073709551615", "1", 1 },
	{ SOCKOPT_TYPE_INT, "-1", "0", -1 },
	{ SOCKOPT_TYPE_STRING, "bbr", "cubic", 2 },
	{ SOCKOPT_TYPE_FAMILY, "inet", "inet6", 2 },
};

static void values_compare_by_magnitude(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		sockopt_value a, b;
		double number;
		int order = 7;

		assert_int_equal(sockopt_type_parse(orders[i].type, orders[i].a, &a, NULL), 0);
		assert_int_equal(sockopt_type_parse(orders[i].type, orders[i].b, &b, NULL), 0);
		if (orders[i].order == 2) {
			assert_int_equal(sockopt_value_compare(orders[i].type, &a, &b, &order), -EDOM);
			assert_int_equal(sockopt_value_number(orders[i].type, &a, &number), -EDOM);
			continue;
		}
		assert_int_equal(sockopt_value_compare(orders[i].type, &a, &b, &order), 0);
		assert_int_equal(order, orders[i].order);
		assert_int_equal(sockopt_value_number(orders[i].type, &a, &number), 0);
	}
}

/* Bad text is -EINVAL, out of range is -ERANGE. */
static const struct {
	enum sockopt_type type;
	const char *input;
	int err;
} rejects[] = {
	{ SOCKOPT_TYPE_BOOL, "maybe", -EINVAL },   { SOCKOPT_TYPE_BOOL, "", -EINVAL },
	{ SOCKOPT_TYPE_INT, "12abc", -EINVAL },	   { SOCKOPT_TYPE_INT, "99999999999", -ERANGE },
	{ SOCKOPT_TYPE_INT, " 1", -EINVAL },	   { SOCKOPT_TYPE_UINT, "-1", -ERANGE },
	{ SOCKOPT_TYPE_U64, "-1", -ERANGE },	   { SOCKOPT_TYPE_U64, "x", -EINVAL },
	{ SOCKOPT_TYPE_BYTES, "4Q", -EINVAL },	   { SOCKOPT_TYPE_BYTES, "4G", -ERANGE },
	{ SOCKOPT_TYPE_BYTES, "-5", -ERANGE },	   { SOCKOPT_TYPE_BYTES, "K", -EINVAL },
	{ SOCKOPT_TYPE_SECONDS, "1500ms", -EINVAL }, { SOCKOPT_TYPE_SECONDS, "3d", -EINVAL },
	{ SOCKOPT_TYPE_SECONDS, "-1", -ERANGE },   { SOCKOPT_TYPE_SECONDS, "9999999999", -ERANGE },
	{ SOCKOPT_TYPE_MILLIS, "5us", -EINVAL },   { SOCKOPT_TYPE_LINGER, "on", -EINVAL },
	{ SOCKOPT_TYPE_LINGER, "on:x", -EINVAL },  { SOCKOPT_TYPE_LINGER, "on:-3", -ERANGE },
	{ SOCKOPT_TYPE_TIMEVAL, "soon", -EINVAL }, { SOCKOPT_TYPE_SOCKTYPE, "tube", -EINVAL },
	{ SOCKOPT_TYPE_TOS, "AF99", -EINVAL },	   { SOCKOPT_TYPE_TOS, "256", -ERANGE },
	{ SOCKOPT_TYPE_TOS, "EF:XX", -EINVAL },	   { SOCKOPT_TYPE_ERRNO, "ENOTANERROR", -EINVAL },
	{ SOCKOPT_TYPE_UCRED, "pid=1", -EINVAL },  { SOCKOPT_TYPE_TCPINFO, "rtt", -EINVAL },
	{ SOCKOPT_TYPE_TCPINFO, "color=red", -EINVAL },
	{ SOCKOPT_TYPE_TCPINFO, "snd_wscale=16", -ERANGE },
	{ SOCKOPT_TYPE_SOCKADDR, "127.0.0.1", -EINVAL },
	{ SOCKOPT_TYPE_SOCKADDR, "127.0.0.1:70000", -EINVAL },
	{ SOCKOPT_TYPE_INADDR, "1.2.3", -EINVAL }, { SOCKOPT_TYPE_MREQ, "239.1.2.3@nosuchif0", -EINVAL },
	{ SOCKOPT_TYPE_MREQ6, "ff02::1@nosuchif0", -EINVAL },
	{ SOCKOPT_TYPE_HEX, "abc", -EINVAL },	   { SOCKOPT_TYPE_HEX, "zz", -EINVAL },
	{ SOCKOPT_TYPE_MTUINFO, "big", -EINVAL },  { SOCKOPT_TYPE_MTUINFO, "-1", -EINVAL },
	{ SOCKOPT_TYPE_MTUINFO, "1280@127.0.0.1:0", -EINVAL },
	{ SOCKOPT_TYPE_TXTIME, "sundial", -EINVAL }, { SOCKOPT_TYPE_TXTIME, "tai:eventually", -EINVAL },
	{ SOCKOPT_TYPE_TXTIME, "", -EINVAL },
};

static void bad_text_is_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		sockopt_value v;
		int r = sockopt_type_parse(rejects[i].type, rejects[i].input, &v, NULL);

		if (r != rejects[i].err)
			fail_msg("%s \"%s\" gave %d, not %d", sockopt_type_name(rejects[i].type),
				 rejects[i].input, r, rejects[i].err);
	}
}

/* The sentence names the option, the text and what was expected. */
static void rejection_sentence_names_option_text_and_expectation(void **state)
{
	struct sockopt_diag diag;
	sockopt_value v;

	(void)state;
	assert_int_equal(sockopt_value_parse(entry("SO_SNDBUF"), "lots", &v, &diag), -EINVAL);
	assert_int_equal(diag.error, -EINVAL);
	assert_non_null(strstr(diag.text, "SO_SNDBUF"));
	assert_non_null(strstr(diag.text, "\"lots\""));
	assert_non_null(strstr(diag.text, "expected a size in bytes"));
	assert_int_equal(sockopt_value_parse(entry("TCP_KEEPIDLE"), "99999999999", &v, &diag),
			 -ERANGE);
	assert_non_null(strstr(diag.text, "out of range"));
}

/* JSON forms: numbers for integers, booleans, objects for structs. */
static void json_forms(void **state)
{
	sockopt_value v;
	char json[256];

	(void)state;
	assert_int_equal(sockopt_type_parse(SOCKOPT_TYPE_BOOL, "on", &v, NULL), 0);
	sockopt_type_format_json(SOCKOPT_TYPE_BOOL, &v, json, sizeof(json));
	assert_string_equal(json, "true");
	assert_int_equal(sockopt_type_parse(SOCKOPT_TYPE_LINGER, "on:5", &v, NULL), 0);
	sockopt_type_format_json(SOCKOPT_TYPE_LINGER, &v, json, sizeof(json));
	assert_string_equal(json, "{\"onoff\": 1, \"linger\": 5}");
	assert_int_equal(sockopt_type_parse(SOCKOPT_TYPE_SECONDS, "2h", &v, NULL), 0);
	sockopt_type_format_json(SOCKOPT_TYPE_SECONDS, &v, json, sizeof(json));
	assert_string_equal(json, "7200");
	/* The two structs of IPV6_PATHMTU and SO_TXTIME: the kernel's fields, named. */
	assert_int_equal(sockopt_type_parse(SOCKOPT_TYPE_MTUINFO, "1280", &v, NULL), 0);
	sockopt_type_format_json(SOCKOPT_TYPE_MTUINFO, &v, json, sizeof(json));
	assert_string_equal(json, "{\"mtu\": 1280, \"address\": null}");
	assert_int_equal(sockopt_type_parse(SOCKOPT_TYPE_MTUINFO, "1400@[::1]:53", &v, NULL), 0);
	sockopt_type_format_json(SOCKOPT_TYPE_MTUINFO, &v, json, sizeof(json));
	assert_string_equal(json, "{\"mtu\": 1400, \"address\": \"[::1]:53\"}");
	assert_int_equal(sockopt_type_parse(SOCKOPT_TYPE_TXTIME, "tai:report_errors", &v, NULL), 0);
	sockopt_type_format_json(SOCKOPT_TYPE_TXTIME, &v, json, sizeof(json));
	assert_string_equal(json, "{\"clockid\": 11, \"clock\": \"CLOCK_TAI\", \"flags\": 2, "
				  "\"deadline_mode\": false, \"report_errors\": true}");
	assert_int_equal(sockopt_type_parse(SOCKOPT_TYPE_STRING, "a\"b", &v, NULL), 0);
	sockopt_type_format_json(SOCKOPT_TYPE_STRING, &v, json, sizeof(json));
	assert_string_equal(json, "\"a\\\"b\"");
	/* A short buffer is filled and terminated, and the needed length returned. */
	assert_int_equal(sockopt_type_format(SOCKOPT_TYPE_STRING, &v, json, 2), 3);
	assert_string_equal(json, "a");
}

/*
 * Values a socket can hold, or bytes longer than their type, format without
 * undefined behaviour or reading past the value; both cases were found by
 * fuzz/fuzz_format.c.
 */
static void values_from_elsewhere_format_safely(void **state)
{
	struct timeval huge = { .tv_sec = 9000000000000000LL, .tv_usec = 0 };
	sockopt_value v;
	char text[1024];

	(void)state;
	/* Linux accepts and returns this SO_RCVTIMEO; in microseconds it overflows a long long. */
	memset(&v, 0, sizeof(v));
	memcpy(v.v.bytes, &huge, sizeof(huge));
	v.len = sizeof(huge);
	assert_true(sockopt_type_format(SOCKOPT_TYPE_TIMEVAL, &v, text, sizeof(text)) > 0);
	assert_string_equal(text, "9000000000000000s 0us");

	/* An AF_UNIX address longer than sockaddr_storage: the path stops at what fits. */
	memset(&v, 'a', sizeof(v));
	v.v.bytes[0] = AF_UNIX;
	v.v.bytes[1] = 0;
	v.len = SOCKOPT_VALUE_MAX;
	assert_true(sockopt_type_format(SOCKOPT_TYPE_SOCKADDR, &v, text, sizeof(text)) > 0);
	assert_int_equal(strlen(text), sizeof(struct sockaddr_storage) - sizeof(sa_family_t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_round_trips),
		cmocka_unit_test(every_type_has_parser_and_formatter),
		cmocka_unit_test(bad_text_is_rejected),
		cmocka_unit_test(rejection_sentence_names_option_text_and_expectation),
		cmocka_unit_test(json_forms),
		cmocka_unit_test(values_compare_by_magnitude),
		cmocka_unit_test(values_from_elsewhere_format_safely),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
