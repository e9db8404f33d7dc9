/* labnet.c: loopback sockets, protocol counters and private network namespaces. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labnet.h"

long long labnet_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void labnet_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int labnet_addr(const char *ip, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			return -EINVAL;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
		return -EINVAL;
	return sizeof(*s4);
}

int labnet_socket(const char *ip, int type)
{
	int fd = socket(strchr(ip, ':') ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int labnet_bind(int fd, const char *ip, int port)
{
	struct sockaddr_storage ss;
	int len = labnet_addr(ip, port, &ss);

	if (len < 0)
		return len;
	return bind(fd, (struct sockaddr *)&ss, (socklen_t)len) < 0 ? -errno : 0;
}

int labnet_listen(int fd, const char *ip, int port)
{
	int r = labnet_bind(fd, ip, port);

	if (r < 0)
		return r;
	return listen(fd, 128) < 0 ? -errno : 0;
}

/* A blocking connect of FD to SS; 0 or -errno. */
static int connect_to(int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	while (connect(fd, (const struct sockaddr *)ss, len) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int labnet_connect(int fd, const char *ip, int port)
{
	struct sockaddr_storage ss;
	int len = labnet_addr(ip, port, &ss);

	return len < 0 ? len : connect_to(fd, &ss, (socklen_t)len);
}

int labnet_accept(int lfd, int timeout_ms)
{
	int fd;

	if (!(labnet_wait(lfd, POLLIN, timeout_ms) & POLLIN))
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int labnet_connect_accept(int lfd, int c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r;

	if (getsockname(lfd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	r = connect_to(c, &ss, len);
	return r < 0 ? r : labnet_accept(lfd, 2000);
}

void labnet_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int labnet_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A socket of TYPE on IP with an ephemeral port, listening when it is a stream socket. */
static int ephemeral(const char *ip, int type)
{
	int fd = labnet_socket(ip, type), r;

	if (fd < 0)
		return fd;
	r = type == SOCK_STREAM ? labnet_listen(fd, ip, 0) : labnet_bind(fd, ip, 0);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int labnet_tcp_listener(const char *ip)
{
	return ephemeral(ip, SOCK_STREAM);
}

int labnet_tcp_pair(const char *ip, int *client, int *server)
{
	int l = labnet_tcp_listener(ip), c, s;

	if (l < 0)
		return l;
	c = labnet_socket(ip, SOCK_STREAM);
	s = c < 0 ? c : labnet_connect_accept(l, c);
	close(l);
	if (s < 0) {
		labnet_close(c);
		return s;
	}
	*client = c;
	*server = s;
	return 0;
}

int labnet_udp_bound(const char *ip)
{
	return ephemeral(ip, SOCK_DGRAM);
}

int labnet_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

long long labnet_fill(int fd, long long max)
{
	static const char chunk[16384];
	long long total = 0;

	while (total < max) {
		size_t want = (size_t)(max - total) < sizeof(chunk) ? (size_t)(max - total) : sizeof(chunk);
		ssize_t n = send(fd, chunk, want, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return total ? total : -errno;
		}
		total += n;
	}
	return total;
}

long long labnet_drain(int fd, int timeout_ms, int *end_errno)
{
	char buf[16384];
	long long total = 0;

	*end_errno = ETIMEDOUT;
	for (;;) {
		ssize_t n;

		if (!labnet_wait(fd, POLLIN, timeout_ms))
			return total;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		*end_errno = n == 0 ? 0 : errno;
		return total;
	}
}

int labnet_outq(int fd)
{
	int n;

	return ioctl(fd, SIOCOUTQ, &n) < 0 ? -errno : n;
}

int labnet_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long deadline = labnet_now_us() + timeout_ms * 1000LL;

	for (;;) {
		long long left = (deadline - labnet_now_us()) / 1000;
		int r = poll(&p, 1, left > 0 ? (int)left : 0);

		if (r >= 0)
			return r ? p.revents : 0;
		if (errno != EINTR)
			return 0;
	}
}

int labnet_fd_addrs(int fd, struct sockaddr_storage *local, struct sockaddr_storage *remote)
{
	socklen_t len = sizeof(*local);

	if (getsockname(fd, (struct sockaddr *)local, &len) < 0)
		return -errno;
	len = sizeof(*remote);
	return getpeername(fd, (struct sockaddr *)remote, &len) < 0 ? -errno : 0;
}

/* The column of NAME in the header line HEAD ("TcpExt: A B C"), or -1. */
static int counter_column(char *head, const char *name)
{
	int col = 0;

	for (char *save, *w = strtok_r(head, " \n", &save); w; w = strtok_r(NULL, " \n", &save), col++)
		if (strcmp(w, name) == 0)
			return col;
	return -1;
}

long long labnet_counter(const char *group, const char *name)
{
	static const char *const files[] = { "/proc/net/snmp", "/proc/net/netstat" };
	char head[4096], values[4096], prefix[64];

	snprintf(prefix, sizeof(prefix), "%s:", group);
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "re");

		if (!f)
			continue;
		while (fgets(head, sizeof(head), f) && fgets(values, sizeof(values), f)) {
			int col;

			if (strncmp(head, prefix, strlen(prefix)) != 0 ||
			    (col = counter_column(head, name)) < 0)
				continue;
			fclose(f);
			for (char *save, *w = strtok_r(values, " \n", &save); w;
			     w = strtok_r(NULL, " \n", &save))
				if (col-- == 0)
					return strtoll(w, NULL, 10);
			return -ENOENT;
		}
		fclose(f);
	}
	return -ENOENT;
}

int labnet_netns_enter(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/* Where administration tools live when PATH (of an ordinary user) leaves them out. */
static const char *const system_dirs[] = { "/usr/sbin", "/sbin" };

/* In the child of labnet_spawn: stdin from IN (or /dev/null), output to /dev/null, then exec. */
static void spawn_child(const char *const argv[], int in)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		_exit(127);
	dup2(in >= 0 ? in : null, 0);
	dup2(null, 1);
	dup2(null, 2);
	execvp(argv[0], (char *const *)argv);
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", system_dirs[i], argv[0]);
		execv(path, (char *const *)argv);
	}
	_exit(127);
}

int labnet_spawn(const char *const argv[], const char *input)
{
	int p[2] = { -1, -1 }, status;
	pid_t pid;

	if (input && pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		if (input) {
			close(p[0]);
			close(p[1]);
		}
		return err;
	}
	if (pid == 0)
		spawn_child(argv, input ? p[0] : -1);
	if (input) {
		close(p[0]);
		labnet_write_all(p[1], input, strlen(input));
		close(p[1]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int labnet_nft_rule(const char *hook, const char *match, int port, const char *verdict)
{
	char ruleset[512];

	snprintf(ruleset, sizeof(ruleset),
		 "table inet sockopt_lab {\n"
		 "  chain %s { type filter hook %s priority 0; policy accept; %s %d %s; }\n"
		 "}\n",
		 hook, hook, match, port, verdict);
	return labnet_nft(ruleset);
}

bool labnet_have(const char *program)
{
	const char *path = getenv("PATH");
	char buf[4096];

	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		snprintf(buf, sizeof(buf), "%s/%s", system_dirs[i], program);
		if (access(buf, X_OK) == 0)
			return true;
	}
	if (!path)
		return false;
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, program);
		if (access(buf, X_OK) == 0)
			return true;
		path += len;
		path += strspn(path, ":");
	}
	return false;
}

int labnet_nft(const char *ruleset)
{
	static const char *const argv[] = { "nft", "-f", "-", NULL };
	int r;

	if (!labnet_have("nft"))
		return -ENOENT;
	r = labnet_spawn(argv, ruleset);
	return r < 0 ? r : r == 0 ? 0 : -EIO;
}
