/* cgroup.bpf.c: the programs `sockopt run --cgroup` and `sockopt attach` put on a cgroup: a spec applied to every inet socket of its processes. */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <bpf/bpf_helpers.h>

#include "cgroup_spec.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define SOCK_STREAM 1
#define SOCK_DGRAM 2

char LICENSE[] SEC("license") = "GPL";

/* The spec: one entry per option, in spec order. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CG_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct cg_entry);
} cg_entries SEC(".maps");

/* What each entry did, read back by sockopt for --report and `sockopt attached`. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CG_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct cg_stat);
} cg_stats SEC(".maps");

/* The entry count, the verbose switch and the spec text (for `sockopt attached`). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cg_info);
} cg_info SEC(".maps");

/* One event per application when verbose. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} cg_events SEC(".maps");

/* UDP sockets the spec already reached: bind, connect and the first send apply it once. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} cg_udp_done SEC(".maps");

static __always_inline struct cg_info *info(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cg_info, &zero);
}

/* Entry I; the key is a copy so the loop counter stays in a register the verifier can bound. */
static __always_inline struct cg_entry *entry_at(__u32 i)
{
	__u32 key = i;

	return bpf_map_lookup_elem(&cg_entries, &key);
}

static __always_inline unsigned int socks_of(__u32 family, __u32 type)
{
	if (type == SOCK_STREAM)
		return family == AF_INET6 ? CG_TCP6 : family == AF_INET ? CG_TCP4 : 0;
	if (type == SOCK_DGRAM)
		return family == AF_INET6 ? CG_UDP6 : family == AF_INET ? CG_UDP4 : 0;
	return 0;
}

static __always_inline unsigned int when_index(unsigned int when)
{
	return when == CG_CREATE ? 0 : when == CG_BIND ? 1 : when == CG_CONNECT ? 2 :
	       when == CG_LISTEN ? 3 : when == CG_ACCEPT ? 4 : 5;
}

/* Count one application of entry I and, when verbose, say so through the ring buffer. */
static __always_inline void note(__u32 i, unsigned int when, int error, __u64 cookie, __u32 pid,
				 int verbose)
{
	__u32 key = i;
	struct cg_stat *s = bpf_map_lookup_elem(&cg_stats, &key);
	unsigned int w = when_index(when);
	struct cg_event *ev;

	if (s && w < CG_WHEN_COUNT) {
		if (error) {
			__sync_fetch_and_add(&s->failed[w], 1);
			s->last_error[w] = error;
		} else {
			__sync_fetch_and_add(&s->applied[w], 1);
		}
	}
	if (!verbose)
		return;
	ev = bpf_ringbuf_reserve(&cg_events, sizeof(*ev), 0);
	if (!ev)
		return;
	ev->cookie = cookie;
	ev->pid = pid;
	ev->entry = i;
	ev->when = when;
	ev->error = error;
	if (pid)
		bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	else
		ev->comm[0] = 0;
	bpf_ringbuf_submit(ev, 0);
}

/*
 * Apply every entry due at DUE for sockets of KINDS through
 * bpf_setsockopt on CTX, counted as applied AT; a macro so the verifier
 * sees each program's own context type.
 */
#define APPLY_ALL(ctx, due, at, kinds, cookie, pid)                                                 \
	do {                                                                                     \
		struct cg_info *in_ = info();                                                    \
		__u32 n_ = in_ ? in_->count : 0;                                                 \
		_Pragma("clang loop unroll(disable)") for (__u32 i = 0; i < CG_MAX_ENTRIES; i++) \
		{                                                                                \
			struct cg_entry *e;                                                      \
			unsigned int len;                                                        \
			int err;                                                                 \
                                                                                                 \
			if (i >= n_)                                                             \
				break;                                                           \
			e = entry_at(i);                                                         \
			if (!e || !(e->when & (due)) || !(e->socks & (kinds)))                  \
				continue;                                                        \
			len = e->len;                                                            \
			if (len == 0 || len > CG_VALUE_MAX)                                      \
				continue;                                                        \
			err = bpf_setsockopt(ctx, e->level, e->optname, e->value, len);          \
			note(i, at, err, cookie, pid, in_->verbose);                           \
		}                                                                                \
	} while (0)

/*
 * At creation: the fields sock_create may write (mark, priority, bound
 * interface), gathered first and written once each, since the verifier
 * refuses a store through a context pointer chosen at run time.
 */
SEC("cgroup/sock_create")
int sockopt_create(struct bpf_sock *sk)
{
	struct cg_info *in = info();
	unsigned int socks = socks_of(sk->family, sk->type);
	__u32 n = in ? in->count : 0, pid = bpf_get_current_pid_tgid() >> 32;
	__u32 value[CG_FIELD_COUNT] = { 0 }, set = 0;
	__u64 cookie = bpf_get_socket_cookie(sk);

	for (__u32 i = 0; i < CG_MAX_ENTRIES; i++) {
		struct cg_entry *e;
		__u32 f;

		if (i >= n)
			break;
		e = entry_at(i);
		if (!e || !(e->when & CG_CREATE) || !(e->socks & socks))
			continue;
		f = e->field;
		if (f == CG_FIELD_NONE || f >= CG_FIELD_COUNT)
			continue;
		__builtin_memcpy(&value[f], e->value, sizeof(__u32));
		set |= 1u << f;
		note(i, CG_CREATE, 0, cookie, pid, in->verbose);
	}
	if (set & (1u << CG_FIELD_MARK))
		sk->mark = value[CG_FIELD_MARK];
	if (set & (1u << CG_FIELD_PRIORITY))
		sk->priority = value[CG_FIELD_PRIORITY];
	if (set & (1u << CG_FIELD_BOUND_DEV_IF))
		sk->bound_dev_if = value[CG_FIELD_BOUND_DEV_IF];
	return 1;
}

/* TCP: before the SYN of a connect, right after listen(), and on each accepted socket. */
SEC("sockops")
int sockopt_sockops(struct bpf_sock_ops *skops)
{
	unsigned int socks = socks_of(skops->family, SOCK_STREAM), when;
	__u64 cookie;

	/* The callbacks the spec has nothing for (RTT, RTO, window …) return before any work. */
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		when = CG_CONNECT;
		break;
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		when = CG_LISTEN;
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		when = CG_ACCEPT;
		break;
	default:
		return 1;
	}
	cookie = bpf_get_socket_cookie(skops);
	APPLY_ALL(skops, when, when, socks, cookie, 0);
	return 1;
}

/* Whether a UDP socket still waits for the spec; marks it reached. */
static __always_inline int udp_first(struct bpf_sock_addr *ctx)
{
	__u32 *done;

	if (!ctx->sk)
		return 0;
	done = bpf_sk_storage_get(&cg_udp_done, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!done || *done)
		return 0;
	*done = 1;
	return 1;
}

/* A sock_addr hook: TCP entries due at WHEN, and every UDP entry once per socket. */
static __always_inline int on_addr(struct bpf_sock_addr *ctx, unsigned int when)
{
	unsigned int socks = socks_of(ctx->family, ctx->type);
	__u64 cookie = bpf_get_socket_cookie(ctx);
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (socks & (CG_UDP4 | CG_UDP6)) {
		if (udp_first(ctx))
			APPLY_ALL(ctx, CG_BIND | CG_CONNECT | CG_SEND, when, socks, cookie, pid);
	} else if (when == CG_BIND) {
		APPLY_ALL(ctx, CG_BIND, CG_BIND, socks, cookie, pid);
	}
	return 1;
}

SEC("cgroup/bind4")
int sockopt_bind4(struct bpf_sock_addr *ctx)
{
	return on_addr(ctx, CG_BIND);
}

SEC("cgroup/bind6")
int sockopt_bind6(struct bpf_sock_addr *ctx)
{
	return on_addr(ctx, CG_BIND);
}

SEC("cgroup/connect4")
int sockopt_connect4(struct bpf_sock_addr *ctx)
{
	return on_addr(ctx, CG_CONNECT);
}

SEC("cgroup/connect6")
int sockopt_connect6(struct bpf_sock_addr *ctx)
{
	return on_addr(ctx, CG_CONNECT);
}

SEC("cgroup/sendmsg4")
int sockopt_sendmsg4(struct bpf_sock_addr *ctx)
{
	return on_addr(ctx, CG_SEND);
}

SEC("cgroup/sendmsg6")
int sockopt_sendmsg6(struct bpf_sock_addr *ctx)
{
	return on_addr(ctx, CG_SEND);
}

/*
 * The program's own setsockopt of a pinned option: counted, its value
 * kept for the report, and the kernel's handler skipped (optlen -1), so
 * the call succeeds and the pinned value stays.
 */
SEC("cgroup/setsockopt")
int sockopt_pin(struct bpf_sockopt *ctx)
{
	struct cg_info *in = info();
	struct bpf_sock *sk = ctx->sk;
	unsigned int socks;
	__u32 n = in ? in->count : 0;

	if (!sk)
		return 1;
	socks = socks_of(sk->family, sk->type);
	for (__u32 i = 0; i < CG_MAX_ENTRIES; i++) {
		struct cg_entry *e;
		struct cg_stat *s;
		__u8 *val = ctx->optval;

		if (i >= n)
			break;
		e = entry_at(i);
		if (!e || !e->pinned || !(e->socks & socks) || e->level != ctx->level ||
		    e->optname != ctx->optname)
			continue;
		s = bpf_map_lookup_elem(&cg_stats, &(__u32){ i });
		if (s) {
			__sync_fetch_and_add(&s->tried, 1);
			s->tried_len = 0;
			if (val + sizeof(__u32) <= (__u8 *)ctx->optval_end) {
				__builtin_memcpy(s->tried_value, val, sizeof(__u32));
				s->tried_len = ctx->optlen;
			}
			bpf_get_current_comm(s->tried_comm, sizeof(s->tried_comm));
		}
		ctx->optlen = -1;
		return 1;
	}
	return 1;
}
