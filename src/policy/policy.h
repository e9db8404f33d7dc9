/* policy.h: a declared socket policy (sockopt-policy(5)): rules that match sockets and the option values they expect. */
#ifndef SOCKOPT_POLICY_H
#define SOCKOPT_POLICY_H

#include <stdbool.h>
#include <sys/types.h>

#include "sockopt.h"

#define POLICY_VALUES_MAX 16  /* values of one match key in one rule */
#define POLICY_EXPECT_MAX 32  /* expectations of one rule */
#define POLICY_INCLUDE_DEPTH 8 /* files open at once through include */

enum policy_op { POLICY_EQ, POLICY_NE, POLICY_LE, POLICY_GE, POLICY_IN };

/* One expectation: OPTION OP VALUE, or OPTION in LOW..HIGH. */
struct policy_expect {
	const sockopt_entry *entry;
	enum policy_op op;
	sockopt_value value, high; /* HIGH only for POLICY_IN */
	char text[200];		   /* as the policy says it, canonical: "TCP_KEEPIDLE<=300" */
};

/* A port range, both ends included. */
struct policy_ports {
	unsigned low, high;
};

/* An address range: FAMILY, the address and how many leading bits must match. */
struct policy_cidr {
	int family;
	unsigned char addr[16];
	unsigned bits;
};

/* One rule: which sockets (every key given must match; values of one key are alternatives) and what they must hold. */
struct policy_rule {
	char name[64];	 /* "rule NAME", else FILE:LINE */
	char where[128]; /* FILE:LINE */
	unsigned kinds;	 /* SOCKOPT_KIND_* bits; 0: any */
	unsigned states; /* 1 << TCP state; 0: any */
	struct policy_ports sport[POLICY_VALUES_MAX], dport[POLICY_VALUES_MAX];
	struct policy_cidr src[POLICY_VALUES_MAX], dst[POLICY_VALUES_MAX];
	char comm[POLICY_VALUES_MAX][16];
	uid_t user[POLICY_VALUES_MAX];
	char cgroup[POLICY_VALUES_MAX][128];
	size_t nsport, ndport, nsrc, ndst, ncomm, nuser, ncgroup;
	struct policy_expect expect[POLICY_EXPECT_MAX];
	size_t nexpect;
};

/* A parsed policy: its rules in file order (includes in place). */
struct policy {
	struct policy_rule *rules;
	size_t nrules;
};

/*
 * Parse policy file PATH.  On error -errno (-EINVAL for a bad policy)
 * and DIAG's sentence starts with FILE:LINE:COLUMN.  *OUT only on success.
 */
int policy_load(const char *path, struct policy *out, struct sockopt_diag *diag);
/* Parse TEXT as if it were the file NAME (includes are relative to the current directory). */
int policy_parse_text(const char *name, const char *text, struct policy *out,
		      struct sockopt_diag *diag);
void policy_free(struct policy *p);

/* What a rule may ask of the process that holds a socket, read once per process. */
struct policy_proc {
	pid_t pid;
	uid_t uid;	    /* effective uid */
	char cgroup[512];   /* the cgroup v2 path, "/system.slice/redis.service" */
	bool has_uid, has_cgroup;
};

/* Read the owner and cgroup of PID (what cannot be read stays unknown and matches no user/cgroup key). */
void policy_proc_read(pid_t pid, struct policy_proc *proc);
/* The port of a socket address (SOCKOPT_TYPE_SOCKADDR), or -1 for one without a port. */
int policy_port_of(const sockopt_value *addr);
/* Whether rule R matches SOCK of process PROC. */
bool policy_rule_matches(const struct policy_rule *r, const struct policy_proc *proc,
			 const sockopt_sock *sock);
/* Whether any rule of P matches (a scan filter: sockets no rule names cost no option reads). */
bool policy_matches_any(const struct policy *p, const struct policy_proc *proc,
			const sockopt_sock *sock);
/*
 * Called for each expectation a socket does not meet: INDEX is the
 * option's index in SOCK (FOUND its value), or the negative errno its
 * read failed with (FOUND NULL).  A negative return stops the check.
 */
typedef int (*policy_violation_fn)(const struct policy_rule *r, const struct policy_expect *x,
				   const sockopt_sock *sock, int index, const sockopt_value *found,
				   void *ctx);
/*
 * Check SOCK (options read) against every rule of P that matches it;
 * options that do not apply to its kind, or that it could not have, are
 * not checked.  Returns the number of violations, or FN's negative return.
 */
int policy_check_socket(const struct policy *p, const struct policy_proc *proc,
			const sockopt_sock *sock, policy_violation_fn fn, void *ctx);
/* 1 when FOUND meets X, 0 when it does not, -EDOM when the type cannot be ordered. */
int policy_expect_holds(const struct policy_expect *x, const sockopt_value *found);
/* The option index of ENTRY in SOCK with its value in *V, the read's negative errno, or -ENOENT when it was not read. */
int policy_sock_value(const sockopt_sock *sock, const sockopt_entry *entry,
		      const sockopt_value **v);
/*
 * Why the kernel may hold FOUND rather than what X expects, as a phrase
 * for people ("" when nothing is known): the option is doubled, capped at
 * a sysctl maximum (named with its value), never set (the fresh socket's
 * default, with the sysctl it comes from).  INDEX is the option's index in SOCK.
 */
void policy_why(const struct policy_expect *x, const sockopt_sock *sock, size_t index,
		const sockopt_value *found, char *buf, size_t size);
/* Add to BUF what accept does with option E: copied from the listener, or not inherited. */
void policy_why_accepted(const sockopt_entry *e, char *buf, size_t size);

/* ---- names with any bytes (policy_text.c) -------------------------------- */

/* The length of the valid UTF-8 sequence at P, or 0 when P does not start one. */
size_t policy_utf8_length(const unsigned char *p);
/*
 * TEXT (a process name: any bytes) as valid UTF-8 on one line: control
 * bytes and bytes that are not UTF-8 become the four characters \xHH.
 */
void policy_text_clean(char *out, size_t size, const char *text);

/* ---- reading the machine's sockets (policy_walk.c) ----------------------- */

/*
 * Another reader of sockets than the pidfd scan (the BPF iterators): hand
 * FN each socket of process PID (0: of every process, and those no
 * process holds) that FILTER passes, in one pass, in any order.  The
 * number of sockets, or a negative errno with DIAG.
 */
typedef int (*policy_backend_fn)(sockopt_scan *scan, pid_t pid, sockopt_sock_pred filter,
				 void *filter_ctx, sockopt_sock_fn fn, void *ctx,
				 struct sockopt_diag *diag);

/* A TCP port a process listens on. */
struct policy_listener {
	pid_t pid;
	int port;
};

/*
 * A walk over the sockets of some processes (or of every process), each
 * with its process's owner and cgroup; the sockets the policy's rules
 * name (every socket when POLICY is NULL) have their options read.
 * Sockets may come from several processes in any order (the BPF reader).
 */
struct policy_walk {
	const struct policy *policy;
	unsigned scan_flags;	   /* SOCKOPT_SCAN_* */
	policy_backend_fn backend; /* NULL: the pidfd scan, process by process */
	/* Called per socket with its options read and its process. */
	int (*on_socket)(struct policy_walk *w, sockopt_sock *sock, const struct policy_proc *proc,
			 void *ctx);
	void *ctx;
	/* What the walk met. */
	size_t sockets, failed_processes, failed_sockets;
	char first_failure[SOCKOPT_TEXT_MAX];
	sockopt_scan *scan;
	struct policy_proc *procs, *current; /* the processes met, each read once */
	size_t nprocs;
	struct policy_listener *listeners;
	size_t nlisteners;
};

/*
 * Read the NPIDS processes in PIDS, or every process when NPIDS is 0.  A
 * named process that cannot be read is a failure (counted, its sentence
 * kept); on a whole-machine walk a process that exits meanwhile is not.
 * Returns 0, or a negative errno when the walk could not start.
 */
int policy_walk_run(struct policy_walk *w, const pid_t *pids, size_t npids,
		    struct sockopt_diag *diag);
/* Free what a walk kept (processes, listeners). */
void policy_walk_free(struct policy_walk *w);
/* Whether a socket of PID in STATE on LOCAL is a TCP connection on a port PID listens on: an accepted one. */
bool policy_walk_accepted(const struct policy_walk *w, pid_t pid, int state,
			  const sockopt_value *local);

#endif /* SOCKOPT_POLICY_H */
