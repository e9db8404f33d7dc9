/* shim.c: the preload shim's core: real symbols and the spec loaded once, per-fd state, applying and logging. */
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"

struct real_calls real;

static struct shim loaded;
static const struct shim *active; /* &loaded once a spec loaded, else NULL */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/*
 * Set while the shim itself runs library code, which may open and close
 * files (sysctls for a readback): the wrappers then only pass calls on.
 * Initial-exec TLS is right for a library that is preloaded, never dlopened.
 */
static __thread int busy __attribute__((tls_model("initial-exec")));

/*
 * What the shim knows of each fd below SHIM_FD_MAX, two bytes each (2 MiB
 * of zero pages, touched only where fds are).  Relaxed atomics suffice:
 * an fd's state changes only in calls the program makes on that fd, and a
 * program that races two of them on one fd gets one of the two outcomes.
 */
#define SHIM_FD_MAX (1 << 20)
static _Atomic unsigned short fd_states[SHIM_FD_MAX];

/*
 * Resolve the real calls; a libc without one of the required ones cannot
 * run the program at all.  The log is opened (with the real fcntl) only
 * after this, so the one line before abort goes to standard error.
 */
static void resolve_real(void)
{
	static const struct {
		const char *name;
		void **slot;
		bool optional;
	} calls[] = {
		{ "socket", (void **)&real.socket, false },
		{ "socketpair", (void **)&real.socketpair, false },
		{ "bind", (void **)&real.bind, false },
		{ "connect", (void **)&real.connect, false },
		{ "listen", (void **)&real.listen, false },
		{ "accept", (void **)&real.accept, false },
		{ "accept4", (void **)&real.accept4, false },
		{ "close", (void **)&real.close, false },
		{ "dup", (void **)&real.dup, false },
		{ "dup2", (void **)&real.dup2, false },
		{ "dup3", (void **)&real.dup3, false },
		{ "fcntl", (void **)&real.fcntl, false },
		{ "fcntl64", (void **)&real.fcntl64, true },
		{ "close_range", (void **)&real.close_range, true },
		{ "closefrom", (void **)&real.closefrom, true },
		{ "setsockopt", (void **)&real.setsockopt, false },
	};

	for (size_t i = 0; i < ARRAY_LEN(calls); i++) {
		*calls[i].slot = dlsym(RTLD_NEXT, calls[i].name);
		if (!*calls[i].slot && !calls[i].optional) {
			dprintf(STDERR_FILENO, "sockopt: the C library has no %s(); cannot run.\n",
				calls[i].name);
			abort();
		}
	}
}

/* Add the spec variables of the environment to S; false with a warning when one does not parse. */
static bool load_specs(struct shim *s, bool *any)
{
	struct sockopt_diag d;

	for (size_t i = 0; i < RUN_VAR_COUNT; i++) {
		const char *text = getenv(run_vars[i].name);
		sockopt_spec **slot = &s->spec[run_vars[i].slot];

		if (!text || !*text)
			continue;
		if (!*slot && !(*slot = sockopt_spec_new())) {
			shim_log("out of memory loading %s; sockets are left as they are.",
				 run_vars[i].name);
			return false;
		}
		if (sockopt_spec_add(*slot, text, run_vars[i].phase, &d) < 0) {
			shim_log("ignoring %s=\"%s\": %s Sockets are left as they are.",
				 run_vars[i].name, text, d.text);
			return false;
		}
		*any = true;
	}
	return true;
}

/* Make the selections of shim.h from the slots. */
static bool select_specs(struct shim *s)
{
	static const struct {
		enum shim_spec to, from;
		int phase;
		bool inherited;
	} selections[] = {
		{ SPEC_ACCEPT_INHERITED, SPEC_ACCEPT, SOCKOPT_PHASE_AFTER_ACCEPT, true },
		{ SPEC_ACCEPT_OWN, SPEC_ACCEPT, SOCKOPT_PHASE_AFTER_ACCEPT, false },
		{ SPEC_COMMON_OWN, SPEC_COMMON, SOCKOPT_PHASE_ANY, false },
	};

	for (size_t i = 0; i < ARRAY_LEN(selections); i++) {
		const sockopt_spec *from = s->spec[selections[i].from];

		if (from && sockopt_spec_select(from, selections[i].phase, SOCKOPT_FLAG_INHERITED,
						selections[i].inherited,
						&s->spec[selections[i].to], NULL) < 0) {
			shim_log("out of memory loading the spec; sockets are left as they are.");
			return false;
		}
	}
	return true;
}

static void free_specs(struct shim *s)
{
	for (size_t i = 0; i < SPEC_COUNT; i++) {
		sockopt_spec_free(s->spec[i]);
		s->spec[i] = NULL;
	}
}

/* Read the environment once; any problem leaves the shim passive with one warning. */
static void load(void)
{
	const char *flags = getenv(RUN_FLAGS_VAR);
	bool any = false;

	busy = 1;
	resolve_real();
	shim_log_open(getenv(RUN_LOG_VAR));
	if (!run_flags_parse(flags, &loaded.kinds, &loaded.switches))
		shim_log("ignoring %s=\"%s\": the words are tcp, udp, ipv4, ipv6, verbose and "
			 "strict. Sockets are left as they are.",
			 RUN_FLAGS_VAR, flags);
	else if (load_specs(&loaded, &any) && any && select_specs(&loaded))
		active = &loaded;
	if (!active)
		free_specs(&loaded);
	busy = 0;
}

__attribute__((constructor)) static void shim_constructor(void)
{
	pthread_once(&load_once, load);
}

const struct shim *shim_get(void)
{
	if (busy)
		return NULL;
	pthread_once(&load_once, load);
	return active;
}

/* One more than the highest fd the shim ever knew something of: what a range close forgets. */
static _Atomic int fd_end;

void shim_fd_set(int fd, unsigned state)
{
	if (fd < 0 || fd >= SHIM_FD_MAX)
		return;
	if (state) {
		int end = atomic_load_explicit(&fd_end, memory_order_relaxed);

		while (fd >= end && !atomic_compare_exchange_weak_explicit(
					    &fd_end, &end, fd + 1, memory_order_relaxed,
					    memory_order_relaxed))
			;
	}
	atomic_store_explicit(&fd_states[fd], (unsigned short)state, memory_order_relaxed);
}

void shim_fd_copy(int from, int to)
{
	unsigned state = 0;

	if (from >= 0 && from < SHIM_FD_MAX)
		state = atomic_load_explicit(&fd_states[from], memory_order_relaxed);
	shim_fd_set(to, state);
}

void shim_fd_forget(unsigned first, unsigned last)
{
	unsigned end = (unsigned)atomic_load_explicit(&fd_end, memory_order_relaxed);

	for (unsigned fd = first; fd <= last && fd < end; fd++)
		atomic_store_explicit(&fd_states[fd], 0, memory_order_relaxed);
}

void shim_fd_add(int fd, unsigned bits)
{
	if (fd >= 0 && fd < SHIM_FD_MAX)
		atomic_fetch_or_explicit(&fd_states[fd], (unsigned short)bits, memory_order_relaxed);
}

/*
 * An fd the shim did not make (inherited across exec, passed over a unix
 * socket, dup'ed, or beyond the table): learn its kind and whether it is
 * bound from the kernel.  It is never taken for a prepared listener, so
 * its accepted sockets get every entry.
 */
unsigned shim_fd_state(const struct shim *s, int fd)
{
	unsigned state = 0, kind;
	int saved = errno;

	if (fd >= 0 && fd < SHIM_FD_MAX)
		state = atomic_load_explicit(&fd_states[fd], memory_order_relaxed);
	if (state & FD_SEEN)
		return state;
	state = FD_SEEN;
	if (sockopt_kind_of_fd(fd, &kind, NULL) == 0 && (kind & s->kinds))
		state |= kind | (sockopt_fd_is_bound(fd) ? FD_BOUND : 0);
	shim_fd_set(fd, state);
	errno = saved;
	return state;
}

/* What one application heard: the switches, and the first failure for --strict. */
struct heard {
	const struct shim *s;
	int first_error;
};

static void report(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	static const char *const outcome[] = { "applied", "skipped", "failed" };
	struct heard *h = ctx;

	if (h->s->switches & RUN_VERBOSE)
		shim_log("fd %d (phase %s) %s: %s", fd, sockopt_phase_name(r->phase),
			 outcome[r->outcome], r->text);
	if (r->outcome == SOCKOPT_FAILED && !h->first_error)
		h->first_error = r->error;
}

int shim_apply(const struct shim *s, int fd, unsigned kind, const struct shim_step *steps,
	       size_t n)
{
	/* Without --verbose or --strict nobody listens: no readback, no sentences. */
	bool listen = s->switches & (RUN_VERBOSE | RUN_STRICT);
	struct heard h = { s, 0 };

	busy = 1;
	for (size_t i = 0; i < n && !h.first_error; i++) {
		const sockopt_spec *spec = s->spec[steps[i].spec];

		if (sockopt_spec_has_phase(spec, steps[i].phase, SOCKOPT_KIND_ALL))
			sockopt_spec_apply_kind(fd, spec, steps[i].phase, kind,
						listen ? report : NULL, &h);
	}
	busy = 0;
	return (s->switches & RUN_STRICT) ? h.first_error : 0;
}

/*
 * A connectionless socket may send without ever binding or connecting
 * (the kernel binds it at the first sendto, which the shim does not
 * wrap), so it gets the common entries of every phase at once; right
 * after socket() is before bind and before connect too.
 */
#define CONNECTIONLESS                                                                       \
	(SOCKOPT_KIND_UDP | SOCKOPT_KIND_UDP6 | SOCKOPT_KIND_RAW | SOCKOPT_KIND_RAW6 |      \
	 SOCKOPT_KIND_UNIX_DGRAM)

int shim_after_socket(const struct shim *s, int fd, int family, int type, int protocol)
{
	static const struct shim_step any = { SPEC_COMMON, SOCKOPT_PHASE_ANY };
	static const struct shim_step early[] = {
		{ SPEC_COMMON, SOCKOPT_PHASE_ANY },
		{ SPEC_COMMON, SOCKOPT_PHASE_BEFORE_BIND },
		{ SPEC_COMMON, SOCKOPT_PHASE_BEFORE_CONNECT },
	};
	unsigned kind;
	bool covered = sockopt_kind_of_triple(family, type, protocol, &kind) == 0;

	if (covered && (kind & CONNECTIONLESS & s->kinds)) {
		shim_fd_set(fd, FD_SEEN | kind | FD_BOUND | FD_EARLY);
		return shim_apply(s, fd, kind, early, ARRAY_LEN(early));
	}
	if (covered && (kind & s->kinds)) {
		shim_fd_set(fd, FD_SEEN | kind);
		return shim_apply(s, fd, kind, &any, 1);
	}
	shim_fd_set(fd, FD_SEEN);
	if ((s->switches & RUN_VERBOSE) && covered)
		shim_log("fd %d: a %s socket, which the filter leaves alone.", fd,
			 sockopt_kind_name(kind));
	else if (s->switches & RUN_VERBOSE)
		shim_log("fd %d: a socket of a kind sockopt does not cover; left alone.", fd);
	return 0;
}

int shim_before_peer(const struct shim *s, int fd, unsigned done, const struct shim_step *steps,
		     size_t n, size_t skip_early)
{
	unsigned state = shim_fd_state(s, fd);
	size_t first = state & FD_EARLY ? skip_early : 0;
	int r;

	if (!fd_kind(state) || (state & done))
		return 0;
	r = shim_before_bind(s, fd, &state);
	if (r == 0)
		r = shim_apply(s, fd, fd_kind(state), steps + first, n - first);
	if (r == 0)
		shim_fd_add(fd, done);
	return r;
}

int shim_before_bind(const struct shim *s, int fd, unsigned *state)
{
	static const struct shim_step bind = { SPEC_COMMON, SOCKOPT_PHASE_BEFORE_BIND };
	int r;

	if (!fd_kind(*state) || (*state & FD_BOUND))
		return 0;
	r = shim_apply(s, fd, fd_kind(*state), &bind, 1);
	if (r == 0) {
		*state |= FD_BOUND;
		shim_fd_add(fd, FD_BOUND);
	}
	return r;
}
