/* log.c: the shim's own log descriptor (a file from SOCKOPT_LOG, or its copy of the standard error it started with), checked before every line. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

/*
 * The log is a descriptor the shim opened itself, kept at a high number
 * with close-on-exec, never fd 2: a daemon may close its standard error
 * and get a socket there, and a line written to fd 2 would then go into
 * its traffic (or, on a socket not yet connected, kill it with SIGPIPE).
 * Its device and inode are checked before each line, so a number that
 * came to name something else is never written to.  -1: no log.
 */
static _Atomic int log_fd = -1;
static dev_t log_dev;
static ino_t log_ino;

/* The lowest number the log takes: high, but well inside the soft limit. */
static int high_number(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 512;
	return rl.rlim_cur > 1024 ? 512 : (int)rl.rlim_cur / 2;
}

/* Move FD (which the shim opened) to a high close-on-exec number and keep it as the log. */
static void keep(int fd, bool owned)
{
	struct stat st;
	int high = real.fcntl(fd, F_DUPFD_CLOEXEC, high_number());

	if (owned)
		real.close(fd);
	if (high < 0)
		return;
	if (fstat(high, &st) < 0) {
		real.close(high);
		return;
	}
	log_dev = st.st_dev;
	log_ino = st.st_ino;
	atomic_store(&log_fd, high);
}

void shim_log_open(const char *path)
{
	int fd;

	if (!path || !*path) {
		/* Standard error as it was at load; when it was closed there is no log. */
		if (real.fcntl(STDERR_FILENO, F_GETFD) >= 0)
			keep(STDERR_FILENO, false);
		return;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		keep(fd, true);
}

int shim_log_fd(void)
{
	return atomic_load_explicit(&log_fd, memory_order_relaxed);
}

int shim_log_move(void)
{
	int old = shim_log_fd(), moved;

	if (old < 0)
		return 0;
	moved = real.fcntl(old, F_DUPFD_CLOEXEC, old + 1);
	if (moved < 0)
		return -1;
	/* The old number is left to the program's dup2, which replaces it in one step. */
	atomic_store(&log_fd, moved);
	return 0;
}

void shim_log(const char *fmt, ...)
{
	char line[1024];
	struct stat now;
	int fd = shim_log_fd(), n;
	va_list ap;

	if (fd < 0 || fstat(fd, &now) < 0 || now.st_dev != log_dev || now.st_ino != log_ino)
		return;
	n = snprintf(line, sizeof(line), "sockopt[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line, so lines of several processes do not mix. */
	if (write(fd, line, (size_t)n) < 0)
		return;
}
