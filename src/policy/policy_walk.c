/* policy_walk.c: read the sockets of some or all processes, with what policy rules ask of each process. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

#define TCP_LISTEN_STATE 10 /* include/net/tcp_states.h */

bool policy_walk_accepted(const struct policy_walk *w, pid_t pid, int state,
			  const sockopt_value *local)
{
	int port = policy_port_of(local);

	for (size_t i = 0; state != TCP_LISTEN_STATE && port > 0 && i < w->nlisteners; i++)
		if (w->listeners[i].pid == pid && w->listeners[i].port == port)
			return true;
	return false;
}

/* Keep the first failure's sentence for the closing summary. */
static void failed(struct policy_walk *w, size_t *count, const char *text)
{
	if (w->failed_processes + w->failed_sockets == 0)
		snprintf(w->first_failure, sizeof(w->first_failure), "%s", text);
	(*count)++;
}

/*
 * The process PID, read once.  A pidfd scan reads one process at a time
 * and makes it current before its scan starts, so on the scan's worker
 * threads this only reads; another reader's sockets come on this thread.
 */
static const struct policy_proc *proc_of(struct policy_walk *w, pid_t pid)
{
	struct policy_proc *grown;

	if (w->current && w->current->pid == pid)
		return w->current;
	for (size_t i = 0; i < w->nprocs; i++)
		if (w->procs[i].pid == pid)
			return w->current = &w->procs[i];
	grown = realloc(w->procs, (w->nprocs + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	w->procs = grown;
	w->current = &grown[w->nprocs++];
	policy_proc_read(pid, w->current);
	return w->current;
}

static bool is_tcp_listener(const sockopt_sock *sock)
{
	return sockopt_sock_state(sock) == TCP_LISTEN_STATE &&
	       (sockopt_sock_kind(sock) & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6));
}

/* Whether SOCK is one the policy names (every socket without a policy). */
static bool named(struct policy_walk *w, const sockopt_sock *sock)
{
	const struct policy_proc *proc = proc_of(w, sockopt_sock_pid(sock));

	return !w->policy || (proc && policy_matches_any(w->policy, proc, sock));
}

/*
 * The scan's filter: the sockets a rule names and the TCP listeners (to
 * tell accepted sockets), so the rest cost no option reads.
 */
static bool wanted(const sockopt_sock *sock, void *ctx)
{
	return sockopt_sock_error(sock) < 0 || is_tcp_listener(sock) || named(ctx, sock);
}

static int note_listener(struct policy_walk *w, const sockopt_sock *sock)
{
	struct policy_listener *grown = realloc(w->listeners, (w->nlisteners + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	w->listeners = grown;
	grown[w->nlisteners].pid = sockopt_sock_pid(sock);
	grown[w->nlisteners++].port = policy_port_of(sockopt_sock_local(sock));
	return 0;
}

static int on_socket(sockopt_sock *sock, void *ctx)
{
	struct policy_walk *w = ctx;
	struct sockopt_diag diag;
	const struct policy_proc *proc;

	if (sockopt_sock_error(sock) < 0) {
		failed(w, &w->failed_sockets, sockopt_sock_error_text(sock));
		return 0;
	}
	if (is_tcp_listener(sock) && note_listener(w, sock) < 0)
		return -ENOMEM;
	if (!named(w, sock))
		return 0; /* a listener no rule names */
	if (sockopt_sock_read_options(sock, &diag) < 0) {
		failed(w, &w->failed_sockets, diag.text);
		return 0;
	}
	if (!(proc = proc_of(w, sockopt_sock_pid(sock))))
		return -ENOMEM;
	w->sockets++;
	return w->on_socket(w, sock, proc, w->ctx);
}

/* One process through the other reader: one that does not exist is said, as the pidfd scan says it. */
static int backend_pid(struct policy_walk *w, pid_t pid, struct sockopt_diag *diag)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (access(path, F_OK) != 0) {
		snprintf(diag->text, sizeof(diag->text), "Process %d does not exist.", (int)pid);
		return -ESRCH;
	}
	return w->backend(w->scan, pid, wanted, w, on_socket, w, diag);
}

static int walk_pid(struct policy_walk *w, pid_t pid, bool whole_machine)
{
	struct sockopt_diag diag;
	int r;

	if (!proc_of(w, pid))
		return -ENOMEM;
	if (w->backend)
		r = backend_pid(w, pid, &diag);
	else
		r = sockopt_scan_pid(w->scan, pid, NULL, 0, on_socket, w, &diag);
	if (r >= 0 || (whole_machine && r == -ESRCH))
		return 0; /* processes come and go while the machine is read */
	failed(w, &w->failed_processes, diag.text);
	return 0;
}

static int walk_every_process(struct policy_walk *w, struct sockopt_diag *diag)
{
	DIR *dir;
	struct dirent *d;

	if (w->backend) {
		if (w->backend(w->scan, 0, wanted, w, on_socket, w, diag) < 0)
			failed(w, &w->failed_processes, diag->text);
		return 0;
	}
	if (!(dir = opendir("/proc")))
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
	if (npids == 0 && (r = walk_every_process(w, diag)) < 0 && diag) {
		diag->error = r;
		snprintf(diag->text, sizeof(diag->text), "Cannot list /proc: %s.", strerror(-r));
	}
	sockopt_scan_free(w->scan);
	w->scan = NULL;
	return r;
}

void policy_walk_free(struct policy_walk *w)
{
	free(w->procs);
	free(w->listeners);
	w->procs = w->current = NULL;
	w->listeners = NULL;
	w->nprocs = w->nlisteners = 0;
}
