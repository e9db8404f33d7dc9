/* kind_triple.c: the socket kind that socket(2)'s family, type and protocol arguments make. */
#include <errno.h>
#include <sys/socket.h>

#include "internal.h"

/*
 * The kind table lives in kind.c; walking the kind bits through
 * sockopt_kind_triple keeps it the only one.  SOCK_NONBLOCK and
 * SOCK_CLOEXEC ride in the type argument and say nothing about the kind.
 * Protocol 0 means the family's default; a raw socket is raw whatever its
 * protocol; any other protocol (MPTCP, SCTP, UDP-Lite) is not covered,
 * because the options of TCP and UDP do not fit it.
 */
SOCKOPT_EXPORT int sockopt_kind_of_triple(int family, int type, int protocol, unsigned *kind)
{
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	for (unsigned k = 1; k & SOCKOPT_KIND_ALL; k <<= 1) {
		int f, t, p;

		if (sockopt_kind_triple(k, &f, &t, &p) < 0 || f != family || t != type)
			continue;
		if (protocol == 0 || protocol == p || type == SOCK_RAW) {
			*kind = k;
			return 0;
		}
	}
	return -EAFNOSUPPORT;
}
