/* socket.c: socket(2), with the spec's any-phase entries applied to the new socket. */
#include <unistd.h>

#include "shim.h"

static int socket_logic(int family, int type, int protocol)
{
	const struct shim *s = shim_get();
	int fd = real.socket(family, type, protocol), r;

	if (fd < 0)
		return -errno;
	if (s && (r = shim_after_socket(s, fd, family, type, protocol)) < 0) {
		/* --strict: the program gets no socket it cannot have configured. */
		shim_fd_set(fd, 0);
		real.close(fd);
		return r;
	}
	return fd;
}

SHIM_EXPORT int socket(int family, int type, int protocol)
{
	int saved = errno;

	return shim_return(socket_logic(family, type, protocol), saved);
}
