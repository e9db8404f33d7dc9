/* show_backend.c: which backend `sockopt show` reads sockets through (--backend bpf|pidfd|auto), and why. */
#include <stdio.h>
#include <string.h>

#include "../bpf/bpfshow.h"
#include "msg.h"
#include "show.h"

/*
 * Choose from ARG (NULL: auto); 1 for BPF, 0 for pidfd, -1 after a usage
 * sentence.  Auto takes BPF whenever the caller may load programs and the
 * kernel has BTF, whatever kinds the run asks for: bpf_show_scan reads the
 * sockets no iterator meets (raw, netlink, packet, MPTCP) through
 * pidfd_getfd in the same pass.  NEEDS_PIDFD, when not NULL, says why this
 * run needs what only pidfd reads: auto takes pidfd, bpf is refused.  With
 * VERBOSE it says why not BPF.
 */
int show_backend_choose(const char *arg, const char *needs_pidfd, bool verbose)
{
	const char *why = bpf_show_unavailable();

	if (!why)
		why = needs_pidfd;

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
	if (why && verbose)
		fprintf(stderr, "sockopt: reading sockets through pidfd_getfd: %s.\n", why);
	return !why;
}
