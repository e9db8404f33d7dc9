/* show_backend.c: which backend `sockopt show` reads sockets through (--backend bpf|pidfd|auto), and why. */
#include <stdio.h>
#include <string.h>

#include "../bpf/bpfshow.h"
#include "msg.h"
#include "show.h"

#define TCP_KINDS (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6)

/*
 * Choose from ARG (NULL: auto) for a run with FILTER; 1 for BPF, 0 for
 * pidfd, -1 after a usage sentence.  Auto takes BPF when the caller may
 * load programs and the filter asks for TCP sockets only, since the BPF
 * backend reads TCP sockets only so far; with VERBOSE it says why not.
 */
int show_backend_choose(const char *arg, const struct show_filter *filter, bool verbose)
{
	const char *why = bpf_show_unavailable();
	bool tcp_only = filter->protocols && !(filter->protocols & ~TCP_KINDS);

	if (arg && strcmp(arg, "pidfd") == 0)
		return 0;
	if (arg && strcmp(arg, "bpf") == 0) {
		if (why) {
			fail(EXIT_USAGE, "--backend bpf: %s.", why);
			return -1;
		}
		if (!tcp_only)
			fprintf(stderr, "sockopt: the BPF backend reads TCP sockets only; UDP, unix "
					"and raw sockets are not shown unless named as PID:FD "
					"(--backend pidfd shows them).\n");
		return 1;
	}
	if (arg && strcmp(arg, "auto") != 0) {
		fail(EXIT_USAGE, "--backend \"%s\" is not bpf, pidfd or auto.", arg_short(arg));
		return -1;
	}
	if (!why && !tcp_only)
		why = "the BPF backend reads TCP sockets only, and this run asks for more (add --tcp)";
	if (why && verbose)
		fprintf(stderr, "sockopt: reading sockets through pidfd_getfd: %s.\n", why);
	return !why;
}
