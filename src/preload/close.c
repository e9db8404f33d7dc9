/* close.c: close(2), forgetting what the shim knew of the fd so that a socket reusing the number starts fresh. */
#include "shim.h"

static int close_logic(int fd)
{
	shim_get();
	/* The log is the shim's: to the program it is a number it never opened. */
	if (fd == shim_log_fd())
		return -EBADF;
	/* Forget first: once the real close returns, another thread may get FD again. */
	shim_fd_set(fd, 0);
	return real.close(fd) < 0 ? -errno : 0;
}

SHIM_EXPORT int close(int fd)
{
	int saved = errno;

	return shim_return(close_logic(fd), saved);
}
