/* bpfshow.h: the BPF backend of `sockopt show`: iterators kept pinned, read once per run into the library's socket objects. */
#ifndef SOCKOPT_BPFSHOW_H
#define SOCKOPT_BPFSHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sockopt.h"

enum bpf_iter_which { BPF_ITER_TCP, BPF_ITER_TASK_FILE, BPF_ITER_UDP, BPF_ITER_UNIX, BPF_ITER_TCP_FDS };

/* Why the backend failed, and what a run cost: programs loaded (0: all were pinned already). */
struct bpf_show_diag {
	int error;
	char text[SOCKOPT_TEXT_MAX];
	int loaded;
	bool unpinned; /* loaded but could not be pinned: the next run loads again */
	unsigned long records; /* socket records the iterators gave this run (narrowing keeps it small) */
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
 * A link fd of task_file iterator WHICH (BPF_ITER_TASK_FILE, BPF_ITER_TCP_FDS)
 * that visits only process PID's fds (made from the pinned one, not
 * pinned), or the pinned one, which visits every process's.
 */
int bpf_iter_link_pid(int which, pid_t pid, struct bpf_show_diag *diag);

/*
 * Name to the iterator of LINK the N INODES of the sockets this run
 * wants: its program then skips (nearly) every other socket that thread
 * TID of this process reads, before reading its options (narrow.h: the
 * task storage of that thread, so other runs of the same pinned iterator
 * are not affected; another thread than the main one needs Linux 6.9's
 * PIDFD_THREAD).  0, or a negative errno when the iterator could not be
 * narrowed: it then reads every socket, as before.  bpf_narrow_end takes
 * the names back.
 */
struct bpf_narrow {
	int map, pidfd; /* -1 when not open */
};
#define BPF_NARROW_NONE { -1, -1 }
int bpf_narrow_begin(int link, pid_t tid, const uint64_t *inodes, size_t n, struct bpf_narrow *nw);
void bpf_narrow_end(struct bpf_narrow *nw);

/*
 * Start an iterator on LINK and hand each whole record of SIZE bytes to
 * EACH (a partial one waits for the next read): 0, EACH's negative
 * result, or a negative errno with DIAG.
 */
int bpf_read_records(int link, size_t size, int (*each)(const void *rec, void *ctx), void *ctx,
		     struct bpf_show_diag *diag);

/*
 * A thread that reads iterators for this one, which decodes what it read
 * meanwhile (on two CPUs the kernel's walk and the decoding overlap);
 * NULL when it cannot be started.  bpf_reader_records is
 * bpf_read_records through it: the iterator is made here, so it sees this
 * thread's network namespace, and EACH runs here.  The reader thread's id
 * is what bpf_narrow_begin takes to narrow what it reads.
 */
struct bpf_reader;
struct bpf_reader *bpf_reader_start(void);
pid_t bpf_reader_tid(const struct bpf_reader *rd);
int bpf_reader_records(struct bpf_reader *rd, int link, size_t size,
		       int (*each)(const void *rec, void *ctx), void *ctx, struct bpf_show_diag *diag);
void bpf_reader_stop(struct bpf_reader *rd);

/* The inode of this process's network namespace, or 0. */
uint32_t bpf_own_netns(void);

/* A process through which network namespace NETNS (its inode) is entered. */
struct bpf_netns_door {
	uint32_t netns;
	pid_t pid;
};

/*
 * Call HERE(CTX) once in this network namespace and once inside each
 * other namespace of the NDOORS DOORS (entered with setns through one of
 * its processes, and left again): an iterator sees only the namespace of
 * whoever starts it.  A namespace none of whose processes can be entered
 * is skipped, with a warning on stderr naming WHAT it held when WHAT is
 * not NULL.  HERE's first negative result ends it.
 */
int bpf_in_every_netns(const struct bpf_netns_door *doors, size_t ndoors, const char *what,
		       int (*here)(void *ctx, struct bpf_show_diag *diag), void *ctx,
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
	unsigned kinds; /* SOCKOPT_KIND_* the caller wants; 0: every socket, of any family */
	/* Told of a process whose sockets could not be read through pidfd_getfd (NULL: not told). */
	void (*failed)(pid_t pid, int err, const char *text, void *ctx);
	/*
	 * When set, told every socket fd of the processes asked for (inode,
	 * pid, fd, comm), sorted by inode, pid and fd, before the first socket
	 * that more than one fd holds is handed over (a socket one fd holds,
	 * handed over with that fd as its owner, may come before); a negative
	 * result ends the scan with it.
	 */
	int (*owner)(uint64_t inode, pid_t pid, int fd, const char *comm, void *ctx);
	void *owner_ctx;
};

/*
 * Call FN for each socket of every network namespace that Q asks for,
 * once per process fd that holds it (and once with PID 0 for a socket no
 * process holds, when Q->pid is 0).  TCP, UDP and unix sockets are read
 * through the iterators, one pass of each per namespace (the TCP sockets
 * of one process of our namespace through its fds instead, in the pass
 * that finds its owners: iter_tcp_fds.bpf.c); a socket fd of a
 * process that no iterator met (raw, netlink, packet, MPTCP, or in a
 * namespace that could not be entered) is read through pidfd_getfd, and
 * its backend says so.  FN runs while this thread is inside the socket's
 * namespace.  The number of sockets handed over, or a negative
 * errno with DIAG.
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
 * Set the N options of OPTS (at most 8) on every TCP socket whose inode is
 * one of the NINODES of INODES, DOORS[i] naming the namespace of INODES[i]
 * and a process of it: one iterator pass per namespace, each socket
 * getting all or none; EACH gets every result.  The number of sockets
 * changed or refused, or a negative errno with DIAG.
 */
int bpf_set_apply(const uint64_t *inodes, const struct bpf_netns_door *doors, size_t ninodes,
		  const struct bpf_set_option *opts, size_t n,
		  int (*each)(const struct bpf_set_result *r, void *ctx), void *ctx,
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
