/* dial.c: dial, listen and accept with a spec applied at each phase, in the spirit of Go's net.Dialer. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

/* What one dial or listen carries from step to step. */
struct dial {
	const struct sockopt_dial_config *cfg;
	long long deadline_us; /* 0: none */
	char where[96];	 /* the address being tried, "127.0.0.1:9" */
	int first_error;		   /* the first FAILED spec entry, its errno */
	char first_text[SOCKOPT_TEXT_MAX];
};

static const struct sockopt_dial_config no_config;

/* How the failure sentences name the options of each phase. */
static const char *const phase_words[SOCKOPT_PHASE_COUNT] = {
	[SOCKOPT_PHASE_ANY] = "any-time",
	[SOCKOPT_PHASE_BEFORE_BIND] = "before-bind",
	[SOCKOPT_PHASE_BEFORE_CONNECT] = "before-connect",
	[SOCKOPT_PHASE_AFTER_ACCEPT] = "after-accept",
};

/* The sentence "STEP: Connection refused (ECONNREFUSED)." for ERR; returns ERR. */
static int step_failed(struct sockopt_diag *diag, int err, const char *step)
{
	return diag_set(diag, err, "%s: %s (%s).", step, strerror(-err), errno_name(-err));
}

/* "127.0.0.1:9" or "[::1]:9" for SA, into BUF. */
static void format_address(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	char host[64], port[16];

	if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, size, "an address of family %d", sa->sa_family);
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", host, port);
	else
		snprintf(buf, size, "%s:%s", host, port);
}

/* getaddrinfo's failure as a negative errno and a sentence naming HOST:PORT. */
static int resolve_failed(struct sockopt_diag *diag, int gai, const char *what, const char *host,
			  const char *port)
{
	int err;

	switch (gai) {
	case EAI_SYSTEM:
		err = -errno;
		break;
	case EAI_AGAIN:
		err = -EAGAIN;
		break;
	case EAI_MEMORY:
		err = -ENOMEM;
		break;
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
	case EAI_ADDRFAMILY:
		err = -EADDRNOTAVAIL;
		break;
	default:
		err = -EINVAL;
	}
	return diag_set(diag, err, "resolve %s %s:%s: %s.", what, host ? host : "*",
			port ? port : "0", gai == EAI_SYSTEM ? strerror(-err) : gai_strerror(gai));
}

/* Resolve HOST:PORT for a socket of FAMILY and TYPE; PASSIVE for a local address. */
static int resolve(const char *host, const char *port, int family, int type, bool passive,
		   struct addrinfo **res, struct sockopt_diag *diag)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = type,
		.ai_flags = passive ? AI_PASSIVE : 0,
	};
	int gai = getaddrinfo(host, port ? port : "0", &hints, res);

	return gai ? resolve_failed(diag, gai, passive ? "local address" : "address", host, port)
		   : 0;
}

/* Keep the first failed entry's sentence, then pass the result on to the caller's report. */
static void note_entry(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	struct dial *d = ctx;

	if (r->outcome == SOCKOPT_FAILED && !d->first_error) {
		d->first_error = r->error;
		snprintf(d->first_text, sizeof(d->first_text), "%s", r->text);
	}
	if (d->cfg->report)
		d->cfg->report(fd, r, d->cfg->report_ctx);
}

/* Apply the spec's entries of PHASE to FD; a failed entry fails the step. */
static int apply_phase(struct dial *d, int fd, enum sockopt_phase phase,
		       struct sockopt_diag *diag)
{
	int r;

	if (!d->cfg->spec)
		return 0;
	d->first_error = 0;
	r = sockopt_spec_apply(fd, d->cfg->spec, phase, note_entry, d);
	if (r < 0)
		return step_failed(diag, r, "apply options");
	if (r > 0)
		return diag_set(diag, d->first_error, "apply the %s options for %s: %s",
				phase_words[phase], d->where, d->first_text);
	return 0;
}

/* socket(2) for AI (non-blocking when NONBLOCK), then the any-time and before-bind entries. */
static int open_socket(struct dial *d, const struct addrinfo *ai, bool nonblock,
		       struct sockopt_diag *diag)
{
	char step[160];
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
			ai->ai_protocol);
	int r;

	if (fd < 0) {
		snprintf(step, sizeof(step), "create a socket for %s", d->where);
		return step_failed(diag, -errno, step);
	}
	r = apply_phase(d, fd, SOCKOPT_PHASE_ANY, diag);
	if (r == 0)
		r = apply_phase(d, fd, SOCKOPT_PHASE_BEFORE_BIND, diag);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* bind(2) FD to the config's local address, resolved for FAMILY. */
static int bind_local(struct dial *d, int fd, int family, struct sockopt_diag *diag)
{
	const struct sockopt_dial_config *cfg = d->cfg;
	struct addrinfo *local;
	char step[256], where[sizeof(d->where)];
	int r = resolve(cfg->local_host, cfg->local_port, family, 0, true, &local, diag);

	if (r < 0)
		return r;
	format_address(local->ai_addr, local->ai_addrlen, where, sizeof(where));
	if (bind(fd, local->ai_addr, local->ai_addrlen) < 0) {
		snprintf(step, sizeof(step), "bind to %s before connecting to %s", where, d->where);
		r = step_failed(diag, -errno, step);
	}
	freeaddrinfo(local);
	return r;
}

/* Milliseconds left until D's deadline for poll(2): -1 for none, 0 when passed. */
static int time_left_ms(const struct dial *d)
{
	long long left;

	if (!d->deadline_us)
		return -1;
	left = d->deadline_us - monotonic_us();
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Wait for a non-blocking connect on FD to finish, then read its result from SO_ERROR. */
static int finish_connect(struct dial *d, int fd, struct sockopt_diag *diag)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	char step[160];
	sockopt_value err;
	int n;

	snprintf(step, sizeof(step), "connect to %s", d->where);
	do
		n = poll(&p, 1, time_left_ms(d));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return step_failed(diag, -errno, step);
	if (n == 0)
		return diag_set(diag, -ETIMEDOUT, "%s: no answer within %d ms (ETIMEDOUT).", step,
				d->cfg->timeout_ms);
	/* The catalog's SO_ERROR entry: reading it also clears the pending error. */
	n = sockopt_get(fd, sockopt_catalog_find("SO_ERROR"), &err, diag);
	if (n < 0)
		return n;
	return err.v.i ? step_failed(diag, -err.v.i, step) : 0;
}

/* Connect FD to AI within D's deadline. */
static int connect_within(struct dial *d, int fd, const struct addrinfo *ai,
			  struct sockopt_diag *diag)
{
	char step[160];

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno == EINPROGRESS || errno == EINTR)
		return finish_connect(d, fd, diag);
	snprintf(step, sizeof(step), "connect to %s", d->where);
	return step_failed(diag, -errno, step);
}

/* One dial attempt to AI: every step from socket to a connected fd in the asked mode. */
static int dial_one(struct dial *d, const struct addrinfo *ai, struct sockopt_diag *diag)
{
	const struct sockopt_dial_config *cfg = d->cfg;
	int fd = open_socket(d, ai, true, diag), r = 0;

	if (fd < 0)
		return fd;
	if (cfg->local_host || cfg->local_port)
		r = bind_local(d, fd, ai->ai_family, diag);
	if (r == 0)
		r = apply_phase(d, fd, SOCKOPT_PHASE_BEFORE_CONNECT, diag);
	if (r == 0)
		r = connect_within(d, fd, ai, diag);
	if (r == 0 && !cfg->nonblocking)
		r = sockopt_fd_set_nonblocking(fd, false, diag);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* One listen attempt on AI: socket, options, bind, options, listen. */
static int listen_one(struct dial *d, const struct addrinfo *ai, struct sockopt_diag *diag)
{
	const struct sockopt_dial_config *cfg = d->cfg;
	int fd = open_socket(d, ai, cfg->nonblocking, diag), r = 0;
	char step[160];

	if (fd < 0)
		return fd;
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		snprintf(step, sizeof(step), "bind to %s", d->where);
		r = step_failed(diag, -errno, step);
	}
	if (r == 0)
		r = apply_phase(d, fd, SOCKOPT_PHASE_BEFORE_CONNECT, diag);
	if (r == 0 && ai->ai_socktype == SOCK_STREAM &&
	    listen(fd, cfg->backlog > 0 ? cfg->backlog : SOMAXCONN) < 0) {
		snprintf(step, sizeof(step), "listen on %s", d->where);
		r = step_failed(diag, -errno, step);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Resolve, then try ONE on each address in order; the first error is the one reported. */
static int each_address(const char *host, const char *port, const struct sockopt_dial_config *cfg,
			bool passive, int (*one)(struct dial *, const struct addrinfo *,
						 struct sockopt_diag *),
			struct sockopt_diag *diag)
{
	struct dial d = { .cfg = cfg ? cfg : &no_config };
	struct sockopt_diag first = { 0 }, later;
	struct addrinfo *res;
	int fd = -EADDRNOTAVAIL, tried = 0;

	if (d.cfg->timeout_ms > 0)
		d.deadline_us = monotonic_us() + d.cfg->timeout_ms * 1000LL;
	fd = resolve(host, port, d.cfg->family, d.cfg->type ? d.cfg->type : SOCK_STREAM, passive,
		     &res, diag);
	if (fd < 0)
		return fd;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next, tried++) {
		format_address(ai->ai_addr, ai->ai_addrlen, d.where, sizeof(d.where));
		fd = one(&d, ai, tried ? &later : &first);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		return fd;
	if (tried > 1)
		return diag_set(diag, first.error, "%.*s (and %d more addresses failed)",
				(int)strlen(first.text) - 1, first.text, tried - 1);
	return diag_set(diag, first.error, "%s", first.text);
}

SOCKOPT_EXPORT int sockopt_dial(const char *host, const char *port,
				const struct sockopt_dial_config *cfg, struct sockopt_diag *diag)
{
	return each_address(host, port, cfg, false, dial_one, diag);
}

SOCKOPT_EXPORT int sockopt_listen(const char *host, const char *port,
				  const struct sockopt_dial_config *cfg, struct sockopt_diag *diag)
{
	return each_address(host, port, cfg, true, listen_one, diag);
}

SOCKOPT_EXPORT int sockopt_accept(int fd, const struct sockopt_dial_config *cfg,
				  struct sockaddr *addr, socklen_t *addrlen,
				  struct sockopt_diag *diag)
{
	struct dial d = { .cfg = cfg ? cfg : &no_config };
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char step[64];
	int conn, r;

	conn = accept4(fd, (struct sockaddr *)&peer, &len,
		       SOCK_CLOEXEC | (d.cfg->nonblocking ? SOCK_NONBLOCK : 0));
	if (conn < 0) {
		snprintf(step, sizeof(step), "accept on fd %d", fd);
		return step_failed(diag, -errno, step);
	}
	format_address((struct sockaddr *)&peer, len, d.where, sizeof(d.where));
	r = apply_phase(&d, conn, SOCKOPT_PHASE_AFTER_ACCEPT, diag);
	if (r < 0) {
		close(conn);
		return r;
	}
	if (addr && addrlen) {
		memcpy(addr, &peer, len < *addrlen ? len : *addrlen);
		*addrlen = len;
	}
	return conn;
}
