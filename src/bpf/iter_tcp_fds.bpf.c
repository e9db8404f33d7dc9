/* iter_tcp_fds.bpf.c: the TCP sockets among one process's fds, with their options, as the TCP iterator's records. */
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

char LICENSE[] SEC("license") = "GPL";

#define SOCK_STREAM 1

/* The kernel's view of a pointer as another type, for loads only (Linux 6.2). */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

/* The record being built: larger than the 512 bytes of stack a program has. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iter_tcp_record);
} scratch SEC(".maps");

/*
 * Run as a task_file iterator with one process as parameter, it meets
 * that process's sockets through its fds, without the TCP iterator's walk
 * of every socket of the namespace, and reads each TCP one as the TCP
 * program does.  A socket reached through a file is a struct sock to the
 * verifier; bpf_rdonly_cast lets the program read it as the tcp_sock it is
 * (sk_protocol says so: an MPTCP socket is IPPROTO_MPTCP).  Unlike the
 * TCP iterator it reads the socket without taking its lock, as ss's
 * sock_diag dump reads most of what it shows.
 */
SEC("iter/task_file")
int sockopt_tcp_fds(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct iter_tcp_record *r;
	struct tcp_sock *tp;
	struct socket *so;
	struct sock *sk;
	__u32 zero = 0;
	int family;

	if (!file || !(so = bpf_sock_from_file(file)) || !(sk = so->sk))
		return 0;
	family = sk->__sk_common.skc_family;
	if ((family != AF_INET && family != AF_INET6) || sk->sk_type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP || !(r = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	tp = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock));
	record_clear(r);
	r->inode = file->f_inode->i_ino;
	read_common(&tp->inet_conn.icsk_inet.sk.__sk_common, r);
	read_full(tp, r);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}
