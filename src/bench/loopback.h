/* loopback.h: loopback sockets and kernel socket counts (sock_diag), shared by the bench and the lab. */
#ifndef SOCKOPT_LOOPBACK_H
#define SOCKOPT_LOOPBACK_H

#include <stdbool.h>

/*
 * Every helper works on AF_INET 127.0.0.1, takes and returns ports in host
 * order, and returns a negative errno on failure like the library does.
 */

/* A close-on-exec AF_INET socket of TYPE (SOCK_STREAM or SOCK_DGRAM). */
int loop_socket(int type);
/* Bind FD to 127.0.0.1:PORT (0: any port), then listen when LISTEN; the bound port. */
int loop_bind(int fd, int port, bool listen);
/* Connect FD to 127.0.0.1:PORT, blocking. */
int loop_connect(int fd, int port);
/* The local port of FD. */
int loop_local_port(int fd);
/* A connected TCP pair on loopback: *CLIENT and the accepted *SERVER. */
int loop_tcp_pair(int *client, int *server);

/* Which sockets to count: a protocol, TCP states, and ports (-1: any). */
struct diag_filter {
	int protocol;	 /* IPPROTO_TCP or IPPROTO_UDP */
	unsigned states; /* a mask of 1 << TCP_* states; 0 means every state */
	int local_port;
	int remote_port;
};

/* What the kernel said about the sockets that matched. */
struct diag_count {
	long sockets;	 /* how many matched */
	long long drops; /* their SK_MEMINFO_DROPS added up */
};

/*
 * Count the IPv4 sockets matching F through NETLINK_SOCK_DIAG (the
 * interface ss uses), so TIME_WAIT sockets, which have no descriptor, are
 * seen too.
 */
int diag_count(const struct diag_filter *f, struct diag_count *out);

#endif /* SOCKOPT_LOOPBACK_H */
