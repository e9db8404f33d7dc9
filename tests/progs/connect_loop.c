/* connect_loop.c: N connect/close cycles on loopback, timed (wall and CPU); with --setsockopt it sets TCP_NODELAY itself, as a peer for the preload. */
#include <errno.h>
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

static void *acceptor(void *arg)
{
	int l = *(int *)arg, fd;

	while ((fd = accept(l, NULL, NULL)) >= 0 || errno == EINTR || errno == ECONNABORTED)
		if (fd >= 0)
			close(fd);
	return NULL;
}

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
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int n = argc > 1 ? atoi(argv[1]) : 20000, one = 1, l, done = 0;
	bool self = argc > 2 && strcmp(argv[2], "--setsockopt") == 0;
	struct linger abort_now = { 1, 0 };
	socklen_t len = sizeof(sin);
	double start, start_cpu, limit = 60; /* seconds: the loop stops there whatever N is */
	pthread_t acc;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 4096) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) < 0) {
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
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("connect_loop: connect");
			return 1;
		}
		/* RST instead of FIN: no TIME_WAIT left behind (the same in every variant). */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof(abort_now));
		close(fd);
	}
	/* cycles, wall seconds, CPU seconds */
	printf("%d %.6f %.6f\n", done, now() - start, cpu() - start_cpu);
	shutdown(l, SHUT_RDWR);
	pthread_join(acc, NULL);
	return 0;
}
