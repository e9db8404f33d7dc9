/* connect_loop.c: N connect/close cycles on loopback, timed (wall and CPU); with --setsockopt it sets TCP_NODELAY itself, as a peer for the preload, with --keepalive it sets SO_KEEPALIVE too, and with --dup it also duplicates each socket and closes the copy (calls the preload follows). */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

/* CPU seconds this process used, user and system: steadier than wall time on a busy machine. */
static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	int n = argc > 1 ? atoi(argv[1]) : 20000, one = 1, l, done = 0;
	bool self = false, keepalive = false, dup_too = false;
	double start, start_cpu, limit = 60; /* seconds: the loop stops there whatever N is */
	pthread_t acc;

	for (int i = 2; i < argc; i++) {
		self |= strcmp(argv[i], "--setsockopt") == 0;
		keepalive |= strcmp(argv[i], "--keepalive") == 0;
		dup_too |= strcmp(argv[i], "--dup") == 0;
	}
	l = loopback_listener(&sin, 4096);
	if (l < 0) {
		perror("connect_loop: listener");
		return 2;
	}
	pthread_create(&acc, NULL, acceptor, &l);
	start = now();
	start_cpu = cpu();
	for (; done < n && now() - start < limit; done++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (self)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (keepalive)
			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		if (dup_too)
			close(dup(fd));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("connect_loop: connect");
			return 1;
		}
		/* RST instead of FIN: no TIME_WAIT left behind (the same in every variant). */
		close_abortively(fd);
	}
	/* cycles, wall seconds, CPU seconds */
	printf("%d %.6f %.6f\n", done, now() - start, cpu() - start_cpu);
	shutdown(l, SHUT_RDWR);
	pthread_join(acc, NULL);
	return 0;
}
