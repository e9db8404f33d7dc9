/* kern.h: the few kernel types and fields the iterator programs read, declared for CO-RE. */
#ifndef SOCKOPT_BPF_KERN_H
#define SOCKOPT_BPF_KERN_H

/*
 * Each struct below names only the fields a program reads, marked
 * preserve_access_index: clang records every access as a relocation by
 * name, and libbpf rewrites the offsets against the running kernel's BTF
 * (/sys/kernel/btf/vmlinux) at load time, so one build runs on any kernel
 * with BTF.  Fields inside the kernel's anonymous unions and structs are
 * found by name through them.  We declare these fields (about 190 of
 * them) instead of committing a generated vmlinux.h because that file is
 * 134,588 lines
 * (bpftool btf dump on Linux 6.18), differs with every kernel config,
 * hides which fields we depend on, and would be the largest file of the
 * project by two orders of magnitude.
 */
#include <linux/in6.h>
#include <linux/posix_types.h>
#include <linux/types.h>
#include <linux/un.h>

#define CORE __attribute__((preserve_access_index))

/* The uapi asm/socket.h picks SO_TIMESTAMP* by sizeof(time_t), a C library type. */
typedef __kernel_long_t time_t;

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} CORE;

struct timer_list {
	struct {
		void *next, **pprev;
	} entry;
	unsigned long expires;
} CORE;

struct ns_common {
	unsigned int inum;
} CORE;

struct netns_ipv4 {
	__u8 sysctl_ip_default_ttl;
	int sysctl_tcp_fin_timeout;
	int sysctl_tcp_keepalive_time;
	int sysctl_tcp_keepalive_intvl;
	__u8 sysctl_tcp_keepalive_probes;
	__u8 sysctl_tcp_syn_retries;
} CORE;

struct netns_sysctl_ipv6 {
	__u8 auto_flowlabels;
} CORE;

struct netns_ipv6 {
	struct netns_sysctl_ipv6 sysctl;
} CORE;

struct net {
	struct ns_common ns;
	struct netns_ipv4 ipv4;
	struct netns_ipv6 ipv6;
	__u64 net_cookie;
} CORE;

typedef struct {
	struct net *net;
} possible_net_t;

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	unsigned char skc_state;
	unsigned char skc_reuse : 4;
	unsigned char skc_reuseport : 1;
	unsigned char skc_ipv6only : 1;
	int skc_bound_dev_if;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
	unsigned long skc_flags;
	int skc_incoming_cpu;
} CORE;

struct sk_buff {
	struct sk_buff *next;
	unsigned int len;
} CORE;

struct sk_buff_head {
	struct sk_buff *next;
	__u32 qlen;
} CORE;

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	atomic_t refs;
} refcount_t;

struct sock;

struct file;

struct socket {
	short type;
	struct file *file;
	struct sock *sk;
} CORE;

struct kernfs_node {
	__u64 id; /* the cgroup id: the inode number of its directory in cgroup2 */
} CORE;

/* A cgroup v2 and its ancestors by level (the root is level 0). */
struct cgroup {
	int level;
	struct kernfs_node *kn;
	struct cgroup *ancestors[];
} CORE;

struct sock_cgroup_data {
	struct cgroup *cgroup; /* of the process that made the socket */
} CORE;

struct sock {
	struct sock_common __sk_common;
	__s32 sk_peek_off;
	struct sk_buff_head sk_receive_queue;
	struct {
		atomic_t rmem_alloc;
	} sk_backlog;
	unsigned int sk_ll_usec;
	__u8 sk_prefer_busy_poll;
	__u8 sk_userlocks;
	int sk_rcvbuf;
	struct sock_cgroup_data sk_cgrp_data;
	long sk_rcvtimeo;
	int sk_rcvlowat;
	__u32 sk_reserved_mem;
	refcount_t sk_wmem_alloc;
	long sk_sndtimeo;
	__u32 sk_priority;
	__u32 sk_mark;
	__u16 sk_type;
	__u16 sk_protocol;
	int sk_sndbuf;
	__u8 sk_no_check_tx : 1;
	__u8 sk_txrehash;
	__u32 sk_tsflags;
	unsigned long sk_max_pacing_rate;
	__u8 sk_clockid;
	__u8 sk_txtime_deadline_mode : 1;
	__u8 sk_txtime_report_errors : 1;
	void *sk_filter; /* struct sk_filter *: NULL when no filter is attached */
	struct socket *sk_socket;
	unsigned long sk_lingertime;
	__u32 sk_ack_backlog;
	__u32 sk_max_ack_backlog;
	struct timer_list sk_timer;
	/* Linux 6.16 and later; the unix program reads them only where they exist. */
	__u8 sk_scm_credentials : 1;
	__u8 sk_scm_security : 1;
	__u8 sk_scm_pidfd : 1;
	__u8 sk_scm_rights : 1;
} CORE;

/*
 * As Linux 6.18 lays it out; pmtudisc and mcast_hops were bitfields before
 * 6.7, so the programs read them with BPF_CORE_READ_BITFIELD, which takes
 * either form.
 */
struct ipv6_pinfo {
	void *opt; /* struct ipv6_txoptions *: NULL while no sticky header is set */
	__s16 hop_limit;
	__u8 pmtudisc;
	__u8 tclass;
	__u8 mcast_hops;
	int ucast_oif;
	int mcast_oif;
	union {
		struct {
			__u16 srcrt : 1, osrcrt : 1, rxinfo : 1, rxoinfo : 1, rxhlim : 1, rxohlim : 1,
				hopopts : 1, ohopopts : 1, dstopts : 1, odstopts : 1, rxflow : 1,
				rxtclass : 1, rxpmtu : 1, rxorigdstaddr : 1, recvfragsize : 1;
		} bits;
		__u16 all;
	} rxopt;
	__u8 min_hopcount;
} CORE;

/* Before Linux 6.7 the IPv6 flags were bitfields of ipv6_pinfo, mc_loop among them, not bits of inet_flags. */
struct ipv6_pinfo___pre67 {
	__u16 mc_loop : 1;
} CORE;

struct inet_sock {
	struct sock sk;
	struct ipv6_pinfo *pinet6;
	unsigned long inet_flags; /* Linux 6.6 and later */
	__s16 uc_ttl;
	__u8 tos;
	__u8 min_ttl;
	__u8 mc_ttl;
	__u8 pmtudisc;
	int uc_index;
	void *inet_opt; /* struct ip_options_rcu *: NULL while no IP option is set */
	__be32 mc_addr;
	__u32 local_port_range; /* high << 16 | low */
} CORE;

struct udp_sock {
	struct inet_sock inet;
	unsigned long udp_flags; /* Linux 6.6 and later */
	__u8 encap_type;
	__u16 gso_size;
} CORE;

/* A bound unix socket's address: LEN bytes of struct sockaddr_un at NAME. */
struct unix_address {
	int len;
	struct sockaddr_un name[0];
} CORE;

struct unix_sock {
	struct sock sk;
	struct unix_address *addr;
	struct sock *peer;
	int inq_len; /* Linux 6.17 and later: the bytes a stream socket has to read */
} CORE;

struct fastopen_queue {
	int max_qlen;
} CORE;

struct request_sock_queue {
	__u8 rskq_defer_accept;
	struct fastopen_queue fastopenq;
} CORE;

struct tcp_congestion_ops {
	char name[16];
} CORE;

struct tcp_ulp_ops {
	char name[16];
} CORE;

struct inet_connection_sock {
	struct inet_sock icsk_inet;
	struct request_sock_queue icsk_accept_queue;
	struct timer_list icsk_retransmit_timer;
	const struct tcp_congestion_ops *icsk_ca_ops;
	const struct tcp_ulp_ops *icsk_ulp_ops;
	__u32 icsk_delack_max;
	__u8 icsk_pending;
	__u8 icsk_syn_retries;
	__u32 icsk_user_timeout;
	__u32 icsk_rto_min;
	__u32 icsk_rto_max; /* Linux 6.15 and later */
} CORE;

struct tcp_options_received {
	__u16 user_mss;
	__u16 mss_clamp;
} CORE;

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	__u32 copied_seq;
	__u32 write_seq;
	__u32 rcv_nxt;
	__u32 snd_una;
	__u32 mss_cache;
	struct tcp_options_received rx_opt;
	__u8 repair : 1;
	__u8 repair_queue;
	__u8 recvmsg_inq : 1;
	__u8 fastopen_connect : 1;
	__u8 fastopen_no_cookie : 1;
	__u32 tcp_tx_delay;
	__u8 nonagle : 4;
	__u8 thin_lto : 1;
	__u8 save_syn : 2;
	__u8 keepalive_probes;
	int linger2;
	__u32 window_clamp;
	__u32 notsent_lowat;
	unsigned int keepalive_time;
	unsigned int keepalive_intvl;
} CORE;

struct inet_timewait_sock {
	unsigned char tw_substate;
	struct timer_list tw_timer;
} CORE;

/* A tcp_timewait_sock and a tcp_request_sock begin with these two; the programs read them through a cast. */
struct tcp_timewait_sock;
struct tcp_request_sock;

struct request_sock {
	struct timer_list rsk_timer;
} CORE;

struct inode {
	unsigned long i_ino;
} CORE;

typedef struct {
	__s64 counter;
} atomic64_t;

/* Linux 6.13 and later: the references to a file, less one. */
typedef struct {
	atomic64_t refcnt;
} file_ref_t;

struct file {
	struct inode *f_inode;
	file_ref_t f_ref;
} CORE;

/* Before Linux 6.13: the references themselves. */
struct file___pre613 {
	atomic64_t f_count;
} CORE;

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	void *bpf_storage; /* struct bpf_local_storage *: NULL while the task has no task storage */
} CORE;

struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	struct sock_common *sk_common;
	__u32 uid;
} CORE;

struct bpf_iter__udp {
	struct bpf_iter_meta *meta;
	struct udp_sock *udp_sk;
	__u32 uid;
} CORE;

struct bpf_iter__unix {
	struct bpf_iter_meta *meta;
	struct unix_sock *unix_sk;
	__u32 uid;
} CORE;

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} CORE;

/* The sock_flag bits read (include/net/sock.h), relocated by name as enum values. */
enum sock_flags {
	SOCK_URGINLINE = 2,
	SOCK_KEEPOPEN = 3,
	SOCK_LINGER = 4,
	SOCK_BROADCAST = 6,
	SOCK_DBG = 10,
	SOCK_RCVTSTAMP = 11,
	SOCK_RCVTSTAMPNS = 12,
	SOCK_LOCALROUTE = 13,
	SOCK_RXQ_OVFL = 17,
	SOCK_ZEROCOPY = 18,
	SOCK_WIFI_STATUS = 19,
	SOCK_NOFCS = 20,
	SOCK_FILTER_LOCKED = 21,
	SOCK_SELECT_ERR_QUEUE = 22,
	SOCK_TSTAMP_NEW = 26,
	SOCK_RCVMARK = 27,
	SOCK_RCVPRIORITY = 28,
};

#endif /* SOCKOPT_BPF_KERN_H */
