/* cgroup_probe.c: the spec tried on this kernel in a scratch cgroup before it reaches anyone's sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"

/* Write TEXT into the cgroup file DIR/NAME; -errno. */
int cg_write(const char *dir, const char *name, const char *text)
{
	char path[4096];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* A loopback address of FAMILY with port 0, and its length. */
static socklen_t loopback(int family, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_loopback;
		return sizeof(struct sockaddr_in6);
	}
	((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(struct sockaddr_in);
}

/* A TCP connection accepted on loopback (bind, listen, connect, accept); 0 or -1. */
static int tcp_exchange(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss);
	int l = socket(family, SOCK_STREAM, 0), c = socket(family, SOCK_STREAM, 0), a = -1;

	if (l >= 0 && c >= 0 && bind(l, (struct sockaddr *)&ss, len) == 0 && listen(l, 1) == 0 &&
	    getsockname(l, (struct sockaddr *)&ss, &len) == 0 &&
	    connect(c, (struct sockaddr *)&ss, len) == 0)
		a = accept(l, NULL, NULL);
	if (a >= 0)
		close(a);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return a >= 0 ? 0 : -1;
}

/* A bound UDP socket that receives one datagram from an unbound one (bind, send). */
static int udp_exchange(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss);
	int r = socket(family, SOCK_DGRAM, 0), s = socket(family, SOCK_DGRAM, 0), ok = -1;

	if (r >= 0 && s >= 0 && bind(r, (struct sockaddr *)&ss, len) == 0 &&
	    getsockname(r, (struct sockaddr *)&ss, &len) == 0 &&
	    sendto(s, "x", 1, 0, (struct sockaddr *)&ss, len) == 1)
		ok = 0;
	if (s >= 0)
		close(s);
	if (r >= 0)
		close(r);
	return ok;
}

/* The scratch cgroup's only process: join DIR, exchange what SOCKS asks for; the exit code. */
static int probe_child(const char *dir, unsigned socks)
{
	int bad = cg_write(dir, "cgroup.procs", "0") < 0;

	if (socks & CG_TCP4)
		bad |= tcp_exchange(AF_INET) < 0;
	if (socks & CG_TCP6)
		bad |= tcp_exchange(AF_INET6) < 0;
	if (socks & CG_UDP4)
		bad |= udp_exchange(AF_INET) < 0;
	if (socks & CG_UDP6)
		bad |= udp_exchange(AF_INET6) < 0;
	return bad;
}

static int run_child(const char *dir, unsigned socks)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(probe_child(dir, socks));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* The first entry a hook failed to set: -EOPNOTSUPP with the sentence, else 0. */
static int first_refusal(struct cg_load *l, const struct cg_entry *e, size_t n,
			 struct sockopt_diag *diag)
{
	for (size_t i = 0; i < n; i++) {
		struct cg_stat s;
		const sockopt_entry *opt = sockopt_catalog_find_number(e[i].level, e[i].optname);

		if (cg_load_stat(l, i, &s) < 0)
			continue;
		for (unsigned w = 0; w < CG_WHEN_COUNT; w++)
			if (s.failed[w]) {
				snprintf(diag->text, sizeof(diag->text),
					 "%s: the cgroup hook at %s cannot set it on this kernel "
					 "(bpf_setsockopt: %s).",
					 opt ? sockopt_entry_name(opt) : "?", cg_when_name(1u << w),
					 strerror(-s.last_error[w]));
				return diag->error = -EOPNOTSUPP;
			}
	}
	return 0;
}

int cg_load_probe(struct cg_load *l, const char *parent, const struct cg_entry *e, size_t n,
		  struct sockopt_diag *diag)
{
	char dir[4096];
	unsigned socks = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		socks |= e[i].socks;
	snprintf(dir, sizeof(dir), "%s/sockopt-probe-%d", parent, (int)getpid());
	if (mkdir(dir, 0700) < 0) {
		snprintf(diag->text, sizeof(diag->text), "Cannot make the cgroup %.400s: %s.", dir,
			 strerror(errno));
		return diag->error = -errno;
	}
	r = cg_load_attach(l, dir, diag);
	if (r == 0) {
		r = run_child(dir, socks);
		cg_load_detach(l);
		if (r < 0)
			snprintf(diag->text, sizeof(diag->text),
				 "The probe of the spec in %.400s could not make its loopback sockets.",
				 dir);
		else
			r = first_refusal(l, e, n, diag);
	}
	rmdir(dir);
	return r < 0 ? r : cg_load_reset(l);
}
