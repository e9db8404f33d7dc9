/* accept.c: accept(2) and accept4(2), with the entries the listener did not pass on applied to the accepted socket. */
#include "shim.h"

/* Accepted from a listener the shim prepared at listen(): only what it does not inherit. */
static const struct shim_step from_prepared[] = {
	{ SPEC_COMMON_OWN, SOCKOPT_PHASE_ANY },
	{ SPEC_ACCEPT_OWN, SOCKOPT_PHASE_AFTER_ACCEPT },
};

/* From a listener made elsewhere (inherited across exec): everything that still fits. */
static const struct shim_step from_unknown[] = {
	{ SPEC_COMMON, SOCKOPT_PHASE_ANY },
	{ SPEC_COMMON, SOCKOPT_PHASE_BEFORE_CONNECT },
	{ SPEC_ACCEPT, SOCKOPT_PHASE_AFTER_ACCEPT },
};

/* FD came from LISTENER: it has the listener's kind, so the filter's verdict too. */
static int after_accept(const struct shim *s, int listener, int fd)
{
	unsigned state = shim_fd_state(s, listener), kind = fd_kind(state);

	shim_fd_set(fd, FD_SEEN | kind | FD_BOUND | FD_CONNECTED);
	if (!kind)
		return 0;
	/* What the listener had of inherited options, set by sockopt or by the program, it has too. */
	shim_fd_inherit(listener, fd, s->inherited);
	if (state & FD_LISTENING)
		return shim_apply(s, fd, kind, from_prepared, ARRAY_LEN(from_prepared));
	return shim_apply(s, fd, kind, from_unknown, ARRAY_LEN(from_unknown));
}

/*
 * accept4's flags (SOCK_NONBLOCK, SOCK_CLOEXEC) go to the kernel as given;
 * the shim only adds options afterwards, so they hold on the new socket.
 */
static int accept_logic(int listener, struct sockaddr *addr, socklen_t *len, int flags,
			bool four)
{
	const struct shim *s = shim_get();
	int fd = four ? real.accept4(listener, addr, len, flags) : real.accept(listener, addr, len);
	int r;

	if (fd < 0)
		return -errno;
	if (s && (r = after_accept(s, listener, fd)) < 0) {
		/* --strict: the connection is dropped rather than served unconfigured. */
		shim_fd_set(fd, 0);
		real.close(fd);
		return r;
	}
	return fd;
}

SHIM_EXPORT int accept(int listener, struct sockaddr *addr, socklen_t *len)
{
	int saved = errno;

	return shim_return(accept_logic(listener, addr, len, 0, false), saved);
}

SHIM_EXPORT int accept4(int listener, struct sockaddr *addr, socklen_t *len, int flags)
{
	int saved = errno;

	return shim_return(accept_logic(listener, addr, len, flags, true), saved);
}
