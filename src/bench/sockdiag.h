/* sockdiag.h: count kernel sockets by state and port through sock_diag netlink (TIME_WAIT, UDP drops); for the bench and the lab. */
#ifndef SOCKOPT_SOCKDIAG_H
#define SOCKOPT_SOCKDIAG_H

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

/*
 * Count the IPv4 sockets matching F through NETLINK_SOCK_DIAG (the
 * interface ss uses), so TIME_WAIT sockets, which have no descriptor, are
 * seen too.  0 or a negative errno.  (src/lab/labnet.h counts TCP states
 * from /proc/net/tcp instead; this one also sees the drop counters.)
 */
int diag_count(const struct diag_filter *f, struct diag_count *out);

#endif /* SOCKOPT_SOCKDIAG_H */
