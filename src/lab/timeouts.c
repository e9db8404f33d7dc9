/* timeouts.c: experiments on SO_RCVTIMEO and SO_SNDTIMEO: what a timed-out call returns, 0, and poll. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
	lab_observe(r, "With SO_RCVTIMEO %s a recv on an idle connection returned %s after %.0f ms; "
		       "poll for %d ms with that timeout set waited %.0f ms; with SO_RCVTIMEO 0 a recv "
		       "waited %.0f ms for data sent %d ms later. With SO_SNDTIMEO %d ms a 64 MiB send "
		       "to a peer that does not read returned %lld bytes; the next send returned %s "
		       "after %.0f ms.",
		    text, lab_word(r, "recv_errno"), lab_num(r, "recv_elapsed_us") / 1000.0,
		    LATE_MS, lab_num(r, "poll_elapsed_us") / 1000.0,
		    lab_num(r, "zero_elapsed_us") / 1000.0, LATE_MS, TIMEOUT_MS,
		    lab_num(r, "send_partial_bytes"), lab_word(r, "send_full_errno"),
		    lab_num(r, "send_full_elapsed_us") / 1000.0);
}

const struct lab_experiment lab_timeouts[] = {
	{ .id = "rcvtimeo", .title = "SO_RCVTIMEO/SO_SNDTIMEO: time-out, partial transfer, 0, poll",
	  .options = "SO_RCVTIMEO SO_SNDTIMEO",
	  .method = "Loopback pair, 200 ms timeouts: recv on an idle connection; poll for 300 ms; recv "
		    "with timeout 0 while a thread sends 300 ms later; a 64 MiB send to a peer that does "
		    "not read, then one more send.",
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
	{ .says = "connect(2) that times out fails with EINPROGRESS", .unmeasured = "no connect is timed" },
	ZERO_FOREVER,
};
static const struct lab_check man_poll_parts[] = { POLL_UNAFFECTED };

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
};
const size_t lab_timeouts_claims_count = LAB_ARRAY_SIZE(lab_timeouts_claims);
