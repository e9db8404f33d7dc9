/* proc.h: what the process-socket files of libsockopt share: the scan, its per-kind plans and the socket being read. */
#ifndef SOCKOPT_PROC_H
#define SOCKOPT_PROC_H

#include <sys/types.h>

#include "internal.h"

#define KIND_COUNT 9 /* the SOCKOPT_KIND_* bits */

/* Where the value of a planned option comes from. */
enum option_source {
	SRC_GETSOCKOPT, /* one getsockopt per socket */
	SRC_DOMAIN,	/* SO_DOMAIN, already read to describe the socket */
	SRC_TYPE,	/* SO_TYPE, likewise */
	SRC_PROTOCOL,	/* SO_PROTOCOL, likewise */
	SRC_TCPINFO,	/* TCP_INFO, already read for the state */
};

/*
 * The options read on every socket of one kind, and their values on a
 * fresh socket of that kind; built once per scan, the first time the kind
 * is met.
 */
struct kind_plan {
	bool ready;
	bool defaults_known; /* false when no fresh socket could be made (raw, unprivileged) */
	size_t count;
	const sockopt_entry **entries;
	unsigned char *sources; /* enum option_source */
	sockopt_value *defaults;
	int *default_errors; /* 0 or the negative errno the fresh socket gave */
};

struct sockopt_sock {
	struct sockopt_scan *scan;
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
	long long recv_q, send_q;
	char proto_name[16];
	sockopt_value local, peer, tcpinfo;
	const struct kind_plan *plan;
	size_t option_count; /* options read, 0 until sockopt_sock_read_options */
};

struct sockopt_scan {
	unsigned flags;
	struct kind_plan plans[KIND_COUNT];
	sockopt_value *values; /* room for one socket's options, reused */
	int *errors;
	size_t vanished;
	char comm[64];
	struct sockopt_sock sock;
};

/* Describe the socket duplicated as LOCAL_FD into SOCK; -ENOTSOCK when it is none. */
int sock_describe(struct sockopt_sock *sock, int local_fd);
/* Free what the plans of SCAN hold. */
void plans_free(struct sockopt_scan *scan);

/* Explain why reading process PID was refused with ERR (-EPERM / -EACCES), into DIAG. */
int proc_denied(pid_t pid, const char *comm, int err, struct sockopt_diag *diag);

#endif /* SOCKOPT_PROC_H */
