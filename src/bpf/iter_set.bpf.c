/* iter_set.bpf.c: bpf_setsockopt on the TCP sockets whose inodes the loader chose, all of a socket's options or none. */
#include <linux/bpf.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "kern.h"
#include "iter.h"

char LICENSE[] SEC("license") = "GPL";

/* The options to set, written by the loader after loading and before the pass. */
__u32 noptions;
struct iter_set_option options[ITER_SET_MAX];

/* Or, when CGROUP_ID is not 0, the sockets made in that cgroup (at CGROUP_LEVEL) or below it. */
__u64 cgroup_id;
__u32 cgroup_level;

/* The sockets to change, by socket inode (the loader fills it from a show pass). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, __u64);
	__type(value, __u8);
} targets SEC(".maps");

static __u64 inode_of(struct tcp_sock *tp)
{
	struct socket *so = tp->inet_conn.icsk_inet.sk.sk_socket;
	struct file *f = so ? BPF_CORE_READ(so, file) : 0;

	return f ? BPF_CORE_READ(f, f_inode, i_ino) : 0;
}

/* Whether TP was made by a process of the cgroup CGROUP_ID or of one below it. */
static int in_cgroup(struct tcp_sock *tp)
{
	struct cgroup *cg = BPF_CORE_READ(&tp->inet_conn.icsk_inet.sk, sk_cgrp_data.cgroup);
	struct cgroup *at = 0;
	__u32 level = cgroup_level;

	if (!cg || BPF_CORE_READ(cg, level) < (int)level || level > 4096)
		return 0;
	bpf_core_read(&at, sizeof(at), &cg->ancestors[level]);
	return at && BPF_CORE_READ(at, kn, id) == cgroup_id;
}

/* Put back the options before FAILED, so that a socket gets all of them or none. */
static void restore(struct tcp_sock *tp, struct iter_set_record *r, __u32 failed)
{
	for (__u32 j = 0; j < ITER_SET_MAX && j < failed; j++)
		if (!r->read_err[j])
			bpf_setsockopt(tp, options[j].level, options[j].name, &r->before[j],
				       sizeof(int));
}

SEC("iter/tcp")
int sockopt_set(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct iter_set_record r;
	struct tcp_sock *tp;
	__u32 n = noptions;

	if (!skc || !(tp = bpf_skc_to_tcp_sock(skc)))
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	r.inode = inode_of(tp);
	if (!r.inode || !(cgroup_id ? in_cgroup(tp) : !!bpf_map_lookup_elem(&targets, &r.inode)))
		return 0;
	for (__u32 i = 0; i < ITER_SET_MAX && i < n; i++)
		r.read_err[i] = bpf_getsockopt(tp, options[i].level, options[i].name, &r.before[i],
					       sizeof(int));
	for (__u32 i = 0; i < ITER_SET_MAX && i < n; i++) {
		r.err = bpf_setsockopt(tp, options[i].level, options[i].name, &options[i].value,
				       sizeof(int));
		if (r.err) {
			r.failed = i;
			restore(tp, &r, i);
			break;
		}
	}
	for (__u32 i = 0; i < ITER_SET_MAX && i < n; i++)
		bpf_getsockopt(tp, options[i].level, options[i].name, &r.after[i], sizeof(int));
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
