/* dup_probe.c: dup_probe HOW CASE: a fresh socket put on the number of another by HOW (dup2, dup3, fcntl, close_range, closefrom), then connected; prints what the kernel holds. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "loopback.h"

static int option(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, level, name, &v, &len);
	return v;
}

/*
 * FRESH onto OLD's number.  close_range and closefrom free the number, and
 * a raw dup(2) the shim cannot see fills it, as a socket received over a
 * unix socket would: the shim must have forgotten the old socket.
 */
static int place(const char *how, int fresh, int old)
{
	int r = -1;

	if (strcmp(how, "closefrom") == 0)
		closefrom(old);
	if (strcmp(how, "dup2") == 0)
		r = dup2(fresh, old);
	else if (strcmp(how, "dup3") == 0)
		r = dup3(fresh, old, O_CLOEXEC);
	else if (strcmp(how, "fcntl") == 0 && close_range((unsigned)old, (unsigned)old, 0) == 0)
		r = fcntl(fresh, F_DUPFD, old);
	else if (strcmp(how, "close_range") == 0 &&
		 close_range((unsigned)old, (unsigned)old, 0) == 0)
		r = (int)syscall(SYS_dup, fresh);
	else if (strcmp(how, "closefrom") == 0)
		r = (int)syscall(SYS_dup, fresh);
	if (r != old) {
		printf("%s did not put the socket on fd %d (got %d)\n", how, old, r);
		return -1;
	}
	return close(fresh) < 0 ? -1 : old;
}

/* What the kernel holds on FD after connect: the before-connect options of the spec. */
static void show(const char *label, int fd, const struct sockaddr_in *to)
{
	int r = connect(fd, (const struct sockaddr *)to, sizeof(*to));

	printf("%s connect=%s rcvbuf=%d syncnt=%d\n", label, r < 0 ? strerror(errno) : "ok",
	       option(fd, SOL_SOCKET, SO_RCVBUF), option(fd, IPPROTO_TCP, TCP_SYNCNT));
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *c = argc == 3 ? argv[2] : "";
	bool unix_case = strcmp(c, "unix") == 0;
	int l = loopback_listener(&sin, 16), u = socket(AF_UNIX, SOCK_STREAM, 0), fresh, old, fd;
	socklen_t sunlen = offsetof(struct sockaddr_un, sun_path) + 1 +
			   (socklen_t)snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
					       "sockopt-dup-probe-%d", (int)getpid());

	if (l < 0 || u < 0 || bind(u, (struct sockaddr *)&sun, sunlen) < 0 || listen(u, 4) < 0 ||
	    (!unix_case && strcmp(c, "connected") != 0 && strcmp(c, "udp") != 0)) {
		fprintf(stderr, "usage: dup_probe dup2|dup3|fcntl|close_range|closefrom "
				"connected|udp|unix\n");
		return 2;
	}
	show("control", socket(AF_INET, SOCK_STREAM, 0), &sin);
	/* The fresh socket first, so that the old one has the highest number (for closefrom). */
	fresh = unix_case ? socket(AF_UNIX, SOCK_STREAM, 0) : socket(AF_INET, SOCK_STREAM, 0);
	old = strcmp(c, "udp") == 0 ? socket(AF_INET, SOCK_DGRAM, 0) : socket(AF_INET, SOCK_STREAM, 0);
	if (strcmp(c, "connected") == 0 && connect(old, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return 1;
	fd = place(argv[1], fresh, old);
	if (fd < 0)
		return 1;
	if (!unix_case) {
		show("placed", fd, &sin);
		return 0;
	}
	printf("placed connect=%s\n", connect(fd, (struct sockaddr *)&sun, sunlen) < 0
					      ? strerror(errno) : "ok");
	return 0;
}
