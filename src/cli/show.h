/* show.h: what the files of `sockopt show` share: the socket filters and the socket printer. */
#ifndef SOCKOPT_SHOW_H
#define SOCKOPT_SHOW_H

#include <stdbool.h>
#include <stdint.h>

#include "inodes.h"
#include "sockopt.h"

/* Which sockets to show, in the manner of ss: kinds, listening, port, state. */
struct show_filter {
	unsigned protocols; /* SOCKOPT_KIND_* chosen by --tcp --udp --unix --raw; 0: all */
	unsigned families;  /* SOCKOPT_KIND_* allowed by -4 / -6; 0: all */
	bool listening;
	int port;  /* -1: any */
	int state; /* -1: any */
};

void show_filter_init(struct show_filter *f);
/*
 * Take flag C (with ARG) when it is a filter: 1 when taken, 0 when
 * it is not a filter option, -1 with *CODE = EXIT_USAGE after a sentence.
 */
int show_filter_option(struct show_filter *f, int c, const char *arg, int *code);
/* Whether SOCK passes every filter. */
bool show_filter_match(const struct show_filter *f, const sockopt_sock *sock);

/* One formatted option and the value bytes it was formatted from. */
struct show_fragment {
	char *text;
	unsigned char *bytes;
	size_t text_size, bytes_size; /* allocated */
	socklen_t len;		      /* of the value in BYTES */
	int is_default;		      /* as sockopt_sock_option_is_default said */
};

/* The name last printed for an int-valued enum (family, type, protocol). */
struct show_name {
	bool known;
	int n;
	char text[64];
};

/* Per kind, the options a backend other than pidfd did not read on some socket of the run. */
struct show_not_read {
	const sockopt_entry **names[16];
	unsigned char *seen[16]; /* by option index */
	size_t counts[16];
};

/* Formatted options kept for reuse, per kind and option index (see fragment() in show_print.c). */
struct show_cache {
	struct show_fragment *slots[16];
	size_t counts[16];
	struct show_name family, type, protocol;
	struct show_not_read not_read;
	char *group; /* the options of one level, for --all text (grown on demand) */
	size_t group_size;
	size_t *index; /* the option indexes one socket prints (grown on demand) */
	size_t index_room;
};

/*
 * The backend for a run: 1 BPF, 0 pidfd, -1 after a usage sentence
 * (show_backend.c); NEEDS_PIDFD (or NULL) is why the run needs pidfd.
 */
int show_backend_choose(const char *arg, const char *needs_pidfd, bool verbose);

/* One process fd that holds a socket (show_users.c). */
struct show_user {
	uint64_t inode;
	pid_t pid;
	int fd;
	bool printed; /* on the first holder of an inode: the socket has been shown */
	char comm[64];
};

/* The holders of the sockets of the processes a run reads, sorted by inode, pid and fd. */
struct show_users {
	struct show_user *v;
	size_t n, room;
	struct inode_index index; /* made by the first show_users_of after a change */
};

/* Add one holder (they must come sorted by inode, pid and fd); false when out of memory. */
bool show_users_add(struct show_users *users, uint64_t inode, pid_t pid, int fd, const char *comm);
/* Read the socket fds of the NPIDS PIDS (none: of every process) from /proc; false when out of memory. */
bool show_users_collect(struct show_users *users, const pid_t *pids, size_t npids);
/* The *N holders of INODE (NULL and 0 when none was seen), in constant time. */
struct show_user *show_users_of(struct show_users *users, uint64_t inode, size_t *n);
void show_users_free(struct show_users *users);

/*
 * TCP_INFO in the words and units of ss -i ("ts sack bbr wscale:10,10
 * rto:204 rtt:0.03/0.011 … snd_wnd:95232"), CONG the congestion control,
 * CC_INFO (may be NULL) its TCP_CC_INFO, decoded as show_ss_cc_info (show_ss.c).
 */
void show_ss_tcp_info(const sockopt_value *info, const char *cong, const sockopt_value *cc_info,
		      char *buf, size_t size);
/*
 * TCP_CC_INFO CC of congestion control CONG (bbr, dctcp, vegas) as ss
 * words it ("bbr:(bw:…bps,mrtt:…)"), or with JSON as an object in the
 * kernel's units ({"algorithm": "bbr", "bw": bytes/s, "min_rtt": µs, …});
 * false, BUF empty, when CC is not that algorithm's struct.
 */
bool show_ss_cc_info(const char *cong, const sockopt_value *cc, bool json, char *buf, size_t size);
/*
 * SO_MEMINFO as ss -m prints it, "skmem:(r0,rb131072,…,d0)", or with JSON
 * as {"rmem_alloc": 0, "rcvbuf": 131072, …, "drops": 0}; false when too short.
 */
bool show_ss_skmem(const sockopt_value *meminfo, bool json, char *buf, size_t size);

/*
 * What sock_diag says of the TCP sockets (timer, Recv-Q) and the unix
 * listeners (Recv-Q, Send-Q) of this network namespace, sorted by inode
 * (show_users.c): what the pidfd path cannot learn through the fd.
 */
struct show_timer {
	uint64_t inode;
	int timer; /* idiag_timer; -1 for a unix listener */
	unsigned ms;
	long long recv_q, send_q; /* as ss counts them; send_q -1 for TCP (SIOCOUTQ is ss's) */
};
struct show_timers {
	struct show_timer *v;
	size_t n, room;
	bool failed; /* sock_diag could not be read: no timers, as before */
};

/* Read every TCP socket (one dump, as ss -o) and unix listener of this network namespace, as asked. */
void show_timers_collect(struct show_timers *timers, bool tcp, bool unix_listeners);
/* Recv-Q and, when sock_diag gave it, Send-Q of INODE as ss counts them; false when unknown. */
bool show_queues_of(const struct show_timers *timers, uint64_t inode, long long *recv_q,
		    long long *send_q);
/* The timer of INODE as ss names it ("keepalive", "off") and *MS until it fires; NULL when unknown. */
const char *show_timer_of(const struct show_timers *timers, uint64_t inode, long long *ms);
void show_timers_free(struct show_timers *timers);

/* Before any socket is read: what the rows compare against (our network namespace). */
void show_print_start(void);
/* The column titles (text output only): before the first row, or alone when there is none. */
void show_print_header(void);
/*
 * One socket: a table row, or a JSON object; ALL: every option, not only
 * non-default ones.  USERS (N of them) are the fds of every process that
 * holds it; NULL lists only the fd it was read through (--per-process).
 */
void show_print_socket(struct show_cache *cache, const sockopt_sock *sock, bool all,
		       const struct show_user *users, size_t n);
void show_cache_free(struct show_cache *cache);
/* How many options the view (ALL or not) would print that SOCK's backend did not read (show_notread.c). */
size_t show_not_read(const sockopt_sock *sock, bool all);
/* Their count in SOCK's row or object ("not_read"), their names kept in NR for the summary. */
void show_print_not_read(struct show_not_read *nr, const sockopt_sock *sock, bool all);
/* The JSON member "not_read": {KIND: [NAME…]} of the names kept, when there are any. */
void show_print_not_read_summary(const struct show_not_read *nr);
void show_not_read_free(struct show_not_read *nr);

/* The key of --backend, and the --backend and --verbose rows that show, check and export share. */
#define SHOW_BACKEND_FLAG (ARGS_LONG_ONLY + 32)
#define SHOW_FLAGS_BACKEND                                                                    \
	{ SHOW_BACKEND_FLAG, "backend", "bpf|pidfd|auto",                                       \
	  "read through pinned BPF iterators (TCP, UDP, unix; root) or pidfd_getfd; auto "      \
	  "takes BPF when it may (root or CAP_BPF+CAP_PERFMON, and kernel BTF)", "auto", 0 },     \
		{ 'v', "verbose", NULL, "say which backend read the sockets, and why", NULL, 0 }

#endif /* SOCKOPT_SHOW_H */
