/* getset.c: experiments on the getsockopt/setsockopt calls themselves: their errno list, get-only options, the timeval form. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

/*
 * These experiments call setsockopt(2) and getsockopt(2) directly on
 * purpose: what is measured is what the system call answers for the
 * arguments the documents describe, which the library would refuse
 * before the kernel sees them.
 */

/* setsockopt(FD, SOL_SOCKET, NAME, VAL, LEN)'s errno as field FIELD ("OK" on success). */
static void record_set(struct lab_result *r, const char *field, int fd, int name, const void *val,
		       socklen_t len)
{
	lab_errno(r, field, setsockopt(fd, SOL_SOCKET, name, val, len) < 0 ? errno : 0);
}

/* The errno of each cause the UNP notes list for a failing setsockopt. */
static void errno_list(struct lab_result *r, int udp)
{
	int one = 1, closed = dup(udp), p[2];

	if (closed >= 0) {
		close(closed);
		record_set(r, "bad_fd_errno", closed, SO_RCVBUF, &one, sizeof(one));
	}
	/* An address no process has mapped: the first page. */
	record_set(r, "bad_pointer_errno", udp, SO_RCVBUF, (const void *)16, sizeof(one));
	record_set(r, "short_optlen_errno", udp, SO_RCVBUF, &one, 1);
	record_set(r, "unknown_option_errno", udp, 0x7fff, &one, sizeof(one));
	if (pipe2(p, O_CLOEXEC) == 0) {
		socklen_t len = sizeof(one);

		record_set(r, "pipe_fd_errno", p[0], SO_RCVBUF, &one, sizeof(one));
		lab_errno(r, "pipe_get_errno", getsockopt(p[0], SOL_SOCKET, SO_RCVBUF, &one, &len) < 0 ? errno : 0);
		close(p[0]);
		close(p[1]);
	}
}

/* SO_TYPE of a fresh socket of TYPE as a word field ("SOCK_STREAM"). */
static void record_type(struct lab_result *r, int type, const char *field)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), v = -1;
	socklen_t len = sizeof(v);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0)
		lab_str(r, field, v == SOCK_STREAM ? "SOCK_STREAM" : v == SOCK_DGRAM ? "SOCK_DGRAM" : "other");
	close(fd);
}

/*
 * The get-only options: setting SO_TYPE and SO_ERROR, and reading a
 * pending error twice (a UDP socket connected to a port nobody listens
 * on gets ECONNREFUSED from the ICMP port unreachable).
 */
static void get_only(struct lab_result *r, int udp)
{
	int v = SOCK_DGRAM, peer = labnet_udp_bound("127.0.0.1"), port;

	record_type(r, SOCK_STREAM, "tcp_type");
	record_type(r, SOCK_DGRAM, "udp_type");
	record_set(r, "so_type_set_errno", udp, SO_TYPE, &v, sizeof(v));
	v = 0;
	record_set(r, "so_error_set_errno", udp, SO_ERROR, &v, sizeof(v));
	if (peer < 0)
		return;
	port = labnet_port(peer);
	close(peer);
	if (labnet_connect(udp, "127.0.0.1", port) < 0 || send(udp, "x", 1, 0) != 1)
		return;
	labnet_sleep_ms(50);
	lab_record_error(r, udp, "so_error_first");
	lab_record_error(r, udp, "so_error_second");
}

/*
 * A flag option as UNP describes it: getsockopt of SO_KEEPALIVE on a fresh
 * TCP socket (off), then after setsockopt with the value 5: its length
 * and the two values.
 */
static void flag_form(struct lab_result *r)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), v = -1, five = 5;
	socklen_t len = sizeof(v);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0) {
		lab_int(r, "flag_len", len);
		lab_int(r, "flag_off_value", v);
	}
	len = sizeof(v);
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &five, sizeof(five)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0)
		lab_int(r, "flag_on_value", v);
	close(fd);
}

/* SO_RCVTIMEO given as the documents give it: a struct timeval of 200 ms. */
static void timeval_form(struct lab_result *r)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }, back = { 0 };
	socklen_t len = sizeof(back);
	int fd = labnet_udp_bound("127.0.0.1"), ms = 200;
	long long t0;
	char b;

	if (fd < 0)
		return;
	record_set(r, "int_timeout_errno", fd, SO_RCVTIMEO, &ms, sizeof(ms));
	record_set(r, "timeval_set_errno", fd, SO_RCVTIMEO, &tv, sizeof(tv));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &back, &len) == 0) {
		lab_int(r, "timeval_get_len", len);
		lab_int(r, "timeval_get_us", back.tv_sec * 1000000LL + back.tv_usec);
	}
	t0 = labnet_now_us();
	lab_errno(r, "timeval_recv_errno", recv(fd, &b, 1, 0) < 0 ? errno : 0);
	lab_int(r, "timeval_recv_us", labnet_now_us() - t0);
	close(fd);
}

static void run_getset(struct lab_result *r)
{
	int udp = labnet_socket("127.0.0.1", SOCK_DGRAM);

	if (udp < 0)
		return (void)lab_skip(r, "no UDP socket");
	errno_list(r, udp);
	get_only(r, udp);
	close(udp);
	timeval_form(r);
	flag_form(r);
	lab_observe(r, "setsockopt(SO_RCVBUF) failed with %s on a closed descriptor, %s with optval "
		       "pointing at address 16, %s with optlen 1, %s for option 0x7fff, %s on a pipe. "
		       "SO_TYPE reads %s (TCP) and %s (UDP); setting SO_TYPE fails with %s, SO_ERROR with "
		       "%s; a UDP socket's pending %s read once reads %s the second time. SO_RCVTIMEO "
		       "given an int fails with %s; given a struct timeval of 200 ms it is accepted (%s), "
		       "reads back %lld bytes holding %lld us, and a recv returns %s after %.0f ms.",
		    lab_word(r, "bad_fd_errno"), lab_word(r, "bad_pointer_errno"),
		    lab_word(r, "short_optlen_errno"), lab_word(r, "unknown_option_errno"),
		    lab_word(r, "pipe_fd_errno"), lab_word(r, "tcp_type"), lab_word(r, "udp_type"),
		    lab_word(r, "so_type_set_errno"), lab_word(r, "so_error_set_errno"),
		    lab_word(r, "so_error_first"), lab_word(r, "so_error_second"),
		    lab_word(r, "int_timeout_errno"), lab_word(r, "timeval_set_errno"),
		    lab_num(r, "timeval_get_len"), lab_num(r, "timeval_get_us"),
		    lab_word(r, "timeval_recv_errno"), lab_num(r, "timeval_recv_us") / 1000.0);
	lab_observe_more(r, " getsockopt on a pipe fails with %s. SO_KEEPALIVE reads as %lld bytes "
			    "holding %lld on a fresh TCP socket and %lld after setting it to 5.",
			 lab_word(r, "pipe_get_errno"), lab_num(r, "flag_len"),
			 lab_num(r, "flag_off_value"), lab_num(r, "flag_on_value"));
}

const struct lab_experiment lab_getset[] = {
	{ .id = "getset-calls", .title = "The option calls: their errors, get-only options, the timeval form",
	  .options = "SO_TYPE SO_ERROR SO_RCVTIMEO",
	  .method = "setsockopt(SOL_SOCKET, SO_RCVBUF) on a closed descriptor, with optval at address "
		    "16, with optlen 1, for an unknown option, on a pipe; SO_TYPE of TCP and UDP "
		    "sockets; setsockopt of SO_TYPE and SO_ERROR; SO_ERROR read twice on a UDP socket "
		    "after sending to a closed port; SO_RCVTIMEO set as an int and as a struct timeval "
		    "of 200 ms, read back, and a recv on an idle UDP socket; getsockopt on a pipe; "
		    "SO_KEEPALIVE read on a fresh TCP socket and after setting it to 5.",
	  .shows = "so_type_set_errno", .run = run_getset },
};
const size_t lab_getset_count = LAB_ARRAY_SIZE(lab_getset);

static const struct lab_check errno_parts[] = {
	{ "bad_fd_errno", LAB_EQ, .str = "EBADF", .says = "EBADF: the descriptor is not valid" },
	{ "bad_pointer_errno", LAB_EQ, .str = "EFAULT", .says = "EFAULT: optval is not valid process memory" },
	{ "short_optlen_errno", LAB_EQ, .str = "EINVAL", .says = "EINVAL: setsockopt's optlen is invalid" },
	{ "unknown_option_errno", LAB_EQ, .str = "ENOPROTOOPT", .says = "ENOPROTOOPT: the level does not know the option" },
	{ "pipe_fd_errno", LAB_EQ, .str = "ENOTSOCK", .says = "ENOTSOCK: the descriptor is not a socket" },
};
static const struct lab_check so_type_parts[] = {
	{ "tcp_type", LAB_EQ, .str = "SOCK_STREAM", .says = "SO_TYPE returns SOCK_STREAM for a TCP socket" },
	{ "udp_type", LAB_EQ, .str = "SOCK_DGRAM", .says = "and SOCK_DGRAM for a UDP socket" },
};
static const struct lab_check man_so_type_parts[] = {
	{ "udp_type", LAB_EQ, .str = "SOCK_DGRAM", .says = "SO_TYPE gets the socket's type" },
	{ "so_type_set_errno", LAB_NE, .str = "OK", .says = "it cannot be set" },
};
static const struct lab_check unp_so_error_parts[] = {
	{ "so_error_first", LAB_EQ, .str = "ECONNREFUSED", .says = "SO_ERROR can be read (the pending ECONNREFUSED here)" },
	{ "so_error_set_errno", LAB_NE, .str = "OK", .says = "but not set" },
};
static const struct lab_check man_so_error_parts[] = {
	{ "so_error_first", LAB_EQ, .str = "ECONNREFUSED", .says = "SO_ERROR gets the pending error (ECONNREFUSED here)" },
	{ "so_error_second", LAB_EQ, .str = "OK", .says = "and clears it" },
	{ "so_error_set_errno", LAB_NE, .str = "OK", .says = "it cannot be set" },
};
#define TIMEVAL_PARTS                                                                                          \
	{ "timeval_set_errno", LAB_EQ, .str = "OK", .says = "setsockopt takes a struct timeval" },             \
	{ "timeval_get_len", LAB_EQ, sizeof(struct timeval), .says = "getsockopt returns one (its length)" }, \
	{ "timeval_get_us", LAB_EQ, 200000, .says = "holding the time set (200 ms)" },                        \
	{ "timeval_recv_us", LAB_GE, 180000, .says = "and a receive times out after that time" }
static const struct lab_check unp_timeval_parts[] = {
	TIMEVAL_PARTS,
	{ "int_timeout_errno", LAB_NE, .str = "OK", .says = "(a plain int is not the option's type: refused)" },
};
static const struct lab_check man_timeval_parts[] = { TIMEVAL_PARTS };
static const struct lab_check sockets_only_parts[] = {
	{ "pipe_get_errno", LAB_EQ, .str = "ENOTSOCK", .says = "getsockopt on a descriptor that is not a socket (a pipe) fails (ENOTSOCK)" },
	{ "pipe_fd_errno", LAB_EQ, .str = "ENOTSOCK", .says = "and so does setsockopt" },
};
static const struct lab_check flag_parts[] = {
	{ "flag_len", LAB_EQ, sizeof(int), .says = "getsockopt gives a flag option as an integer (its length)" },
	{ "flag_off_value", LAB_EQ, 0, .says = "0 when the option is disabled (a fresh socket's SO_KEEPALIVE)" },
	{ "flag_on_value", LAB_NE, 0, .says = "non-zero when it is enabled (after setting it to 5)" },
};

const struct lab_claim lab_getset_claims[] = {
	{ "unp-errno-list", "getset-calls", "unp", 35, 41,
	  "getsockopt and setsockopt return 0 on success and -1 on failure with errno EBADF (not a valid descriptor), EFAULT (optval not valid process memory), EINVAL (setsockopt's optlen invalid), ENOPROTOOPT (the level does not recognise the option) or ENOTSOCK (not a socket).",
	  LAB_CHECKS(errno_parts) },
	{ "unp-sockets-only", "getset-calls", "unp", 13, 0,
	  "getsockopt and setsockopt work only on sockets.",
	  LAB_CHECKS(sockets_only_parts) },
	{ "unp-flag-options", "getset-calls", "unp", 47, 0,
	  "getsockopt of a flag option gives *optval as an integer: 0 means the option is disabled, non-zero that it is enabled.",
	  LAB_CHECKS(flag_parts) },
	{ "unp-so-type", "getset-calls", "unp", 216, 0,
	  "SO_TYPE returns the socket's type, an integer such as SOCK_STREAM or SOCK_DGRAM.",
	  LAB_CHECKS(so_type_parts) },
	{ "adv-so-type-get-only", "getset-calls", "adv", 120, 0,
	  "SO_TYPE gets the type of the socket (get only).",
	  LAB_CHECKS(man_so_type_parts) },
	{ "unp-so-error-get-only", "getset-calls", "unp", 97, 0,
	  "SO_ERROR is an option that can be got but not set.",
	  LAB_CHECKS(unp_so_error_parts) },
	{ "adv-so-error-get-only", "getset-calls", "adv", 126, 0,
	  "SO_ERROR gets and clears the error on the socket (get only).",
	  LAB_CHECKS(man_so_error_parts) },
	{ "unp-timeo-timeval", "getset-calls", "unp", 183, 0,
	  "getsockopt and setsockopt take SO_RCVTIMEO and SO_SNDTIMEO as a pointer to a struct timeval, the same as select uses.",
	  LAB_CHECKS(unp_timeval_parts) },
	{ "adv-timeo-timeval", "getset-calls", "adv", 110, 0,
	  "The argument of SO_RCVTIMEO and SO_SNDTIMEO is a struct timeval.",
	  LAB_CHECKS(man_timeval_parts) },
};
const size_t lab_getset_claims_count = LAB_ARRAY_SIZE(lab_getset_claims);
