/* lowat.c: experiments on the low-water marks SO_RCVLOWAT and SO_SNDLOWAT. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define LOWAT 100
#define SENT 10
#define WAIT_MS 200

/* Whether select(2) reports FD readable within MS. */
static bool select_readable(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	fd_set set;

	FD_ZERO(&set);
	FD_SET(fd, &set);
	return select(fd + 1, &set, NULL, NULL, &tv) > 0;
}

/*
 * With a long receive timeout (2 s, a bound): 10 bytes queued, the rest of the low-water
 * mark sent by a child 300 ms later; how long a blocking read waits and
 * what it returns.
 */
static void blocking_read(struct lab_result *r, int c, int s)
{
	char buf[LOWAT] = { 0 };
	long long t0;
	ssize_t n;
	pid_t pid;

	/* A bound, not a timeout the claim is about: 2 s is far past the 300 ms the data takes. */
	lab_set(s, "SO_RCVTIMEO", "2s");
	if (send(c, buf, SENT, 0) != SENT)
		return;
	pid = fork();
	if (pid == 0) {
		labnet_sleep_ms(300);
		_exit(send(c, buf, LOWAT - SENT, 0) == LOWAT - SENT ? 0 : 1);
	}
	t0 = labnet_now_us();
	n = recv(s, buf, sizeof(buf), 0);
	lab_int(r, "block_read_elapsed_us", labnet_now_us() - t0);
	lab_int(r, "block_read_returned", n < 0 ? -errno : n);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * epoll (level-triggered) on a receiver with SO_RCVLOWAT 100: is it ready
 * with 10 bytes queued, and once the other 90 have come?
 */
static void epoll_lowat(struct lab_result *r)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	char buf[LOWAT] = { 0 };
	int c, s, ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return (void)labnet_close(ep);
	lab_set(s, "SO_RCVLOWAT", "100");
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0 && send(c, buf, SENT, 0) == SENT) {
		labnet_sleep_ms(20); /* the bytes are in the receive queue now */
		lab_bool(r, "epoll_ready_below", epoll_wait(ep, &got, 1, WAIT_MS) > 0);
		if (send(c, buf, LOWAT - SENT, 0) == LOWAT - SENT)
			lab_bool(r, "epoll_ready_at_mark", epoll_wait(ep, &got, 1, WAIT_MS) > 0);
	}
	close(c);
	close(s);
	close(ep);
}

static void run_rcvlowat(struct lab_result *r)
{
	char buf[LOWAT] = { 0 }; /* what is sent does not matter, but it is defined */
	long long t0;
	ssize_t n;
	int c, s;

	if (!lab_opt(r, "SO_RCVLOWAT") || !lab_opt(r, "SO_RCVTIMEO"))
		return;
	lab_record_fresh(r, AF_INET, SOCK_STREAM, "SO_RCVLOWAT", "tcp_default");
	lab_record_fresh(r, AF_INET, SOCK_DGRAM, "SO_RCVLOWAT", "udp_default");
	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return (void)lab_skip(r, "no loopback TCP pair");
	lab_set(s, "SO_RCVLOWAT", "100");
	if (send(c, buf, SENT, 0) != SENT)
		lab_skip(r, "the first send failed");
	labnet_sleep_ms(20); /* the bytes are in the receive queue now */
	lab_int(r, "poll_revents", labnet_wait(s, POLLIN, WAIT_MS));
	lab_bool(r, "poll_readable", lab_num(r, "poll_revents") & POLLIN);
	lab_bool(r, "select_readable", select_readable(s, WAIT_MS));
	lab_set(s, "SO_RCVTIMEO", "200ms");
	t0 = labnet_now_us();
	n = recv(s, buf, sizeof(buf), 0);
	lab_int(r, "read_elapsed_us", labnet_now_us() - t0);
	lab_int(r, "read_returned", n < 0 ? -errno : n);
	blocking_read(r, c, s);
	close(c);
	close(s);
	epoll_lowat(r);
	lab_observe(r, "With SO_RCVLOWAT %d and %d bytes queued, poll %s readable and select %s; a "
		       "blocking read (SO_RCVTIMEO 200 ms) returned %lld after %.0f ms. Fresh sockets "
		       "have SO_RCVLOWAT %lld (TCP) and %lld (UDP).",
		    LOWAT, SENT, lab_num(r, "poll_readable") ? "reported" : "did not report",
		    lab_num(r, "select_readable") ? "did" : "did not",
		    lab_num(r, "read_returned"), lab_num(r, "read_elapsed_us") / 1000.0,
		    lab_num(r, "tcp_default"), lab_num(r, "udp_default"));
	lab_observe_more(r, " epoll_wait (200 ms, level-triggered) %s the socket ready with %d bytes "
			    "queued and %s once %d were.",
			 lab_num(r, "epoll_ready_below") ? "reported" : "did not report", SENT,
			 lab_num(r, "epoll_ready_at_mark") ? "reported it" : "did not", LOWAT);
}

/* Send 300 datagrams of 1000 bytes to a UDP socket that never reads; how often poll said "not writable". */
static void udp_writable(struct lab_result *r)
{
	char buf[1000] = { 0 };
	int rx = labnet_udp_bound("127.0.0.1"), tx = labnet_socket("127.0.0.1", SOCK_DGRAM), not = 0;

	if (rx >= 0 && tx >= 0 && labnet_connect(tx, "127.0.0.1", labnet_port(rx)) == 0) {
		for (int i = 0; i < 300; i++) {
			if (!(labnet_wait(tx, POLLOUT, 0) & POLLOUT))
				not++;
			send(tx, buf, sizeof(buf), MSG_DONTWAIT);
		}
		lab_int(r, "udp_not_writable", not);
	}
	labnet_close(rx);
	labnet_close(tx);
}

static void run_sndlowat(struct lab_result *r)
{
	static const struct {
		int type;
		const char *prefix;
	} kinds[] = { { SOCK_STREAM, "tcp" }, { SOCK_DGRAM, "udp" } };

	if (!lab_opt(r, "SO_SNDLOWAT"))
		return;
	for (size_t i = 0; i < LAB_ARRAY_SIZE(kinds); i++) {
		int fd = socket(AF_INET, kinds[i].type | SOCK_CLOEXEC, 0);
		char field[LAB_NAME_MAX];

		if (fd < 0)
			continue;
		lab_record(r, fd, "SO_SNDLOWAT", "%s_default", kinds[i].prefix);
		snprintf(field, sizeof(field), "%s_set_errno", kinds[i].prefix);
		/* The catalog knows SO_SNDLOWAT is read-only; ask the kernel anyway. */
		lab_errno(r, field, lab_set_unchecked(fd, "SO_SNDLOWAT", "4096"));
		close(fd);
	}
	udp_writable(r);
	lab_observe(r, "Setting SO_SNDLOWAT to 4096 returned %s on TCP and %s on UDP; it reads %lld "
		       "on a fresh TCP socket and %lld on UDP.",
		    lab_word(r, "tcp_set_errno"), lab_word(r, "udp_set_errno"),
		    lab_num(r, "tcp_default"), lab_num(r, "udp_default"));
	lab_observe_more(r, " A UDP socket sending 300 datagrams to a receiver that never reads was "
			    "not writable %lld times.", lab_num(r, "udp_not_writable"));
}

const struct lab_experiment lab_lowat[] = {
	{ .id = "rcvlowat-poll", .title = "SO_RCVLOWAT: poll, select and a blocking read",
	  .options = "SO_RCVLOWAT",
	  .method = "Loopback pair, SO_RCVLOWAT 100 on the receiver, 10 bytes sent: poll and select "
		    "for 200 ms, then a read with SO_RCVTIMEO 200 ms, timed; then 10 "
		    "bytes queued and 90 more sent 300 ms later, a blocking read bounded by SO_RCVTIMEO 2 s, timed. "
		    "On a new pair with SO_RCVLOWAT 100: epoll_wait (level-triggered, 200 ms) with 10 "
		    "bytes queued and again after 90 more.",
	  .shows = "poll_readable", .run = run_rcvlowat },
	{ .id = "sndlowat-set", .title = "SO_SNDLOWAT on Linux; is UDP always writable",
	  .options = "SO_SNDLOWAT",
	  .method = "Set SO_SNDLOWAT 4096 on fresh TCP and UDP sockets and read the value; poll a "
		    "UDP socket for POLLOUT before each of 300 datagrams to a receiver that never reads.",
	  .shows = "tcp_set_errno", .run = run_sndlowat },
};
const size_t lab_lowat_count = LAB_ARRAY_SIZE(lab_lowat);

static const struct lab_check unp_marks_parts[] = {
	{ "poll_readable", LAB_EQ, 0, .says = "poll uses the receive low-water mark (10 bytes < SO_RCVLOWAT 100: not readable)" },
	{ "select_readable", LAB_EQ, 0, .says = "select uses it too" },
	{ "epoll_ready_below", LAB_EQ, 0, .says = "epoll uses it too (not ready with 10 of 100 bytes)" },
	{ "epoll_ready_at_mark", LAB_EQ, 1, .says = "(and ready once 100 bytes are there)" },
};
static const struct lab_check unp_rcv_default_parts[] = {
	{ "tcp_default", LAB_EQ, 1, .says = "the receive low-water mark defaults to 1 for TCP" },
	{ "udp_default", LAB_EQ, 1, .says = "and for UDP" },
};
static const struct lab_check unp_snd_parts[] = {
	{ "tcp_default", LAB_EQ, 2048, .says = "TCP's send low-water mark is usually 2048" },
	{ "udp_not_writable", LAB_EQ, 0, .says = "a UDP socket is always writable" },
};
static const struct lab_check man_lowat_parts[] = {
	{ "tcp_default", LAB_EQ, 1, .says = "SO_SNDLOWAT is initialised to 1" },
	{ "tcp_set_errno", LAB_EQ, .str = "ENOPROTOOPT", .says = "setting SO_SNDLOWAT fails with ENOPROTOOPT" },
};
static const struct lab_check man_rcvlowat_parts[] = {
	{ "poll_readable", LAB_EQ, 1, .says = "poll does not respect SO_RCVLOWAT: readable with 10 of 100 bytes" },
	{ "select_readable", LAB_EQ, 1, .says = "neither does select" },
	{ "block_read_elapsed_us", LAB_GE, 250000, .says = "a blocking read waits until more data comes (300 ms later)" },
	{ "block_read_returned", LAB_GE, 100, .says = "and returns only once SO_RCVLOWAT (100) bytes are there" },
	{ "block_read_elapsed_us", LAB_LT, 1000000, .says = "it returns when they are there (the 100th byte comes at 300 ms; the bound is 2 s)" },
	{ "read_returned", LAB_GE, 100, .says = "also with SO_RCVTIMEO set (200 ms)" },
};

const struct lab_claim lab_lowat_claims[] = {
	{ "unp-lowat-multiplexing", "rcvlowat-poll", "unp", 175, 177,
	  "Every socket has a receive and a send low-water mark, used by select, poll and epoll: the receive mark is the amount of data needed for select to report the socket readable.",
	  LAB_CHECKS(unp_marks_parts) },
	{ "unp-rcvlowat-default", "rcvlowat-poll", "unp", 177, 0,
	  "The receive low-water mark defaults to 1 for TCP and UDP sockets.",
	  LAB_CHECKS(unp_rcv_default_parts) },
	{ "adv-rcvlowat", "rcvlowat-poll", "adv", 104, 0,
	  "select and poll do not respect SO_RCVLOWAT on Linux and report a socket readable with a single byte; a subsequent read blocks until SO_RCVLOWAT bytes are available.",
	  LAB_CHECKS(man_rcvlowat_parts) },
	{ "unp-sndlowat", "sndlowat-set", "unp", 179, 0,
	  "The send low-water mark is the free space select needs to report writable, usually 2048 for TCP; a UDP socket whose send buffer is larger than its low-water mark is always writable.",
	  LAB_CHECKS(unp_snd_parts) },
	{ "adv-sndlowat", "sndlowat-set", "adv", 104, 0,
	  "SO_SNDLOWAT and SO_RCVLOWAT are initialised to 1; SO_SNDLOWAT cannot be changed on Linux (setsockopt fails with ENOPROTOOPT).",
	  LAB_CHECKS(man_lowat_parts) },
};
const size_t lab_lowat_claims_count = LAB_ARRAY_SIZE(lab_lowat_claims);
