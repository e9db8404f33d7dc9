/* values_addr.c: addresses, memberships, credentials and the TOS byte as text. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "values.h"

/* ---- TOS: DSCP and ECN --------------------------------------------------- */

static const struct named dscps[] = {
	{ 0, "CS0" },	{ 8, "CS1" },	{ 16, "CS2" },	{ 24, "CS3" },	{ 32, "CS4" },
	{ 40, "CS5" },	{ 48, "CS6" },	{ 56, "CS7" },	{ 10, "AF11" }, { 12, "AF12" },
	{ 14, "AF13" }, { 18, "AF21" }, { 20, "AF22" }, { 22, "AF23" }, { 26, "AF31" },
	{ 28, "AF32" }, { 30, "AF33" }, { 34, "AF41" }, { 36, "AF42" }, { 38, "AF43" },
	{ 46, "EF" },	{ 44, "VA" },	{ 1, "LE" },
};
static const char *const ecns[] = { "", "ECT1", "ECT0", "CE" };

int parse_tos(const char *text, sockopt_value *v, const char **problem)
{
	char dscp[16];
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);
	int ecn = 0, code = -1;
	long long raw;

	if (!colon && parse_integer(text, INT_MIN, INT_MAX, &raw) == 0) {
		if (raw < 0 || raw > 255)
			return -ERANGE;
		sockopt_value_set_int(v, (int)raw);
		return 0;
	}
	if (n >= sizeof(dscp))
		return -EINVAL;
	memcpy(dscp, text, n);
	dscp[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(dscps); i++)
		if (strcasecmp(dscp, dscps[i].name) == 0)
			code = dscps[i].value;
	if (code < 0 && strncasecmp(dscp, "DSCP", 4) == 0 && parse_integer(dscp + 4, 0, 63, &raw) == 0)
		code = (int)raw;
	if (code < 0) {
		*problem = "is not a DSCP name";
		return -EINVAL;
	}
	if (colon) {
		for (ecn = 1; ecn < 4; ecn++)
			if (strcasecmp(colon + 1, ecns[ecn]) == 0)
				break;
		if (ecn == 4) {
			*problem = "has an ECN part other than ECT0, ECT1 or CE";
			return -EINVAL;
		}
	}
	sockopt_value_set_int(v, code << 2 | ecn);
	return 0;
}

void format_tos(const sockopt_value *v, struct out *o)
{
	int dscp = (v->v.i >> 2) & 63, ecn = v->v.i & 3;
	const char *name = NULL;

	if (v->v.i < 0 || v->v.i > 255) {
		out_printf(o, "%d", v->v.i);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dscps); i++)
		if (dscps[i].value == dscp)
			name = dscps[i].name;
	if (name)
		out_printf(o, "%s", name);
	else
		out_printf(o, "DSCP%d", dscp);
	if (ecn)
		out_printf(o, ":%s", ecns[ecn]);
}

/* ---- peer credentials ------------------------------------------------------ */

static struct ucred value_ucred(const sockopt_value *v)
{
	struct ucred c;

	value_to_struct(v, &c, sizeof(c));
	return c;
}

int parse_ucred(const char *text, sockopt_value *v, const char **problem)
{
	struct ucred c;
	int used = 0;

	(void)problem;
	if (sscanf(text, "pid=%d uid=%u gid=%u%n", &c.pid, &c.uid, &c.gid, &used) != 3 ||
	    text[used] || c.pid < 0)
		return -EINVAL;
	return value_from_struct(v, &c, sizeof(c));
}

void format_ucred(const sockopt_value *v, struct out *o)
{
	struct ucred c = value_ucred(v);

	out_printf(o, "pid=%d uid=%u gid=%u", c.pid, c.uid, c.gid);
}

void json_ucred(const sockopt_value *v, struct out *o)
{
	struct ucred c = value_ucred(v);

	out_printf(o, "{\"pid\": %d, \"uid\": %u, \"gid\": %u}", c.pid, c.uid, c.gid);
}

/* ---- socket addresses ------------------------------------------------------ */

/* Parse a port after ':' in TEXT; 0 or -EINVAL/-ERANGE. */
static int parse_port(const char *text, in_port_t *port)
{
	long long n;
	int r = parse_integer(text, 0, 65535, &n);

	if (r == 0)
		*port = htons((uint16_t)n);
	return r;
}

static int parse_sockaddr_inet(const char *text, sockopt_value *v)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t n;

	if (text[0] == '[') {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':' || (n = (size_t)(close - text - 1)) >= sizeof(host))
			return -EINVAL;
		memcpy(host, text + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, &sin6.sin6_addr) != 1)
			return -EINVAL;
		if (parse_port(close + 2, &sin6.sin6_port))
			return -EINVAL;
		return value_from_struct(v, &sin6, sizeof(sin6));
	}
	colon = strrchr(text, ':');
	if (!colon || (n = (size_t)(colon - text)) >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1 || parse_port(colon + 1, &sin.sin_port))
		return -EINVAL;
	return value_from_struct(v, &sin, sizeof(sin));
}

/*
 * A unix address "/PATH" or "@ABSTRACT", its name escaped as
 * sockopt_text_escape writes it ("@abs\\0with\\0nul"), into V.
 */
static int parse_sockaddr_unix(const char *text, sockopt_value *v, const char **problem)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool abstract = text[0] == '@';
	ssize_t n = text_unescape(text + abstract, sun.sun_path + abstract,
				  sizeof(sun.sun_path) - abstract);

	if (n == -EINVAL) {
		*problem = "has a backslash that starts no escape (\\\\, \\0, \\n, \\t, \\r, \\xNN)";
		return -EINVAL;
	}
	if (n < 0 || (!abstract && (size_t)n == sizeof(sun.sun_path))) {
		*problem = "is longer than a unix socket path may be";
		return -ERANGE;
	}
	/* A path address counts its terminating NUL; an abstract one its leading NUL. */
	v->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	memcpy(v->v.bytes, &sun, v->len);
	return 0;
}

int parse_sockaddr(const char *text, sockopt_value *v, const char **problem)
{
	if (strcmp(text, "unnamed") == 0) {
		sa_family_t family = AF_UNIX;

		v->len = sizeof(family);
		memcpy(v->v.bytes, &family, v->len);
		return 0;
	}
	if (text[0] == '/' || text[0] == '@')
		return parse_sockaddr_unix(text, v, problem);
	return parse_sockaddr_inet(text, v);
}

/*
 * Append BEFORE and the address ADDR of FAMILY (AF_INET, AF_INET6) as
 * text.  An IPv4 address is four numbers written here: show formats two
 * per socket, and inet_ntop goes through printf for each.
 */
static void out_host(struct out *o, const char *before, int family, const void *addr)
{
	char host[INET6_ADDRSTRLEN];

	out_puts(o, before);
	if (family == AF_INET) {
		const unsigned char *b = addr;

		for (int i = 0; i < 4; i++) {
			if (i)
				out_write(o, ".", 1);
			out_u64(o, b[i]);
		}
		return;
	}
	out_puts(o, inet_ntop(family, addr, host, sizeof(host)));
}

void format_sockaddr(const sockopt_value *v, struct out *o)
{
	struct sockaddr_storage ss;
	sa_family_t family;

	value_to_struct(v, &ss, sizeof(ss));
	family = v->len >= sizeof(sa_family_t) ? ss.ss_family : AF_UNSPEC;
	if (family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

		out_host(o, "", AF_INET, &sin->sin_addr);
		out_write(o, ":", 1);
		out_u64(o, ntohs(sin->sin_port));
	} else if (family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

		out_host(o, "[", AF_INET6, &sin6->sin6_addr);
		out_write(o, "]:", 2);
		out_u64(o, ntohs(sin6->sin6_port));
	} else if (family == AF_UNIX) {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)&ss;
		/* Only what was copied into SS: a longer value must not read past it. */
		size_t len = v->len < sizeof(ss) ? v->len : sizeof(ss);
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (v->len <= offsetof(struct sockaddr_un, sun_path))
			out_printf(o, "unnamed");
		else if (sun->sun_path[0] == '\0') {
			out_write(o, "@", 1);
			out_text_bytes(o, sun->sun_path + 1, n - 1);
		} else
			out_text_bytes(o, sun->sun_path, strnlen(sun->sun_path, n));
	} else {
		out_printf(o, "AF%u", family);
	}
}

/* ---- IPv4 addresses and multicast memberships ------------------------------ */

int parse_inaddr(const char *text, sockopt_value *v, const char **problem)
{
	struct in_addr a;

	(void)problem;
	if (inet_pton(AF_INET, text, &a) != 1)
		return -EINVAL;
	return value_from_struct(v, &a, sizeof(a));
}

void format_inaddr(const sockopt_value *v, struct out *o)
{
	struct in_addr a;

	value_to_struct(v, &a, sizeof(a));
	out_host(o, "", AF_INET, &a);
}

/* An interface given by name or index: 0, or -EINVAL with *PROBLEM set when there is none. */
static int parse_ifindex(const char *text, int *ifindex, const char **problem)
{
	long long n;

	if (parse_integer(text, 1, INT_MAX, &n) == 0) {
		*ifindex = (int)n;
		return 0;
	}
	*ifindex = (int)if_nametoindex(text);
	if (*ifindex)
		return 0;
	*problem = "names an interface this machine does not have";
	return -EINVAL;
}

static void format_ifindex(int ifindex, struct out *o)
{
	char name[IF_NAMESIZE];

	if (ifindex > 0 && if_indextoname((unsigned)ifindex, name))
		out_printf(o, "@%s", name);
	else if (ifindex > 0)
		out_printf(o, "@%d", ifindex);
}

/* Split TEXT at its first '@' into HEAD (copied) and the rest; NULL when none. */
static const char *split_at(const char *text, char *head, size_t size)
{
	const char *at = strchr(text, '@');
	size_t n = at ? (size_t)(at - text) : strlen(text);

	if (n >= size)
		return NULL;
	memcpy(head, text, n);
	head[n] = '\0';
	return at ? at + 1 : "";
}

int parse_mreq(const char *text, sockopt_value *v, const char **problem)
{
	struct ip_mreqn m = { .imr_ifindex = 0 };
	char group[INET_ADDRSTRLEN], local[INET_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *rest = split_at(text, group, sizeof(group));

	if (!rest || inet_pton(AF_INET, group, &m.imr_multiaddr) != 1)
		return -EINVAL;
	while (*rest) {
		const char *next = split_at(rest, local, sizeof(local));

		if (!next)
			return -EINVAL;
		if (inet_pton(AF_INET, local, &m.imr_address) != 1 &&
		    parse_ifindex(local, &m.imr_ifindex, problem) != 0)
			return -EINVAL;
		rest = next;
	}
	return value_from_struct(v, &m, sizeof(m));
}

void format_mreq(const sockopt_value *v, struct out *o)
{
	struct ip_mreqn m;

	value_to_struct(v, &m, sizeof(m));
	out_host(o, "", AF_INET, &m.imr_multiaddr);
	if (m.imr_address.s_addr != htonl(INADDR_ANY))
		out_host(o, "@", AF_INET, &m.imr_address);
	format_ifindex(m.imr_ifindex, o);
}

int parse_mreq6(const char *text, sockopt_value *v, const char **problem)
{
	struct ipv6_mreq m = { .ipv6mr_interface = 0 };
	char group[INET6_ADDRSTRLEN];
	const char *rest = split_at(text, group, sizeof(group));
	int ifindex = 0;

	if (!rest || inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr) != 1)
		return -EINVAL;
	if (*rest && parse_ifindex(rest, &ifindex, problem) != 0)
		return -EINVAL;
	m.ipv6mr_interface = (unsigned)ifindex;
	return value_from_struct(v, &m, sizeof(m));
}

void format_mreq6(const sockopt_value *v, struct out *o)
{
	struct ipv6_mreq m;

	value_to_struct(v, &m, sizeof(m));
	out_host(o, "", AF_INET6, &m.ipv6mr_multiaddr);
	format_ifindex((int)m.ipv6mr_interface, o);
}
