/* socketpair.c: socketpair(2), with the spec's any-phase entries applied to both ends. */
#include <unistd.h>

#include "shim.h"

static int socketpair_logic(int family, int type, int protocol, int fds[2])
{
	const struct shim *s = shim_get();
	int r = 0;

	if (real.socketpair(family, type, protocol, fds) < 0)
		return -errno;
	for (int i = 0; s && i < 2 && r == 0; i++) {
		r = shim_after_socket(s, fds[i], family, type, protocol);
		/* The pair is born connected: no bind or connect phase will come. */
		shim_fd_add(fds[i], FD_BOUND | FD_CONNECTED);
	}
	for (int i = 0; r < 0 && i < 2; i++) {
		shim_fd_set(fds[i], 0);
		real.close(fds[i]);
	}
	return r;
}

SHIM_EXPORT int socketpair(int family, int type, int protocol, int fds[2])
{
	int saved = errno;

	return shim_return(socketpair_logic(family, type, protocol, fds), saved);
}
