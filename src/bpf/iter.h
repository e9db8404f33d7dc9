/* iter.h: the records the iterator programs write and the loaders read, shared by both sides. */
#ifndef SOCKOPT_BPF_ITER_H
#define SOCKOPT_BPF_ITER_H

/*
 * Included by the BPF programs (after the kernel's uapi headers) and by
 * the loaders (after the C library's), so it uses only __u* types and the
 * option constants both sides define (optnames.h supplies the numbers the
 * installed headers lack).
 */
#ifndef SOL_IP
#define SOL_IP 0
#endif
#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef SOL_IPV6
#define SOL_IPV6 41
#endif

/*
 * The int-sized options bpf_setsockopt's allow-list takes in an iter/tcp
 * program (net/core/filter.c, Linux 6.18) that the catalog has: what
 * set --match can set (bpf_set.c).  bpf_getsockopt takes the same list.
 * SOL_IP and SOL_IPV6 ones apply to the socket's own family only; the
 * other family's answer an error.
 */
#define ITER_TCP_GETSOCKOPT(X)                                                                     \
	ITER_SK_GETSOCKOPT(X) X(SOL_SOCKET, SO_TXREHASH) X(SOL_TCP, TCP_NODELAY)                   \
	X(SOL_TCP, TCP_MAXSEG) X(SOL_TCP, TCP_KEEPIDLE) X(SOL_TCP, TCP_KEEPINTVL)                   \
	X(SOL_TCP, TCP_KEEPCNT) X(SOL_TCP, TCP_SYNCNT) X(SOL_TCP, TCP_WINDOW_CLAMP)                 \
	X(SOL_TCP, TCP_THIN_LINEAR_TIMEOUTS) X(SOL_TCP, TCP_USER_TIMEOUT)                          \
	X(SOL_TCP, TCP_NOTSENT_LOWAT) X(SOL_TCP, TCP_SAVE_SYN) X(SOL_TCP, TCP_RTO_MAX_MS)          \
	X(SOL_IP, IP_TOS) X(SOL_IPV6, IPV6_TCLASS) X(SOL_IPV6, IPV6_AUTOFLOWLABEL)

/* What kind of struct the TCP iterator met: a whole socket, a TIME_WAIT one, a request (SYN_RECV). */
enum iter_what { ITER_FULL = 1, ITER_TIMEWAIT = 2, ITER_REQUEST = 3 };

/* The timer of a socket, numbered as /proc/net/tcp and ss number them (ss: off, on, keepalive, timewait, persist). */
enum iter_timer {
	ITER_TIMER_OFF = 0,
	ITER_TIMER_ON = 1,
	ITER_TIMER_KEEPALIVE = 2,
	ITER_TIMER_TIMEWAIT = 3,
	ITER_TIMER_PERSIST = 4,
};

#ifndef SOL_UDP
#define SOL_UDP 17
#endif

/*
 * The options the programs read, in the order of their slots in a struct
 * iter_values.  The SOL_SOCKET ones of ITER_SK_GETSOCKOPT are in
 * bpf_getsockopt's allow-list: the unix iterator reads them with it, the
 * TCP and UDP iterators from the socket's fields (the UDP verifier
 * refuses bpf_getsockopt; in the TCP one a field costs less than a call).
 * All others are read from fields, computed as the kernel's getsockopt
 * computes them (net/core/sock.c, net/ipv4/ip_sockglue.c, net/ipv4/tcp.c,
 * net/ipv4/udp.c, net/ipv6/ipv6_sockglue.c, Linux 6.18); each program
 * fills the slots that apply to its kind and leaves the rest not read.
 */
#define ITER_SK_GETSOCKOPT(X)                                                                      \
	X(SOL_SOCKET, SO_REUSEADDR) X(SOL_SOCKET, SO_SNDBUF) X(SOL_SOCKET, SO_RCVBUF)              \
	X(SOL_SOCKET, SO_KEEPALIVE) X(SOL_SOCKET, SO_PRIORITY) X(SOL_SOCKET, SO_REUSEPORT)         \
	X(SOL_SOCKET, SO_RCVLOWAT) X(SOL_SOCKET, SO_MARK) X(SOL_SOCKET, SO_BINDTOIFINDEX)

#define ITER_SOCK_FIELDS(X)                                                                        \
	X(SOL_SOCKET, SO_DEBUG) X(SOL_SOCKET, SO_DONTROUTE) X(SOL_SOCKET, SO_BROADCAST)            \
	X(SOL_SOCKET, SO_OOBINLINE) X(SOL_SOCKET, SO_NO_CHECK) X(SOL_SOCKET, SO_LINGER)            \
	X(SOL_SOCKET, SO_RCVTIMEO) X(SOL_SOCKET, SO_SNDTIMEO) X(SOL_SOCKET, SO_TIMESTAMP)          \
	X(SOL_SOCKET, SO_TIMESTAMPNS) X(SOL_SOCKET, SO_RXQ_OVFL) X(SOL_SOCKET, SO_WIFI_STATUS)     \
	X(SOL_SOCKET, SO_PEEK_OFF) X(SOL_SOCKET, SO_NOFCS) X(SOL_SOCKET, SO_LOCK_FILTER)           \
	X(SOL_SOCKET, SO_SELECT_ERR_QUEUE) X(SOL_SOCKET, SO_BUSY_POLL)                              \
	X(SOL_SOCKET, SO_INCOMING_CPU) X(SOL_SOCKET, SO_ZEROCOPY)                                   \
	X(SOL_SOCKET, SO_PREFER_BUSY_POLL) X(SOL_SOCKET, SO_NETNS_COOKIE)                           \
	X(SOL_SOCKET, SO_BUF_LOCK) X(SOL_SOCKET, SO_RESERVE_MEM) X(SOL_SOCKET, SO_RCVMARK)         \
	X(SOL_SOCKET, SO_RCVPRIORITY) X(SOL_SOCKET, SO_PASSCRED) X(SOL_SOCKET, SO_PASSSEC)         \
	X(SOL_SOCKET, SO_PASSPIDFD) X(SOL_SOCKET, SO_PASSRIGHTS) X(SOL_IP, IP_TTL)                 \
	X(SOL_IP, IP_TOS) X(SOL_IP, IP_MINTTL) X(SOL_IP, IP_MULTICAST_TTL)                          \
	X(SOL_IP, IP_MTU_DISCOVER) X(SOL_IP, IP_UNICAST_IF) X(SOL_IP, IP_MULTICAST_LOOP)           \
	X(SOL_IP, IP_FREEBIND) X(SOL_IP, IP_TRANSPARENT) X(SOL_IP, IP_RECVERR)                      \
	X(SOL_IP, IP_PKTINFO) X(SOL_IP, IP_RECVTTL) X(SOL_IP, IP_RECVTOS)                           \
	X(SOL_IP, IP_MULTICAST_ALL) X(SOL_IP, IP_BIND_ADDRESS_NO_PORT) X(SOL_IP, IP_RECVOPTS)       \
	X(SOL_IP, IP_RETOPTS) X(SOL_IP, IP_PASSSEC) X(SOL_IP, IP_ORIGDSTADDR) X(SOL_IP, IP_CHECKSUM) \
	X(SOL_IP, IP_RECVFRAGSIZE) X(SOL_IP, IP_RECVERR_RFC4884) X(SOL_IPV6, IPV6_V6ONLY)          \
	X(SOL_IPV6, IPV6_TCLASS) X(SOL_IPV6, IPV6_UNICAST_HOPS) X(SOL_IPV6, IPV6_MULTICAST_HOPS)  \
	X(SOL_IPV6, IPV6_MTU_DISCOVER) X(SOL_IPV6, IPV6_MINHOPCOUNT) X(SOL_IPV6, IPV6_MULTICAST_IF) \
	X(SOL_IPV6, IPV6_UNICAST_IF) X(SOL_IPV6, IPV6_RECVPKTINFO) X(SOL_IPV6, IPV6_2292PKTINFO)   \
	X(SOL_IPV6, IPV6_RECVHOPLIMIT) X(SOL_IPV6, IPV6_2292HOPLIMIT) X(SOL_IPV6, IPV6_RECVRTHDR)  \
	X(SOL_IPV6, IPV6_2292RTHDR) X(SOL_IPV6, IPV6_RECVHOPOPTS) X(SOL_IPV6, IPV6_2292HOPOPTS)    \
	X(SOL_IPV6, IPV6_RECVDSTOPTS) X(SOL_IPV6, IPV6_2292DSTOPTS) X(SOL_IPV6, IPV6_RECVTCLASS)   \
	X(SOL_IPV6, IPV6_FLOWINFO) X(SOL_IPV6, IPV6_RECVPATHMTU) X(SOL_IPV6, IPV6_ORIGDSTADDR)     \
	X(SOL_IPV6, IPV6_RECVFRAGSIZE) X(SOL_IPV6, IPV6_MULTICAST_LOOP)                             \
	X(SOL_IPV6, IPV6_MULTICAST_ALL) X(SOL_IPV6, IPV6_RECVERR) X(SOL_IPV6, IPV6_RECVERR_RFC4884) \
	X(SOL_IPV6, IPV6_DONTFRAG) X(SOL_IPV6, IPV6_FLOWINFO_SEND)                                  \
	X(SOL_IPV6, IPV6_ROUTER_ALERT_ISOLATE) X(SOL_IPV6, IPV6_FREEBIND)                           \
	X(SOL_IPV6, IPV6_TRANSPARENT) X(SOL_IPV6, IPV6_AUTOFLOWLABEL) X(SOL_UDP, UDP_CORK)         \
	X(SOL_UDP, UDP_ENCAP)                                                                       \
	X(SOL_UDP, UDP_NO_CHECK6_TX) X(SOL_UDP, UDP_NO_CHECK6_RX) X(SOL_UDP, UDP_SEGMENT)          \
	X(SOL_UDP, UDP_GRO) X(SOL_SOCKET, SO_BSDCOMPAT) X(SOL_SOCKET, SO_TIMESTAMPING)              \
	X(SOL_SOCKET, SO_MAX_PACING_RATE) X(SOL_SOCKET, SO_TXTIME) X(SOL_SOCKET, SO_ATTACH_FILTER) \
	X(SOL_IP, IP_OPTIONS) X(SOL_IP, IP_LOCAL_PORT_RANGE) X(SOL_IP, IP_MULTICAST_IF)            \
	X(SOL_IPV6, IPV6_ADDRFORM) X(SOL_IPV6, IPV6_HOPOPTS) X(SOL_IPV6, IPV6_RTHDRDSTOPTS)        \
	X(SOL_IPV6, IPV6_RTHDR) X(SOL_IPV6, IPV6_DSTOPTS)

/* The options only a TCP socket has. */
#define ITER_TCP_OPTIONS(X)                                                                        \
	X(SOL_SOCKET, SO_TXREHASH) X(SOL_TCP, TCP_NODELAY) X(SOL_TCP, TCP_MAXSEG)                  \
	X(SOL_TCP, TCP_CORK) X(SOL_TCP, TCP_KEEPIDLE) X(SOL_TCP, TCP_KEEPINTVL)                    \
	X(SOL_TCP, TCP_KEEPCNT) X(SOL_TCP, TCP_SYNCNT) X(SOL_TCP, TCP_LINGER2)                     \
	X(SOL_TCP, TCP_DEFER_ACCEPT) X(SOL_TCP, TCP_WINDOW_CLAMP)                                   \
	X(SOL_TCP, TCP_THIN_LINEAR_TIMEOUTS) X(SOL_TCP, TCP_USER_TIMEOUT)                          \
	X(SOL_TCP, TCP_NOTSENT_LOWAT) X(SOL_TCP, TCP_SAVE_SYN) X(SOL_TCP, TCP_RTO_MAX_MS)          \
	X(SOL_TCP, TCP_RTO_MIN_US) X(SOL_TCP, TCP_CONGESTION) X(SOL_TCP, TCP_THIN_DUPACK)         \
	X(SOL_TCP, TCP_REPAIR) X(SOL_TCP, TCP_REPAIR_QUEUE) X(SOL_TCP, TCP_QUEUE_SEQ)              \
	X(SOL_TCP, TCP_REPAIR_WINDOW) X(SOL_TCP, TCP_FASTOPEN) X(SOL_TCP, TCP_FASTOPEN_CONNECT)    \
	X(SOL_TCP, TCP_FASTOPEN_NO_COOKIE) X(SOL_TCP, TCP_INQ) X(SOL_TCP, TCP_TX_DELAY)            \
	X(SOL_TCP, TCP_DELACK_MAX_US) X(SOL_TCP, TCP_ULP)

#define ITER_SLOTS(X) ITER_SK_GETSOCKOPT(X) ITER_SOCK_FIELDS(X) ITER_TCP_OPTIONS(X)

/* Each slot's index, named after its option: ITER_I_SO_SNDBUF … */
#define ITER_INDEX_OF(level, name) ITER_I_##name,
enum iter_slot { ITER_SLOTS(ITER_INDEX_OF) ITER_NSLOTS };

/* What GOT says of a slot: not read (0, as a cleared record has it), read, or the negative errno the kernel gave. */
#define ITER_NOT_READ 0
#define ITER_GOT 1

/*
 * The option values of a socket: an int per slot, but for the wider
 * values, which have their own members, and the ones read only when they
 * are empty (SO_ATTACH_FILTER with no filter, IP_OPTIONS and the sticky
 * IPv6 headers with none set: GOT says so, and the value has no bytes).
 * A TCP record is 840 bytes where one of {err, len, 16 bytes} per slot was
 * 3,072, so that a read() of the iterator carries nearly four times as
 * many sockets, and a program clears only GOT.
 */
struct iter_values {
	__s16 got[ITER_NSLOTS];
	__s32 v[ITER_NSLOTS];
	__s32 linger[2];		/* SO_LINGER: struct linger */
	__s64 rcvtimeo[2], sndtimeo[2]; /* SO_RCVTIMEO, SO_SNDTIMEO: struct timeval (64-bit time_t) */
	__u64 netns_cookie;		/* SO_NETNS_COOKIE */
	char congestion[16];		/* TCP_CONGESTION: TCP_CA_NAME_MAX bytes */
	char ulp[16];			/* TCP_ULP: TCP_ULP_NAME_MAX bytes, empty (no bytes) when none */
	__u64 max_pacing_rate;		/* SO_MAX_PACING_RATE */
	__s32 txtime[2];		/* SO_TXTIME: struct sock_txtime */
};

/* Room for a unix socket address (struct sockaddr_un, 110 bytes) or an inet one; a power of two, so the program can mask a length to it. */
#define ITER_ADDR_MAX 128

/* One TCP socket as iter_tcp.bpf.c writes it (and iter_tcp_fds.bpf.c, in an iter_fd_record). */
struct iter_tcp_record {
	__u64 inode; /* 0 for TIME_WAIT and request sockets: no struct socket */
	__u32 netns; /* inode number of the network namespace */
	__u32 uid;
	__u16 family;
	__u8 state; /* TCP_* as the kernel numbers them */
	__u8 what;  /* enum iter_what */
	__u16 local_port, peer_port; /* host order */
	__u8 local_addr[16], peer_addr[16]; /* 4 bytes for AF_INET */
	__u32 recv_q, send_q;
	__u32 timer; /* enum iter_timer */
	__s32 timer_ms; /* until it fires; 0 when off or overdue */
	struct iter_values o;
};

/* One UDP or unix socket as iter_udp.bpf.c or iter_unix.bpf.c writes it. */
struct iter_sock_record {
	__u64 inode; /* 0 for a socket with no struct socket left */
	__u32 netns;
	__u32 uid;
	__u16 family, type;
	__u8 state;  /* TCP_LISTEN, TCP_ESTABLISHED (connected) or TCP_CLOSE, as the pidfd path says it */
	__u8 pad[3];
	__u16 local_port, peer_port; /* inet, host order */
	__u32 local_len, peer_len;   /* bytes of a unix address; for inet 0 when there is none */
	__u8 local_addr[ITER_ADDR_MAX], peer_addr[ITER_ADDR_MAX]; /* inet: 4 or 16 bytes */
	__s64 recv_q, send_q; /* -1: unknown */
	struct iter_values o;
};

/* One socket fd of one process as iter_task.bpf.c writes it. */
struct iter_file_record {
	__u64 inode;
	__u32 pid; /* the thread group id */
	__u32 fd;
	__u32 netns;
	__u16 family;
	__u16 type;
	char comm[16];
};

/*
 * One socket fd of one process as iter_tcp_fds.bpf.c writes it: the fd as
 * iter_task.bpf.c gives it, how many references the file had (the
 * program's own among them: 2 when one fd in the whole machine holds the
 * socket), and when TCP is set the socket as the TCP program reads it.
 */
struct iter_fd_record {
	struct iter_file_record file;
	__u32 refs;
	__u32 tcp;
	struct iter_tcp_record r;
};

/*
 * The sockets one reader of an iterator wants (narrow.h): a bitmap of
 * their inodes, hashed (ITER_WANTED_BIT).  Another socket whose bit is set
 * is read and dropped by the loader as before: with 10,000 wanted inodes,
 * 1 - e^(-10,000/262,144) = 3.7% of the others are.
 */
#define ITER_WANTED_BITS 18
#define ITER_WANTED_WORDS ((1 << ITER_WANTED_BITS) / 64)
#define ITER_WANTED_BIT(inode) ((__u32)(((__u64)(inode) * 0x9e3779b97f4a7c15ULL) >> (64 - ITER_WANTED_BITS)))
struct iter_wanted {
	__u64 bits[ITER_WANTED_WORDS];
};

/* Options set in one pass of iter_set.bpf.c: int-valued ones of the ITER_TCP_GETSOCKOPT list. */
#define ITER_SET_MAX 8

struct iter_set_option {
	__s32 level, name, value;
};

/*
 * What iter_set.bpf.c did to one socket: every option set, or (ERR < 0)
 * none, the ones set before FAILED restored to their BEFORE values.
 */
struct iter_set_record {
	__u64 inode;
	__s32 err;
	__u32 failed; /* index of the option that failed */
	__s32 before[ITER_SET_MAX], after[ITER_SET_MAX];
	__s32 read_err[ITER_SET_MAX]; /* of the read of BEFORE (0 when read) */
};

#endif /* SOCKOPT_BPF_ITER_H */
