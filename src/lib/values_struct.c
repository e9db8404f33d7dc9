/* values_struct.c: two kernel structs as text and JSON: struct ip6_mtuinfo (IPV6_PATHMTU) and struct sock_txtime (SO_TXTIME). */
#include <errno.h>
#include <limits.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "values.h"

/* ---- struct ip6_mtuinfo: "MTU" or "MTU@[ADDRESS]:PORT" ------------------------ */

/*
 * IPV6_PATHMTU fills only ip6m_mtu and leaves ip6m_addr zero (measured
 * on a connected socket here); the address appears in the IPV6_PATHMTU
 * control message, the same struct, so it is kept when it is there.
 */
int parse_mtuinfo(const char *text, sockopt_value *v, const char **problem)
{
	struct ip6_mtuinfo m;
	const char *at = strchr(text, '@');
	char number[16];
	long long mtu;
	size_t n = at ? (size_t)(at - text) : strlen(text);

	memset(&m, 0, sizeof(m));
	if (n >= sizeof(number))
		return -ERANGE;
	memcpy(number, text, n);
	number[n] = '\0';
	if (parse_integer(number, 0, UINT32_MAX, &mtu) != 0)
		return -EINVAL;
	m.ip6m_mtu = (uint32_t)mtu;
	if (at) {
		sockopt_value a;
		int r = parse_sockaddr(at + 1, &a, problem);

		if (r)
			return r;
		if (a.len != sizeof(m.ip6m_addr) || ((struct sockaddr *)a.v.bytes)->sa_family != AF_INET6) {
			*problem = "has an address that is not IPv6 ([ADDRESS]:PORT)";
			return -EINVAL;
		}
		memcpy(&m.ip6m_addr, a.v.bytes, sizeof(m.ip6m_addr));
	}
	return value_from_struct(v, &m, sizeof(m));
}

/* The address of M as a sockaddr value, or false when it has none. */
static bool mtuinfo_address(const struct ip6_mtuinfo *m, sockopt_value *a)
{
	if (m->ip6m_addr.sin6_family != AF_INET6)
		return false;
	memset(a, 0, sizeof(*a));
	value_from_struct(a, &m->ip6m_addr, sizeof(m->ip6m_addr));
	return true;
}

void format_mtuinfo(const sockopt_value *v, struct out *o)
{
	struct ip6_mtuinfo m;
	sockopt_value a;

	value_to_struct(v, &m, sizeof(m));
	out_u64(o, m.ip6m_mtu);
	if (mtuinfo_address(&m, &a)) {
		out_puts(o, "@");
		format_sockaddr(&a, o);
	}
}

void json_mtuinfo(const sockopt_value *v, struct out *o)
{
	struct ip6_mtuinfo m;
	sockopt_value a;

	value_to_struct(v, &m, sizeof(m));
	out_printf(o, "{\"mtu\": %u, \"address\": ", m.ip6m_mtu);
	if (mtuinfo_address(&m, &a)) {
		char text[128];
		struct out t = { text, sizeof(text), 0 };

		format_sockaddr(&a, &t);
		out_json_string(o, text);
	} else {
		out_puts(o, "null");
	}
	out_puts(o, "}");
}

/* ---- struct sock_txtime: "CLOCK[:deadline_mode][:report_errors]" ------------- */

/*
 * The clocks SO_TXTIME takes and its flags: measured here, CLOCK_BOOTTIME
 * and flag 4 get EINVAL, and an unprivileged process gets EPERM for any
 * clock but CLOCK_MONOTONIC.
 */
static const struct named clocks[] = {
	{ CLOCK_REALTIME, "CLOCK_REALTIME" },
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
	{ CLOCK_TAI, "CLOCK_TAI" },
};
static const struct named txtime_flags[] = {
	{ SOF_TXTIME_DEADLINE_MODE, "deadline_mode" }, { SOF_TXTIME_REPORT_ERRORS, "report_errors" },
};

/* The value of WORD in TABLE by its name, or its name without "CLOCK_" ("tai"); -1 when none. */
static long long named_value(const struct named *table, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = table[i].name;

		if (strcasecmp(word, name) == 0 ||
		    (strncmp(name, "CLOCK_", 6) == 0 && strcasecmp(word, name + 6) == 0))
			return table[i].value;
	}
	return -1;
}

int parse_txtime(const char *text, sockopt_value *v, const char **problem)
{
	struct sock_txtime t = { 0, 0 };
	char copy[128], *save = NULL, *word;
	long long n;

	if (strlen(text) >= sizeof(copy))
		return -ERANGE;
	strcpy(copy, text);
	word = strtok_r(copy, ":", &save);
	if (!word)
		return -EINVAL;
	n = named_value(clocks, ARRAY_SIZE(clocks), word);
	if (n < 0 && parse_integer(word, INT_MIN, INT_MAX, &n) != 0) {
		*problem = "names no clock";
		return -EINVAL;
	}
	t.clockid = (int)n;
	while ((word = strtok_r(NULL, ":", &save))) {
		n = named_value(txtime_flags, ARRAY_SIZE(txtime_flags), word);
		if (n < 0 && parse_integer(word, 0, UINT32_MAX, &n) != 0) {
			*problem = "has a flag other than deadline_mode and report_errors";
			return -EINVAL;
		}
		t.flags |= (uint32_t)n;
	}
	return value_from_struct(v, &t, sizeof(t));
}

void format_txtime(const sockopt_value *v, struct out *o)
{
	struct sock_txtime t;
	uint32_t rest;
	long long c = -1;

	value_to_struct(v, &t, sizeof(t));
	for (size_t i = 0; i < ARRAY_SIZE(clocks); i++)
		if (clocks[i].value == t.clockid)
			c = (long long)i;
	if (c >= 0)
		out_puts(o, clocks[c].name);
	else
		out_printf(o, "%d", t.clockid);
	rest = t.flags;
	for (size_t i = 0; i < ARRAY_SIZE(txtime_flags); i++) {
		if (t.flags & (uint32_t)txtime_flags[i].value) {
			out_printf(o, ":%s", txtime_flags[i].name);
			rest &= ~(uint32_t)txtime_flags[i].value;
		}
	}
	if (rest) /* bits this kernel's header does not name */
		out_printf(o, ":0x%x", rest);
}

void json_txtime(const sockopt_value *v, struct out *o)
{
	struct sock_txtime t;
	char clock[64];
	struct out c = { clock, sizeof(clock), 0 };
	sockopt_value only = *v;

	value_to_struct(v, &t, sizeof(t));
	memset(&only.v.bytes[sizeof(t.clockid)], 0, sizeof(t.flags)); /* the clock alone */
	format_txtime(&only, &c);
	out_printf(o, "{\"clockid\": %d, \"clock\": ", t.clockid);
	out_json_string(o, clock);
	out_printf(o, ", \"flags\": %u, \"deadline_mode\": %s, \"report_errors\": %s}", t.flags,
		   t.flags & SOF_TXTIME_DEADLINE_MODE ? "true" : "false",
		   t.flags & SOF_TXTIME_REPORT_ERRORS ? "true" : "false");
}
