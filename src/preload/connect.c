/* connect.c: connect(2), with the before-bind entries (connect binds implicitly) and the before-connect entries first. */
#include "shim.h"

/*
 * Before the first connect() only: a non-blocking connect is often called
 * again to learn its outcome.  A connectionless socket had the common
 * entries at socket() already (FD_EARLY), so only --before-connect's remain.
 */
static int before_connect(const struct shim *s, int fd)
{
	static const struct shim_step steps[] = {
		{ SPEC_COMMON, SOCKOPT_PHASE_BEFORE_CONNECT },
		{ SPEC_CONNECT, SOCKOPT_PHASE_BEFORE_CONNECT },
	};

	return shim_before_peer(s, fd, FD_CONNECTED, steps, ARRAY_LEN(steps), 1);
}

static int connect_logic(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct shim *s = shim_get();
	int r = s ? before_connect(s, fd) : 0;

	if (r < 0)
		return r;
	return real.connect(fd, addr, len) < 0 ? -errno : 0;
}

SHIM_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;

	return shim_return(connect_logic(fd, addr, len), saved);
}
