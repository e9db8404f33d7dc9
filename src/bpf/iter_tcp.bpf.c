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
#include "tcp_read.h"
#include "narrow.h"

char LICENSE[] SEC("license") = "GPL";

/* The record being built: larger than the 512 bytes of stack a program has. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iter_tcp_record);
} scratch SEC(".maps");

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
	record_clear(r);
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
