/* show_backend.c: which backend `sockopt show` reads sockets through (--backend bpf|pidfd|auto), and why. */
#include <stdio.h>
#include <string.h>

#include "../bpf/bpfshow.h"
#include "msg.h"
#include "show.h"

/* The kinds the iterators read (bpf_show_scan hands any other socket to pidfd_getfd). */
#define BPF_KINDS                                                                                  \
	(SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6 | SOCKOPT_KIND_UDP | SOCKOPT_KIND_UDP6 |             \
	 SOCKOPT_KIND_UNIX | SOCKOPT_KIND_UNIX_DGRAM | SOCKOPT_KIND_UNIX_SEQPACKET)

/*
 * Choose from ARG (NULL: auto) for a run with FILTER; 1 for BPF, 0 for
 * pidfd, -1 after a usage sentence.  Auto takes BPF when the caller may
 * load programs and the filter asks only for kinds the iterators read
 * (--tcp, --udp, --unix), since a run over every kind would read the
 * others (raw, netlink, packet) through pidfd_getfd anyway; with VERBOSE
 * it says why not.
 */
int show_backend_choose(const char *arg, const struct show_filter *filter, bool verbose)
{
	const char *why = bpf_show_unavailable();
	bool covered = filter->protocols && !(filter->protocols & ~BPF_KINDS);

	if (arg && strcmp(arg, "pidfd") == 0)
		return 0;
	if (arg && strcmp(arg, "bpf") == 0) {
		if (why) {
			fail(EXIT_USAGE, "--backend bpf: %s.", why);
			return -1;
		}
		return 1;
	}
	if (arg && strcmp(arg, "auto") != 0) {
		fail(EXIT_USAGE, "--backend \"%s\" is not bpf, pidfd or auto.", arg_short(arg));
		return -1;
	}
	if (!why && !covered)
		why = "this run asks for every kind of socket, and raw, netlink and packet sockets are "
		      "not read through BPF (--tcp, --udp or --unix, or --backend bpf, take BPF)";
	if (why && verbose)
		fprintf(stderr, "sockopt: reading sockets through pidfd_getfd: %s.\n", why);
	return !why;
}
