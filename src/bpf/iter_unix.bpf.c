/* iter_unix.bpf.c: every unix socket of the reader's network namespace, with its options, as binary records. */
#include <asm/socket.h>
#include <linux/bpf.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "kern.h"
#include "optnames.h"
#include "iter.h"
#include "sk_read.h"
#include "narrow.h"

char LICENSE[] SEC("license") = "GPL";

#define SOCK_DGRAM 2
#define SOCK_STREAM 1
#define TCP_ESTABLISHED 1
#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define QUEUE_WALK_MAX 64 /* skbs summed for a seqpacket socket's queue before it is called unknown */

/* The record being built: larger than the 512 bytes of stack a program has. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iter_sock_record);
} scratch SEC(".maps");

static const int by_getsockopt[] = {
#define ROW(l, n) n,
	ITER_SK_GETSOCKOPT(ROW)
#undef ROW
};

/*
 * A unix address as unix_getname gives it: the LEN bytes of sockaddr_un
 * the socket was bound to, or only the family (2 bytes) when unbound.
 */
static __always_inline __u32 read_address(struct unix_sock *u, __u8 *out)
{
	/* Probe reads: the peer is a struct sock * to the verifier, read here as the unix_sock it is. */
	struct unix_address *a = BPF_CORE_READ(u, addr);
	__u32 len = a ? (__u32)BPF_CORE_READ(a, len) : 0;
	__u16 family = AF_UNIX;

	if (len == 0 || len > sizeof(struct sockaddr_un)) {
		__builtin_memcpy(out, &family, sizeof(family));
		return sizeof(family);
	}
	/* The verifier wants the size bounded where it is passed; the compiler would drop a plain mask. */
	barrier_var(len);
	bpf_core_read(out, len & (ITER_ADDR_MAX - 1), &a->name);
	return len;
}

/* Bytes to read as SIOCINQ gives them (unix_inq_len): a stream's inq_len, a datagram's first skb, a seqpacket's sum. */
static __noinline __s64 read_inq(struct unix_sock *u)
{
	struct sock *sk = &u->sk;
	struct sk_buff *skb = sk->sk_receive_queue.next;
	__s64 sum = 0;

	if (sk->sk_receive_queue.qlen == 0)
		return 0;
	if (sk->sk_type == SOCK_STREAM)
		return bpf_core_field_exists(u->inq_len) ? u->inq_len : -1;
	if (sk->sk_type == SOCK_DGRAM)
		return skb ? skb->len : 0;
	for (int i = 0; i < QUEUE_WALK_MAX; i++) {
		if (!skb || (void *)skb == (void *)&sk->sk_receive_queue)
			return sum;
		sum += skb->len;
		skb = skb->next;
	}
	return -1;
}

/* SO_PASSCRED and its kin, from the bits of struct sock where they live since Linux 6.16. */
static __always_inline void read_pass(struct sock *sk, struct iter_values *o)
{
	if (!bpf_core_field_exists(sk->sk_scm_credentials))
		return;
	put_int(o, SO_PASSCRED, BPF_CORE_READ_BITFIELD(sk, sk_scm_credentials));
	put_int(o, SO_PASSSEC, BPF_CORE_READ_BITFIELD(sk, sk_scm_security));
	put_int(o, SO_PASSPIDFD, BPF_CORE_READ_BITFIELD(sk, sk_scm_pidfd));
	put_int(o, SO_PASSRIGHTS, BPF_CORE_READ_BITFIELD(sk, sk_scm_rights));
}

SEC("iter/unix")
int sockopt_unix(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;
	struct iter_sock_record *r;
	struct sock *sk;
	__u32 zero = 0;

	if (!u || !(r = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	sk = &u->sk;
	if (unwanted(sock_inode(sk))) /* first: a socket the reader did not name costs only this */
		return 0;
	record_clear(r);
	r->uid = ctx->uid;
	read_identity(sk, r);
	r->local_len = read_address(u, r->local_addr);
	if (u->peer)
		r->peer_len = read_address((struct unix_sock *)u->peer, r->peer_addr);
	/* As the pidfd path says it: SO_ACCEPTCONN (not for datagrams), else whether getpeername answers. */
	if (sk->sk_type != SOCK_DGRAM && sk->__sk_common.skc_state == TCP_LISTEN)
		r->state = TCP_LISTEN;
	else
		r->state = r->peer_len ? TCP_ESTABLISHED : TCP_CLOSE;
	if (r->state == TCP_LISTEN) { /* as unix_diag gives ss: connections waiting, the backlog */
		r->recv_q = sk->sk_receive_queue.qlen;
		r->send_q = sk->sk_max_ack_backlog;
	} else {
		r->recv_q = read_inq(u);
		r->send_q = sk->sk_wmem_alloc.refs.counter - 1;
	}
	/* The first slots are ITER_SK_GETSOCKOPT's, in BY_GETSOCKOPT's order. */
	for (int i = 0; i < sizeof(by_getsockopt) / sizeof(by_getsockopt[0]); i++) {
		int err = bpf_getsockopt(u, SOL_SOCKET, by_getsockopt[i], &r->o.v[i], sizeof(int));

		r->o.got[i] = err ? err : ITER_GOT;
	}
	read_sk_fields(sk, &r->o);
	read_pass(sk, &r->o);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}
