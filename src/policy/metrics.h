/* metrics.h: one reading of the machine's sockets as Prometheus metrics in the text exposition format. */
#ifndef SOCKOPT_METRICS_H
#define SOCKOPT_METRICS_H

#include <stdio.h>

#include "policy.h"

/* What a scrape read, for the caller's exit status. */
struct metrics_result {
	size_t sockets, failed_processes, failed_sockets;
	char first_failure[SOCKOPT_TEXT_MAX];
};

/*
 * Read the sockets of the NPIDS processes in PIDS (every process when 0)
 * through BACKEND (NULL: the pidfd scan) and write the metrics to OUT: per process (pid, comm) and socket kind
 * and state, the sockets, those with keepalive off, TCP_NODELAY off and
 * locked buffers; per TCP listener the value of each settable option that
 * is a number; with POLICY, the violations per rule; and the scrape's own
 * duration and what it could not read.  Returns 0 or a negative errno
 * (DIAG says why) when the scan could not start or memory ran out.
 */
int metrics_scrape(const struct policy *policy, policy_backend_fn backend, const pid_t *pids,
		   size_t npids, FILE *out, struct metrics_result *res, struct sockopt_diag *diag);
/* Write VALUE as a label value of the exposition format: escaped, and valid UTF-8 for any bytes. */
void metrics_label_value(FILE *out, const char *value);
/* Whether SOCK lacks the value of an option sockopt_listener_option publishes (a reader left it unread). */
bool metrics_listener_lacks(const sockopt_sock *sock);

#endif /* SOCKOPT_METRICS_H */
