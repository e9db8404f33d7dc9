/* sysctl.c: reading the /proc/sys/net tunables that bound and default socket options. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const struct {
	const char *name;
	const char *meaning;
} limits[] = {
	{ "net.core.rmem_default", "SO_RCVBUF of a new non-TCP socket (bytes)" },
	{ "net.core.rmem_max", "largest SO_RCVBUF a process may set, before doubling" },
	{ "net.core.wmem_default", "SO_SNDBUF of a new non-TCP socket (bytes)" },
	{ "net.core.wmem_max", "largest SO_SNDBUF a process may set, before doubling" },
	{ "net.core.optmem_max", "ancillary buffer per socket (filters, options)" },
	{ "net.core.somaxconn", "upper bound of a listen() backlog" },
	{ "net.ipv4.tcp_rmem", "TCP receive buffer: min, default, autotuning max" },
	{ "net.ipv4.tcp_wmem", "TCP send buffer: min, default, autotuning max" },
	{ "net.ipv4.tcp_keepalive_time", "seconds idle before the first keepalive probe" },
	{ "net.ipv4.tcp_keepalive_intvl", "seconds between keepalive probes" },
	{ "net.ipv4.tcp_keepalive_probes", "unanswered probes before the connection drops" },
	{ "net.ipv4.tcp_fin_timeout", "seconds an orphaned socket stays in FIN-WAIT-2" },
	{ "net.ipv4.tcp_tw_reuse", "reuse TIME_WAIT ports for outgoing connections" },
	{ "net.ipv4.tcp_max_tw_buckets", "most TIME_WAIT sockets kept at once" },
	{ "net.ipv4.ip_local_port_range", "ports used for automatic binds" },
	{ "net.ipv4.ip_default_ttl", "IP_TTL of a new socket" },
	{ "net.ipv4.tcp_syn_retries", "SYN retransmissions before connect gives up" },
	{ "net.ipv4.tcp_retries2", "retransmissions before an established connection drops" },
	{ "net.ipv4.tcp_fastopen", "TCP Fast Open: 1 client, 2 server, 3 both" },
	{ "net.ipv4.tcp_congestion_control", "default TCP_CONGESTION" },
	{ "net.ipv4.tcp_window_scaling", "window scaling on (RFC 7323)" },
	{ "net.ipv6.bindv6only", "default IPV6_V6ONLY of a new AF_INET6 socket" },
};

SOCKOPT_EXPORT size_t sockopt_limit_count(void)
{
	return ARRAY_SIZE(limits);
}

SOCKOPT_EXPORT const char *sockopt_limit_name(size_t i)
{
	return i < ARRAY_SIZE(limits) ? limits[i].name : NULL;
}

SOCKOPT_EXPORT const char *sockopt_limit_meaning(size_t i)
{
	return i < ARRAY_SIZE(limits) ? limits[i].meaning : NULL;
}

SOCKOPT_EXPORT int sockopt_sysctl_read(const char *name, char *buf, size_t size,
				       struct sockopt_diag *diag)
{
	char path[256] = "/proc/sys/";
	size_t base = strlen(path), n;
	ssize_t got;
	int fd;

	if (!name || !*name || strstr(name, "..") || strlen(name) >= sizeof(path) - base ||
	    size == 0)
		return diag_set(diag, -EINVAL, "\"%s\" is not a sysctl name.", name ? name : "");
	for (n = 0; name[n]; n++)
		path[base + n] = name[n] == '.' ? '/' : name[n];
	path[base + n] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return diag_set(diag, -errno, "Cannot read sysctl %s: %s.", name, strerror(errno));
	got = read(fd, buf, size - 1);
	if (got < 0) {
		int err = -errno;

		close(fd);
		return diag_set(diag, err, "Cannot read sysctl %s: %s.", name, strerror(-err));
	}
	close(fd);
	buf[got] = '\0';
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return 0;
}

SOCKOPT_EXPORT int sockopt_sysctl_read_long(const char *name, long long *out,
					    struct sockopt_diag *diag)
{
	char buf[128], *end;
	long long n;
	int r = sockopt_sysctl_read(name, buf, sizeof(buf), diag);

	if (r)
		return r;
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (end == buf || errno)
		return diag_set(diag, -EINVAL, "sysctl %s holds \"%s\", not a number.", name, buf);
	*out = n;
	return 0;
}
