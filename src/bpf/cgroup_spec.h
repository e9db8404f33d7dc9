/* cgroup_spec.h: the spec and the counters that sockopt's cgroup programs share with their loader. */
#ifndef SOCKOPT_CGROUP_SPEC_H
#define SOCKOPT_CGROUP_SPEC_H

/* Entries one attachment carries, and the longest value (a congestion control name). */
#define CG_MAX_ENTRIES 32
#define CG_VALUE_MAX 16
#define CG_COMM_LEN 16

/* The moments an entry is applied at: the hook and, for sockops, the callback. */
enum cg_when {
	CG_CREATE = 1u << 0,  /* cgroup/sock_create: written into the socket's fields */
	CG_BIND = 1u << 1,    /* cgroup/bind4, bind6: before bind() */
	CG_CONNECT = 1u << 2, /* sockops TCP_CONNECT_CB, cgroup/connect4, connect6 (UDP) */
	CG_LISTEN = 1u << 3,  /* sockops TCP_LISTEN_CB: right after listen() */
	CG_ACCEPT = 1u << 4,  /* sockops PASSIVE_ESTABLISHED_CB: an accepted socket */
	CG_SEND = 1u << 5,    /* cgroup/sendmsg4, sendmsg6: a UDP socket's first send */
	CG_WHEN_COUNT = 6
};

/* The sockets an entry is for, as bits. */
enum cg_socks {
	CG_TCP4 = 1u << 0,
	CG_TCP6 = 1u << 1,
	CG_UDP4 = 1u << 2,
	CG_UDP6 = 1u << 3,
};

/* The socket fields cgroup/sock_create may write, for the entries applied there. */
enum cg_field { CG_FIELD_NONE, CG_FIELD_MARK, CG_FIELD_PRIORITY, CG_FIELD_BOUND_DEV_IF, CG_FIELD_COUNT };

/* One spec entry, as the library's spec parser produced it. */
struct cg_entry {
	int level, optname;
	unsigned int len;    /* bytes of value */
	unsigned int when;   /* enum cg_when bits */
	unsigned int socks;  /* enum cg_socks bits */
	unsigned int field;  /* enum cg_field, for CG_CREATE */
	unsigned int pinned; /* the program's own setsockopt of it is kept out */
	unsigned char value[CG_VALUE_MAX];
};

/* What happened to one entry, summed over every socket of the cgroup. */
struct cg_stat {
	unsigned long long applied[CG_WHEN_COUNT];
	unsigned long long failed[CG_WHEN_COUNT];
	int last_error[CG_WHEN_COUNT]; /* -errno of the latest failure */
	unsigned long long tried;      /* the program's own setsockopt calls kept out */
	unsigned char tried_value[CG_VALUE_MAX]; /* the latest value it asked for */
	unsigned int tried_len;
	char tried_comm[CG_COMM_LEN];	/* the command that asked */
};

/* One application, for --verbose: sent through the ring buffer when asked. */
struct cg_event {
	unsigned long long cookie; /* the socket's cookie */
	unsigned int pid;	   /* 0 when applied outside the process (softirq) */
	unsigned int entry;
	unsigned int when;
	int error;
	char comm[CG_COMM_LEN];
};

/* The attachment as a whole: its entry count, the verbose switch and the texts it was made from. */
struct cg_info {
	unsigned int count;
	unsigned int verbose;
	char spec[512];	 /* the spec as given */
	char pins[256];	 /* the pinned names as given */
	char cgroup[256]; /* the cgroup, relative to the v2 root */
};

#endif /* SOCKOPT_CGROUP_SPEC_H */
