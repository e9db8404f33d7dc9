/* bench_show.c: the helpers of `make bench-show`: a process holding many loopback TCP sockets, a raw getsockopt loop, and a timer. */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sockopt.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int die(const char *what)
{
	fprintf(stderr, "bench_show: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Raise the soft fd limit to NEED, and the hard one too when allowed. */
static void raise_nofile(rlim_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit");
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit RLIMIT_NOFILE (10,000 sockets need a higher fd limit)");
}

/* Set one int option through the library (the bench is a client of it). */
static void set_on(int fd, const char *name)
{
	const sockopt_entry *e = sockopt_catalog_find(name);
	struct sockopt_diag diag;
	sockopt_value v;

	if (!e) {
		fprintf(stderr, "bench_show: %s is not in the catalog.\n", name);
		exit(1);
	}
	sockopt_value_set_int(&v, 1);
	if (sockopt_set(fd, e, &v, NULL, &diag) < 0) {
		fprintf(stderr, "bench_show: %s\n", diag.text);
		exit(1);
	}
}

/* Connections per listener: each needs its own source port, from the 28,232 of net.ipv4.ip_local_port_range. */
#define PER_LISTENER 20000

/*
 * hold CONNECTIONS: open that many loopback TCP connections (two sockets
 * each, to one listener per PER_LISTENER, the listeners closed after),
 * TCP_NODELAY on every 3rd and SO_KEEPALIVE on every 5th client, print
 * "ready PID" and wait until stdin closes.
 */
static int hold(int connections)
{
	int nl = connections / PER_LISTENER + 1, first = -1, last = -1;
	struct sockaddr_in *sin = calloc((size_t)nl, sizeof(*sin));
	int *l = calloc((size_t)nl, sizeof(*l));
	char buf[16];

	if (!sin || !l)
		die("calloc");
	raise_nofile((rlim_t)connections * 2 + (rlim_t)nl + 64);
	for (int k = 0; k < nl; k++) {
		socklen_t len = sizeof(sin[k]);

		sin[k] = (struct sockaddr_in){ .sin_family = AF_INET,
					       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		l[k] = socket(AF_INET, SOCK_STREAM, 0);
		if (l[k] < 0 || bind(l[k], (struct sockaddr *)&sin[k], sizeof(sin[k])) < 0 ||
		    listen(l[k], 4096) < 0 || getsockname(l[k], (struct sockaddr *)&sin[k], &len) < 0)
			die("listener");
	}
	for (int i = 0; i < connections; i++) {
		int k = i / PER_LISTENER, c = socket(AF_INET, SOCK_STREAM, 0), s;

		if (c < 0 || connect(c, (struct sockaddr *)&sin[k], sizeof(sin[k])) < 0)
			die("connect");
		s = accept(l[k], NULL, NULL);
		if (s < 0)
			die("accept");
		first = first < 0 ? c : first;
		last = s;
		if (i % 3 == 0)
			set_on(c, "TCP_NODELAY");
		if (i % 5 == 0)
			set_on(c, "SO_KEEPALIVE");
	}
	for (int k = 0; k < nl; k++)
		close(l[k]);
	printf("ready %d %d\n", (int)getpid(), connections);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	/* Close with RST so that the connections leave no TIME_WAIT behind for other tests. */
	for (int fd = first; first >= 0 && fd <= last; fd++)
		sockopt_close_abortive(fd, NULL, NULL);
	free(sin);
	free(l);
	return 0;
}

/* The readable, side-effect-free catalog options of KIND read on FD; how many succeeded. */
static long raw_options(int fd, unsigned kind)
{
	long values = 0;

	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		unsigned char v[SOCKOPT_VALUE_MAX];
		socklen_t len = sizeof(v);

		if (!(sockopt_entry_kinds(e) & kind) ||
		    !(sockopt_entry_access(e) & SOCKOPT_ACCESS_GET) ||
		    (sockopt_entry_flags(e) & (SOCKOPT_FLAG_SIDE_EFFECT | SOCKOPT_FLAG_TRANSIENT)))
			continue;
		if (getsockopt(fd, sockopt_entry_level(e), sockopt_entry_optname(e), v, &len) == 0)
			values++;
	}
	return values;
}

/* What the threads of raw share: the process, its fds, and the values read. */
struct raw_job {
	int pidfd, nfds, threads, next;
	int *fds;
	long values;
};

/* One thread of raw: fds NEXT, NEXT + THREADS, …, in a table of fds of its own as show's workers. */
static void *raw_thread(void *arg)
{
	struct raw_job *job = arg;
	int first = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
	long values = 0;

	if (job->threads > 1)
		unshare(CLONE_FILES);
	for (int i = first; i < job->nfds; i += job->threads) {
		int fd = (int)syscall(SYS_pidfd_getfd, job->pidfd, job->fds[i], 0);
		unsigned kind;

		if (fd < 0)
			continue;
		if (sockopt_kind_of_fd(fd, &kind, NULL) == 0)
			values += raw_options(fd, kind);
		close(fd);
	}
	__atomic_fetch_add(&job->values, values, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * raw PID [THREADS]: the least work that reads the same options: list
 * /proc/PID/fd, pidfd_getfd each, then one getsockopt per readable catalog
 * option of the socket's kind; nothing is formatted.  With THREADS the fds
 * are shared out among that many threads.  Prints the number of values read.
 */
static int raw(pid_t pid, int threads)
{
	struct raw_job job = { .pidfd = (int)syscall(SYS_pidfd_open, pid, 0), .threads = threads };
	pthread_t tids[16];
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (job.pidfd < 0 || !(dir = opendir(path)))
		die("pidfd_open or /proc/PID/fd");
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (job.nfds % 1024 == 0 && !(job.fds = realloc(job.fds, (job.nfds + 1024) * sizeof(int))))
			die("realloc");
		job.fds[job.nfds++] = atoi(d->d_name);
	}
	closedir(dir);
	if (threads < 1 || threads > 16)
		threads = job.threads = 1;
	for (int t = 1; t < threads; t++)
		if (pthread_create(&tids[t], NULL, raw_thread, &job) != 0)
			die("pthread_create");
	raw_thread(&job);
	for (int t = 1; t < threads; t++)
		pthread_join(tids[t], NULL);
	printf("%ld\n", job.values);
	free(job.fds);
	return 0;
}

/* time CMD…: run CMD with stdout on /dev/null; print "WALL_MS MAXRSS_KIB EXIT". */
static int timed(char **argv)
{
	struct rusage ru;
	double start = now_ms();
	int status;
	pid_t child = fork();

	if (child < 0)
		die("fork");
	if (child == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(child, &status, 0, &ru) < 0)
		die("wait4");
	printf("%.2f %ld %d\n", now_ms() - start, ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "hold") == 0)
		return hold(atoi(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "raw") == 0)
		return raw((pid_t)atoi(argv[2]), argc >= 4 ? atoi(argv[3]) : 1);
	if (argc >= 3 && strcmp(argv[1], "time") == 0)
		return timed(argv + 2);
	fprintf(stderr, "usage: bench_show hold CONNECTIONS | raw PID [THREADS] | time CMD…\n");
	return 2;
}
