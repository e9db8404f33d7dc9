/* labnet.h: loopback sockets, protocol counters and private network namespaces, shared by the lab and the bench. */
#ifndef SOCKOPT_LABNET_H
#define SOCKOPT_LABNET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/*
 * Every function returns a non-negative result or a negative errno, like
 * the library.  Addresses are text ("127.0.0.1", "::1"); ports are in host
 * order, 0 for an ephemeral one.
 */

/* A monotonic clock in microseconds. */
long long labnet_now_us(void);
/* Sleep for MS milliseconds. */
void labnet_sleep_ms(int ms);

/* socket(2) with SOCK_CLOEXEC for an address family given by IP's text form. */
int labnet_socket(const char *ip, int type);
/* Fill SS from IP and PORT; the length, or -EINVAL. */
int labnet_addr(const char *ip, int port, struct sockaddr_storage *ss);
int labnet_bind(int fd, const char *ip, int port);
/* bind, then listen with a backlog of 128. */
int labnet_listen(int fd, const char *ip, int port);
/* A blocking connect. */
int labnet_connect(int fd, const char *ip, int port);
/* Wait up to TIMEOUT_MS for a connection on LFD and accept it (SOCK_CLOEXEC). */
int labnet_accept(int lfd, int timeout_ms);
/*
 * Connect C (made and set up by the caller) to the listener LFD at LFD's
 * own address and accept it within 2 s: the accepted fd or -errno.
 */
int labnet_connect_accept(int lfd, int c);
/* close(2) FD unless it is negative, for clean-up paths where some sockets were never made. */
void labnet_close(int fd);
/* The local port of FD (host order), or -errno. */
int labnet_port(int fd);

/* A TCP listener on IP with an ephemeral port. */
int labnet_tcp_listener(const char *ip);
/* A connected loopback TCP pair on IP: *CLIENT and the accepted *SERVER. */
int labnet_tcp_pair(const char *ip, int *client, int *server);
/* A UDP socket bound to IP with an ephemeral port. */
int labnet_udp_bound(const char *ip);

/* Write all LEN bytes of BUF to FD (a pipe), retrying after signals; 0 or -errno. */
int labnet_write_all(int fd, const void *buf, size_t len);
/* Write to non-blocking FD until the kernel takes no more (at most MAX bytes); the count. */
long long labnet_fill(int fd, long long max);
/* Read and drop everything FD has until EOF, an error or TIMEOUT_MS of quiet; the count. */
long long labnet_drain(int fd, int timeout_ms, int *end_errno);
/* Bytes not yet acknowledged by the peer (SIOCOUTQ), or -errno. */
int labnet_outq(int fd);
/* Wait up to TIMEOUT_MS for EVENTS on FD; the revents (0 on timeout). */
int labnet_wait(int fd, short events, int timeout_ms);

/* FD's own local and remote addresses, for diag_tcp_state (sockdiag.h) once FD is closed. */
int labnet_fd_addrs(int fd, struct sockaddr_storage *local, struct sockaddr_storage *remote);

/*
 * A protocol counter of the caller's network namespace from
 * /proc/net/snmp or /proc/net/netstat: GROUP "TcpExt", "Icmp", "Udp"…,
 * NAME "OutOfWindowIcmps"; the value or -ENOENT.
 */
long long labnet_counter(const char *group, const char *name);

/*
 * Move the calling process into a new private network namespace with its
 * loopback up.  -EPERM without CAP_NET_ADMIN.  Call it in a child process:
 * the namespace disappears with the last process in it, so nothing is
 * left behind even when the child crashes.
 */
int labnet_netns_enter(void);
/* Run ARGV (PATH searched) with INPUT (may be NULL) on its stdin, output discarded; its exit status or -errno. */
int labnet_spawn(const char *const argv[], const char *input);
/* Load an nftables ruleset (nft -f -) in the caller's namespace; 0 or -errno/-ENOENT. */
int labnet_nft(const char *ruleset);
/*
 * Add an nftables rule at HOOK ("input", "output") that applies VERDICT
 * ("drop", "reject with icmp type host-unreachable") to packets whose
 * MATCH ("tcp dport", "tcp sport") is PORT, in table inet sockopt_lab.
 * For experiments in their own network namespace, where it touches
 * nothing else; labnet_nft("delete table inet sockopt_lab\n") removes it.
 */
int labnet_nft_rule(const char *hook, const char *match, int port, const char *verdict);
/* Whether PROGRAM is found on PATH. */
bool labnet_have(const char *program);

#endif /* SOCKOPT_LABNET_H */
