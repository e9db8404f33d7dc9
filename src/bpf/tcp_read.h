/* tcp_read.h: a full TCP socket's queues, timer and options read into a TCP record, for the programs that meet one (BPF side only). */
#ifndef SOCKOPT_BPF_TCP_READ_H
#define SOCKOPT_BPF_TCP_READ_H

/*
 * iter_tcp.bpf.c meets each socket through the TCP iterator, iter_tcp_fds.bpf.c
 * through the fds of one process; both read it with the same code.
 */
#define TCP_NAGLE_OFF 1 /* include/net/tcp.h */
#define TCP_NAGLE_CORK 2
#define ICSK_TIME_RETRANS 1
#define ICSK_TIME_PROBE0 3
#define ICSK_TIME_LOSS_PROBE 5
#define ICSK_TIME_REO_TIMEOUT 6

static __s32 ms_until(unsigned long expires)
{
	long delta = (long)(expires - bpf_jiffies64());

	if (delta <= 0 || !CONFIG_HZ)
		return 0;
	return (__s32)((unsigned long)delta * 1000 / CONFIG_HZ);
}

/* TCP_DEFER_ACCEPT: SYN-ACK retransmissions back to seconds (retrans_to_secs, 1 s doubling to 120 s). */
static int defer_seconds(int retrans)
{
	int period = 0, timeout = 1;

	if (retrans <= 0)
		return 0;
	period = timeout;
	for (int i = 1; i < retrans && i < 256; i++) {
		timeout = timeout * 2 > 120 ? 120 : timeout * 2;
		period += timeout;
	}
	return period;
}

/* Jiffies J in units of UNIT a second, as jiffies_to_msecs (1000) and jiffies_to_usecs (1000000) give them where HZ divides UNIT; false elsewhere. */
static __always_inline int jiffies_in(unsigned long j, unsigned int unit, int *out)
{
	if (!CONFIG_HZ || unit % CONFIG_HZ)
		return 0;
	*out = (int)(j * (unit / CONFIG_HZ));
	return 1;
}

#define TCP_RECV_QUEUE 1 /* include/uapi/linux/tcp.h */
#define TCP_SEND_QUEUE 2

/* The fast open, repair and other rarely set options of ITER_TCP_OPTIONS, as do_tcp_getsockopt gives them. */
static __noinline void read_tcp_rest(struct tcp_sock *tp, struct iter_values *o)
{
	struct inet_connection_sock *icsk = &tp->inet_conn;
	const struct tcp_ulp_ops *ulp = icsk->icsk_ulp_ops;
	int repair = BPF_CORE_READ_BITFIELD(tp, repair), queue = tp->repair_queue, us;

	put_int(o, TCP_THIN_DUPACK, 0); /* accepted and ignored since Linux 4.18 */
	put_int(o, TCP_REPAIR, repair);
	if (repair)
		put_int(o, TCP_REPAIR_QUEUE, queue);
	else
		o->got[ITER_I_TCP_REPAIR_QUEUE] = -22; /* EINVAL */
	if (queue == TCP_SEND_QUEUE || queue == TCP_RECV_QUEUE)
		put_int(o, TCP_QUEUE_SEQ, (int)(queue == TCP_SEND_QUEUE ? tp->write_seq : tp->rcv_nxt));
	else
		o->got[ITER_I_TCP_QUEUE_SEQ] = -22;
	/* The window itself is not read: outside repair mode the kernel refuses it. */
	if (!repair)
		o->got[ITER_I_TCP_REPAIR_WINDOW] = -1; /* EPERM */
	put_int(o, TCP_FASTOPEN, icsk->icsk_accept_queue.fastopenq.max_qlen);
	put_int(o, TCP_FASTOPEN_CONNECT, BPF_CORE_READ_BITFIELD(tp, fastopen_connect));
	put_int(o, TCP_FASTOPEN_NO_COOKIE, BPF_CORE_READ_BITFIELD(tp, fastopen_no_cookie));
	put_int(o, TCP_INQ, BPF_CORE_READ_BITFIELD(tp, recvmsg_inq));
	put_int(o, TCP_TX_DELAY, (int)tp->tcp_tx_delay);
	if (jiffies_in(icsk->icsk_delack_max, 1000000, &us))
		put_int(o, TCP_DELACK_MAX_US, us);
	/* The name, or no bytes when no upper layer protocol is attached. */
	if (ulp)
		__builtin_memcpy(o->ulp, ulp->name, sizeof(o->ulp));
	else
		o->ulp[0] = '\0';
	o->got[ITER_I_TCP_ULP] = ITER_GOT;
}

/*
 * The options of ITER_TCP_OPTIONS as do_tcp_getsockopt (net/ipv4/tcp.c,
 * Linux 6.18) computes them: a field, or the namespace's sysctl where the
 * field is 0 (keepalive_time_when and its kin).
 */
static __noinline void read_tcp(struct tcp_sock *tp, struct iter_values *o)
{
	struct inet_connection_sock *icsk = &tp->inet_conn;
	struct sock *sk = &icsk->icsk_inet.sk;
	struct net *net = sk->__sk_common.skc_net.net;
	const struct tcp_congestion_ops *ca = icsk->icsk_ca_ops;
	unsigned int idle = tp->keepalive_time, intvl = tp->keepalive_intvl;
	int probes = tp->keepalive_probes, syn = icsk->icsk_syn_retries, linger2 = tp->linger2;
	int nonagle = BPF_CORE_READ_BITFIELD(tp, nonagle), mss = (int)tp->mss_cache, ms;

	put_int(o, SO_TXREHASH, sk->sk_txrehash);
	put_int(o, TCP_NODELAY, nonagle & TCP_NAGLE_OFF);
	put_int(o, TCP_CORK, !!(nonagle & TCP_NAGLE_CORK));
	/* The MSS the program asked for while closed or listening; in repair mode, the clamp. */
	if (tp->rx_opt.user_mss &&
	    ((1 << sk->__sk_common.skc_state) & ((1 << BPF_TCP_CLOSE) | (1 << BPF_TCP_LISTEN))))
		mss = tp->rx_opt.user_mss;
	if (BPF_CORE_READ_BITFIELD(tp, repair))
		mss = tp->rx_opt.mss_clamp;
	put_int(o, TCP_MAXSEG, mss);
	if (CONFIG_HZ) {
		idle = idle ? idle : (unsigned int)net->ipv4.sysctl_tcp_keepalive_time;
		intvl = intvl ? intvl : (unsigned int)net->ipv4.sysctl_tcp_keepalive_intvl;
		put_int(o, TCP_KEEPIDLE, (int)(idle / CONFIG_HZ));
		put_int(o, TCP_KEEPINTVL, (int)(intvl / CONFIG_HZ));
		if (linger2 >= 0)
			linger2 = (int)((unsigned)(linger2 ? linger2 : net->ipv4.sysctl_tcp_fin_timeout) /
					CONFIG_HZ);
		put_int(o, TCP_LINGER2, linger2);
	}
	put_int(o, TCP_KEEPCNT, probes ? probes : net->ipv4.sysctl_tcp_keepalive_probes);
	put_int(o, TCP_SYNCNT, syn ? syn : net->ipv4.sysctl_tcp_syn_retries);
	put_int(o, TCP_DEFER_ACCEPT, defer_seconds(icsk->icsk_accept_queue.rskq_defer_accept));
	put_int(o, TCP_WINDOW_CLAMP, (int)tp->window_clamp);
	put_int(o, TCP_THIN_LINEAR_TIMEOUTS, BPF_CORE_READ_BITFIELD(tp, thin_lto));
	put_int(o, TCP_USER_TIMEOUT, (int)icsk->icsk_user_timeout);
	put_int(o, TCP_NOTSENT_LOWAT, (int)tp->notsent_lowat);
	put_int(o, TCP_SAVE_SYN, BPF_CORE_READ_BITFIELD(tp, save_syn));
	if (bpf_core_field_exists(icsk->icsk_rto_max) && jiffies_in(icsk->icsk_rto_max, 1000, &ms))
		put_int(o, TCP_RTO_MAX_MS, ms);
	if (jiffies_in(icsk->icsk_rto_min, 1000000, &ms))
		put_int(o, TCP_RTO_MIN_US, ms);
	/* The name's TCP_CA_NAME_MAX bytes, as the kernel copies them out. */
	if (ca) {
		__builtin_memcpy(o->congestion, ca->name, sizeof(o->congestion));
		o->got[ITER_I_TCP_CONGESTION] = ITER_GOT;
	}
	read_tcp_rest(tp, o);
}

/* The timer ss shows for a full socket (tcp4_seq_show's choice). */
static void read_timer(struct tcp_sock *tp, struct iter_tcp_record *r)
{
	struct inet_connection_sock *icsk = &tp->inet_conn;
	__u8 pending = icsk->icsk_pending;

	if (pending == ICSK_TIME_RETRANS || pending == ICSK_TIME_REO_TIMEOUT ||
	    pending == ICSK_TIME_LOSS_PROBE) {
		r->timer = ITER_TIMER_ON;
		r->timer_ms = ms_until(icsk->icsk_retransmit_timer.expires);
	} else if (pending == ICSK_TIME_PROBE0) {
		r->timer = ITER_TIMER_PERSIST;
		r->timer_ms = ms_until(icsk->icsk_retransmit_timer.expires);
	} else if (icsk->icsk_inet.sk.sk_timer.entry.pprev) {
		r->timer = ITER_TIMER_KEEPALIVE;
		r->timer_ms = ms_until(icsk->icsk_inet.sk.sk_timer.expires);
	}
}

static void read_full(struct tcp_sock *tp, struct iter_tcp_record *r)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;

	r->what = ITER_FULL;
	if (r->state == BPF_TCP_LISTEN) {
		r->recv_q = sk->sk_ack_backlog;
		r->send_q = sk->sk_max_ack_backlog;
	} else {
		int inq = (int)(tp->rcv_nxt - tp->copied_seq);

		r->recv_q = inq < 0 ? 0 : inq;
		r->send_q = tp->write_seq - tp->snd_una;
	}
	read_timer(tp, r);
	read_sk_allowed(sk, &r->o);
	read_sk_fields(sk, &r->o);
	read_ip_fields(&tp->inet_conn.icsk_inet, &r->o);
	read_tcp(tp, &r->o);
}

/* Addresses, ports, family and state, which every kind of TCP struct begins with. */
static void read_common(const struct sock_common *skc, struct iter_tcp_record *r)
{
	r->family = skc->skc_family;
	r->state = skc->skc_state;
	r->netns = skc->skc_net.net->ns.inum;
	r->local_port = skc->skc_num;
	r->peer_port = __builtin_bswap16(skc->skc_dport);
	if (r->family == AF_INET) {
		__builtin_memcpy(r->local_addr, &skc->skc_rcv_saddr, 4);
		__builtin_memcpy(r->peer_addr, &skc->skc_daddr, 4);
	} else {
		__builtin_memcpy(r->local_addr, &skc->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(r->peer_addr, &skc->skc_v6_daddr, 16);
	}
}

#endif /* SOCKOPT_BPF_TCP_READ_H */
