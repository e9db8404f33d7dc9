/* file_read.h: one socket fd of a process as the task_file programs write it (BPF side only). */
#ifndef SOCKOPT_BPF_FILE_READ_H
#define SOCKOPT_BPF_FILE_READ_H

/*
 * Socket fd FD of TASK, whose FILE holds socket SO, into R: its inode, the
 * thread group, the socket's type, family and namespace, and the task's
 * comm (always NUL-terminated within its 16 bytes: __set_task_comm).
 * Loads, not bpf_probe_read_kernel calls (see kern.h).  The socket's
 * struct sock, or NULL.
 */
static __always_inline struct sock *read_file(struct iter_file_record *r, struct task_struct *task,
					      struct file *file, struct socket *so, __u32 fd)
{
	struct sock *sk = so->sk;

	__builtin_memset(r, 0, sizeof(*r));
	r->inode = file->f_inode->i_ino;
	r->pid = task->tgid;
	r->fd = fd;
	r->type = (__u16)so->type;
	if (sk) {
		r->family = sk->__sk_common.skc_family;
		r->netns = sk->__sk_common.skc_net.net->ns.inum;
	}
	__builtin_memcpy(r->comm, task->comm, sizeof(r->comm));
	return sk;
}

#endif /* SOCKOPT_BPF_FILE_READ_H */
