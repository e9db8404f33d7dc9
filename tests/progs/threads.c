/* threads.c: many threads connecting at once, each checking that its socket got an option the shim applies. */
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

static struct sockaddr_in server;
static int per_thread;
static atomic_int connects, configured, failed;

static void *client(void *arg)
{
	(void)arg;
	for (int i = 0; i < per_thread; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0), v = 0;
		socklen_t len = sizeof(v);

		if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0) {
			atomic_fetch_add(&failed, 1);
		} else {
			atomic_fetch_add(&connects, 1);
			getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len);
			atomic_fetch_add(&configured, v != 0);
		}
		if (fd >= 0)
			close_abortively(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 8, l;
	pthread_t acc[2], *th;

	per_thread = argc > 2 ? atoi(argv[2]) : 1000;
	th = calloc((size_t)nthreads, sizeof(*th));
	l = loopback_listener(&server, 4096);
	if (!th || l < 0) {
		perror("threads: listener");
		return 2;
	}
	for (int i = 0; i < 2; i++)
		pthread_create(&acc[i], NULL, acceptor, &l);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, client, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	shutdown(l, SHUT_RDWR);
	for (int i = 0; i < 2; i++)
		pthread_join(acc[i], NULL);
	printf("connects=%d configured=%d failed=%d\n", connects, configured, failed);
	free(th);
	return 0;
}
