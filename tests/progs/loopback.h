/* loopback.h: the loopback listener, accept-and-close thread and abortive close that the test programs share. */
#ifndef SOCKOPT_TEST_LOOPBACK_H
#define SOCKOPT_TEST_LOOPBACK_H

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A TCP listener on 127.0.0.1 with an ephemeral port, written to *SIN; its fd, or -1 with errno. */
static inline int loopback_listener(struct sockaddr_in *sin, int backlog)
{
	socklen_t len = sizeof(*sin);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	*sin = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (l >= 0 &&
	    (bind(l, (struct sockaddr *)sin, sizeof(*sin)) < 0 || listen(l, backlog) < 0 ||
	     getsockname(l, (struct sockaddr *)sin, &len) < 0)) {
		close(l);
		return -1;
	}
	return l;
}

/* A thread body: accept and close on the listener *ARG until it is shut down. */
static inline void *acceptor(void *arg)
{
	int l = *(int *)arg, fd;

	while ((fd = accept(l, NULL, NULL)) >= 0 || errno == EINTR || errno == ECONNABORTED)
		if (fd >= 0)
			close(fd);
	return NULL;
}

/*
 * Close with RST (SO_LINGER 0): thousands of connections closed gracefully
 * would leave as many TIME_WAIT sockets on loopback for a minute, in the way
 * of other tests that count or need ports.
 */
static inline void close_abortively(int fd)
{
	struct linger abort_now = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof(abort_now));
	close(fd);
}

#endif /* SOCKOPT_TEST_LOOPBACK_H */
