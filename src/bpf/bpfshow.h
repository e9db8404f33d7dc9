/* bpfshow.h: the BPF backend of `sockopt show`: iterators kept pinned, read once per run into the library's socket objects. */
#ifndef SOCKOPT_BPFSHOW_H
#define SOCKOPT_BPFSHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/*
 * The directory of sockopt's pins into BUF: $SOCKOPT_BPF_PIN_DIR (tests
 * use their own), else sockopt/ in the bpffs, which is mounted on
 * /sys/fs/bpf when absent; made, root-only, when missing.
 */
int bpf_pin_dir(char *buf, size_t size, struct bpf_show_diag *diag);

/* A link fd of iterator WHICH: the pinned one, or loaded, attached and pinned now. */
int bpf_iter_link(int which, struct bpf_show_diag *diag);

/*
 * Start an iterator on LINK and hand each whole record of SIZE bytes to
 * EACH (a partial one waits for the next read): 0, EACH's negative
 * result, or a negative errno with DIAG.
 */
int bpf_read_records(int link, size_t size, int (*each)(const void *rec, void *ctx), void *ctx,
		     struct bpf_show_diag *diag);

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

/* One option for bpf_set_apply: an int-valued option of bpf_set_allowed. */
struct bpf_set_option {
	int level, optname, value;
};

/* What bpf_set_apply did to one socket: all options set (ERR 0) or none (ERR < 0, option FAILED). */
struct bpf_set_result {
	uint64_t inode;
	int err;
	size_t failed;
	int before[8], after[8];
	int read_err[8];
};

/* Whether bpf_setsockopt in a TCP iterator takes LEVEL/OPTNAME with an int (its allow-list, Linux 6.18). */
bool bpf_set_allowed(int level, int optname);

/*
 * Set the N options of OPTS (at most 8) on every TCP socket of this
 * network namespace whose inode is one of the NINODES of INODES, in one
 * iterator pass, each socket getting all or none; EACH gets every result.
 * The number of sockets changed or refused, or a negative errno with DIAG.
 */
int bpf_set_apply(const uint64_t *inodes, size_t ninodes, const struct bpf_set_option *opts,
		  size_t n, int (*each)(const struct bpf_set_result *r, void *ctx), void *ctx,
		  struct bpf_show_diag *diag);

/*
 * The same on every TCP socket of this network namespace that a process
 * of the cgroup CGROUP_ID made, or a process of a cgroup below it; LEVEL
 * is the cgroup's depth under the cgroup v2 root (the root is 0).
 */
int bpf_set_apply_cgroup(uint64_t cgroup_id, unsigned level, const struct bpf_set_option *opts,
			 size_t n, int (*each)(const struct bpf_set_result *r, void *ctx),
			 void *ctx, struct bpf_show_diag *diag);

#endif /* SOCKOPT_BPFSHOW_H */
