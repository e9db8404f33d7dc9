/* bpfshow.h: the BPF backend of `sockopt show`: iterators kept pinned, read once per run into the library's socket objects. */
#ifndef SOCKOPT_BPFSHOW_H
#define SOCKOPT_BPFSHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sockopt.h"

enum bpf_iter_which { BPF_ITER_TCP, BPF_ITER_TASK_FILE };

/* Why the backend failed, and what a run cost: programs loaded (0: all were pinned already). */
struct bpf_show_diag {
	int error;
	char text[SOCKOPT_TEXT_MAX];
	int loaded;
	bool unpinned; /* loaded but could not be pinned: the next run loads again */
};

/* Set DIAG to ERR and "The BPF backend: <sentence>."; returns ERR. */
int bpf_show_fail(struct bpf_show_diag *diag, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A link fd of iterator WHICH: the pinned one, or loaded, attached and pinned now. */
int bpf_iter_link(int which, struct bpf_show_diag *diag);

/* Why this caller cannot use the BPF backend (a sentence), or NULL when it can. */
const char *bpf_show_unavailable(void);

/* Which sockets a BPF scan hands over. */
struct bpf_show_query {
	pid_t pid;	 /* only this process's sockets; 0: every socket, owned or not */
	const int *fds;	 /* and of those only these fds, when NFDS > 0 */
	size_t nfds;
	sockopt_sock_pred filter; /* NULL: every socket */
	void *filter_ctx;
};

/*
 * Call FN for each TCP socket of this network namespace that Q asks for,
 * once per process fd that holds it (and once with PID 0 for a socket no
 * process holds, when Q->pid is 0), read through the iterators in one
 * pass.  The number of sockets handed over, or a negative errno with DIAG.
 */
int bpf_show_scan(sockopt_scan *scan, const struct bpf_show_query *q, sockopt_sock_fn fn,
		  void *ctx, struct bpf_show_diag *diag);

#endif /* SOCKOPT_BPFSHOW_H */
