/* listen.c: listen(2), with the before-listen entries and the after-accept entries accepted sockets inherit applied first. */
#include "shim.h"

/*
 * An accepted socket is a copy of its listener, made by the kernel during
 * the handshake: an option it copies (SOCKOPT_FLAG_INHERITED) set on the
 * listener is on every accepted socket from the SYN-ACK on, which setting
 * it after accept() could not do (SO_RCVBUF's window scale, for one).
 */
static int before_listen(const struct shim *s, int fd)
{
	static const struct shim_step steps[] = {
		{ SPEC_COMMON, SOCKOPT_PHASE_BEFORE_CONNECT },
		{ SPEC_LISTEN, SOCKOPT_PHASE_BEFORE_CONNECT },
		{ SPEC_ACCEPT_INHERITED, SOCKOPT_PHASE_AFTER_ACCEPT },
	};

	return shim_before_peer(s, fd, FD_LISTENING, steps, ARRAY_LEN(steps), 0);
}

static int listen_logic(int fd, int backlog)
{
	const struct shim *s = shim_get();
	int r = s ? before_listen(s, fd) : 0;

	if (r < 0)
		return r;
	return real.listen(fd, backlog) < 0 ? -errno : 0;
}

SHIM_EXPORT int listen(int fd, int backlog)
{
	int saved = errno;

	return shim_return(listen_logic(fd, backlog), saved);
}
