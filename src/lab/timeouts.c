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

#define SEEDS "003_f012efc3bbbfde02.txt 004_0de232be0c243d49.txt"
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
	lab_int(r, "timeout_us", TIMEOUT_MS * 1000);
	lab_int(r, "late_us", LATE_MS * 1000);
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

static const struct lab_check rcvtimeo_checks[] = {
	{ "recv_errno", LAB_EQ, .str = "EAGAIN", .says = "a timed-out receive fails with EAGAIN/EWOULDBLOCK" },
	{ "recv_elapsed_us", LAB_GE, .other = "timeout_us", .num = 9, .den = 10, .says = "it fails only after the timeout" },
	{ "send_full_errno", LAB_EQ, .str = "EAGAIN", .says = "a timed-out send fails with EAGAIN/EWOULDBLOCK" },
	{ "send_partial_bytes", LAB_GT, 0, .says = "a send that moved some data before the timeout returns that count" },
	{ "zero_bytes", LAB_GT, 0, .says = "a timeout of 0 means wait forever: the late data arrives" },
	{ "zero_elapsed_us", LAB_GE, .other = "late_us", .num = 9, .den = 10, .says = "with 0 the receive waited for it" },
	{ "poll_elapsed_us", LAB_GE, .other = "late_us", .num = 9, .den = 10, .says = "the timeouts have no effect on poll" },
};

const struct lab_experiment lab_timeouts[] = {
	{ "rcvtimeo", "SO_RCVTIMEO/SO_SNDTIMEO: EAGAIN on timeout, 0 is forever, poll unaffected",
	  SEEDS, "SO_RCVTIMEO SO_SNDTIMEO",
	  "A receive or send that times out returns -1 with EAGAIN/EWOULDBLOCK, or the count when "
	  "some data moved; a timeout of 0 disables it; the timeouts have no effect on select/poll.",
	  "Loopback pair, 200 ms timeouts: recv on an idle connection; poll for 300 ms; recv with "
	  "timeout 0 while a thread sends 300 ms later; a 64 MiB send to a peer that does not read, "
	  "then one more send.",
	  0, run_rcvtimeo, LAB_CHECKS(rcvtimeo_checks) },
};
const size_t lab_timeouts_count = LAB_ARRAY_SIZE(lab_timeouts);
