/* iter_task.bpf.c: every socket fd of every process (pid, fd, comm, socket inode, namespace), as binary records. */
#include <linux/bpf.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "kern.h"
#include "iter.h"
#include "file_read.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * The kernel visits each process's fd table once (threads that share it
 * are skipped) and gives the file of each fd; bpf_sock_from_file (5.11)
 * answers NULL for a file that is not a socket.
 */
SEC("iter/task_file")
int sockopt_task_file(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct iter_file_record r;
	struct socket *so;

	if (!task || !file || !(so = bpf_sock_from_file(file)))
		return 0;
	read_file(&r, task, file, so, ctx->fd);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
