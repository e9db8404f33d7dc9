/* iter_udp.bpf.c: every UDP socket of the reader's network namespace, with its options read from its fields, as binary records. */
#include <asm/socket.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/udp.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "kern.h"
#include "optnames.h"
#include "iter.h"
#include "sk_read.h"
#include "narrow.h"

char LICENSE[] SEC("license") = "GPL";

#define TCP_ESTABLISHED 1
#define TCP_CLOSE 7

/*
 * The bits of udp_sock.udp_flags (Linux 6.6 and later) as Linux 6.18
 * numbers them; the enum is anonymous in the kernel, so CO-RE cannot
 * relocate it by name.  On a kernel without the field the options it
 * carries are left not read.
 */
enum {
	UDP_FLAGS_CORK = 0,
	UDP_FLAGS_NO_CHECK6_TX = 1,
	UDP_FLAGS_NO_CHECK6_RX = 2,
	UDP_FLAGS_GRO_ENABLED = 3,
};

/* The record being built: larger than the 512 bytes of stack a program has. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iter_sock_record);
} scratch SEC(".maps");

/* The SOL_UDP options, as udp_lib_getsockopt gives them. */
static __always_inline void read_udp(struct udp_sock *up, struct iter_values *o)
{
	if (bpf_core_field_exists(up->udp_flags)) {
		unsigned long f = up->udp_flags;

		put_int(o, UDP_CORK, bit(f, UDP_FLAGS_CORK));
		put_int(o, UDP_NO_CHECK6_TX, bit(f, UDP_FLAGS_NO_CHECK6_TX));
		put_int(o, UDP_NO_CHECK6_RX, bit(f, UDP_FLAGS_NO_CHECK6_RX));
		put_int(o, UDP_GRO, bit(f, UDP_FLAGS_GRO_ENABLED));
	}
	put_int(o, UDP_ENCAP, up->encap_type);
	put_int(o, UDP_SEGMENT, up->gso_size);
}

/* Addresses and ports; a peer only when connected, as getpeername has one. */
static __always_inline void read_endpoints(const struct sock_common *skc, struct iter_sock_record *r)
{
	int connected = skc->skc_state == TCP_ESTABLISHED && skc->skc_dport;

	r->state = connected ? TCP_ESTABLISHED : TCP_CLOSE;
	r->local_port = skc->skc_num;
	r->local_len = 1;
	if (r->family == AF_INET)
		__builtin_memcpy(r->local_addr, &skc->skc_rcv_saddr, 4);
	else
		__builtin_memcpy(r->local_addr, &skc->skc_v6_rcv_saddr, 16);
	if (!connected)
		return;
	r->peer_port = __builtin_bswap16(skc->skc_dport);
	r->peer_len = 1;
	if (r->family == AF_INET)
		__builtin_memcpy(r->peer_addr, &skc->skc_daddr, 4);
	else
		__builtin_memcpy(r->peer_addr, &skc->skc_v6_daddr, 16);
}

SEC("iter/udp")
int sockopt_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *up = ctx->udp_sk;
	struct iter_sock_record *r;
	struct sock *sk;
	__u32 zero = 0;

	if (!up || !(r = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	sk = &up->inet.sk;
	if (unwanted(sock_inode(sk))) /* first: a socket the reader did not name costs only this */
		return 0;
	record_clear(r);
	r->uid = ctx->uid;
	read_identity(sk, r);
	read_endpoints(&sk->__sk_common, r);
	/* What ss shows (sock_diag's sk_rmem_alloc_get and sk_wmem_alloc_get): bytes the queues hold, overhead included. */
	r->recv_q = sk->sk_backlog.rmem_alloc.counter;
	r->send_q = sk->sk_wmem_alloc.refs.counter - 1;
	read_sk_allowed(sk, &r->o);
	read_sk_fields(sk, &r->o);
	read_ip_fields(&up->inet, &r->o);
	read_udp(up, &r->o);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}
