/* errno_probe.c: a program that checks, from inside, what the shim must never change: errno, accept4 flags, results. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A value no call sets, so any change to errno shows. */
#define SENTINEL 4242

static int failures;

/* Report one fact as "name=value ok|FAIL". */
static void fact(const char *name, long got, long want)
{
	printf("%s=%ld %s\n", name, got, got == want ? "ok" : "FAIL");
	failures += got != want;
}

static int option(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, level, name, &v, &len);
	return v;
}

int main(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int l, c, a, r, closed;

	/* Successful calls leave errno as the program had it. */
	errno = SENTINEL;
	l = socket(AF_INET, SOCK_STREAM, 0);
	fact("socket_errno", errno, SENTINEL);
	errno = SENTINEL;
	r = bind(l, (struct sockaddr *)&sin, sizeof(sin));
	fact("bind_result", r, 0);
	fact("bind_errno", errno, SENTINEL);
	errno = SENTINEL;
	r = listen(l, 8);
	fact("listen_result", r, 0);
	fact("listen_errno", errno, SENTINEL);
	getsockname(l, (struct sockaddr *)&sin, &len);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	errno = SENTINEL;
	r = connect(c, (struct sockaddr *)&sin, sizeof(sin));
	fact("connect_result", r, 0);
	fact("connect_errno", errno, SENTINEL);

	/* accept4's flags reach the kernel and hold on the accepted socket, options applied too. */
	errno = SENTINEL;
	a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	fact("accept4_errno", errno, SENTINEL);
	fact("accept4_nonblock", (fcntl(a, F_GETFL) & O_NONBLOCK) != 0, 1);
	fact("accept4_cloexec", (fcntl(a, F_GETFD) & FD_CLOEXEC) != 0, 1);
	printf("accepted_nodelay=%d\n", option(a, IPPROTO_TCP, TCP_NODELAY));
	printf("accepted_keepalive=%d\n", option(a, SOL_SOCKET, SO_KEEPALIVE));
	printf("client_nodelay=%d\n", option(c, IPPROTO_TCP, TCP_NODELAY));
	errno = SENTINEL;
	r = close(a);
	fact("close_result", r, 0);
	fact("close_errno", errno, SENTINEL);

	/* A refused connect fails with ECONNREFUSED, whatever the shim did before it. */
	closed = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = 0;
	bind(closed, (struct sockaddr *)&sin, sizeof(sin)); /* holds a port nobody listens on */
	len = sizeof(sin);
	getsockname(closed, (struct sockaddr *)&sin, &len);
	c = socket(AF_INET, SOCK_STREAM, 0);
	errno = SENTINEL;
	r = connect(c, (struct sockaddr *)&sin, sizeof(sin));
	fact("refused_result", r, -1);
	printf("refused_errno=%s %s\n", strerrorname_np(errno), errno == ECONNREFUSED ? "ok" : "FAIL");
	failures += errno != ECONNREFUSED;

	/* A failing call on a bad fd keeps its own errno. */
	errno = SENTINEL;
	r = bind(-1, (struct sockaddr *)&sin, sizeof(sin));
	fact("badfd_result", r, -1);
	printf("badfd_errno=%s %s\n", strerrorname_np(errno), errno == EBADF ? "ok" : "FAIL");
	failures += errno != EBADF;
	return failures ? 1 : 0;
}
