/* sendrecv_loop.c: one loopback TCP connection and N send/recv round trips, for counting syscalls with strace -c. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	int n = argc > 1 ? atoi(argv[1]) : 10000, l, c, a;
	char buf[64] = "ping";

	l = loopback_listener(&sin, 1);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    (a = accept(l, NULL, NULL)) < 0) {
		perror("sendrecv_loop");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (send(c, buf, 4, 0) != 4 || recv(a, buf, sizeof(buf), 0) != 4 ||
		    send(a, buf, 4, 0) != 4 || recv(c, buf, sizeof(buf), 0) != 4) {
			perror("sendrecv_loop: round trip");
			return 1;
		}
	}
	close(a);
	close(c);
	close(l);
	return 0;
}
