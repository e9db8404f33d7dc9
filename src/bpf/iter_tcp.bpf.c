/* iter_tcp.bpf.c: every TCP socket of the reader's network namespace, with its options, as binary records. */
#include <asm/socket.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/tcp.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "kern.h"
#include "optnames.h"
#include "iter.h"
#include "sk_read.h"
#include "narrow.h"

char LICENSE[] SEC("license") = "GPL";

#define TCP_NAGLE_OFF 1 /* include/net/tcp.h */
#define TCP_NAGLE_CORK 2
#define ICSK_TIME_RETRANS 1
#define ICSK_TIME_PROBE0 3
#define ICSK_TIME_LOSS_PROBE 5
#define ICSK_TIME_REO_TIMEOUT 6

/* The record being built: larger than the 512 bytes of stack a program has. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iter_tcp_record);
} scratch SEC(".maps");

static const struct {
	int level, name;
} by_getsockopt[ITER_TCP_NGETSOCKOPT] = {
#define ROW(l, n) { l, n },
	ITER_TCP_BY_GETSOCKOPT(ROW)
#undef ROW
};

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

/*
 * TCP_NODELAY to TCP_SAVE_SYN of ITER_TCP_FIELDS, as do_tcp_getsockopt
 * (net/ipv4/tcp.c, Linux 6.18) returns them: a field, or the namespace's
 * sysctl where the field is 0 (keepalive_time_when and its kin).
 */
static __noinline void read_tcp_ints(struct tcp_sock *tp, struct net *net, struct iter_option *o)
{
	struct inet_connection_sock *icsk = &tp->inet_conn;
	unsigned int idle = tp->keepalive_time, intvl = tp->keepalive_intvl;
	int probes = tp->keepalive_probes, syn = icsk->icsk_syn_retries;

	put_int(&o[0], BPF_CORE_READ_BITFIELD(tp, nonagle) & TCP_NAGLE_OFF);
	if (CONFIG_HZ) {
		idle = idle ? idle : (unsigned int)net->ipv4.sysctl_tcp_keepalive_time;
		intvl = intvl ? intvl : (unsigned int)net->ipv4.sysctl_tcp_keepalive_intvl;
		put_int(&o[1], (int)(idle / CONFIG_HZ));
		put_int(&o[2], (int)(intvl / CONFIG_HZ));
	}
	put_int(&o[3], probes ? probes : net->ipv4.sysctl_tcp_keepalive_probes);
	put_int(&o[4], syn ? syn : net->ipv4.sysctl_tcp_syn_retries);
	put_int(&o[5], (int)tp->window_clamp);
	put_int(&o[6], BPF_CORE_READ_BITFIELD(tp, thin_lto));
	put_int(&o[7], (int)icsk->icsk_user_timeout);
	put_int(&o[8], (int)tp->notsent_lowat);
	put_int(&o[9], BPF_CORE_READ_BITFIELD(tp, save_syn));
}

/* The options the allow-list refuses, computed as the kernel's getsockopt computes them. */
static void read_fields(struct tcp_sock *tp, struct iter_option *o)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	struct net *net = sk->__sk_common.skc_net.net;
	int ttl = tp->inet_conn.icsk_inet.uc_ttl, linger2 = tp->linger2;

	put_linger(&o[0], sk);
	put_timeout(&o[1], sk->sk_rcvtimeo);
	put_timeout(&o[2], sk->sk_sndtimeo);
	put_int(&o[3], flag(sk, SOCK_DBG));
	put_int(&o[4], flag(sk, SOCK_URGINLINE));
	put_int(&o[5], flag(sk, SOCK_LOCALROUTE));
	put_int(&o[6], ttl < 0 ? net->ipv4.sysctl_ip_default_ttl : ttl);
	put_int(&o[7], !!(BPF_CORE_READ_BITFIELD(tp, nonagle) & TCP_NAGLE_CORK));
	if (linger2 >= 0 && CONFIG_HZ)
		linger2 = (int)((unsigned)(linger2 ? linger2 : net->ipv4.sysctl_tcp_fin_timeout) / CONFIG_HZ);
	put_int(&o[8], linger2);
	put_int(&o[9], defer_seconds(tp->inet_conn.icsk_accept_queue.rskq_defer_accept));
	read_tcp_ints(tp, net, &o[10]);
	o[20].err = bpf_getsockopt(tp, SOL_TCP, TCP_CONGESTION, o[20].bytes, ITER_VALUE_MAX);
	o[20].len = o[20].err ? 0 : ITER_VALUE_MAX;
}

static void read_options(struct tcp_sock *tp, struct iter_tcp_record *r)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;

	for (int i = 0; i < ITER_TCP_NGETSOCKOPT; i++) {
		struct iter_option *o = &r->options[i];

		o->err = bpf_getsockopt(tp, by_getsockopt[i].level, by_getsockopt[i].name, o->bytes,
					sizeof(int));
		o->len = o->err ? 0 : sizeof(int);
	}
	read_fields(tp, &r->options[ITER_TCP_NGETSOCKOPT]);
	/* The SOL_SOCKET and IP options the UDP iterator reads from fields, for the ones above lack. */
	read_sk_allowed(sk, r->more);
	read_sk_fields(sk, r->more);
	read_ip_fields(&tp->inet_conn.icsk_inet, r->more);
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
	read_options(tp, r);
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

SEC("iter/tcp")
int sockopt_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp = skc ? bpf_skc_to_tcp_sock(skc) : 0;
	__u64 inode = tp ? sock_inode(&tp->inet_conn.icsk_inet.sk) : 0;
	struct iter_tcp_record *r;
	void *other;
	__u32 zero = 0;

	/* First: a socket the reader did not name costs this check and nothing else. */
	if (!skc || unwanted(inode) || !(r = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	/* Too large for one memset in BPF: the part before MORE, then each of MORE's heads. */
	__builtin_memset(r, 0, __builtin_offsetof(struct iter_tcp_record, more));
	options_clear(r->more);
	r->uid = ctx->uid;
	r->inode = inode;
	read_common(skc, r);
	if (tp) {
		read_full(tp, r);
	} else if ((other = bpf_skc_to_tcp_timewait_sock(skc))) {
		struct inet_timewait_sock *tw = other;

		r->what = ITER_TIMEWAIT;
		r->state = tw->tw_substate;
		r->timer = ITER_TIMER_TIMEWAIT;
		r->timer_ms = ms_until(tw->tw_timer.expires);
	} else if ((other = bpf_skc_to_tcp_request_sock(skc))) {
		struct request_sock *req = other;

		r->what = ITER_REQUEST;
		r->state = BPF_TCP_SYN_RECV;
		r->timer = ITER_TIMER_ON;
		r->timer_ms = ms_until(req->rsk_timer.expires);
	} else {
		return 0;
	}
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}
