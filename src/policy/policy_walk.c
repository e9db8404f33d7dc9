/* policy_walk.c: read the sockets of some or all processes, with what policy rules ask of each process. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define TCP_LISTEN_STATE 10 /* include/net/tcp_states.h */

bool policy_walk_accepted(const struct policy_walk *w, int state, const sockopt_value *local)
{
	int port = policy_port_of(local);

	return state != TCP_LISTEN_STATE && port > 0 && (w->listening[port / 8] & (1u << (port % 8)));
}

/* Keep the first failure's sentence for the closing summary. */
static void failed(struct policy_walk *w, size_t *count, const char *text)
{
	if (w->failed_processes + w->failed_sockets == 0)
		snprintf(w->first_failure, sizeof(w->first_failure), "%s", text);
	(*count)++;
}

/*
 * The scan's filter: it sees every socket described, so it notes the
 * process's listening ports, and passes on only the sockets a rule names
 * (no option reads for the rest).  It runs on the scan's worker threads,
 * so the one thing it writes, a bit of the port map, is written atomically.
 */
static bool wanted(const sockopt_sock *sock, void *ctx)
{
	struct policy_walk *w = ctx;
	int port = policy_port_of(sockopt_sock_local(sock));

	if (sockopt_sock_state(sock) == TCP_LISTEN_STATE && port >= 0 &&
	    (sockopt_sock_kind(sock) & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6)))
		__atomic_fetch_or(&w->listening[port / 8], (unsigned char)(1u << (port % 8)),
				  __ATOMIC_RELAXED);
	return sockopt_sock_error(sock) < 0 || !w->policy ||
	       policy_matches_any(w->policy, &w->proc, sock);
}

static int on_socket(sockopt_sock *sock, void *ctx)
{
	struct policy_walk *w = ctx;
	struct sockopt_diag diag;

	if (sockopt_sock_error(sock) < 0) {
		failed(w, &w->failed_sockets, sockopt_sock_error_text(sock));
		return 0;
	}
	if (sockopt_sock_read_options(sock, &diag) < 0) {
		failed(w, &w->failed_sockets, diag.text);
		return 0;
	}
	w->sockets++;
	return w->on_socket(w, sock, w->ctx);
}

static int walk_pid(struct policy_walk *w, pid_t pid, bool whole_machine)
{
	struct sockopt_diag diag;
	int r;

	policy_proc_read(pid, &w->proc);
	memset(w->listening, 0, sizeof(w->listening));
	r = sockopt_scan_pid(w->scan, pid, NULL, 0, on_socket, w, &diag);
	if (w->on_process_end)
		w->on_process_end(w, w->ctx);
	if (r >= 0 || (whole_machine && r == -ESRCH))
		return 0; /* processes come and go while the machine is read */
	failed(w, &w->failed_processes, diag.text);
	return 0;
}

static int walk_every_process(struct policy_walk *w)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;

	if (!dir)
		return -errno;
	while ((d = readdir(dir)))
		if (isdigit((unsigned char)d->d_name[0]))
			walk_pid(w, (pid_t)atoi(d->d_name), true);
	closedir(dir);
	return 0;
}

/* Threads that read sockets: the CPUs this process may use, at most 4, as sockopt show does. */
static unsigned walk_threads(void)
{
	cpu_set_t cpus;
	int n = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 1;

	return (unsigned)(n < 1 ? 1 : n > 4 ? 4 : n);
}

int policy_walk_run(struct policy_walk *w, const pid_t *pids, size_t npids,
		    struct sockopt_diag *diag)
{
	int r = sockopt_scan_new(w->scan_flags, &w->scan, diag);

	if (r < 0)
		return r;
	sockopt_scan_set_threads(w->scan, walk_threads());
	sockopt_scan_set_filter(w->scan, wanted, w);
	for (size_t i = 0; i < npids; i++)
		walk_pid(w, pids[i], false);
	if (npids == 0 && (r = walk_every_process(w)) < 0 && diag) {
		diag->error = r;
		snprintf(diag->text, sizeof(diag->text), "Cannot list /proc: %s.", strerror(-r));
	}
	sockopt_scan_free(w->scan);
	w->scan = NULL;
	return r;
}
