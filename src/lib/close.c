/* close.c: the three SO_LINGER cases as explicit close helpers that report what happened. */
#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

/* A close in progress: the fd, when it began, and the result being filled. */
struct closing {
	int fd;
	long long start_us;
	struct sockopt_close_result res;
};

/* Start closing FD: the clock starts, and O will write the result's sentence. */
static void begin(struct closing *c, int fd, struct out *o)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->start_us = monotonic_us();
	c->res.unsent = -1;
	*o = (struct out){ c->res.text, sizeof(c->res.text), 0 };
}

/* Bytes in FD's send queue not yet acknowledged by the peer (SIOCOUTQ), or -1. */
static int send_queue(int fd)
{
	int n;

	return ioctl(fd, SIOCOUTQ, &n) == 0 ? n : -1;
}

/* Set SO_LINGER on C's fd through the catalog entry; on failure the sentence goes to O. */
static int set_linger(struct closing *c, int seconds, struct out *o)
{
	struct linger lg = { .l_onoff = 1, .l_linger = seconds };
	sockopt_value v = { .len = sizeof(lg) };
	struct sockopt_diag d;
	int r;

	memcpy(v.v.bytes, &lg, sizeof(lg));
	r = sockopt_set(c->fd, sockopt_catalog_find("SO_LINGER"), &v, NULL, &d);
	if (r < 0)
		out_printf(o, "%s The fd is closed all the same.", d.text);
	return r;
}

/* close(2) C's fd once (Linux frees the fd even when close fails), timing it. */
static void close_once(struct closing *c)
{
	c->res.unsent = send_queue(c->fd);
	c->res.close_errno = close(c->fd) < 0 ? errno : 0;
	c->res.elapsed_us = monotonic_us() - c->start_us;
}

/* "close returned 0" or "close failed with EIO", for the result sentences. */
static void say_close(const struct closing *c, struct out *o)
{
	if (c->res.close_errno)
		out_printf(o, "close failed with %s", errno_name(c->res.close_errno));
	else
		out_printf(o, "close returned 0");
}

/* Copy C's result to RES and return R, or close's own error when R is 0. */
static int finish(struct closing *c, int r, struct sockopt_close_result *res,
		  struct sockopt_diag *diag)
{
	if (r == 0 && c->res.close_errno)
		r = diag_set(diag, -c->res.close_errno, "close(%d): %s (%s).", c->fd,
			     strerror(c->res.close_errno), errno_name(c->res.close_errno));
	else if (r < 0 && diag)
		diag_set(diag, r, "%s", c->res.text);
	if (res)
		*res = c->res;
	return r;
}

SOCKOPT_EXPORT int sockopt_close_abortive(int fd, struct sockopt_close_result *res,
					  struct sockopt_diag *diag)
{
	struct closing c;
	struct out o;
	int r;

	begin(&c, fd, &o);
	r = set_linger(&c, 0, &o);
	close_once(&c);
	if (r < 0)
		return finish(&c, r, res, diag);
	out_printf(&o, "reset the connection (SO_LINGER on:0); ");
	say_close(&c, &o);
	if (c.res.unsent > 0)
		out_printf(&o, "; %d unacknowledged bytes were discarded.", c.res.unsent);
	else
		out_printf(&o, "; nothing was waiting to be acknowledged.");
	return finish(&c, 0, res, diag);
}

/* Read and count what the peer still sends until its EOF, an error or the deadline. */
static int drain(struct closing *c, int timeout_ms)
{
	long long deadline = timeout_ms >= 0 ? c->start_us + timeout_ms * 1000LL : 0;
	char buf[4096];

	for (;;) {
		long long left = deadline ? deadline - monotonic_us() : -1000;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (deadline && left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, deadline ? (int)((left + 999) / 1000) : -1) < 0 && errno != EINTR)
			return -errno;
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			c->res.unread += n;
		else if (n == 0)
			return 0;
		else if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

SOCKOPT_EXPORT int sockopt_close_graceful(int fd, int timeout_ms, struct sockopt_close_result *res,
					  struct sockopt_diag *diag)
{
	struct closing c;
	struct out o;
	int r;

	begin(&c, fd, &o);
	if (shutdown(fd, SHUT_WR) < 0) {
		r = -errno;
		close_once(&c);
		out_printf(&o, "shutdown(%d, SHUT_WR): %s (%s); closed it.", fd, strerror(-r),
			   errno_name(-r));
		return finish(&c, r, res, diag);
	}
	r = drain(&c, timeout_ms);
	c.res.peer_closed = r == 0;
	close_once(&c);
	if (r == 0)
		out_printf(&o, "peer closed after %lld ms", c.res.elapsed_us / 1000);
	else if (r == -ETIMEDOUT)
		out_printf(&o, "the deadline of %d ms passed before the peer closed", timeout_ms);
	else
		out_printf(&o, "reading until the peer closed failed after %lld ms: %s (%s)",
			   c.res.elapsed_us / 1000, strerror(-r), errno_name(-r));
	out_printf(&o, "; drained %lld bytes", c.res.unread);
	if (c.res.unsent > 0)
		out_printf(&o, "; %d bytes were not yet acknowledged", c.res.unsent);
	out_printf(&o, "; ");
	say_close(&c, &o);
	out_printf(&o, ".");
	return finish(&c, r, res, diag);
}

SOCKOPT_EXPORT int sockopt_close_linger(int fd, int seconds, struct sockopt_close_result *res,
					struct sockopt_diag *diag)
{
	struct closing c;
	struct out o;
	int r;

	if (seconds <= 0)
		return diag_set(diag, -EINVAL,
				"A linger close needs at least 1 second (0 is the abortive close).");
	begin(&c, fd, &o);
	r = set_linger(&c, seconds, &o);
	close_once(&c);
	if (r < 0)
		return finish(&c, r, res, diag);
	/* The kernel's wait is in jiffies; allow 1% for rounding when telling expiry. */
	c.res.linger_expired = c.res.elapsed_us >= seconds * 990000LL;
	say_close(&c, &o);
	out_printf(&o, " after %lld ms", c.res.elapsed_us / 1000);
	if (c.res.linger_expired)
		out_printf(&o, ": the %d s linger ran out before the peer acknowledged everything "
			   "(%d bytes were unacknowledged when close began); Linux keeps sending "
			   "them from the orphaned socket.", seconds, c.res.unsent);
	else
		out_printf(&o, ": the peer acknowledged everything, FIN included.");
	return finish(&c, c.res.linger_expired ? -ETIMEDOUT : 0, res, diag);
}
