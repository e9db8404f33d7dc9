/* fd2_probe.c: a program whose socket takes fd 2 after it closes its standard error, sending 6 bytes: the shim's log must add none. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loopback.h"

/* The socket must have taken number 2, or the probe proves nothing. */
static int on_fd2(int fd)
{
	if (fd != 2) {
		printf("the socket took fd %d, not 2\n", fd);
		exit(3);
	}
	return fd;
}

/* Send the 6 bytes the peer counts, and say so. */
static int send_hello(int fd)
{
	if (write(fd, "hello\n", 6) != 6) {
		printf("write failed\n");
		return 1;
	}
	printf("fd=%d sent=6\n", fd);
	return close(fd) < 0;
}

/* connect PORT: the socket is fd 2 from socket() on, before it is connected. */
static int client(const char *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				   .sin_port = htons((unsigned short)atoi(port)) };
	int fd;

	close(STDERR_FILENO);
	fd = on_fd2(socket(AF_INET, SOCK_STREAM, 0));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		printf("connect failed\n");
		return 1;
	}
	return send_hello(fd);
}

/* accept: the listener's port on stdout, then the accepted socket is fd 2. */
static int server(void)
{
	struct sockaddr_in sin;
	int l;

	/* Started with 2>&-, the listener would take fd 2: hold it with /dev/null first. */
	if (fcntl(STDERR_FILENO, F_GETFD) < 0 && open("/dev/null", O_WRONLY) != STDERR_FILENO)
		return 1;
	l = loopback_listener(&sin, 1);
	if (l < 0)
		return 1;
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	close(STDERR_FILENO);
	return send_hello(on_fd2(accept(l, NULL, NULL)));
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "connect") == 0)
		return client(argv[2]);
	if (argc == 2 && strcmp(argv[1], "accept") == 0)
		return server();
	fprintf(stderr, "usage: fd2_probe connect PORT | accept\n");
	return 2;
}
