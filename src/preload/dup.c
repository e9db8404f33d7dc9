/* dup.c: dup, dup2, dup3, fcntl(F_DUPFD*), close_range and closefrom, so that what the shim knows of an fd number follows the socket that holds it. */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <unistd.h>

#include "shim.h"

/*
 * A socket given a second number is the same socket: the new number gets
 * the state of the old, and whatever the new number held before is
 * forgotten with it (dup2 onto a connected socket's number must not leave
 * the fresh socket looking connected).  The shim's own log never stays on
 * a number the program asks for.
 */
static int after_dup(int from, int to)
{
	if (to >= 0)
		shim_fd_copy(from, to);
	return to < 0 ? -errno : to;
}

static int dup2_logic(int from, int to, int flags, bool three)
{
	shim_get();
	if (to >= 0 && to == shim_log_fd() && shim_log_move() < 0)
		return -EMFILE;
	return after_dup(from, three ? real.dup3(from, to, flags) : real.dup2(from, to));
}

SHIM_EXPORT int dup(int fd)
{
	int saved = errno;

	shim_get();
	return shim_return(after_dup(fd, real.dup(fd)), saved);
}

SHIM_EXPORT int dup2(int from, int to)
{
	int saved = errno;

	return shim_return(dup2_logic(from, to, 0, false), saved);
}

SHIM_EXPORT int dup3(int from, int to, int flags)
{
	int saved = errno;

	return shim_return(dup2_logic(from, to, flags, true), saved);
}

/* fcntl's third argument is an int or a pointer by command; glibc passes it on as a pointer. */
static int fcntl_logic(int (*call)(int, int, ...), int fd, int cmd, void *arg)
{
	int r;

	shim_get();
	r = call(fd, cmd, arg);
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		shim_fd_copy(fd, r);
	return r;
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_logic(real.fcntl, fd, cmd, arg);
}

/* The name a program built with _FILE_OFFSET_BITS=64 or 64-bit time calls. */
SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_logic(real.fcntl64 ? real.fcntl64 : real.fcntl, fd, cmd, arg);
}

/*
 * Close FIRST..LAST around the shim's log, which the program never opened
 * and so never means to close (a daemon's close of every fd from 3 on).
 */
static int close_range_logic(unsigned first, unsigned last, int flags)
{
	int logfd;
	unsigned log;

	shim_get();
	if (!real.close_range)
		return -ENOSYS; /* a C library older than the call (glibc 2.34) */
	logfd = shim_log_fd();
	log = logfd < 0 ? UINT_MAX : (unsigned)logfd;
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		shim_fd_forget(first, last);
	if (log < first || log > last || log == UINT_MAX || (flags & CLOSE_RANGE_CLOEXEC))
		return real.close_range(first, last, flags) < 0 ? -errno : 0;
	if (log > first && real.close_range(first, log - 1, flags) < 0)
		return -errno;
	if (log < last && real.close_range(log + 1, last, flags) < 0)
		return -errno;
	return 0;
}

SHIM_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	int saved = errno;

	return shim_return(close_range_logic(first, last, flags), saved);
}

SHIM_EXPORT void closefrom(int low)
{
	int saved = errno;

	if (low < 0)
		low = 0;
	/* glibc's closefrom falls back to /proc/self/fd when close_range is missing; it is not here. */
	if (close_range_logic((unsigned)low, UINT_MAX, 0) < 0 && real.closefrom)
		real.closefrom(low);
	errno = saved;
}
