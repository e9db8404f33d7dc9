/* sockdiag.h: kernel sockets by state, port and address through sock_diag netlink (TIME_WAIT, UDP drops); for the lab and the bench. */
#ifndef SOCKOPT_SOCKDIAG_H
#define SOCKOPT_SOCKDIAG_H

#include <sys/socket.h>

/*
 * Everything here asks the kernel through NETLINK_SOCK_DIAG (the interface
 * ss uses) in the caller's network namespace, so TIME_WAIT sockets, which
 * have no descriptor, are seen too; the kernel filters by state and sends
 * binary records, where /proc/net/tcp formats every socket as text.  States
 * are the kernel's TCP_* numbers of <netinet/tcp.h> (TCP_TIME_WAIT…).
 */

/* Which sockets to count: a protocol, TCP states, and ports in host order (-1: any). */
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

/* Count the IPv4 sockets matching F.  0 or a negative errno. */
int diag_count(const struct diag_filter *f, struct diag_count *out);

/*
 * The state of the IPv4 or IPv6 TCP socket whose local and remote
 * addresses are exactly LOCAL and REMOTE: a TCP_* state, 0 when there is
 * none, or a negative errno.
 */
int diag_tcp_state(const struct sockaddr_storage *local, const struct sockaddr_storage *remote);
/* What one dump says of a TCP socket, as ss -o reads it. */
struct diag_tcp_timer {
	unsigned long long inode;
	int timer;	 /* idiag_timer: 0 off, 1 on, 2 keepalive, 3 timewait, 4 persist */
	unsigned ms;	 /* until it fires */
	unsigned retrans;
	unsigned rqueue; /* ss's Recv-Q: rcv_nxt - copied_seq, a received FIN included */
};

/* Call EACH with every IPv4 and IPv6 TCP socket of this network namespace.  0 or a negative errno. */
int diag_tcp_timers(void (*each)(const struct diag_tcp_timer *t, void *ctx), void *ctx);
/*
 * Call EACH with the inode, the connections waiting to be accepted and
 * the backlog of every unix listener of this network namespace (ss -x's
 * Recv-Q and Send-Q).  0 or a negative errno.
 */
int diag_unix_listeners(void (*each)(unsigned long long inode, unsigned rqueue, unsigned wqueue,
				     void *ctx),
			void *ctx);
/* "TIME-WAIT", "ESTABLISHED", …, "none" for 0, "unknown" for an error. */
const char *diag_tcp_state_name(int state);

#endif /* SOCKOPT_SOCKDIAG_H */
