/* sk_read.h: what the iterator programs share to read a socket's options from its fields (BPF side only). */
#ifndef SOCKOPT_BPF_SK_READ_H
#define SOCKOPT_BPF_SK_READ_H

/* HZ, for the options the kernel keeps in jiffies; 0 when the kernel config is unknown. */
extern unsigned CONFIG_HZ __kconfig __weak;

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define MAX_SCHEDULE_TIMEOUT 0x7fffffffffffffffL
#ifndef SOCK_BUF_LOCK_MASK
#define SOCK_BUF_LOCK_MASK 3 /* SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK, linux/socket.h */
#endif

/* Slot I of O holds the int VAL. */
#define put_slot(o, i, val)                                                                        \
	do {                                                                                       \
		(o)->v[i] = (val);                                                                 \
		(o)->got[i] = ITER_GOT;                                                            \
	} while (0)

/* Option NAME (SO_SNDBUF …) of O holds the int VAL. */
#define put_int(o, name, val) put_slot(o, ITER_I_##name, val)

/* Jiffies T as struct timeval into TV, as sock_get_timeout() gives SO_RCVTIMEO / SO_SNDTIMEO (0: none); false when HZ is unknown. */
static __always_inline int timeval_of(long t, __s64 *tv)
{
	if (!CONFIG_HZ)
		return 0;
	tv[0] = tv[1] = 0;
	/* BPF divides unsigned only; the kernel keeps these timeouts positive. */
	if (t > 0 && t != MAX_SCHEDULE_TIMEOUT) {
		tv[0] = (__s64)((unsigned long)t / CONFIG_HZ);
		tv[1] = (__s64)((unsigned long)t % CONFIG_HZ * 1000000 / CONFIG_HZ);
	}
	return 1;
}

/* Whether sock_flag BIT of SK is set, the bit number relocated by name. */
#define flag(sk, bit)                                                                              \
	(!!((sk)->__sk_common.skc_flags & (1UL << bpf_core_enum_value(enum sock_flags, bit))))

/* SO_LINGER as struct linger: the SOCK_LINGER flag and sk_lingertime in seconds. */
static __always_inline void put_linger(struct iter_values *o, const struct sock *sk)
{
	o->linger[0] = flag(sk, SOCK_LINGER);
	o->linger[1] = CONFIG_HZ ? (int)(sk->sk_lingertime / CONFIG_HZ) : 0;
	o->got[ITER_I_SO_LINGER] = ITER_GOT;
}

/* SO_RCVTIMEO and SO_SNDTIMEO, or ENODATA for both when the kernel's HZ is unknown. */
static __always_inline void put_timeouts(struct iter_values *o, const struct sock *sk)
{
	int known = timeval_of(sk->sk_rcvtimeo, o->rcvtimeo) && timeval_of(sk->sk_sndtimeo, o->sndtimeo);

	o->got[ITER_I_SO_RCVTIMEO] = o->got[ITER_I_SO_SNDTIMEO] = known ? ITER_GOT : -61; /* ENODATA */
}

/* The record R cleared: its head, and every option slot not read. */
#define record_clear(r)                                                                            \
	do {                                                                                       \
		__builtin_memset((r), 0, __builtin_offsetof(__typeof__(*(r)), o));                 \
		__builtin_memset((r)->o.got, 0, sizeof((r)->o.got));                               \
	} while (0)

/* The SOL_SOCKET options bpf_getsockopt would give, from the fields sk_getsockopt reads. */
static __always_inline void read_sk_allowed(const struct sock *sk, struct iter_values *o)
{
	put_int(o, SO_REUSEADDR, BPF_CORE_READ_BITFIELD(&sk->__sk_common, skc_reuse));
	put_int(o, SO_SNDBUF, sk->sk_sndbuf);
	put_int(o, SO_RCVBUF, sk->sk_rcvbuf);
	put_int(o, SO_KEEPALIVE, flag(sk, SOCK_KEEPOPEN));
	put_int(o, SO_PRIORITY, (int)sk->sk_priority);
	put_int(o, SO_REUSEPORT, BPF_CORE_READ_BITFIELD(&sk->__sk_common, skc_reuseport));
	put_int(o, SO_RCVLOWAT, sk->sk_rcvlowat);
	put_int(o, SO_MARK, (int)sk->sk_mark);
	put_int(o, SO_BINDTOIFINDEX, sk->__sk_common.skc_bound_dev_if);
}

/* The other SOL_SOCKET options every socket has, as sk_getsockopt computes them. */
static __noinline __attribute__((unused)) void read_sk_fields(const struct sock *sk, struct iter_values *o)
{
	struct net *net = sk->__sk_common.skc_net.net;
	int ns = flag(sk, SOCK_RCVTSTAMPNS), tnew = flag(sk, SOCK_TSTAMP_NEW);

	put_int(o, SO_DEBUG, flag(sk, SOCK_DBG));
	put_int(o, SO_DONTROUTE, flag(sk, SOCK_LOCALROUTE));
	put_int(o, SO_BROADCAST, flag(sk, SOCK_BROADCAST));
	put_int(o, SO_OOBINLINE, flag(sk, SOCK_URGINLINE));
	put_int(o, SO_NO_CHECK, BPF_CORE_READ_BITFIELD(sk, sk_no_check_tx));
	put_linger(o, sk);
	put_timeouts(o, sk);
	/* The _OLD forms, which SO_TIMESTAMP and SO_TIMESTAMPNS name where time_t is a long. */
	put_int(o, SO_TIMESTAMP, flag(sk, SOCK_RCVTSTAMP) && !tnew && !ns);
	put_int(o, SO_TIMESTAMPNS, ns && !tnew);
	put_int(o, SO_RXQ_OVFL, flag(sk, SOCK_RXQ_OVFL));
	put_int(o, SO_WIFI_STATUS, flag(sk, SOCK_WIFI_STATUS));
	put_int(o, SO_PEEK_OFF, sk->sk_peek_off);
	put_int(o, SO_NOFCS, flag(sk, SOCK_NOFCS));
	put_int(o, SO_LOCK_FILTER, flag(sk, SOCK_FILTER_LOCKED));
	put_int(o, SO_SELECT_ERR_QUEUE, flag(sk, SOCK_SELECT_ERR_QUEUE));
	put_int(o, SO_BUSY_POLL, (int)sk->sk_ll_usec);
	put_int(o, SO_INCOMING_CPU, sk->__sk_common.skc_incoming_cpu);
	put_int(o, SO_ZEROCOPY, flag(sk, SOCK_ZEROCOPY));
	put_int(o, SO_PREFER_BUSY_POLL, sk->sk_prefer_busy_poll);
	o->netns_cookie = net->net_cookie;
	o->got[ITER_I_SO_NETNS_COOKIE] = ITER_GOT;
	put_int(o, SO_BUF_LOCK, sk->sk_userlocks & SOCK_BUF_LOCK_MASK);
	put_int(o, SO_RESERVE_MEM, (int)sk->sk_reserved_mem);
	put_int(o, SO_RCVMARK, flag(sk, SOCK_RCVMARK));
	put_int(o, SO_RCVPRIORITY, flag(sk, SOCK_RCVPRIORITY));
	put_int(o, SO_BSDCOMPAT, 0); /* accepted and ignored: sk_getsockopt answers 0 */
	put_int(o, SO_TIMESTAMPING, (int)sk->sk_tsflags); /* the flags: the first int of struct so_timestamping */
	o->max_pacing_rate = sk->sk_max_pacing_rate;
	o->got[ITER_I_SO_MAX_PACING_RATE] = ITER_GOT;
	o->txtime[0] = sk->sk_clockid;
	o->txtime[1] = BPF_CORE_READ_BITFIELD(sk, sk_txtime_deadline_mode) |
		       BPF_CORE_READ_BITFIELD(sk, sk_txtime_report_errors) << 1; /* SOF_TXTIME_* */
	o->got[ITER_I_SO_TXTIME] = ITER_GOT;
	/* sk_get_filter's program is not read; with none attached the value is empty. */
	if (!sk->sk_filter)
		o->got[ITER_I_SO_ATTACH_FILTER] = ITER_GOT;
}

/*
 * The bits of inet_sock.inet_flags (Linux 6.6 and later) as Linux 6.18
 * numbers them; the enum is anonymous in the kernel, so CO-RE cannot
 * relocate it by name.  On a kernel without the field the options it
 * carries are left not read.
 */
enum {
	INET_FLAGS_PKTINFO = 0,
	INET_FLAGS_TTL = 1,
	INET_FLAGS_TOS = 2,
	INET_FLAGS_RECVOPTS = 3,
	INET_FLAGS_RETOPTS = 4,
	INET_FLAGS_PASSSEC = 5,
	INET_FLAGS_ORIGDSTADDR = 6,
	INET_FLAGS_CHECKSUM = 7,
	INET_FLAGS_RECVFRAGSIZE = 8,
	INET_FLAGS_RECVERR = 9,
	INET_FLAGS_RECVERR_RFC4884 = 10,
	INET_FLAGS_FREEBIND = 11,
	INET_FLAGS_MC_LOOP = 13,
	INET_FLAGS_MC_ALL = 14,
	INET_FLAGS_TRANSPARENT = 15,
	INET_FLAGS_BIND_ADDRESS_NO_PORT = 18,
	INET_FLAGS_MC6_LOOP = 20,
	INET_FLAGS_RECVERR6_RFC4884 = 21,
	INET_FLAGS_MC6_ALL = 22,
	INET_FLAGS_AUTOFLOWLABEL_SET = 23,
	INET_FLAGS_AUTOFLOWLABEL = 24,
	INET_FLAGS_DONTFRAG = 25,
	INET_FLAGS_RECVERR6 = 26,
	INET_FLAGS_RTALERT_ISOLATE = 28,
	INET_FLAGS_SNDFLOW = 29,
};

#define bit(word, n) ((int)(((word) >> (n)) & 1))

/*
 * IPV6_AUTOFLOWLABEL as ip6_autoflowlabel gives it: the socket's own
 * choice once it made one, else the default of the namespace's
 * net.ipv6.auto_flowlabels (on for 1, opt-out, and 3, forced).
 */
static __always_inline int autoflowlabel(struct inet_sock *inet, unsigned long f)
{
	int mode = inet->sk.__sk_common.skc_net.net->ipv6.sysctl.auto_flowlabels;

	if (bit(f, INET_FLAGS_AUTOFLOWLABEL_SET))
		return bit(f, INET_FLAGS_AUTOFLOWLABEL);
	return mode == 1 || mode == 3;
}

/* An IPV6_RECV* flag: bit FIELD of np->rxopt, which do_ipv6_getsockopt returns as it is. */
#define rxbit(np, name, field) put_slot(o, ITER_I_##name, BPF_CORE_READ_BITFIELD(np, rxopt.bits.field))

/*
 * The IPPROTO_IPV6 options do_ipv6_getsockopt (net/ipv6/ipv6_sockglue.c,
 * Linux 6.18) returns as a field holds them.  IPV6_UNICAST_HOPS only when
 * set: unset (-1) the kernel asks the socket's route, which a program
 * cannot, so it stays not read.  IPV6_ADDR_PREFERENCES depends on
 * sysctls through more of the kernel's logic and stays not read.
 */
static __noinline __attribute__((unused)) void read_ipv6_fields(struct inet_sock *inet,
							       struct ipv6_pinfo *np,
							       struct iter_values *o)
{
	int hops = BPF_CORE_READ_BITFIELD(np, hop_limit);
	int mhops = BPF_CORE_READ_BITFIELD(np, mcast_hops);

	put_int(o, IPV6_TCLASS, np->tclass);
	if (hops >= 0)
		put_int(o, IPV6_UNICAST_HOPS, hops);
	if (mhops >= 0)
		put_int(o, IPV6_MULTICAST_HOPS, mhops);
	put_int(o, IPV6_MTU_DISCOVER, BPF_CORE_READ_BITFIELD(np, pmtudisc));
	put_int(o, IPV6_MINHOPCOUNT, np->min_hopcount);
	put_int(o, IPV6_MULTICAST_IF, np->mcast_oif);
	put_int(o, IPV6_UNICAST_IF, (int)__builtin_bswap32((__u32)np->ucast_oif));
	/* The socket's family once connected, as for a socket IPV6_ADDRFORM could turn to AF_INET. */
	if (inet->sk.__sk_common.skc_state == 1 /* TCP_ESTABLISHED */)
		put_int(o, IPV6_ADDRFORM, inet->sk.__sk_common.skc_family);
	else
		o->got[ITER_I_IPV6_ADDRFORM] = -107; /* ENOTCONN */
	/* The sticky headers are not read; with none set each value is empty. */
	if (!np->opt)
		o->got[ITER_I_IPV6_HOPOPTS] = o->got[ITER_I_IPV6_RTHDRDSTOPTS] = o->got[ITER_I_IPV6_RTHDR] =
			o->got[ITER_I_IPV6_DSTOPTS] = ITER_GOT;
	rxbit(np, IPV6_RECVPKTINFO, rxinfo);
	rxbit(np, IPV6_2292PKTINFO, rxoinfo);
	rxbit(np, IPV6_RECVHOPLIMIT, rxhlim);
	rxbit(np, IPV6_2292HOPLIMIT, rxohlim);
	rxbit(np, IPV6_RECVRTHDR, srcrt);
	rxbit(np, IPV6_2292RTHDR, osrcrt);
	rxbit(np, IPV6_RECVHOPOPTS, hopopts);
	rxbit(np, IPV6_2292HOPOPTS, ohopopts);
	rxbit(np, IPV6_RECVDSTOPTS, dstopts);
	rxbit(np, IPV6_2292DSTOPTS, odstopts);
	rxbit(np, IPV6_RECVTCLASS, rxtclass);
	rxbit(np, IPV6_FLOWINFO, rxflow);
	rxbit(np, IPV6_RECVPATHMTU, rxpmtu);
	rxbit(np, IPV6_ORIGDSTADDR, rxorigdstaddr);
	rxbit(np, IPV6_RECVFRAGSIZE, recvfragsize);
	/* The flags moved from ipv6_pinfo bitfields to inet_flags in Linux 6.7. */
	if (bpf_core_field_exists(inet->inet_flags) &&
	    !bpf_core_field_exists(((struct ipv6_pinfo___pre67 *)np)->mc_loop)) {
		unsigned long f = inet->inet_flags;

		put_int(o, IPV6_MULTICAST_LOOP, bit(f, INET_FLAGS_MC6_LOOP));
		put_int(o, IPV6_MULTICAST_ALL, bit(f, INET_FLAGS_MC6_ALL));
		put_int(o, IPV6_RECVERR, bit(f, INET_FLAGS_RECVERR6));
		put_int(o, IPV6_RECVERR_RFC4884, bit(f, INET_FLAGS_RECVERR6_RFC4884));
		put_int(o, IPV6_DONTFRAG, bit(f, INET_FLAGS_DONTFRAG));
		put_int(o, IPV6_FLOWINFO_SEND, bit(f, INET_FLAGS_SNDFLOW));
		put_int(o, IPV6_ROUTER_ALERT_ISOLATE, bit(f, INET_FLAGS_RTALERT_ISOLATE));
		put_int(o, IPV6_FREEBIND, bit(f, INET_FLAGS_FREEBIND));
		put_int(o, IPV6_TRANSPARENT, bit(f, INET_FLAGS_TRANSPARENT));
		put_int(o, IPV6_AUTOFLOWLABEL, autoflowlabel(inet, f));
	}
}

/* The IPPROTO_IP options of an inet socket and, of an AF_INET6 one, the IPv6 options above, as do_ip_getsockopt and ipv6_getsockopt give them. */
static __noinline __attribute__((unused)) void read_ip_fields(struct inet_sock *inet,
							     struct iter_values *o)
{
	struct net *net = inet->sk.__sk_common.skc_net.net;
	int ttl = inet->uc_ttl;

	put_int(o, IP_TTL, ttl < 0 ? net->ipv4.sysctl_ip_default_ttl : ttl);
	put_int(o, IP_TOS, inet->tos);
	put_int(o, IP_MINTTL, inet->min_ttl);
	put_int(o, IP_MULTICAST_TTL, inet->mc_ttl);
	put_int(o, IP_MTU_DISCOVER, inet->pmtudisc);
	put_int(o, IP_UNICAST_IF, inet->uc_index);
	put_int(o, IP_MULTICAST_IF, (int)inet->mc_addr); /* struct in_addr: the bytes as they are */
	put_int(o, IP_LOCAL_PORT_RANGE, (int)inet->local_port_range);
	/* The options themselves are not read; with none set the value is empty. */
	if (!inet->inet_opt)
		o->got[ITER_I_IP_OPTIONS] = ITER_GOT;
	if (bpf_core_field_exists(inet->inet_flags)) {
		unsigned long f = inet->inet_flags;

		put_int(o, IP_MULTICAST_LOOP, bit(f, INET_FLAGS_MC_LOOP));
		put_int(o, IP_FREEBIND, bit(f, INET_FLAGS_FREEBIND));
		put_int(o, IP_TRANSPARENT, bit(f, INET_FLAGS_TRANSPARENT));
		put_int(o, IP_RECVERR, bit(f, INET_FLAGS_RECVERR));
		put_int(o, IP_PKTINFO, bit(f, INET_FLAGS_PKTINFO));
		put_int(o, IP_RECVTTL, bit(f, INET_FLAGS_TTL));
		put_int(o, IP_RECVTOS, bit(f, INET_FLAGS_TOS));
		put_int(o, IP_MULTICAST_ALL, bit(f, INET_FLAGS_MC_ALL));
		put_int(o, IP_BIND_ADDRESS_NO_PORT, bit(f, INET_FLAGS_BIND_ADDRESS_NO_PORT));
		put_int(o, IP_RECVOPTS, bit(f, INET_FLAGS_RECVOPTS));
		put_int(o, IP_RETOPTS, bit(f, INET_FLAGS_RETOPTS));
		put_int(o, IP_PASSSEC, bit(f, INET_FLAGS_PASSSEC));
		put_int(o, IP_ORIGDSTADDR, bit(f, INET_FLAGS_ORIGDSTADDR));
		put_int(o, IP_CHECKSUM, bit(f, INET_FLAGS_CHECKSUM));
		put_int(o, IP_RECVFRAGSIZE, bit(f, INET_FLAGS_RECVFRAGSIZE));
		put_int(o, IP_RECVERR_RFC4884, bit(f, INET_FLAGS_RECVERR_RFC4884));
	}
	if (inet->sk.__sk_common.skc_family == AF_INET6) {
		put_int(o, IPV6_V6ONLY,
			BPF_CORE_READ_BITFIELD(&inet->sk.__sk_common, skc_ipv6only));
		if (inet->pinet6)
			read_ipv6_fields(inet, inet->pinet6, o);
	}
}

/* The socket inode of SK: of the struct socket's file, 0 when it has none. */
static __always_inline __u64 sock_inode(const struct sock *sk)
{
	struct socket *so = sk->sk_socket;
	struct file *f;

	/*
	 * An MPTCP subflow points at the MPTCP socket it serves (sk_socket is
	 * grafted), so its file is the MPTCP fd's: it is not that fd's socket.
	 */
	if (!so || so->sk != sk)
		return 0;
	f = so->file;
	return f ? f->f_inode->i_ino : 0;
}

/* The socket inode and network namespace of SK. */
static __always_inline void read_identity(const struct sock *sk, struct iter_sock_record *r)
{
	r->inode = sock_inode(sk);
	r->netns = sk->__sk_common.skc_net.net->ns.inum;
	r->family = sk->__sk_common.skc_family;
	r->type = sk->sk_type;
}

#endif /* SOCKOPT_BPF_SK_READ_H */
