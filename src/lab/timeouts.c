/* timeouts.c: experiments on SO_RCVTIMEO and SO_SNDTIMEO: what a timed-out call returns, 0, poll, connect, and signals. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define TIMEOUT_MS 200
#define LATE_MS 300

/* A timed recv on FD: bytes or -errno, and the time it took. */
static long long timed_recv(int fd, size_t want, long long *us)
{
	char buf[256];
	long long t0 = labnet_now_us();
	ssize_t n = recv(fd, buf, want < sizeof(buf) ? want : sizeof(buf), 0);

	*us = labnet_now_us() - t0;
	return n < 0 ? -errno : n;
}

/* A blocking send of LEN bytes on FD: bytes or -errno, and the time it took. */
static long long timed_send(int fd, size_t len, long long *us)
{
	char *buf = calloc(1, len);
	long long t0 = labnet_now_us();
	ssize_t n = buf ? send(fd, buf, len, MSG_NOSIGNAL) : -1;
	int err = errno;

	*us = labnet_now_us() - t0;
	free(buf);
	return n < 0 ? -err : n;
}

static void *send_late(void *arg)
{
	labnet_sleep_ms(LATE_MS);
	if (send(*(int *)arg, "late", 4, MSG_NOSIGNAL) < 0)
		return NULL;
	return NULL;
}

/* The receive side: a timed-out recv, a recv with timeout 0 that waits for late data, and poll. */
static void receive_side(struct lab_result *r, int c, int s)
{
	struct pollfd p = { .fd = c, .events = POLLIN };
	pthread_t late;
	long long us, n, t0;

	n = timed_recv(c, 1, &us);
	lab_errno(r, "recv_errno", n < 0 ? (int)n : 0);
	lab_int(r, "recv_elapsed_us", us);
	t0 = labnet_now_us();
	lab_int(r, "poll_ready", poll(&p, 1, LATE_MS));
	lab_int(r, "poll_elapsed_us", labnet_now_us() - t0);
	lab_set(c, "SO_RCVTIMEO", "0");
	if (pthread_create(&late, NULL, send_late, &s) != 0)
		return;
	n = timed_recv(c, 4, &us);
	pthread_join(late, NULL);
	lab_int(r, "zero_bytes", n);
	lab_int(r, "zero_elapsed_us", us);
}

/*
 * The send side: a send that fills the buffers returns what it moved; the
 * next one times out.  A fixed SO_SNDBUF stops send-buffer autotuning from
 * making room between the two.
 */
static void send_side(struct lab_result *r, int c)
{
	long long us, n;

	lab_set(c, "SO_SNDBUF", "64K");
	n = timed_send(c, 64 << 20, &us);
	lab_int(r, "send_partial_bytes", n);
	n = timed_send(c, 1 << 20, &us);
	lab_errno(r, "send_full_errno", n < 0 ? (int)n : 0);
	lab_int(r, "send_full_elapsed_us", us);
}

/* ---- a signal during a blocking recv ---------------------------------- */

#define SIGNAL_MS 100
#define DATA_MS 300

static void on_signal(int sig)
{
	(void)sig;
}

struct interrupter {
	pthread_t target;
	int peer;
};

/* Signal the target thread at SIGNAL_MS, then send it a byte at DATA_MS. */
static void *interrupt_then_send(void *arg)
{
	const struct interrupter *in = arg;

	labnet_sleep_ms(SIGNAL_MS);
	pthread_kill(in->target, SIGUSR1);
	labnet_sleep_ms(DATA_MS - SIGNAL_MS);
	if (send(in->peer, "x", 1, MSG_NOSIGNAL) < 0)
		return NULL;
	return NULL;
}

/*
 * A blocking recv on a fresh pair, with a SIGUSR1 handler installed with
 * FLAGS, and SO_RCVTIMEO TIMEOUT ("0": none): its errno as PREFIX_errno
 * and its duration as PREFIX_us.
 */
static void interrupted_recv(struct lab_result *r, int flags, const char *timeout, const char *prefix)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	struct interrupter in = { .target = pthread_self() };
	char field[LAB_NAME_MAX], b;
	pthread_t t;
	long long t0;
	int c, err;

	if (labnet_tcp_pair("127.0.0.1", &c, &in.peer) < 0)
		return;
	sigaction(SIGUSR1, &sa, NULL);
	lab_set(c, "SO_RCVTIMEO", timeout);
	if (pthread_create(&t, NULL, interrupt_then_send, &in) == 0) {
		t0 = labnet_now_us();
		err = recv(c, &b, 1, 0) < 0 ? errno : 0;
		snprintf(field, sizeof(field), "%s_us", prefix);
		lab_int(r, field, labnet_now_us() - t0);
		snprintf(field, sizeof(field), "%s_errno", prefix);
		lab_errno(r, field, err);
		pthread_join(t, NULL);
	}
	close(c);
	close(in.peer);
}

/* Blocking recvs interrupted by a signal: without SA_RESTART, with it, with it and a timeout. */
static void signal_side(struct lab_result *r)
{
	interrupted_recv(r, 0, "0", "plain");
	interrupted_recv(r, SA_RESTART, "0", "restart");
	interrupted_recv(r, SA_RESTART, "1s", "restart_timeo");
}

static void observe_signals(struct lab_result *r)
{
	lab_observe_more(r, " A signal at %d ms into a blocking recv (data comes at %d ms): with a "
			    "handler without SA_RESTART the recv returned %s after %.0f ms; with "
			    "SA_RESTART it returned %s after %.0f ms; with SA_RESTART and SO_RCVTIMEO "
			    "1 s, %s after %.0f ms.",
		    SIGNAL_MS, DATA_MS, lab_word(r, "plain_errno"), lab_num(r, "plain_us") / 1000.0,
		    lab_word(r, "restart_errno"), lab_num(r, "restart_us") / 1000.0,
		    lab_word(r, "restart_timeo_errno"), lab_num(r, "restart_timeo_us") / 1000.0);
}

/*
 * A connect that times out: a listener with backlog 0 holds one finished
 * connection in its accept queue, so the kernel drops the next SYN and
 * the connect waits for an answer that does not come within SO_SNDTIMEO.
 */
static void connect_side(struct lab_result *r, const char *timeout)
{
	int l = labnet_socket("127.0.0.1", SOCK_STREAM), first = -1, c = -1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	long long t0;

	if (l < 0 || labnet_bind(l, "127.0.0.1", 0) < 0 || listen(l, 0) < 0 ||
	    getsockname(l, (struct sockaddr *)&ss, &len) < 0)
		goto out;
	first = labnet_socket("127.0.0.1", SOCK_STREAM);
	c = labnet_socket("127.0.0.1", SOCK_STREAM);
	if (first < 0 || c < 0 || connect(first, (struct sockaddr *)&ss, len) < 0)
		goto out;
	lab_set(c, "SO_SNDTIMEO", timeout);
	t0 = labnet_now_us();
	lab_errno(r, "connect_errno", connect(c, (struct sockaddr *)&ss, len) < 0 ? errno : 0);
	lab_int(r, "connect_elapsed_us", labnet_now_us() - t0);
out:
	labnet_close(c);
	labnet_close(first);
	labnet_close(l);
}

static void run_rcvtimeo(struct lab_result *r)
{
	char text[32];
	int c, s;

	if (!lab_opt(r, "SO_RCVTIMEO") || !lab_opt(r, "SO_SNDTIMEO"))
		return;
	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return (void)lab_skip(r, "no loopback TCP pair");
	snprintf(text, sizeof(text), "%dms", TIMEOUT_MS);
	lab_set(c, "SO_RCVTIMEO", text);
	lab_set(c, "SO_SNDTIMEO", text);
	lab_get_text(c, "SO_RCVTIMEO", text, sizeof(text));
	lab_str(r, "so_rcvtimeo", text);
	receive_side(r, c, s);
	send_side(r, c);
	close(c);
	close(s);
	snprintf(text, sizeof(text), "%dms", TIMEOUT_MS);
	connect_side(r, text);
	signal_side(r);
	lab_observe(r, "With SO_RCVTIMEO %s a recv on an idle connection returned %s after %.0f ms; "
		       "poll for %d ms with that timeout set waited %.0f ms; with SO_RCVTIMEO 0 a recv "
		       "waited %.0f ms for data sent %d ms later. With SO_SNDTIMEO %d ms a 64 MiB send "
		       "to a peer that does not read returned %lld bytes; the next send returned %s "
		       "after %.0f ms; a connect to a listener whose accept queue is full returned %s "
		       "after %.0f ms.",
		    text, lab_word(r, "recv_errno"), lab_num(r, "recv_elapsed_us") / 1000.0,
		    LATE_MS, lab_num(r, "poll_elapsed_us") / 1000.0,
		    lab_num(r, "zero_elapsed_us") / 1000.0, LATE_MS, TIMEOUT_MS,
		    lab_num(r, "send_partial_bytes"), lab_word(r, "send_full_errno"),
		    lab_num(r, "send_full_elapsed_us") / 1000.0, lab_word(r, "connect_errno"),
		    lab_num(r, "connect_elapsed_us") / 1000.0);
	observe_signals(r);
}

const struct lab_experiment lab_timeouts[] = {
	{ .id = "rcvtimeo", .title = "SO_RCVTIMEO/SO_SNDTIMEO: time-out, partial transfer, 0, poll, connect, signals",
	  .options = "SO_RCVTIMEO SO_SNDTIMEO",
	  .method = "Loopback pair, 200 ms timeouts: recv on an idle connection; poll for 300 ms; recv "
		    "with timeout 0 while a thread sends 300 ms later; a 64 MiB send to a peer that does "
		    "not read, then one more send; a connect with SO_SNDTIMEO to a listener (backlog "
		    "0) whose accept queue already holds a connection. Then a thread sends SIGUSR1 "
		    "100 ms into a blocking recv and a byte at 300 ms, the handler installed without "
		    "SA_RESTART, with it, and with it and SO_RCVTIMEO 1 s.",
	  .shows = "recv_elapsed_us", .repeat = 5, .run = run_rcvtimeo },
};
const size_t lab_timeouts_count = LAB_ARRAY_SIZE(lab_timeouts);

#define TIMES_OUT { "recv_errno", LAB_EQ, .str = "EAGAIN", .says = "a receive that times out fails with EAGAIN/EWOULDBLOCK" }
#define AFTER_TIMEOUT { "recv_elapsed_us", LAB_GE, 180000, .says = "after the 200 ms timeout, not before" }
#define SEND_TIMES_OUT { "send_full_errno", LAB_EQ, .str = "EAGAIN", .says = "a send that times out fails with EAGAIN/EWOULDBLOCK" }
#define ZERO_FOREVER { "zero_elapsed_us", LAB_GE, 270000, .says = "a timeout of 0 disables it: the receive waited 300 ms for late data" }
#define POLL_UNAFFECTED { "poll_elapsed_us", LAB_GE, 270000, .says = "poll is not cut short by the 200 ms timeout (waited its 300 ms)" }

static const struct lab_check unp_parts[] = {
	TIMES_OUT, AFTER_TIMEOUT, SEND_TIMES_OUT, ZERO_FOREVER,
};
static const struct lab_check unp_input_parts[] = {
	TIMES_OUT,
	{ .says = "read, readv, recvfrom and recvmsg are affected too", .unmeasured = "only recv is timed" },
};
static const struct lab_check unp_output_parts[] = {
	SEND_TIMES_OUT,
	{ .says = "write, writev, sendto and sendmsg are affected too", .unmeasured = "only send is timed" },
};
static const struct lab_check man_parts[] = {
	{ "send_partial_bytes", LAB_GT, 0, .says = "a call that moved some data before the timeout returns that count" },
	TIMES_OUT, AFTER_TIMEOUT, SEND_TIMES_OUT,
	{ "connect_errno", LAB_EQ, .str = "EINPROGRESS", .says = "connect(2) that times out fails with EINPROGRESS" },
	ZERO_FOREVER,
};
static const struct lab_check man_poll_parts[] = { POLL_UNAFFECTED };
static const struct lab_check eintr_parts[] = {
	{ "plain_errno", LAB_EQ, .str = "EINTR", .says = "a blocking call interrupted by a signal fails with EINTR (handler without SA_RESTART)" },
	{ "restart_timeo_errno", LAB_EQ, .str = "EINTR", .says = "so the loop is needed even with SA_RESTART handlers: a recv with SO_RCVTIMEO still fails with EINTR" },
};

const struct lab_claim lab_timeouts_claims[] = {
	{ "unp-timeo", "rcvtimeo", "unp", 183, 0,
	  "SO_RCVTIMEO and SO_SNDTIMEO set a timeout on receiving and sending (their struct timeval form: unp-timeo-timeval); a time of 0 disables the timeout.",
	  LAB_CHECKS(unp_parts) },
	{ "unp-rcvtimeo-functions", "rcvtimeo", "unp", 185, 0,
	  "The receive timeout affects five input functions: read, readv, recv, recvfrom and recvmsg.",
	  LAB_CHECKS(unp_input_parts) },
	{ "unp-sndtimeo-functions", "rcvtimeo", "unp", 187, 0,
	  "The send timeout affects five output functions: write, writev, send, sendto and sendmsg.",
	  LAB_CHECKS(unp_output_parts) },
	{ "adv-timeo", "rcvtimeo", "adv", 112, 114,
	  "A call that blocks for the timeout returns the amount transferred if any; with nothing transferred it returns -1 with EAGAIN or EWOULDBLOCK, or EINPROGRESS for connect(2); a timeout of zero (the default) never times out.",
	  LAB_CHECKS(man_parts) },
	{ "adv-timeo-poll", "rcvtimeo", "adv", 116, 0,
	  "Timeouts only affect system calls that do socket I/O; they have no effect on select, poll or epoll_wait.",
	  LAB_CHECKS(man_poll_parts) },
	{ "adv-eintr", "rcvtimeo", "adv", 245, 0,
	  "EINTR means the call was interrupted by a signal; any call that might block should be wrapped in a loop that checks for EINTR.",
	  LAB_CHECKS(eintr_parts) },
};
const size_t lab_timeouts_claims_count = LAB_ARRAY_SIZE(lab_timeouts_claims);
