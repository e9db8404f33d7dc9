/* values.c: the value types: parse text, format canonical text and JSON, compare. */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "internal.h"
#include "values.h"

/* ---- integers and booleans ---------------------------------------------- */

static int parse_int(const char *text, sockopt_value *v, const char **problem)
{
	long long n;
	int r = parse_integer(text, INT_MIN, INT_MAX, &n);

	(void)problem;
	if (r == 0)
		sockopt_value_set_int(v, (int)n);
	return r;
}

static int parse_uint(const char *text, sockopt_value *v, const char **problem)
{
	long long n;
	int r = parse_integer(text, 0, UINT_MAX, &n);

	(void)problem;
	if (r == 0) {
		v->v.u = (unsigned)n;
		v->len = sizeof(unsigned);
	}
	return r;
}

static int parse_u64(const char *text, sockopt_value *v, const char **problem)
{
	unsigned long long n;
	char *end;

	(void)problem;
	if (!*text || *text == '-' || *text == ' ')
		return *text == '-' ? -ERANGE : -EINVAL;
	errno = 0;
	n = strtoull(text, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	v->v.u64 = n;
	v->len = sizeof(uint64_t);
	return 0;
}

static void format_int(const sockopt_value *v, struct out *o)
{
	out_printf(o, "%d", v->v.i);
}

static void format_uint(const sockopt_value *v, struct out *o)
{
	out_printf(o, "%u", v->v.u);
}

static void format_u64(const sockopt_value *v, struct out *o)
{
	out_printf(o, "%llu", (unsigned long long)v->v.u64);
}

static const struct named bool_words[] = {
	{ 1, "on" }, { 0, "off" }, { 1, "yes" }, { 0, "no" },
	{ 1, "true" }, { 0, "false" }, { 1, "1" }, { 0, "0" },
};

static int parse_bool(const char *text, sockopt_value *v, const char **problem)
{
	(void)problem;
	for (size_t i = 0; i < ARRAY_SIZE(bool_words); i++) {
		if (strcasecmp(text, bool_words[i].name) == 0) {
			sockopt_value_set_int(v, bool_words[i].value);
			return 0;
		}
	}
	return -EINVAL;
}

static void format_bool(const sockopt_value *v, struct out *o)
{
	out_printf(o, "%s", v->v.i ? "on" : "off");
}

static void json_bool(const sockopt_value *v, struct out *o)
{
	out_printf(o, "%s", v->v.i ? "true" : "false");
}

/* ---- sizes ------------------------------------------------------------- */

static int parse_bytes(const char *text, sockopt_value *v, const char **problem)
{
	static const struct unit sizes[] = {
		{ "K", 1 << 10 }, { "KiB", 1 << 10 }, { "M", 1 << 20 }, { "MiB", 1 << 20 },
		{ "G", 1 << 30 }, { "GiB", 1 << 30 }, { "B", 1 },
	};
	long long n;
	int r = parse_scaled(text, sizes, ARRAY_SIZE(sizes), 1, INT_MAX, &n, problem);

	if (r == 0)
		sockopt_value_set_int(v, (int)n);
	return r;
}

/* ---- strings and hex ----------------------------------------------------- */

static int parse_string(const char *text, sockopt_value *v, const char **problem)
{
	size_t n = strlen(text);

	if (n >= sizeof(v->v.bytes)) {
		*problem = "is too long";
		return -ERANGE;
	}
	memcpy(v->v.bytes, text, n + 1);
	v->len = (socklen_t)n;
	return 0;
}

/* The value as a C string: up to its first NUL or its length. */
static void value_cstring(const sockopt_value *v, char *s, size_t size)
{
	size_t n = v->len < size - 1 ? v->len : size - 1;

	memcpy(s, v->v.bytes, n);
	s[n] = '\0';
}

static void format_string(const sockopt_value *v, struct out *o)
{
	char s[SOCKOPT_VALUE_MAX + 1];

	value_cstring(v, s, sizeof(s));
	out_printf(o, "%s", s);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

static int parse_hex(const char *text, sockopt_value *v, const char **problem)
{
	size_t n;

	if (text[0] == '0' && (text[1] | 0x20) == 'x')
		text += 2;
	n = strlen(text);
	if (n % 2) {
		*problem = "has an odd number of hex digits";
		return -EINVAL;
	}
	if (n / 2 > sizeof(v->v.bytes))
		return -ERANGE;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		v->v.bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	v->len = (socklen_t)(n / 2);
	return 0;
}

static void format_hex(const sockopt_value *v, struct out *o)
{
	static const char digits[] = "0123456789abcdef";
	char text[2 * SOCKOPT_VALUE_MAX + 1];
	size_t n = v->len < SOCKOPT_VALUE_MAX ? (size_t)v->len : SOCKOPT_VALUE_MAX;

	/* One out_printf for the whole value: sockopt show formats thousands of these. */
	for (size_t i = 0; i < n; i++) {
		text[2 * i] = digits[v->v.bytes[i] >> 4];
		text[2 * i + 1] = digits[v->v.bytes[i] & 15];
	}
	text[2 * n] = '\0';
	out_printf(o, "%s", text);
}

/* ---- named integers ------------------------------------------------------ */

static const struct named socktypes[] = {
	{ SOCK_STREAM, "SOCK_STREAM" }, { SOCK_DGRAM, "SOCK_DGRAM" },
	{ SOCK_RAW, "SOCK_RAW" }, { SOCK_RDM, "SOCK_RDM" },
	{ SOCK_SEQPACKET, "SOCK_SEQPACKET" }, { SOCK_DCCP, "SOCK_DCCP" },
	{ SOCK_PACKET, "SOCK_PACKET" },
};

static const struct named families[] = {
	{ AF_UNSPEC, "AF_UNSPEC" }, { AF_UNIX, "AF_UNIX" }, { AF_INET, "AF_INET" },
	{ AF_INET6, "AF_INET6" }, { AF_NETLINK, "AF_NETLINK" }, { AF_PACKET, "AF_PACKET" },
	{ AF_LOCAL, "AF_LOCAL" }, { AF_VSOCK, "AF_VSOCK" }, { AF_XDP, "AF_XDP" },
};

static const struct named protocols[] = {
	{ IPPROTO_IP, "IPPROTO_IP" }, { IPPROTO_ICMP, "IPPROTO_ICMP" },
	{ IPPROTO_TCP, "IPPROTO_TCP" }, { IPPROTO_UDP, "IPPROTO_UDP" },
	{ IPPROTO_IPV6, "IPPROTO_IPV6" }, { IPPROTO_ICMPV6, "IPPROTO_ICMPV6" },
	{ IPPROTO_RAW, "IPPROTO_RAW" }, { IPPROTO_SCTP, "IPPROTO_SCTP" },
	{ IPPROTO_UDPLITE, "IPPROTO_UDPLITE" }, { IPPROTO_MPTCP, "IPPROTO_MPTCP" },
	{ IPPROTO_IGMP, "IPPROTO_IGMP" }, { IPPROTO_GRE, "IPPROTO_GRE" },
};

static const struct named pmtudiscs[] = {
	{ IP_PMTUDISC_DONT, "IP_PMTUDISC_DONT" }, { IP_PMTUDISC_WANT, "IP_PMTUDISC_WANT" },
	{ IP_PMTUDISC_DO, "IP_PMTUDISC_DO" }, { IP_PMTUDISC_PROBE, "IP_PMTUDISC_PROBE" },
	{ IP_PMTUDISC_INTERFACE, "IP_PMTUDISC_INTERFACE" },
	{ IP_PMTUDISC_OMIT, "IP_PMTUDISC_OMIT" },
};

#define NAMED(table) { table, ARRAY_SIZE(table) }
static const struct {
	const struct named *names;
	size_t count;
} enums[SOCKOPT_TYPE_COUNT] = {
	[SOCKOPT_TYPE_SOCKTYPE] = NAMED(socktypes),
	[SOCKOPT_TYPE_FAMILY] = NAMED(families),
	[SOCKOPT_TYPE_PROTOCOL] = NAMED(protocols),
	[SOCKOPT_TYPE_PMTUDISC] = NAMED(pmtudiscs),
};

/* Match TEXT against NAME with or without its prefix up to the first '_' run. */
static bool matches_name(const char *text, const char *name)
{
	const char *tail = strrchr(name, '_');

	if (strcasecmp(text, name) == 0)
		return true;
	/* "stream" for SOCK_STREAM, "inet6" for AF_INET6, "do" for IP_PMTUDISC_DO */
	return tail && strcasecmp(text, tail + 1) == 0;
}

static int parse_enum(enum sockopt_type t, const char *text, sockopt_value *v)
{
	long long n;

	for (size_t i = 0; i < enums[t].count; i++) {
		if (matches_name(text, enums[t].names[i].name)) {
			sockopt_value_set_int(v, enums[t].names[i].value);
			return 0;
		}
	}
	if (parse_integer(text, INT_MIN, INT_MAX, &n) != 0)
		return -EINVAL;
	sockopt_value_set_int(v, (int)n);
	return 0;
}

static void format_enum(enum sockopt_type t, const sockopt_value *v, struct out *o)
{
	for (size_t i = 0; i < enums[t].count; i++) {
		if (enums[t].names[i].value == v->v.i) {
			out_printf(o, "%s", enums[t].names[i].name);
			return;
		}
	}
	out_printf(o, "%d", v->v.i);
}

#define ENUM_TYPE(t, lower)                                                                  \
	static int parse_##lower(const char *text, sockopt_value *v, const char **problem)  \
	{                                                                                    \
		(void)problem;                                                               \
		return parse_enum(t, text, v);                                               \
	}                                                                                    \
	static void format_##lower(const sockopt_value *v, struct out *o)                    \
	{                                                                                    \
		format_enum(t, v, o);                                                        \
	}
ENUM_TYPE(SOCKOPT_TYPE_SOCKTYPE, socktype)
ENUM_TYPE(SOCKOPT_TYPE_FAMILY, family)
ENUM_TYPE(SOCKOPT_TYPE_PROTOCOL, protocol)
ENUM_TYPE(SOCKOPT_TYPE_PMTUDISC, pmtudisc)

/* ---- errno ------------------------------------------------------------- */

static int parse_errno(const char *text, sockopt_value *v, const char **problem)
{
	long long n;

	(void)problem;
	if (parse_integer(text, 0, 4095, &n) == 0) {
		sockopt_value_set_int(v, (int)n);
		return 0;
	}
	for (int e = 1; e < 4096; e++) {
		const char *name = errno_name(e);

		if (name && strcasecmp(name, text) == 0) {
			sockopt_value_set_int(v, e);
			return 0;
		}
	}
	return -EINVAL;
}

static void format_errno(const sockopt_value *v, struct out *o)
{
	const char *name = errno_name(v->v.i);

	if (name)
		out_printf(o, "%s", name);
	else
		out_printf(o, "%d", v->v.i);
}

/* ---- the type table ---------------------------------------------------- */

enum json_form { JSON_TEXT, JSON_INT, JSON_UINT, JSON_U64 };

struct value_type {
	const char *name;
	const char *expected;
	int (*parse)(const char *text, sockopt_value *v, const char **problem);
	void (*format)(const sockopt_value *v, struct out *o);
	enum json_form json_form;
	void (*json)(const sockopt_value *v, struct out *o); /* overrides json_form */
};

static const struct value_type types[SOCKOPT_TYPE_COUNT] = {
	[SOCKOPT_TYPE_BOOL] = { "bool", "on, off, yes, no, true, false, 1 or 0", parse_bool,
				format_bool, JSON_TEXT, json_bool },
	[SOCKOPT_TYPE_INT] = { "int", "an integer", parse_int, format_int, JSON_INT, NULL },
	[SOCKOPT_TYPE_UINT] = { "unsigned", "a non-negative integer", parse_uint, format_uint,
				JSON_UINT, NULL },
	[SOCKOPT_TYPE_U64] = { "u64", "a non-negative 64-bit integer", parse_u64, format_u64,
			       JSON_U64, NULL },
	[SOCKOPT_TYPE_BYTES] = { "bytes", "a size in bytes such as 212992, 64K or 4M",
				 parse_bytes, format_int, JSON_INT, NULL },
	[SOCKOPT_TYPE_SECONDS] = { "seconds", "whole seconds such as 30, 30s, 2m or 1h",
				   parse_seconds, format_seconds, JSON_INT, NULL },
	[SOCKOPT_TYPE_MILLIS] = { "milliseconds", "milliseconds such as 250, 250ms or 2s",
				  parse_millis, format_millis, JSON_UINT, NULL },
	[SOCKOPT_TYPE_MICROS] = { "microseconds", "microseconds such as 50, 50us or 1ms",
				  parse_micros, format_micros, JSON_INT, NULL },
	[SOCKOPT_TYPE_LINGER] = { "linger", "off, on:SECONDS, SECONDS, or abort (on:0)",
				  parse_linger, format_linger, JSON_TEXT, json_linger },
	[SOCKOPT_TYPE_TIMEVAL] = { "timeval", "a duration such as 0, 250ms, 2s or 1500us",
				   parse_timeval, format_timeval, JSON_TEXT, json_timeval },
	[SOCKOPT_TYPE_STRING] = { "string", "text", parse_string, format_string, JSON_TEXT,
				  NULL },
	[SOCKOPT_TYPE_SOCKTYPE] = { "socktype", "a socket type such as SOCK_STREAM or stream",
				    parse_socktype, format_socktype, JSON_INT, NULL },
	[SOCKOPT_TYPE_FAMILY] = { "family", "an address family such as AF_INET6 or inet6",
				  parse_family, format_family, JSON_INT, NULL },
	[SOCKOPT_TYPE_PROTOCOL] = { "protocol", "a protocol such as IPPROTO_TCP or tcp",
				    parse_protocol, format_protocol, JSON_INT, NULL },
	[SOCKOPT_TYPE_PMTUDISC] = { "pmtudisc", "dont, want, do, probe, interface or omit",
				    parse_pmtudisc, format_pmtudisc, JSON_INT, NULL },
	[SOCKOPT_TYPE_TOS] = { "tos", "a DSCP name such as CS0, AF41 or EF with an optional "
				      ":ECT0, :ECT1 or :CE, or a byte such as 0x10",
			       parse_tos, format_tos, JSON_INT, NULL },
	[SOCKOPT_TYPE_ERRNO] = { "errno", "an errno name such as ECONNREFUSED, or 0",
				 parse_errno, format_errno, JSON_INT, NULL },
	[SOCKOPT_TYPE_UCRED] = { "ucred", "pid=N uid=N gid=N", parse_ucred, format_ucred,
				 JSON_TEXT, json_ucred },
	[SOCKOPT_TYPE_TCPINFO] = { "tcp_info", "KEY=VALUE words such as state=ESTABLISHED rtt=50",
				   parse_tcpinfo, format_tcpinfo, JSON_TEXT, json_tcpinfo },
	[SOCKOPT_TYPE_SOCKADDR] = { "address",
				    "127.0.0.1:80, [::1]:80, /path, @abstract or unnamed",
				    parse_sockaddr, format_sockaddr, JSON_TEXT, NULL },
	[SOCKOPT_TYPE_INADDR] = { "in_addr", "an IPv4 address such as 127.0.0.1",
				  parse_inaddr, format_inaddr, JSON_TEXT, NULL },
	[SOCKOPT_TYPE_MREQ] = { "ip_mreqn", "GROUP[@IFACE|@LOCALADDR] such as 239.1.2.3@lo",
				parse_mreq, format_mreq, JSON_TEXT, NULL },
	[SOCKOPT_TYPE_MREQ6] = { "ipv6_mreq", "GROUP[@IFACE] such as ff02::1:3@lo",
				 parse_mreq6, format_mreq6, JSON_TEXT, NULL },
	[SOCKOPT_TYPE_HEX] = { "hex", "hex bytes such as 0a0b0c", parse_hex, format_hex,
			       JSON_TEXT, NULL },
	[SOCKOPT_TYPE_MTUINFO] = { "ip6_mtuinfo", "an MTU with an optional @[ADDRESS]:PORT such as "
						  "1280 or 1280@[2001:db8::1]:0",
				   parse_mtuinfo, format_mtuinfo, JSON_TEXT, json_mtuinfo },
	[SOCKOPT_TYPE_TXTIME] = { "sock_txtime", "a clock (CLOCK_MONOTONIC, CLOCK_TAI, CLOCK_REALTIME "
						 "or a number) with optional :deadline_mode and "
						 ":report_errors",
				  parse_txtime, format_txtime, JSON_TEXT, json_txtime },
};

SOCKOPT_EXPORT const char *sockopt_type_name(enum sockopt_type t)
{
	return (unsigned)t < SOCKOPT_TYPE_COUNT ? types[t].name : NULL;
}

/* Parse TEXT into V, filling PROBLEM with a phrase when it is not the default one. */
static int type_parse(enum sockopt_type t, const char *text, sockopt_value *v,
		      const char **problem)
{
	if ((unsigned)t >= SOCKOPT_TYPE_COUNT || !text)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	return types[t].parse(text, v, problem);
}

/* The sentence for a parse failure, with or without an option name. */
static int parse_failed(struct sockopt_diag *diag, int err, const char *option,
			enum sockopt_type t, const char *text, const char *problem)
{
	if (!problem)
		problem = err == -ERANGE ? "is out of range" : "is not valid";
	return diag_set(diag, err, "%s%s\"%.64s\" %s; expected %s.", option ? option : "",
			option ? ": " : "", text ? text : "(null)", problem, types[t].expected);
}

SOCKOPT_EXPORT int sockopt_type_parse(enum sockopt_type t, const char *text, sockopt_value *out,
				      struct sockopt_diag *diag)
{
	const char *problem = NULL;
	sockopt_value v;
	int r;

	if ((unsigned)t >= SOCKOPT_TYPE_COUNT)
		return diag_set(diag, -EINVAL, "There is no value type %d.", (int)t);
	r = type_parse(t, text, &v, &problem);
	if (r)
		return parse_failed(diag, r, NULL, t, text, problem);
	*out = v;
	return 0;
}

SOCKOPT_EXPORT int sockopt_value_parse(const sockopt_entry *e, const char *text,
				       sockopt_value *out, struct sockopt_diag *diag)
{
	const char *problem = NULL;
	sockopt_value v;
	int r = type_parse(e->type, text, &v, &problem);

	if (r)
		return parse_failed(diag, r, e->name, e->type, text, problem);
	r = sockopt_value_check(e, &v, diag);
	if (r)
		return r;
	*out = v;
	return 0;
}

SOCKOPT_EXPORT int sockopt_type_format(enum sockopt_type t, const sockopt_value *v, char *buf,
				       size_t size)
{
	struct out o = { buf, size, 0 };

	if ((unsigned)t >= SOCKOPT_TYPE_COUNT || !v)
		return -EINVAL;
	if (size)
		buf[0] = '\0';
	types[t].format(v, &o);
	return o.pos > INT_MAX ? -EOVERFLOW : (int)o.pos;
}

SOCKOPT_EXPORT int sockopt_type_format_json(enum sockopt_type t, const sockopt_value *v,
					    char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	char text[4 * SOCKOPT_VALUE_MAX];

	if ((unsigned)t >= SOCKOPT_TYPE_COUNT || !v)
		return -EINVAL;
	if (size)
		buf[0] = '\0';
	if (types[t].json) {
		types[t].json(v, &o);
	} else if (types[t].json_form == JSON_INT) {
		format_int(v, &o);
	} else if (types[t].json_form == JSON_UINT) {
		format_uint(v, &o);
	} else if (types[t].json_form == JSON_U64) {
		format_u64(v, &o);
	} else {
		sockopt_type_format(t, v, text, sizeof(text));
		out_json_string(&o, text);
	}
	return o.pos > INT_MAX ? -EOVERFLOW : (int)o.pos;
}

SOCKOPT_EXPORT bool sockopt_value_equal(enum sockopt_type t, const sockopt_value *a,
					const sockopt_value *b)
{
	char ta[4 * SOCKOPT_VALUE_MAX], tb[4 * SOCKOPT_VALUE_MAX];

	/* Two values are the same when their canonical texts are. */
	if (sockopt_type_format(t, a, ta, sizeof(ta)) < 0 ||
	    sockopt_type_format(t, b, tb, sizeof(tb)) < 0)
		return false;
	return strcmp(ta, tb) == 0;
}

SOCKOPT_EXPORT void sockopt_value_set_int(sockopt_value *v, int i)
{
	memset(v, 0, sizeof(*v));
	v->v.i = i;
	v->len = sizeof(int);
}

void value_to_struct(const sockopt_value *v, void *out, size_t size)
{
	memset(out, 0, size);
	memcpy(out, v->v.bytes, v->len < size ? v->len : size);
}

int value_from_struct(sockopt_value *v, const void *in, size_t size)
{
	memcpy(v->v.bytes, in, size);
	v->len = (socklen_t)size;
	return 0;
}
