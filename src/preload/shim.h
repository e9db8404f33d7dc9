/* shim.h: what the interposed calls of libsockopt-preload.so share: the real calls, the loaded specs, per-fd state. */
#ifndef SOCKOPT_SHIM_H
#define SOCKOPT_SHIM_H

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>

#include "run_env.h"
#include "sockopt.h"

/* Only the libc names leave the shim (preload.map says which). */
#define SHIM_EXPORT __attribute__((visibility("default")))

/* The calls the shim wraps, as the next object in the lookup order (libc) defines them. */
struct real_calls {
	int (*socket)(int, int, int);
	int (*socketpair)(int, int, int, int[2]);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*close)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);		       /* NULL in a C library without it */
	int (*close_range)(unsigned, unsigned, int); /* NULL before glibc 2.34 */
	void (*closefrom)(int);			       /* NULL before glibc 2.34 */
	int (*setsockopt)(int, int, int, const void *, socklen_t);
};

/* Resolved once, before any wrapper acts; valid whenever shim_get() has been called. */
extern struct real_calls real;

/*
 * The specs the shim holds: the four slots of run_env.h, and three
 * selections made from them once at load so that accepted sockets get
 * exactly what their listener did not pass on.
 */
enum shim_spec {
	SPEC_COMMON = RUN_SLOT_COMMON,
	SPEC_CONNECT = RUN_SLOT_CONNECT,
	SPEC_LISTEN = RUN_SLOT_LISTEN,
	SPEC_ACCEPT = RUN_SLOT_ACCEPT,
	SPEC_ACCEPT_INHERITED, /* after-accept entries the listener passes on: set before listen */
	SPEC_ACCEPT_OWN,       /* after-accept entries it does not: set after accept */
	SPEC_COMMON_OWN,       /* common any-phase entries it does not pass on: set after accept */
	SPEC_COUNT
};

/* What the shim loaded from the environment; read-only once loaded, so threads share it. */
struct shim {
	sockopt_spec *spec[SPEC_COUNT]; /* NULL when empty */
	unsigned kinds;			/* the kinds the filter keeps */
	unsigned switches;		/* RUN_VERBOSE, RUN_STRICT */
};

/* One application: the entries of a spec whose phase is PHASE. */
struct shim_step {
	enum shim_spec spec;
	enum sockopt_phase phase;
};

/*
 * What the shim knows of one fd: its kind (the SOCKOPT_KIND_* bit, 0 when
 * the filter leaves it alone or sockopt does not cover it) ORed with the
 * bits below; 0 when it knows nothing.
 */
enum fd_bit {
	FD_SEEN = 1u << 9,	 /* made by a wrapped call since it was last closed */
	FD_BOUND = 1u << 10,	 /* bound, or its before-bind entries are done */
	FD_CONNECTED = 1u << 11, /* its before-connect entries are done */
	FD_LISTENING = 1u << 12, /* its before-listen and inherited after-accept entries are done */
	FD_EARLY = 1u << 13,	 /* connectionless: the common entries of every phase are done */
};

/* The kind in a state, 0 for a socket the shim leaves alone. */
static inline unsigned fd_kind(unsigned state)
{
	return state & SOCKOPT_KIND_ALL;
}

/*
 * The loaded shim, or NULL when the wrapper should only pass the call on:
 * no spec in the environment, a spec that did not parse, or a call made
 * by the shim itself.  Loads on first use; after that one load and a
 * thread-local test.
 */
const struct shim *shim_get(void);

/* The state bits of FD; for an fd the shim did not make, asked of the kernel once. */
unsigned shim_fd_state(const struct shim *s, int fd);
/* Replace the state of FD (0 forgets it), or add BITS to it. */
void shim_fd_set(int fd, unsigned state);
void shim_fd_add(int fd, unsigned bits);
/* TO is now a second number of FROM's socket: it gets everything the shim knows of FROM. */
void shim_fd_copy(int from, int to);
/* Forget the fds FIRST..LAST (closed together by close_range or closefrom). */
void shim_fd_forget(unsigned first, unsigned last);

/*
 * Apply the N steps to FD of kind KIND in order.  Returns 0, or under
 * --strict the negative errno of the first failed entry (the steps after
 * it are not applied).  Logs every entry under --verbose.  Leaves errno alone.
 */
int shim_apply(const struct shim *s, int fd, unsigned kind, const struct shim_step *steps,
	       size_t n);

/* A new socket FD made by socket(FAMILY, TYPE, PROTOCOL): note it and apply its any-phase entries. */
int shim_after_socket(const struct shim *s, int fd, int family, int type, int protocol);
/* Before bind(), connect() or listen() on FD of state *STATE: the before-bind entries, once. */
int shim_before_bind(const struct shim *s, int fd, unsigned *state);
/*
 * Before the first connect() or listen() on FD: the before-bind entries,
 * then the N STEPS (less the first SKIP_EARLY for a connectionless socket,
 * which had those at socket()), then DONE (FD_CONNECTED, FD_LISTENING)
 * added to its state.  Nothing for a socket left alone or already DONE.
 */
int shim_before_peer(const struct shim *s, int fd, unsigned done, const struct shim_step *steps,
		     size_t n, size_t skip_early);

/*
 * Open the log (log.c): the file PATH when given, else a copy of standard
 * error as it is now; no log when neither can be had.
 */
void shim_log_open(const char *path);
/* The log's descriptor, or -1: a number the program never opened. */
int shim_log_fd(void);
/* Move the log off its number, which the program is about to take with dup2; -1 when it cannot. */
int shim_log_move(void);
/* Log one line "sockopt[PID]: …" with a single write, while the log is still the file it opened. */
void shim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The edge to the libc convention: the logic returns a result or a
 * negative errno; the wrapper returns R with errno as its caller had it
 * (SAVED), or -1 with errno = -R.  Every wrapper ends here, so errno is
 * right on every path, whatever the shim's own calls did to it.
 */
static inline int shim_return(int r, int saved)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	errno = saved;
	return r;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* SOCKOPT_SHIM_H */
