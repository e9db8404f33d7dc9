/* proc.c: scanning the sockets of a running process through /proc/PID/fd and pidfd_getfd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"

static int pidfd_open_raw(pid_t pid)
{
	int r = (int)syscall(SYS_pidfd_open, pid, 0);

	return r < 0 ? -errno : r;
}

static int pidfd_getfd_raw(int pidfd, int fd)
{
	int r = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	return r < 0 ? -errno : r;
}

/* Whether the process behind PIDFD has exited (a pidfd polls readable then). */
static bool exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/*
 * Read /proc/PID/comm into BUF, and into TEXT (TEXT_SIZE bytes) escaped to
 * one line for sentences; -ESRCH when the process is gone.  A comm may
 * hold any byte but NUL (prctl PR_SET_NAME), newlines too: only the one
 * the kernel adds is taken off.
 */
static int read_comm(pid_t pid, char *buf, size_t size, char *text, size_t text_size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	/* The kernel ends comm with one newline; a name may hold newlines of its own (PR_SET_NAME). */
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	sockopt_text_escape(buf, (size_t)n, text, text_size);
	return 0;
}

/* The process (thread group) that thread TID belongs to, from /proc/TID/status; 0 when unknown. */
static pid_t thread_group_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (tgid == 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) != 1)
			tgid = 0;
	fclose(f);
	return tgid;
}

/* Open a pidfd for PID, with a sentence when it cannot be. */
static int open_pidfd(pid_t pid, struct sockopt_diag *diag)
{
	pid_t tgid;
	int pidfd;

	if (pid <= 0)
		return diag_set(diag, -ESRCH, "%d is not a process id.", (int)pid);
	pidfd = pidfd_open_raw(pid);
	if (pidfd == -ESRCH)
		return diag_set(diag, -ESRCH, "There is no process %d.", (int)pid);
	if (pidfd == -ENOSYS)
		return diag_set(diag, -ENOSYS,
				"This kernel has no pidfd_open (Linux 5.3) and pidfd_getfd (5.6), "
				"which reading another process's sockets needs.");
	/* pidfd_open refuses a thread that does not lead its group: ENOENT here (6.18), EINVAL before 6.9. */
	if ((pidfd == -ENOENT || pidfd == -EINVAL) && (tgid = thread_group_of(pid)) > 0 && tgid != pid)
		return diag_set(diag, -ESRCH, "%d is a thread of process %d, not a process; use %d.",
				(int)pid, (int)tgid, (int)tgid);
	if (pidfd < 0)
		return diag_set(diag, pidfd, "pidfd_open(%d): %s.", (int)pid, strerror(-pidfd));
	return pidfd;
}

/* Turn a failed pidfd_getfd into a sentence; -EBADF means the fd is not open. */
static int getfd_failed(pid_t pid, const char *comm, int pidfd, int fd, int err,
			struct sockopt_diag *diag)
{
	if (err == -ESRCH || (err == -EBADF && exited(pidfd)))
		return diag_set(diag, -ESRCH, "Process %d (%s) has exited.", (int)pid, comm);
	if (err == -EBADF)
		return diag_set(diag, -EBADF, "Process %d (%s) has no fd %d.", (int)pid, comm, fd);
	if (err == -EPERM || err == -EACCES)
		return proc_denied(pid, comm, err, diag);
	if (err == -ENOSYS)
		return diag_set(diag, -ENOSYS,
				"This kernel has no pidfd_getfd (Linux 5.6), which reading "
				"another process's sockets needs.");
	if (err == -EMFILE || err == -ENFILE)
		return diag_set(diag, err, "sockopt has run out of file descriptors (%s).",
				errno_name(-err));
	return diag_set(diag, err, "pidfd_getfd(%d, fd %d): %s.", (int)pid, fd, strerror(-err));
}

SOCKOPT_EXPORT int sockopt_proc_getfd(pid_t pid, int fd, struct sockopt_diag *diag)
{
	char comm[64] = "?", text[COMM_TEXT_MAX] = "?";
	int pidfd = open_pidfd(pid, diag), r;

	if (pidfd < 0)
		return pidfd;
	read_comm(pid, comm, sizeof(comm), text, sizeof(text));
	r = pidfd_getfd_raw(pidfd, fd);
	if (r < 0)
		r = getfd_failed(pid, text, pidfd, fd, r, diag);
	close(pidfd);
	return r;
}

SOCKOPT_EXPORT int sockopt_scan_new(unsigned flags, sockopt_scan **out, struct sockopt_diag *diag)
{
	sockopt_scan *scan = calloc(1, sizeof(*scan));
	size_t n = sockopt_catalog_count();

	if (scan) {
		scan->values = calloc(n ? n : 1, sizeof(*scan->values));
		scan->errors = calloc(n ? n : 1, sizeof(*scan->errors));
	}
	if (!scan || !scan->values || !scan->errors) {
		if (scan) {
			free(scan->values);
			free(scan->errors);
		}
		free(scan);
		return diag_set(diag, -ENOMEM, "Out of memory starting a socket scan.");
	}
	pthread_mutex_init(&scan->plan_lock, NULL);
	scan->flags = flags;
	netns_home(scan);
	sock_init(&scan->sock, scan, 0, scan->comm, scan->values, scan->errors);
	*out = scan;
	return 0;
}

SOCKOPT_EXPORT void sockopt_scan_free(sockopt_scan *scan)
{
	if (!scan)
		return;
	plans_free(scan);
	pthread_mutex_destroy(&scan->plan_lock);
	free(scan->values);
	free(scan->errors);
	free(scan);
}

SOCKOPT_EXPORT size_t sockopt_scan_vanished(const sockopt_scan *scan)
{
	return scan->vanished;
}

SOCKOPT_EXPORT int sockopt_scan_set_threads(sockopt_scan *scan, unsigned n)
{
	if (n > 16)
		return -EINVAL;
	scan->threads = n;
	return 0;
}

SOCKOPT_EXPORT void sockopt_scan_set_filter(sockopt_scan *scan, sockopt_sock_pred pred, void *ctx)
{
	scan->filter = pred;
	scan->filter_ctx = ctx;
}

void sock_init(struct sockopt_sock *s, struct sockopt_scan *scan, pid_t pid, const char *comm,
	       sockopt_value *values, int *errors)
{
	memset(s, 0, sizeof(*s));
	s->scan = scan;
	s->pid = pid;
	s->comm = comm;
	s->values = values;
	s->errors = errors;
	s->local_fd = -1;
}

/* Why an fd named on purpose is not shown, as the socket's error: "fd 3 of process 9 (x) WHAT." */
static void sock_fail(struct sockopt_sock *s, int err, const char *what)
{
	s->error = err;
	snprintf(s->error_text, sizeof(s->error_text), "fd %d of process %d (%.64s) %s.", s->fd,
		 (int)s->pid, s->scan->comm_text, what);
}

/* Say what fd FD of the process is when it is not a socket ("/etc/passwd", "pipe:[123]"). */
static void not_a_socket(struct sockopt_sock *s)
{
	char path[64], target[256], text[200];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)s->pid, s->fd);
	n = readlink(path, target, sizeof(target));
	sockopt_text_escape(target, n > 0 ? (size_t)n : 0, text, sizeof(text));
	s->error = -ENOTSOCK;
	snprintf(s->error_text, sizeof(s->error_text),
		 "fd %d of process %d (%.64s) is not a socket%s%s.", s->fd, (int)s->pid,
		 s->scan->comm_text, n > 0 ? "; it is " : "", text);
}

/* What a described fd comes to: a whole scan passes over what is not a socket; anything else is reported. */
static int outcome_of(struct sockopt_sock *s, int described, bool explicit)
{
	if (described == 0) {
		const struct sockopt_scan *scan = s->scan;

		return !scan->filter || scan->filter(s, scan->filter_ctx) ? FD_SOCKET : FD_FILTERED;
	}
	if (described != -ENOTSOCK)
		sock_fail(s, described,
			  "is a socket that could not be described (fstat or getsockopt failed)");
	else if (explicit)
		not_a_socket(s);
	else
		return FD_SKIP;
	return FD_REPORT;
}

int fd_read(struct sockopt_sock *s, int pidfd, int fd, bool explicit, bool prefetch,
	    struct sockopt_diag *diag)
{
	int local = pidfd_getfd_raw(pidfd, fd), r;

	s->fd = fd;
	s->prefetched = false;
	if (local < 0) {
		r = getfd_failed(s->pid, s->scan->comm_text, pidfd, fd, local, diag);
		if (r != -EBADF)
			return r;
		if (!explicit)
			return FD_VANISHED;
		sock_describe(s, -1); /* clears what the previous fd left */
		sock_fail(s, -EBADF, "is not open");
		return FD_REPORT;
	}
	r = outcome_of(s, sock_describe(s, local), explicit);
	if (r == FD_SOCKET && prefetch) {
		s->prefetch_result = sock_read_options(s);
		s->prefetched = true;
	}
	/* Without PREFETCH the callback may still read the options through the duplicate. */
	if (prefetch || (r != FD_SOCKET && r != FD_REPORT)) {
		s->local_fd = -1;
		close(local);
	}
	return r;
}

int fd_deliver(struct sockopt_sock *s, int outcome, sockopt_sock_fn fn, void *ctx, int *count)
{
	if (outcome == FD_SOCKET || outcome == FD_FILTERED)
		(*count)++;
	if (outcome == FD_VANISHED)
		s->scan->vanished++;
	return outcome == FD_SOCKET || outcome == FD_REPORT ? fn(s, ctx) : 0;
}

/* The fds of process S->pid, ascending as /proc lists them, into *FDS (malloc'd) and *N. */
static int list_fds(const struct sockopt_sock *s, int **fds, size_t *n, struct sockopt_diag *diag)
{
	char path[64];
	struct dirent *d;
	size_t room = 0;
	DIR *dir;
	int r;

	*fds = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)s->pid);
	dir = opendir(path);
	if (!dir) {
		r = -errno;
		if (r == -EACCES || r == -EPERM)
			return proc_denied(s->pid, s->scan->comm_text, r, diag);
		return diag_set(diag, -ESRCH, "Process %d (%s) has exited.", (int)s->pid,
				s->scan->comm_text);
	}
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (*n == room) {
			int *grown = realloc(*fds, (room = room ? 2 * room : 256) * sizeof(**fds));

			if (!grown) {
				closedir(dir);
				return diag_set(diag, -ENOMEM, "Out of memory listing the fds of process %d.",
						(int)s->pid);
			}
			*fds = grown;
		}
		(*fds)[(*n)++] = atoi(d->d_name);
	}
	closedir(dir);
	return 0;
}

/* Read and deliver the NFDS fds of FDS one after the other on this thread. */
static int scan_serial(struct sockopt_scan *scan, int pidfd, const int *fds, size_t nfds,
		       bool explicit, sockopt_sock_fn fn, void *ctx, int *count,
		       struct sockopt_diag *diag)
{
	struct sockopt_sock *s = &scan->sock;
	int r = 0;

	for (size_t i = 0; r == 0 && i < nfds; i++) {
		r = fd_read(s, pidfd, fds[i], explicit, false, diag);
		if (r >= 0)
			r = fd_deliver(s, r, fn, ctx, count);
		if (s->local_fd >= 0) {
			close(s->local_fd);
			s->local_fd = -1;
		}
	}
	return r;
}

/* The sentence for a process that exited while it was read, after COUNT sockets. */
static int exited_during_scan(pid_t pid, const char *comm, int count, struct sockopt_diag *diag)
{
	if (count == 0)
		return diag_set(diag, -ESRCH, "Process %d (%s) exited while it was read; none of "
				"its sockets could be read.", (int)pid, comm);
	return diag_set(diag, -ESRCH, "Process %d (%s) exited while it was read; the %d "
			"sockets reported were read before it did.", (int)pid, comm, count);
}

/* Fewer fds than this are read on the calling thread: workers would cost more than they save. */
#define CREW_MIN_FDS 32

SOCKOPT_EXPORT int sockopt_scan_pid(sockopt_scan *scan, pid_t pid, const int *fds, size_t nfds,
				    sockopt_sock_fn fn, void *ctx, struct sockopt_diag *diag)
{
	struct sockopt_sock *s = &scan->sock;
	int pidfd = open_pidfd(pid, diag), count = 0, r = 0, *listed = NULL;
	bool explicit = nfds > 0, spread;

	scan->vanished = 0;
	if (pidfd < 0)
		return pidfd;
	if (read_comm(pid, scan->comm, sizeof(scan->comm), scan->comm_text, sizeof(scan->comm_text)) < 0) {
		close(pidfd);
		return diag_set(diag, -ESRCH, "There is no process %d.", (int)pid);
	}
	s->pid = pid;
	s->comm = scan->comm; /* sockopt_sock_set_owner (the BPF backend) may have pointed it elsewhere */
	if (!explicit && (r = list_fds(s, &listed, &nfds, diag)) == 0)
		fds = listed;
	spread = r == 0 && scan->threads > 1 && nfds >= CREW_MIN_FDS;
	if (spread)
		r = crew_scan(scan, pidfd, fds, nfds, explicit, scan->threads, fn, ctx, &count,
			      diag);
	if ((r == 0 && !spread) || r == 1) /* 1: no worker could be started */
		r = scan_serial(scan, pidfd, fds, nfds, explicit, fn, ctx, &count, diag);
	free(listed);
	if ((r == 0 && exited(pidfd)) || r == -ESRCH)
		r = exited_during_scan(pid, scan->comm_text, count, diag);
	close(pidfd);
	return r < 0 ? r : count;
}
