/* lowat.c: experiments on the low-water marks SO_RCVLOWAT and SO_SNDLOWAT. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define SEEDS "003_f012efc3bbbfde02.txt 004_0de232be0c243d49.txt"
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
	lab_int(r, "rcvlowat", LOWAT);
	lab_int(r, "bytes_sent", SENT);
	if (send(c, buf, SENT, 0) != SENT)
		lab_skip(r, "the first send failed");
	labnet_sleep_ms(20); /* the bytes are in the receive queue now */
	lab_int(r, "poll_revents", labnet_wait(s, POLLIN, WAIT_MS));
	lab_bool(r, "poll_readable", lab_num(r, "poll_revents") & POLLIN);
	lab_bool(r, "select_readable", select_readable(s, WAIT_MS));
	lab_set(s, "SO_RCVTIMEO", "200ms");
	lab_int(r, "read_timeout_us", WAIT_MS * 1000);
	t0 = labnet_now_us();
	n = recv(s, buf, sizeof(buf), 0);
	lab_int(r, "read_elapsed_us", labnet_now_us() - t0);
	lab_int(r, "read_returned", n < 0 ? -errno : n);
	close(c);
	close(s);
	lab_observe(r, "With SO_RCVLOWAT %d and %d bytes queued, poll %s readable and select %s; a "
		       "blocking read (SO_RCVTIMEO 200 ms) returned %lld after %.0f ms. Fresh sockets "
		       "have SO_RCVLOWAT %lld (TCP) and %lld (UDP).",
		    LOWAT, SENT, lab_num(r, "poll_readable") ? "reported" : "did not report",
		    lab_num(r, "select_readable") ? "did" : "did not",
		    lab_num(r, "read_returned"), lab_num(r, "read_elapsed_us") / 1000.0,
		    lab_num(r, "tcp_default"), lab_num(r, "udp_default"));
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
	lab_observe(r, "Setting SO_SNDLOWAT to 4096 returned %s on TCP and %s on UDP; it reads %lld "
		       "on a fresh TCP socket and %lld on UDP.",
		    lab_word(r, "tcp_set_errno"), lab_word(r, "udp_set_errno"),
		    lab_num(r, "tcp_default"), lab_num(r, "udp_default"));
}

static const struct lab_check rcvlowat_checks[] = {
	{ "poll_readable", LAB_EQ, 1, .says = "poll ignores SO_RCVLOWAT and reports readable with fewer bytes (man page)" },
	{ "select_readable", LAB_EQ, 1, .says = "select ignores it too (man page)" },
	{ "read_elapsed_us", LAB_GE, .other = "read_timeout_us", .num = 9, .den = 10, .says = "a blocking read waits for the low-water mark" },
	{ "tcp_default", LAB_EQ, 1, .says = "the default is 1 for TCP (UNP)" },
	{ "udp_default", LAB_EQ, 1, .says = "the default is 1 for UDP (UNP)" },
};

static const struct lab_check sndlowat_checks[] = {
	{ "tcp_set_errno", LAB_EQ, .str = "ENOPROTOOPT", .says = "SO_SNDLOWAT cannot be changed on Linux: ENOPROTOOPT (man page)" },
	{ "tcp_default", LAB_EQ, 1, .says = "it is initialised to 1 (man page)" },
	{ "tcp_default", LAB_EQ, 2048, .says = "for TCP it is usually 2048 (UNP)" },
};

const struct lab_experiment lab_lowat[] = {
	{ "rcvlowat-poll", "SO_RCVLOWAT: poll/select ignore it, read waits for it",
	  SEEDS, "SO_RCVLOWAT",
	  "The receive low-water mark defaults to 1 for TCP and UDP. On Linux select and poll do not "
	  "respect SO_RCVLOWAT and report a socket readable with a single byte; a read blocks until "
	  "SO_RCVLOWAT bytes are there.",
	  "Loopback pair, SO_RCVLOWAT 100 on the receiver, 10 bytes sent: poll and select for "
	  "200 ms, then a read with SO_RCVTIMEO 200 ms, timed.",
	  0, run_rcvlowat, LAB_CHECKS(rcvlowat_checks) },
	{ "sndlowat-set", "SO_SNDLOWAT cannot be changed on Linux",
	  SEEDS, "SO_SNDLOWAT",
	  "SO_SNDLOWAT is not changeable on Linux (setsockopt fails with ENOPROTOOPT) and is "
	  "initialised to 1 (man page); UNP says TCP's send low-water mark is usually 2048.",
	  "Set SO_SNDLOWAT 4096 on fresh TCP and UDP sockets and read the value.",
	  0, run_sndlowat, LAB_CHECKS(sndlowat_checks) },
};
const size_t lab_lowat_count = LAB_ARRAY_SIZE(lab_lowat);
