/* errors.c: experiments on how errors reach a process: SO_ERROR, SIGPIPE/EPIPE, crashed and unreachable peers. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* Record what a recv on FD returns as FIELD: "EOF", a count as "DATA", or the errno name. */
static void record_recv(struct lab_result *r, const char *field, int fd)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0)
		lab_str(r, field, "EOF");
	else if (n > 0)
		lab_str(r, field, "DATA");
	else
		lab_errno(r, field, errno);
}

/* ---- SO_ERROR after a failed connect ----------------------------------- */

/* A port on 127.0.0.1 that nobody listens on (bound once, then closed). */
static int closed_port(void)
{
	int fd = labnet_socket("127.0.0.1", SOCK_STREAM), port;

	if (fd < 0)
		return fd;
	port = labnet_bind(fd, "127.0.0.1", 0) < 0 ? -1 : labnet_port(fd);
	close(fd);
	return port;
}

/* A non-blocking connect to PORT; the fd, with connect's errno as FIELD. */
static int failing_connect(struct lab_result *r, const char *field, int port)
{
	int fd = labnet_socket("127.0.0.1", SOCK_STREAM | SOCK_NONBLOCK);

	if (fd >= 0)
		lab_errno(r, field, labnet_connect(fd, "127.0.0.1", port));
	return fd;
}

static void record_select(struct lab_result *r, int fd)
{
	struct timeval tv = { 1, 0 };
	fd_set rd, wr;

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(fd, &rd);
	FD_SET(fd, &wr);
	select(fd + 1, &rd, &wr, NULL, &tv);
	lab_bool(r, "select_readable", FD_ISSET(fd, &rd));
	lab_bool(r, "select_writable", FD_ISSET(fd, &wr));
	lab_bool(r, "select_woke", FD_ISSET(fd, &rd) || FD_ISSET(fd, &wr));
}

/* The SIGIOs that came, and those of them whose si_code said POLL_ERR (F_SETSIG delivers the siginfo). */
static volatile sig_atomic_t sigios, sigios_err;

static void count_sigio(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	sigios++;
	if (si->si_code == POLL_ERR)
		sigios_err++;
}

/*
 * Signal-driven I/O as UNP sets it up (F_SETOWN to our pid, O_ASYNC), with
 * F_SETSIG naming the same SIGIO so the handler learns which event raised
 * it; then a connect to the closed PORT, whose RST leaves ECONNREFUSED
 * pending.  How many SIGIOs came within 500 ms, how many for an error, and
 * what SO_ERROR then says.
 */
static void sigio_on_error(struct lab_result *r, int port)
{
	struct sigaction sa = { .sa_sigaction = count_sigio, .sa_flags = SA_SIGINFO };
	int fd = labnet_socket("127.0.0.1", SOCK_STREAM | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	sigaction(SIGIO, &sa, NULL);
	if (fcntl(fd, F_SETOWN, getpid()) < 0 || fcntl(fd, F_SETSIG, SIGIO) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0)
		return (void)close(fd);
	labnet_connect(fd, "127.0.0.1", port);
	for (int i = 0; i < 50 && !sigios; i++)
		labnet_sleep_ms(10);
	lab_int(r, "sigio_count", sigios);
	lab_int(r, "sigio_for_error", sigios_err);
	lab_record_error(r, fd, "so_error_after_sigio");
	close(fd);
}

/*
 * UNP's write with an error pending: a failed connect to PORT, then a
 * write (send with MSG_NOSIGNAL, the same path, without the risk of a
 * SIGPIPE), SO_ERROR, and a second write.
 */
static void write_with_error(struct lab_result *r, int port)
{
	int fd = failing_connect(r, "connect_errno_3", port);

	if (fd < 0)
		return;
	labnet_wait(fd, POLLOUT, 1000);
	lab_errno(r, "write_errno", send(fd, "x", 1, MSG_NOSIGNAL) < 0 ? errno : 0);
	lab_record_error(r, fd, "so_error_after_write");
	lab_errno(r, "write_errno_2", send(fd, "x", 1, MSG_NOSIGNAL) < 0 ? errno : 0);
	close(fd);
}

/*
 * A connection with 5 unread bytes that the peer then resets (abortive
 * close): the error ECONNRESET is pending while data is queued.  With
 * SO_ERROR_FIRST, SO_ERROR is read before anything else (as PREFIX_so_error);
 * then up to two reads (PREFIX_read1, PREFIX_read2) and SO_ERROR once more.
 */
static void error_with_data(struct lab_result *r, const char *prefix, bool so_error_first)
{
	char field[LAB_NAME_MAX];
	int c, s;

	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return;
	if (send(s, "hello", 5, 0) == 5 && labnet_wait(c, POLLIN, 1000) & POLLIN) {
		sockopt_close_abortive(s, NULL, NULL);
		s = -1;
		/* POLLERR: the RST has set the pending error. */
		snprintf(field, sizeof(field), "%s_pollerr", prefix);
		lab_bool(r, field, labnet_wait(c, POLLERR, 1000) & POLLERR);
		if (so_error_first) {
			snprintf(field, sizeof(field), "%s_so_error", prefix);
			lab_record_error(r, c, field);
		}
		snprintf(field, sizeof(field), "%s_read1", prefix);
		record_recv(r, field, c);
		snprintf(field, sizeof(field), "%s_read2", prefix);
		record_recv(r, field, c);
		snprintf(field, sizeof(field), "%s_so_error_end", prefix);
		lab_record_error(r, c, field);
	}
	labnet_close(s);
	close(c);
}

static void run_so_error(struct lab_result *r)
{
	int port = closed_port(), fd;

	if (!lab_opt(r, "SO_ERROR"))
		return;
	if (port < 0 || (fd = failing_connect(r, "connect_errno", port)) < 0)
		return (void)lab_skip(r, "no socket");
	record_select(r, fd);
	lab_record_error(r, fd, "so_error_first");
	lab_record_error(r, fd, "so_error_second");
	close(fd);
	/* Again, but this time read() meets the pending error before SO_ERROR does. */
	if ((fd = failing_connect(r, "connect_errno_2", port)) < 0)
		return;
	labnet_wait(fd, POLLOUT, 1000);
	record_recv(r, "read_errno", fd);
	lab_record_error(r, fd, "so_error_after_read");
	close(fd);
	write_with_error(r, port);
	sigio_on_error(r, port);
	error_with_data(r, "data_read", false);
	error_with_data(r, "data_soerr", true);
	lab_observe(r, "A non-blocking connect to a closed port returned %s; select then reported "
		       "readable %s, writable %s; SO_ERROR read %s, then %s. On a second such socket, "
		       "read returned %s and SO_ERROR afterwards %s.",
		    lab_word(r, "connect_errno"), lab_num(r, "select_readable") ? "yes" : "no",
		    lab_num(r, "select_writable") ? "yes" : "no",
		    lab_word(r, "so_error_first"), lab_word(r, "so_error_second"),
		    lab_word(r, "read_errno"), lab_word(r, "so_error_after_read"));
	lab_observe_more(r, " A write with the error pending returned %s, SO_ERROR then %s, a second "
			    "write %s. With O_ASYNC and F_SETOWN, the failed connect raised %lld SIGIO "
			    "(%lld with si_code POLL_ERR); SO_ERROR then read %s.",
			 lab_word(r, "write_errno"), lab_word(r, "so_error_after_write"),
			 lab_word(r, "write_errno_2"), lab_num(r, "sigio_count"),
			 lab_num(r, "sigio_for_error"), lab_word(r, "so_error_after_sigio"));
	lab_observe_more(r, " 5 unread bytes, then the peer's RST: read returned %s, then %s, and "
			    "SO_ERROR %s; on another such socket SO_ERROR read first gave %s, then read "
			    "returned %s, then %s.",
			 lab_word(r, "data_read_read1"), lab_word(r, "data_read_read2"),
			 lab_word(r, "data_read_so_error_end"), lab_word(r, "data_soerr_so_error"),
			 lab_word(r, "data_soerr_read1"), lab_word(r, "data_soerr_read2"));
}

/* ---- SIGPIPE and EPIPE -------------------------------------------------- */

static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* send() one byte with FLAGS; record its errno as FIELD and the SIGPIPEs it raised as COUNT_FIELD. */
static void send_counted(struct lab_result *r, int fd, int flags, const char *field,
			 const char *count_field)
{
	sig_atomic_t before = sigpipes;

	lab_errno(r, field, send(fd, "x", 1, flags) < 0 ? errno : 0);
	lab_int(r, count_field, sigpipes - before);
}

static void run_sigpipe(struct lab_result *r)
{
	struct sigaction sa = { .sa_handler = count_sigpipe };
	int c, s;

	/* Each experiment runs in its own process, so this handler ends with it. */
	sigaction(SIGPIPE, &sa, NULL);
	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return (void)lab_skip(r, "no loopback TCP pair");
	close(s); /* the peer closes: FIN */
	labnet_wait(c, POLLIN, 1000);
	lab_int(r, "poll_revents_after_fin", labnet_wait(c, POLLIN, 0));
	send_counted(r, c, 0, "first_write_errno", "first_write_sigpipes");
	/*
	 * The peer's TCP has no socket for that data and answers with RST.
	 * The FIN already made the socket readable, so the RST is seen as
	 * POLLHUP (the connection is gone), which the FIN alone does not give.
	 */
	labnet_sleep_ms(50);
	lab_int(r, "poll_revents_after_rst", labnet_wait(c, POLLIN, 0));
	lab_bool(r, "hup_after_write", lab_num(r, "poll_revents_after_rst") & POLLHUP);
	record_recv(r, "read_after_rst", c);
	send_counted(r, c, 0, "second_write_errno", "second_write_sigpipes");
	send_counted(r, c, MSG_NOSIGNAL, "nosignal_errno", "nosignal_sigpipes");
	close(c);
	/* A peer that aborts (RST without FIN): what does read say? */
	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return;
	lab_int(r, "poll_before_abort", labnet_wait(c, POLLIN, 0));
	sockopt_close_abortive(s, NULL, NULL);
	lab_int(r, "poll_after_abort", labnet_wait(c, POLLIN, 1000));
	lab_bool(r, "readable_after_abort", lab_num(r, "poll_after_abort") & POLLIN);
	record_recv(r, "read_after_abort", c);
	close(c);
	lab_observe(r, "After the peer closed, the first write returned %s; the RST that answered it "
		       "made poll report %s; read then returned %s; the next write returned %s and "
		       "raised %lld SIGPIPE; with MSG_NOSIGNAL %s and %lld SIGPIPE. After a peer's "
		       "abortive close, read returned %s.",
		    lab_word(r, "first_write_errno"),
		    lab_num(r, "hup_after_write") ? "POLLHUP" : "no POLLHUP",
		    lab_word(r, "read_after_rst"), lab_word(r, "second_write_errno"),
		    lab_num(r, "second_write_sigpipes"), lab_word(r, "nosignal_errno"),
		    lab_num(r, "nosignal_sigpipes"), lab_word(r, "read_after_abort"));
}

/* ---- a peer process that crashes ---------------------------------------- */

static void run_process_crash(struct lab_result *r)
{
	int c, s, status;
	long long t0;
	pid_t pid;

	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return (void)lab_skip(r, "no loopback TCP pair");
	pid = fork();
	if (pid == 0) {
		close(c);
		pause(); /* the "server process", holding S until it is killed */
		_exit(0);
	}
	close(s);
	if (pid < 0)
		return (void)lab_skip(r, "fork failed");
	t0 = labnet_now_us();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	lab_bool(r, "readable", labnet_wait(c, POLLIN, 1000) & POLLIN);
	lab_int(r, "noticed_after_us", labnet_now_us() - t0);
	record_recv(r, "read_result", c);
	close(c);
	lab_observe(r, "The peer process was killed with SIGKILL; %.1f ms later our socket was %s "
		       "and read returned %s.",
		    lab_num(r, "noticed_after_us") / 1000.0,
		    lab_num(r, "readable") ? "readable" : "not readable",
		    lab_word(r, "read_result"));
}

/* ---- a peer host that crashes or becomes unreachable while we send ---- */

#define USER_TIMEOUT_MS 1000

/* A pair whose client has TCP_USER_TIMEOUT, and the nftables rule VERDICT for its server port. */
static int blackholed_pair(int *c, int *s, const char *verdict)
{
	if (labnet_tcp_pair("127.0.0.1", c, s) < 0)
		return -1;
	lab_set(*c, "TCP_USER_TIMEOUT", "1000");
	return labnet_nft_rule("input", "tcp dport", labnet_port(*s), verdict);
}

/* Wait up to 5 s for both sockets in C to fail, recording each one's time and SO_ERROR. */
static void await_both(struct lab_result *r, const int c[2], long long t0, const char *p0,
		       const char *p1)
{
	const char *prefix[2] = { p0, p1 };
	bool done[2] = { false, false };

	while (!(done[0] && done[1]) && labnet_now_us() - t0 < 5000000) {
		struct pollfd p[2] = { { .fd = c[0], .events = 0 }, { .fd = c[1], .events = 0 } };

		poll(p, 2, 100);
		for (int i = 0; i < 2; i++) {
			char field[LAB_NAME_MAX];

			if (done[i] || !(p[i].revents & POLLERR))
				continue;
			done[i] = true;
			snprintf(field, sizeof(field), "%s_after_us", prefix[i]);
			lab_int(r, field, labnet_now_us() - t0);
			snprintf(field, sizeof(field), "%s_so_error", prefix[i]);
			lab_record_error(r, c[i], field);
		}
	}
}

static void run_host_crash(struct lab_result *r)
{
	static const struct {
		const char *verdict, *prefix;
	} cases[] = {
		{ "drop", "silent" },
		{ "reject with icmp type host-unreachable", "unreachable" },
	};
	int c[2] = { -1, -1 }, s[2] = { -1, -1 };
	long long t0;

	if (!labnet_have("nft"))
		return (void)lab_skip(r, "needs nft (nftables) to make the peer silent");
	if (!lab_opt(r, "TCP_USER_TIMEOUT"))
		return;
	for (int i = 0; i < 2; i++)
		if (blackholed_pair(&c[i], &s[i], cases[i].verdict) < 0)
			lab_skip(r, "could not set up the %s peer", cases[i].prefix);
	t0 = labnet_now_us();
	for (int i = 0; i < 2 && !r->skipped[0]; i++)
		if (send(c[i], "data", 4, MSG_NOSIGNAL) != 4)
			lab_skip(r, "the first send failed");
	if (!r->skipped[0])
		await_both(r, c, t0, cases[0].prefix, cases[1].prefix);
	for (int i = 0; i < 2; i++) {
		labnet_close(c[i]);
		labnet_close(s[i]);
	}
	if (!r->skipped[0] && lab_field(r, "silent_after_us") && lab_field(r, "unreachable_after_us"))
		lab_observe(r, "With TCP_USER_TIMEOUT 1000 ms bounding the retransmissions, data sent "
			       "to a silent peer failed after %.2f s with %s; to a peer answering ICMP "
			       "host unreachable, after %.2f s with %s.",
			    lab_num(r, "silent_after_us") / 1e6, lab_word(r, "silent_so_error"),
			    lab_num(r, "unreachable_after_us") / 1e6,
			    lab_word(r, "unreachable_so_error"));
}

static const struct lab_check so_error_setup[] = {
	{ "data_read_pollerr", LAB_EQ, 1, .says = "the peer's RST reached the socket with unread data (POLLERR)", .setup = true },
	{ "data_soerr_pollerr", LAB_EQ, 1, .says = "and the second such socket", .setup = true },
};

static const struct lab_check sigpipe_setup[] = {
	{ "poll_revents_after_fin", LAB_LT, 16, .says = "the FIN alone does not give POLLHUP (16)", .setup = true },
	{ "poll_before_abort", LAB_EQ, 0, .says = "the socket had nothing to read before the peer's RST", .setup = true },
};

const struct lab_experiment lab_errors[] = {
	{ .id = "so-error-connect", .title = "SO_ERROR after a failed non-blocking connect, and how it clears",
	  .options = "SO_ERROR",
	  .method = "Non-blocking connect to a closed port on 127.0.0.1; select for read and write; "
		    "SO_ERROR twice. Again, with a read before SO_ERROR; again with a write (send with "
		    "MSG_NOSIGNAL), SO_ERROR and a second write; again with O_ASYNC, F_SETOWN to our pid "
		    "and F_SETSIG SIGIO, counting SIGIO (and those with si_code POLL_ERR) for 500 ms, "
		    "then SO_ERROR. Then two loopback pairs with 5 unread bytes whose peer closes "
		    "abortively: two reads then SO_ERROR; SO_ERROR then two reads.",
	  .shows = "so_error_first", .run = run_so_error, .checks = LAB_CHECKS(so_error_setup) },
	{ .id = "sigpipe-after-rst", .title = "Writing after the peer closed: RST, ECONNRESET, EPIPE, SIGPIPE",
	  .options = "",
	  .method = "Loopback pair; the server closes; the client writes once, waits for the RST, "
		    "reads, writes again (counting SIGPIPE with a handler), and once more with "
		    "MSG_NOSIGNAL. Then a pair whose server closes abortively (RST without FIN): poll "
		    "before and after, and a read.",
	  .shows = "read_after_abort", .run = run_sigpipe, .checks = LAB_CHECKS(sigpipe_setup) },
	{ .id = "peer-process-crash", .title = "The peer process crashes: FIN, readable, end of file",
	  .options = "",
	  .method = "A child process holds the server end of a loopback connection and is killed with "
		    "SIGKILL; we poll the client end and read.",
	  .shows = "read_result", .run = run_process_crash },
	{ .id = "peer-host-crash", .title = "A peer host that crashes or becomes unreachable while we send",
	  .options = "TCP_USER_TIMEOUT SO_ERROR",
	  .method = "In a private network namespace: two loopback pairs whose clients set "
		    "TCP_USER_TIMEOUT 1000 ms; nftables drops everything sent to one server and rejects "
		    "what is sent to the other with ICMP host unreachable; each client sends 4 bytes and "
		    "we wait for the error.",
	  .shows = "unreachable_so_error", .needs = LAB_NEEDS_NETNS, .run = run_host_crash },
};
const size_t lab_errors_count = LAB_ARRAY_SIZE(lab_errors);

static const struct lab_check select_parts[] = {
	{ "select_woke", LAB_EQ, 1, .says = "select returns with the socket readable or writable (or both)" },
};
static const struct lab_check getsockopt_parts[] = {
	{ "sigio_for_error", LAB_GE, 1, .says = "with signal-driven I/O (F_SETOWN, O_ASYNC) the error raises SIGIO (si_code POLL_ERR)" },
	{ "so_error_after_sigio", LAB_EQ, .str = "ECONNREFUSED", .says = "the process then reads the error with SO_ERROR" },
	{ "so_error_first", LAB_EQ, .str = "ECONNREFUSED", .says = "getsockopt(SO_ERROR) returns the pending error (ECONNREFUSED here)" },
	{ "so_error_second", LAB_EQ, .str = "OK", .says = "and the kernel then resets it to 0" },
	{ "data_soerr_so_error", LAB_EQ, .str = "ECONNRESET", .says = "also with unread data queued (the peer's RST after 5 bytes: ECONNRESET)" },
};
static const struct lab_check read_parts[] = {
	{ "read_errno", LAB_EQ, .str = "ECONNREFUSED", .says = "a read with no data returns -1 with errno set to the pending error" },
	{ "so_error_after_read", LAB_EQ, .str = "OK", .says = "which is then reset to 0" },
	{ "data_read_read1", LAB_EQ, .str = "DATA", .says = "with data queued (5 bytes, then the peer's RST), read returns the data instead" },
};
static const struct lab_check write_parts[] = {
	{ "write_errno", LAB_EQ, .str = "ECONNREFUSED", .says = "a write with so_error non-zero returns -1 with errno set to it (ECONNREFUSED here)" },
	{ "so_error_after_write", LAB_EQ, .str = "OK", .says = "and so_error is then reset to 0" },
};
static const struct lab_check rst_parts[] = {
	{ "first_write_errno", LAB_EQ, .str = "OK", .says = "writing to a connection the peer closed succeeds" },
	{ "hup_after_write", LAB_EQ, 1, .says = "and draws an RST from the peer's TCP (poll then reports POLLHUP)" },
};
static const struct lab_check man_sigpipe_parts[] = {
	{ "second_write_sigpipes", LAB_EQ, 1, .says = "writing after an RST from the other end raises SIGPIPE" },
	{ "readable_after_abort", LAB_EQ, 1, .says = "select/poll show the socket readable because of the RST alone (peer aborted, no FIN)" },
	{ "read_after_abort", LAB_EQ, .str = "ECONNRESET", .says = "read returns ECONNRESET" },
};
static const struct lab_check unp_sigpipe_parts[] = {
	{ "first_write_errno", LAB_EQ, .str = "OK", .says = "a write after the peer process's FIN still goes out" },
	{ "hup_after_write", LAB_EQ, 1, .says = "the peer's TCP answers with RST (POLLHUP)" },
	{ "second_write_sigpipes", LAB_EQ, 1, .says = "writing after the RST sends the process SIGPIPE" },
};
static const struct lab_check crash_parts[] = {
	{ "readable", LAB_EQ, 1, .says = "the peer's TCP sends FIN: select shows the socket readable" },
	{ "read_result", LAB_EQ, .str = "EOF", .says = "and read returns end of file" },
};
static const struct lab_check idle_crash_parts[] = {
	{ "readable", LAB_EQ, 1, .says = "the peer's TCP sends FIN: select shows the socket readable" },
};
static const struct lab_check host_parts[] = {
	{ "silent_so_error", LAB_EQ, .str = "ETIMEDOUT", .says = "a crashed peer host: our TCP times out, pending error ETIMEDOUT" },
	{ "unreachable_so_error", LAB_EQ, .str = "EHOSTUNREACH", .says = "an unreachable peer host: EHOSTUNREACH" },
};

const struct lab_claim lab_errors_claims[] = {
	{ "unp-so-error-select", "so-error-connect", "unp", 87, 89,
	  "When an error occurs the kernel sets so_error and tells the process at once: a process blocked in select on the socket sees it readable, writable or both.",
	  LAB_CHECKS(select_parts) },
	{ "unp-so-error-get", "so-error-connect", "unp", 91, 0,
	  "A process using signal-driven I/O is sent SIGIO when the error occurs and reads it with SO_ERROR: getsockopt(SO_ERROR) returns the pending error as an integer, and the kernel then resets so_error to 0.",
	  LAB_CHECKS(getsockopt_parts) },
	{ "unp-so-error-read", "so-error-connect", "unp", 93, 0,
	  "A read with no data and a non-zero so_error returns -1 with errno set to it, and so_error is reset to 0; with data queued, read returns the data.",
	  LAB_CHECKS(read_parts) },
	{ "unp-so-error-write", "so-error-connect", "unp", 95, 0,
	  "A write while so_error is non-zero returns -1 with errno set to so_error, which is then reset to 0.",
	  LAB_CHECKS(write_parts) },
	{ "csdn-wiki-rst-unknown", "sigpipe-after-rst", "csdn-wiki", 66, 0,
	  "TCP automatically answers data that belongs to no existing connection with an RST, without the application knowing.",
	  LAB_CHECKS(rst_parts) },
	{ "adv-sigpipe", "sigpipe-after-rst", "adv", 248, 0,
	  "With TCP you get SIGPIPE if your end received an RST from the other end; select would have shown the socket readable, since the RST is there to read, and read returns ECONNRESET.",
	  LAB_CHECKS(man_sigpipe_parts) },
	{ "adv-rst-after-fin", "sigpipe-after-rst", "adv", 250, 0,
	  "A common cause of RST: the peer closed (sent FIN) and you write anyway; the other end's TCP answers with RST.",
	  LAB_CHECKS(rst_parts) },
	{ "unp-peer-crash-sending", "sigpipe-after-rst", "unp", 120, 0,
	  "(Table) While we send and the peer process crashes: its TCP sends FIN; if we send more its TCP answers with RST, and writing after the RST sends us SIGPIPE.",
	  LAB_CHECKS(unp_sigpipe_parts) },
	{ "unp-peer-crash-receiving", "peer-process-crash", "unp", 121, 0,
	  "(Table) While we receive and the peer process crashes: its TCP sends a FIN, which we read as end of file (and select shows readable).",
	  LAB_CHECKS(crash_parts) },
	{ "unp-idle-peer-crash", "peer-process-crash", "unp", 123, 0,
	  "(Table) On an idle connection without keepalive, when the peer process crashes its TCP sends a FIN, which select detects as readable.",
	  LAB_CHECKS(idle_crash_parts) },
	{ "unp-peer-host-crash", "peer-host-crash", "unp", 120, 0,
	  "(Table) While we send: if the peer host crashed our TCP times out with pending error ETIMEDOUT; if it is unreachable, EHOSTUNREACH.",
	  LAB_CHECKS(host_parts) },
};
const size_t lab_errors_claims_count = LAB_ARRAY_SIZE(lab_errors_claims);
