/* proc.h: what the process-socket files of libsockopt share: the scan, its per-kind plans and the socket being read. */
#ifndef SOCKOPT_PROC_H
#define SOCKOPT_PROC_H

#include <pthread.h>
#include <sys/types.h>

#include "internal.h"

#define KIND_COUNT 9 /* the SOCKOPT_KIND_* bits */
#define COMM_TEXT_MAX (4 * 64) /* a comm escaped: at most four bytes per byte */

/* Where the value of a planned option comes from. */
enum option_source {
	SRC_GETSOCKOPT, /* one getsockopt per socket */
	SRC_DOMAIN,	/* SO_DOMAIN, already read to describe the socket */
	SRC_TYPE,	/* SO_TYPE, likewise */
	SRC_PROTOCOL,	/* SO_PROTOCOL, likewise */
	SRC_TCPINFO,	/* TCP_INFO, already read for the state */
	SRC_ACCEPTCONN, /* SO_ACCEPTCONN: the TCP state said it, or it was read for the state */
};

/*
 * The options read on every socket of one kind, and their values on a
 * fresh socket of that kind; built once per scan, the first time the kind
 * is met.
 */
struct kind_plan {
	bool ready; /* set last, with release order: the plan is read by worker threads */
	bool defaults_known; /* false when no fresh socket could be made (raw, unprivileged) */
	size_t count;
	const sockopt_entry **entries;
	unsigned char *sources; /* enum option_source */
	sockopt_value *defaults;
	int *default_errors; /* 0 or the negative errno the fresh socket gave */
	signed char *tuned;  /* the row of kernel_set (proc_sock.c) of each option, or -1 */
	long buf_lock;	     /* the index of SO_BUF_LOCK, or -1 */
	/*
	 * The indexes of the settable options and of those the description
	 * holds (SO_DOMAIN, SO_TYPE, SO_PROTOCOL, SO_ACCEPTCONN), in order:
	 * show's default view and another reader's sockets walk only these.
	 */
	size_t *settable, nsettable;
	size_t *described, ndescribed;
	/*
	 * The settable options whose default is known, with their type: what
	 * sockopt_sock_changed compares; MARKED for those the kernel tunes or
	 * marks as set (the buffers, SO_LINGER), which take the long way.
	 */
	struct plan_compare {
		size_t i;
		enum sockopt_type type;
		bool marked;
	} *compared;
	size_t ncompared;
};

/*
 * The plans of the sockets of one network namespace other than the scan's
 * own: defaults differ between namespaces (net.ipv4.ip_default_ttl,
 * net.ipv4.tcp_congestion_control …), so each has its own fresh sockets.
 * Nodes are never moved, so worker threads may keep pointers into them.
 */
struct netns_plans {
	struct netns_plans *next;
	uint64_t netns; /* inode, 0 for sockets whose namespace could not be learnt */
	struct kind_plan plans[KIND_COUNT];
};

/* A network namespace cookie (SO_NETNS_COOKIE) already mapped to its inode. */
struct netns_seen {
	uint64_t cookie, netns;
};

struct sockopt_sock {
	struct sockopt_scan *scan;
	sockopt_value *values; /* room for the options of one socket (catalog count) */
	int *errors;
	pid_t pid;
	const char *comm;
	int fd;	      /* the fd number in the process */
	int local_fd; /* our duplicate, -1 when none */
	int error;
	char error_text[SOCKOPT_TEXT_MAX];
	uint64_t inode;
	int family, type, protocol;
	unsigned kind;
	int state;
	int acceptconn; /* SO_ACCEPTCONN as the description learnt it, or -1 */
	long long recv_q, send_q;
	char proto_name[16];
	sockopt_value local, peer, tcpinfo;
	const struct kind_plan *plan;
	size_t option_count; /* options read, 0 until sockopt_sock_read_options */
	const char *backend; /* what read it: NULL for pidfd, or the name another reader gave */
	const char *timer;   /* the timer ss would show, or NULL when unknown */
	uint64_t netns;	     /* inode of its network namespace, 0 when unknown */
	long long timer_ms;
	bool prefetched;     /* a worker read the options and closed LOCAL_FD */
	int prefetch_result; /* what sock_read_options returned then */
};

struct sockopt_scan {
	unsigned flags;
	unsigned threads; /* workers for sockopt_scan_pid; 0 or 1: none */
	sockopt_sock_pred filter;
	void *filter_ctx;
	pthread_mutex_t plan_lock; /* taken only to build a plan */
	struct kind_plan plans[KIND_COUNT]; /* for the sockets of HOME_NETNS */
	uint64_t home_netns, home_cookie;  /* the scan's own namespace: inode and cookie */
	struct netns_plans *away;	    /* other namespaces, under PLAN_LOCK */
	struct netns_seen seen[16];	    /* cookies of other namespaces met, under PLAN_LOCK */
	size_t nseen;
	sockopt_value *values; /* SOCK's room for one socket's options, reused */
	int *errors;
	size_t vanished;
	char comm[64];		      /* as the process named itself */
	char comm_text[COMM_TEXT_MAX]; /* escaped to one line, for sentences */
	struct sockopt_sock sock;
};

/* What reading one fd came to (fd_read); a negative errno instead ends the scan. */
enum fd_outcome {
	FD_SOCKET,   /* a socket: counted, and handed to the callback */
	FD_REPORT,   /* handed to the callback with its error (an fd named on purpose, or undescribable) */
	FD_FILTERED, /* a socket the scan's filter passes over: counted only */
	FD_SKIP,     /* not a socket, in a whole scan */
	FD_VANISHED, /* closed between listing and reading */
};

/* Prepare SOCK to read fds of process PID for SCAN, its options going to VALUES and ERRORS. */
void sock_init(struct sockopt_sock *sock, struct sockopt_scan *scan, pid_t pid, const char *comm,
	       sockopt_value *values, int *errors);
/* Describe the socket duplicated as LOCAL_FD into SOCK; -ENOTSOCK when it is none. */
int sock_describe(struct sockopt_sock *sock, int local_fd);
/* Read the options of the described SOCK: their count, or -ENOMEM. */
int sock_read_options(struct sockopt_sock *sock);
/*
 * Duplicate fd FD of the process behind PIDFD into SOCK and describe it:
 * an FD_* outcome, or a negative errno with DIAG set that ends the scan.
 * With PREFETCH the options of a socket are read and the duplicate is
 * closed at once; otherwise SOCK keeps it open (LOCAL_FD) for the caller.
 */
int fd_read(struct sockopt_sock *sock, int pidfd, int fd, bool explicit, bool prefetch,
	    struct sockopt_diag *diag);
/* Hand SOCK to FN as OUTCOME asks, counting sockets in *COUNT; FN's result or 0. */
int fd_deliver(struct sockopt_sock *sock, int outcome, sockopt_sock_fn fn, void *ctx, int *count);
/*
 * Read the NFDS fds of FDS on WORKERS threads and deliver them in order on
 * this one (proc_workers.c): 0, FN's negative result or a scan-ending
 * errno; 1 when no worker could be started and nothing was read.
 */
int crew_scan(struct sockopt_scan *scan, int pidfd, const int *fds, size_t nfds, bool explicit,
	      unsigned workers, sockopt_sock_fn fn, void *ctx, int *count,
	      struct sockopt_diag *diag);
/*
 * The plan of S's kind in S's network namespace, built on first use from
 * fresh sockets made in that namespace; NULL when out of memory.
 */
const struct kind_plan *plan_of(struct sockopt_scan *scan, const struct sockopt_sock *s);
/* Learn the namespaces of the scan itself (at its start). */
void netns_home(struct sockopt_scan *scan);
/* The inode of the network namespace of S, described from its duplicate LOCAL_FD; 0 when unknown. */
uint64_t netns_of_sock(struct sockopt_scan *scan, int local_fd);
/* The kind bit of a family and type, or 0. */
unsigned kind_of(int family, int type);
/* Name S's protocol or family as ss does into S->proto_name. */
void name_proto(struct sockopt_sock *s);
/* Free what the plans of SCAN hold. */
void plans_free(struct sockopt_scan *scan);

/* Explain why reading process PID was refused with ERR (-EPERM / -EACCES), into DIAG. */
int proc_denied(pid_t pid, const char *comm, int err, struct sockopt_diag *diag);

#endif /* SOCKOPT_PROC_H */
