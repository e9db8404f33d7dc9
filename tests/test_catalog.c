/* test_catalog.c: the catalog's invariants: unique names, known levels, header numbers, lookups. */
#include <ctype.h>
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

/* NAME with every '_' written as '-' and the other way round, case swapped, into OUT. */
static const char *respelled(const char *name, char *out, size_t size)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++) {
		char c = name[i];

		out[i] = c == '_' ? '-' : c == '-' ? '_' : islower((unsigned char)c) ? (char)toupper(c)
										   : (char)tolower(c);
	}
	out[i] = '\0';
	return out;
}

/* The prefix of LEVEL.SHORT for the entry's level: "so", "ip", "ipv6", "tcp", "udp". */
static const char *level_prefix(const sockopt_entry *e)
{
	return sockopt_entry_level(e) == SOL_SOCKET ? "so" : sockopt_level_name(sockopt_entry_level(e));
}

/*
 * Aliases come in one style: lower case words joined by '-', optionally
 * after the entry's own level ("tcp.keepidle"), or another kernel name of
 * the same option (SO_RCVTIMEO_NEW).
 */
static void aliases_have_one_style(void **state)
{
	(void)state;
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		const char *p = sockopt_entry_aliases(e), *w;
		size_t len;

		while ((w = sockopt_word_next(&p, &len))) {
			char word[64];
			const char *dot;
			bool kernel_style = true, short_style = true;

			assert_true(len < sizeof(word));
			snprintf(word, sizeof(word), "%.*s", (int)len, w);
			dot = strchr(word, '.');
			if (dot && (strncmp(word, level_prefix(e), (size_t)(dot - word)) != 0 ||
				    strlen(level_prefix(e)) != (size_t)(dot - word)))
				fail_msg("alias %s of %s names another level", word, sockopt_entry_name(e));
			for (const char *c = dot ? dot + 1 : word; *c; c++) {
				kernel_style &= isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_';
				short_style &= islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-';
			}
			if (!(short_style || (kernel_style && !dot)) || word[len - 1] == '-')
				fail_msg("alias %s of %s is in neither style", word, sockopt_entry_name(e));
		}
	}
}

/*
 * Every name of every entry is found in any case with '-' and '_'
 * swapped, and as LEVEL.SHORT, SHORT being the kernel name without its
 * level's word (SO_, IP_, IPV6_, TCP_, UDP_) or any alias.
 */
static void every_spelling_finds_the_entry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		const char *name = sockopt_entry_name(e), *p = sockopt_entry_aliases(e), *w;
		char buf[96], other[192];
		size_t len;

		if (sockopt_catalog_find(respelled(name, buf, sizeof(buf))) != e)
			fail_msg("%s is not found as %s", name, buf);
		/* MCAST_JOIN_GROUP (level ip) has no level word: its aliases give it a short name. */
		if (strncasecmp(name, level_prefix(e), strlen(level_prefix(e))) == 0 &&
		    name[strlen(level_prefix(e))] == '_') {
			snprintf(buf, sizeof(buf), "%s.%s", level_prefix(e), name + strlen(level_prefix(e)) + 1);
			if (sockopt_catalog_find(buf) != e ||
			    sockopt_catalog_find(respelled(buf, other, sizeof(other))) != e)
				fail_msg("%s is not found as %s or %s", name, buf, other);
		} else if (!*p) {
			fail_msg("%s has neither its level's word nor an alias", name);
		}
		while ((w = sockopt_word_next(&p, &len))) {
			snprintf(buf, sizeof(buf), "%.*s", (int)len, w);
			if (sockopt_catalog_find(respelled(buf, other, sizeof(other))) != e)
				fail_msg("alias %s of %s is not found as %s", buf, name, other);
			if (strchr(buf, '.'))
				continue;
			snprintf(other, sizeof(other), "%s.%s", level_prefix(e), buf);
			if (sockopt_catalog_find(other) != e)
				fail_msg("alias %s of %s is not found as %s", buf, name, other);
		}
	}
}

/* The spellings people type: '_' or '-', any case, with or without the level. */
static void names_people_type(void **state)
{
	(void)state;
	assert_ptr_equal(entry("defer_accept"), entry("TCP_DEFER_ACCEPT"));
	assert_ptr_equal(entry("defer-accept"), entry("TCP_DEFER_ACCEPT"));
	assert_ptr_equal(entry("tcp.defer_accept"), entry("TCP_DEFER_ACCEPT"));
	assert_ptr_equal(entry("buf_lock"), entry("SO_BUF_LOCK"));
	assert_ptr_equal(entry("Buf-Lock"), entry("SO_BUF_LOCK"));
	assert_ptr_equal(entry("so.buf-lock"), entry("SO_BUF_LOCK"));
	assert_ptr_equal(entry("socket.buf_lock"), entry("SO_BUF_LOCK"));
	assert_ptr_equal(entry("keepidle"), entry("TCP_KEEPIDLE"));
	assert_ptr_equal(entry("KEEPIDLE"), entry("TCP_KEEPIDLE"));
	assert_ptr_equal(entry("reuseaddr"), entry("SO_REUSEADDR"));
	assert_ptr_equal(entry("so-reuseaddr"), entry("SO_REUSEADDR"));
	assert_ptr_equal(entry("Tcp_NoDelay"), entry("TCP_NODELAY"));
	/* A short name two levels share: bare it is IPv4's, with a level each one's own. */
	assert_ptr_equal(entry("mtu"), entry("IP_MTU"));
	assert_ptr_equal(entry("ipv6.mtu"), entry("IPV6_MTU"));
	assert_ptr_equal(entry("ip.mtu"), entry("IP_MTU"));
	assert_ptr_equal(entry("udp.cork"), entry("UDP_CORK"));
	assert_ptr_equal(entry("tcp.cork"), entry("TCP_CORK"));
	/* A level prefix finds only that level's options. */
	assert_null(sockopt_catalog_find("udp.keepidle"));
	assert_null(sockopt_catalog_find("nosuch.keepidle"));
	assert_null(sockopt_catalog_find(".keepidle"));
	assert_null(sockopt_catalog_find("tcp."));
	assert_null(sockopt_catalog_find("defer__accept"));
	/* Suggestions read '-' and '_' alike too. */
	{
		const char *close[3];

		assert_true(sockopt_catalog_suggest("defer-acept", close, 3) >= 1);
		assert_string_equal(close[0], "TCP_DEFER_ACCEPT");
	}
}

/*
 * The catalog's "inherited" flag is what this kernel does: each option is
 * set to a value other than its default on a listener of its own, and the
 * accepted socket holds that value exactly when the flag says it inherits
 * it (measured on Linux 6.18: TCP_KEEPIDLE 77 is copied, SO_PRIORITY 3 is
 * not: the accepted socket has 0).
 */
static void inherited_flag_matches_the_kernel(void **state)
{
	static const struct {
		const char *name;
		int level, optname, value;
	} options[] = {
		{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, 1 },
		{ "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, 3 },
		{ "SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, 7 },
		{ "IP_TTL", IPPROTO_IP, IP_TTL, 33 },
		{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 1 },
		{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, 77 },
		{ "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, 11 },
		{ "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, 5 },
		{ "TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, 1234 },
		{ "TCP_LINGER2", IPPROTO_TCP, TCP_LINGER2, 9 },
		{ "TCP_NOTSENT_LOWAT", IPPROTO_TCP, TCP_NOTSENT_LOWAT, 12345 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(sin);
		int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c, a, got = -1;
		socklen_t glen = sizeof(got);
		bool flag = sockopt_entry_flags(entry(options[i].name)) & SOCKOPT_FLAG_INHERITED;

		assert_true(l >= 0);
		assert_int_equal(setsockopt(l, options[i].level, options[i].optname, &options[i].value,
					    sizeof(int)), 0);
		assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
		assert_int_equal(listen(l, 1), 0);
		assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &len), 0);
		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
		a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		assert_true(a >= 0);
		assert_int_equal(getsockopt(a, options[i].level, options[i].optname, &got, &glen), 0);
		if ((got == options[i].value) != flag)
			fail_msg("%s %d on the listener: the accepted socket has %d, the catalog says %s",
				 options[i].name, options[i].value, got,
				 flag ? "inherited" : "not inherited");
		close(a);
		close(c);
		close(l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_aliases_are_unique),
		cmocka_unit_test(entries_are_complete),
		cmocka_unit_test(numbers_match_the_headers),
		cmocka_unit_test(lookups),
		cmocka_unit_test(aliases_have_one_style),
		cmocka_unit_test(every_spelling_finds_the_entry),
		cmocka_unit_test(names_people_type),
		cmocka_unit_test(inherited_flag_matches_the_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
