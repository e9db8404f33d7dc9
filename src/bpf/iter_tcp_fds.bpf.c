/* iter_tcp_fds.bpf.c: one process's socket fds as the task_file program writes them, and its TCP sockets with their options, in one pass. */
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
#include "file_read.h"

char LICENSE[] SEC("license") = "GPL";

#define SOCK_STREAM 1

/* The kernel's view of a pointer as another type, for loads only (Linux 6.2). */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

/* The record being built: larger than the 512 bytes of stack a program has. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iter_fd_record);
} scratch SEC(".maps");

/* The references to FILE (the iterator holds one while the program runs). */
static __always_inline __u32 file_refs(struct file *file)
{
	if (bpf_core_field_exists(file->f_ref))
		return (__u32)(file->f_ref.refcnt.counter + 1); /* FILE_REF_ONEREF is 0 */
	return (__u32)((struct file___pre613 *)file)->f_count.counter;
}

/*
 * Run as a task_file iterator with one process as parameter, it meets
 * that process's socket fds and writes each as iter_task.bpf.c would, so
 * that one pass gives the owners, and with it each TCP socket as the TCP
 * program reads it, without the TCP iterator's walk of every socket of the
 * namespace.  A socket reached through a file is a struct sock to the
 * verifier; bpf_rdonly_cast (Linux 6.2) lets the program read it as the
 * tcp_sock it is (sk_protocol says so: an MPTCP socket is IPPROTO_MPTCP).
 * Unlike the TCP iterator it reads the socket without taking its lock, as
 * ss's sock_diag dump reads most of what it shows.
 */
SEC("iter/task_file")
int sockopt_tcp_fds(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct iter_fd_record *d;
	struct tcp_sock *tp;
	struct socket *so;
	struct sock *sk;
	__u32 zero = 0;
	int family;

	if (!task || !file || !(so = bpf_sock_from_file(file)) ||
	    !(d = bpf_map_lookup_elem(&scratch, &zero)))
		return 0;
	sk = read_file(&d->file, task, file, so, ctx->fd);
	family = d->file.family;
	d->refs = file_refs(file);
	d->tcp = sk && (family == AF_INET || family == AF_INET6) && sk->sk_type == SOCK_STREAM &&
		 sk->sk_protocol == IPPROTO_TCP;
	if (d->tcp) {
		tp = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock));
		record_clear(&d->r);
		d->r.inode = d->file.inode;
		read_common(&tp->inet_conn.icsk_inet.sk.__sk_common, &d->r);
		read_full(tp, &d->r);
	}
	bpf_seq_write(ctx->meta->seq, d, sizeof(*d));
	return 0;
}
