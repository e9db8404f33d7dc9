/* netns.c: the network namespace a socket lives in: which one it is, entering it, and fresh sockets made in it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

uint64_t netns_of_thread(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* A descriptor of the network namespace socket FD lives in (SIOCGSKNS), its inode in *INODE; or -errno. */
static int netns_fd_of_socket(int fd, uint64_t *inode)
{
	struct stat st;
	int ns = ioctl(fd, SIOCGSKNS);

	if (ns < 0)
		return -errno;
	if (fstat(ns, &st) < 0) {
		int err = -errno;

		close(ns);
		return err;
	}
	*inode = st.st_ino;
	return ns;
}

uint64_t netns_of_socket(int fd)
{
	uint64_t inode = 0;
	int ns = netns_fd_of_socket(fd, &inode);

	if (ns < 0)
		return 0;
	close(ns);
	return inode;
}

SOCKOPT_EXPORT int sockopt_netns_enter(int fd, struct sockopt_diag *diag)
{
	uint64_t inode = 0;
	int ns = netns_fd_of_socket(fd, &inode), r;

	if (ns < 0)
		return diag_set(diag, ns, "Cannot learn the network namespace of the socket: %s "
				"(SIOCGSKNS needs CAP_NET_ADMIN over it).", strerror(-ns));
	if (inode == netns_of_thread()) {
		close(ns);
		return 0;
	}
	r = setns(ns, CLONE_NEWNET) < 0 ? -errno : 1;
	close(ns);
	if (r < 0)
		return diag_set(diag, r, "Cannot enter the network namespace of the socket: %s "
				"(setns needs CAP_SYS_ADMIN).", strerror(-r));
	return r;
}

/* What a thread that makes a fresh socket in another namespace is given and returns. */
struct fresh_job {
	int nsfd;
	unsigned kind;
	int fd; /* the socket, or -errno */
};

/* Namespaces are per thread: this one enters the namespace, makes the socket and ends. */
static void *fresh_in_netns(void *arg)
{
	struct fresh_job *job = arg;

	if (setns(job->nsfd, CLONE_NEWNET) < 0)
		job->fd = -errno;
	else
		job->fd = sockopt_kind_socket(job->kind, NULL);
	return NULL;
}

int kind_socket_in_netns_of(int fd, unsigned kind)
{
	struct fresh_job job = { .kind = kind, .fd = -EINVAL };
	uint64_t inode = 0;
	pthread_t t;
	int r;

	job.nsfd = netns_fd_of_socket(fd, &inode);
	if (job.nsfd < 0)
		return job.nsfd;
	if (inode == netns_of_thread()) {
		close(job.nsfd);
		return sockopt_kind_socket(kind, NULL);
	}
	r = pthread_create(&t, NULL, fresh_in_netns, &job);
	if (r == 0)
		pthread_join(t, NULL);
	close(job.nsfd);
	return r ? -r : job.fd;
}
