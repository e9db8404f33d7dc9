/* show_filter.c: the ss-like filters of `sockopt show`: --tcp --udp --unix --raw -4 -6 --listening --port --state. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "show.h"

#define TCP_LISTEN_STATE 10 /* include/net/tcp_states.h */
#define TCP_CLOSE_STATE 7

static const struct {
	int option;
	unsigned kinds;
	bool family; /* -4 / -6 narrow families; the others choose protocols */
} kind_options[] = {
	{ 't', SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6, false },
	{ 'u', SOCKOPT_KIND_UDP | SOCKOPT_KIND_UDP6, false },
	{ 'w', SOCKOPT_KIND_RAW | SOCKOPT_KIND_RAW6, false },
	{ 'x', SOCKOPT_KIND_UNIX | SOCKOPT_KIND_UNIX_DGRAM | SOCKOPT_KIND_UNIX_SEQPACKET, false },
	{ '4', SOCKOPT_KIND_TCP | SOCKOPT_KIND_UDP | SOCKOPT_KIND_RAW, true },
	{ '6', SOCKOPT_KIND_TCP6 | SOCKOPT_KIND_UDP6 | SOCKOPT_KIND_RAW6, true },
};

void show_filter_init(struct show_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->port = -1;
	f->state = -1;
}

/* Whether A and B name the same state, ignoring case and '-' against '_'. */
static bool same_state_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;

		if ((x | 0x20) != (y | 0x20))
			return false;
	}
	return *a == *b;
}

/* A state as ss or the kernel names it, or -1: "established", "ESTAB", "time-wait", "unconn". */
static int parse_state(const char *name)
{
	if (same_state_name(name, "estab"))
		return 1;
	if (same_state_name(name, "unconn"))
		return TCP_CLOSE_STATE;
	for (int s = 1; sockopt_tcp_state_name(s); s++)
		if (same_state_name(name, sockopt_tcp_state_name(s)))
			return s;
	return -1;
}

int show_filter_option(struct show_filter *f, int c, const char *arg, int *code)
{
	char *end;

	for (size_t i = 0; i < sizeof(kind_options) / sizeof(kind_options[0]); i++) {
		if (kind_options[i].option != c)
			continue;
		if (kind_options[i].family)
			f->families |= kind_options[i].kinds;
		else
			f->protocols |= kind_options[i].kinds;
		return 1;
	}
	switch (c) {
	case 'l':
		f->listening = true;
		return 1;
	case 'p':
		f->port = (int)strtol(arg, &end, 10);
		if (end == arg || *end || f->port < 0 || f->port > 65535) {
			*code = fail(EXIT_USAGE, "--port takes a port number from 0 to 65535, not \"%s\".",
				     arg_short(arg));
			return -1;
		}
		return 1;
	case 's':
		f->state = parse_state(arg);
		if (f->state < 0) {
			*code = fail(EXIT_USAGE,
				     "\"%s\" is not a socket state; use established, syn-sent, "
				     "syn-recv, fin-wait-1, fin-wait-2, time-wait, close, close-wait, "
				     "last-ack, listen, closing or unconn.",
				     arg_short(arg));
			return -1;
		}
		return 1;
	}
	*code = EXIT_USAGE;
	return 0;
}

/* The port of a SOCKOPT_TYPE_SOCKADDR value, or -1 for addresses without one. */
static int port_of(const sockopt_value *v)
{
	const struct sockaddr *sa = (const struct sockaddr *)v->v.bytes;
	unsigned char hi, lo;

	if (v->len < sizeof(sa_family_t) || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return -1;
	/* sin_port and sin6_port sit at the same offset, in network order. */
	hi = v->v.bytes[2];
	lo = v->v.bytes[3];
	return hi << 8 | lo;
}

/* Listening as ss -l means it: a listener, or an unconnected datagram socket. */
static bool listening(const sockopt_sock *sock)
{
	int type = sockopt_sock_type(sock);

	if (type == SOCK_DGRAM || type == SOCK_RAW)
		return sockopt_sock_state(sock) == TCP_CLOSE_STATE;
	return sockopt_sock_state(sock) == TCP_LISTEN_STATE;
}

bool show_filter_match(const struct show_filter *f, const sockopt_sock *sock)
{
	unsigned kind = sockopt_sock_kind(sock);

	if ((f->protocols || f->families) && !kind)
		return false;
	if (f->protocols && !(kind & f->protocols))
		return false;
	if (f->families && !(kind & f->families))
		return false;
	if (f->listening && !listening(sock))
		return false;
	if (f->state >= 0 && sockopt_sock_state(sock) != f->state)
		return false;
	if (f->port >= 0 && port_of(sockopt_sock_local(sock)) != f->port &&
	    port_of(sockopt_sock_peer(sock)) != f->port)
		return false;
	return true;
}
