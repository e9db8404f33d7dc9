/* bind.c: bind(2), with the spec's before-bind entries applied first. */
#include "shim.h"

static int bind_logic(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct shim *s = shim_get();

	if (s) {
		unsigned state = shim_fd_state(s, fd);
		int r = shim_before_bind(s, fd, &state);

		if (r < 0)
			return r;
	}
	return real.bind(fd, addr, len) < 0 ? -errno : 0;
}

SHIM_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;

	return shim_return(bind_logic(fd, addr, len), saved);
}
