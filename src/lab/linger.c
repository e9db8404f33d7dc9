/* linger.c: experiments on SO_LINGER: what close() does with unsent data, how long it waits, and what the peer sees. */
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"
#include "sockdiag.h"

#define FILL_MAX (64LL << 20)

/*
 * The common setup: a loopback pair whose server does not read, so the
 * client's data piles up unacknowledged (the peer's window closes); then
 * the client sets SO_LINGER to LINGER and closes, and we watch what close
 * returns, what the peer reads afterwards, and what state the client's
 * connection is left in.
 */
struct close_run {
	const char *linger;    /* SO_LINGER text: "off", "abort", "on:1" */
	bool nonblocking;      /* O_NONBLOCK on the client at close */
	bool exit_instead;     /* let a child process exit instead of calling close */
	bool shutdown_first;   /* time shutdown(SHUT_WR) instead of close */
	bool peer_reads;       /* the server reads everything from 100 ms on, during close */
};

/* The server end, read to its end by a thread while the client closes. */
struct reader {
	int fd;
	long long received;
	int end;
};

static void *read_late(void *arg)
{
	struct reader *rd = arg;

	labnet_sleep_ms(100);
	rd->received = labnet_drain(rd->fd, 3000, &rd->end);
	return NULL;
}

/* What a read of FD returns now, without waiting: "EOF", "data" or an errno name. */
static void record_read(struct lab_result *r, int fd, const char *field)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	if (n == 0)
		lab_str(r, field, "EOF");
	else if (n > 0)
		lab_str(r, field, "data");
	else
		lab_errno(r, field, errno);
}

/* Wait up to MS for the client's connection to reach TIME-WAIT or disappear; its final state. */
static int settle_state(const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
			int ms)
{
	int state = diag_tcp_state(local, remote);

	for (int waited = 0; waited < ms && state != 0 && state != TCP_TIME_WAIT; waited += 10) {
		labnet_sleep_ms(10);
		state = diag_tcp_state(local, remote);
	}
	return state;
}

/*
 * Hand CLIENT to a child that exits without closing it; the time from its
 * go signal until it is reaped.  Our own copy is closed first, so the
 * child's exit drops the last reference.
 */
static long long exit_with_socket(int client)
{
	int go[2];
	long long t0;
	pid_t pid;
	char c = 0;

	if (pipe(go) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0); /* the kernel closes CLIENT as part of exit(2) */
	}
	close(go[0]);
	close(client);
	t0 = labnet_now_us();
	if (write(go[1], &c, 1) < 0 || pid < 0)
		t0 = -1;
	close(go[1]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return t0 < 0 ? -1 : labnet_now_us() - t0;
}

/* Close (or shut down, or exit with) the client as RUN says and record what close did. */
static void close_client(struct lab_result *r, const struct close_run *run, int client)
{
	long long t0 = labnet_now_us();
	int err = 0;

	if (run->exit_instead) {
		lab_int(r, "exit_us", exit_with_socket(client));
		return;
	}
	if (run->shutdown_first) {
		err = shutdown(client, SHUT_WR) < 0 ? errno : 0;
		lab_int(r, "shutdown_us", labnet_now_us() - t0);
		lab_errno(r, "shutdown_errno", err);
		t0 = labnet_now_us();
		lab_set(client, "SO_LINGER", "abort"); /* do not wait in the close that follows */
	}
	err = close(client) < 0 ? errno : 0;
	lab_int(r, "close_us", labnet_now_us() - t0);
	lab_errno(r, "close_errno", err);
}

/* Drain the server (after close, or by the reader thread during it) and look at the peer's reads. */
static void peer_side(struct lab_result *r, int server, struct reader *rd, pthread_t *thread)
{
	long long received;
	int end = 0;

	if (thread) {
		pthread_join(*thread, NULL);
		received = rd->received;
		end = rd->end;
	} else {
		received = labnet_drain(server, 1500, &end);
	}
	lab_int(r, "bytes_received", received);
	lab_str(r, "peer_end", end == 0 ? "EOF" : strerrorname_np(end));
	record_read(r, server, "peer_next_read");
	record_read(r, server, "peer_third_read");
}

static void close_experiment(struct lab_result *r, const struct close_run *run)
{
	struct sockaddr_storage local, remote;
	struct reader rd = { .fd = -1 };
	pthread_t thread;
	char linger[64] = "";
	int client, server, state;

	if (!lab_opt(r, "SO_LINGER"))
		return;
	if (labnet_tcp_pair("127.0.0.1", &client, &server) < 0)
		return (void)lab_skip(r, "could not make a loopback TCP pair");
	labnet_fd_addrs(client, &local, &remote);
	if (lab_set(client, "SO_LINGER", run->linger) < 0)
		lab_skip(r, "setting SO_LINGER=%s failed", run->linger);
	lab_get_text(client, "SO_LINGER", linger, sizeof(linger));
	lab_str(r, "so_linger", linger);
	lab_int(r, "bytes_sent", labnet_fill(client, FILL_MAX));
	lab_int(r, "unacked_at_close", labnet_outq(client));
	if (run->nonblocking)
		sockopt_fd_set_nonblocking(client, true, NULL);
	rd.fd = server;
	if (run->peer_reads && pthread_create(&thread, NULL, read_late, &rd) != 0)
		return (void)lab_skip(r, "could not start the reading thread");
	close_client(r, run, client);
	state = diag_tcp_state(&local, &remote);
	lab_str(r, "state_after_close", diag_tcp_state_name(state));
	peer_side(r, server, &rd, run->peer_reads ? &thread : NULL);
	close(server);
	state = settle_state(&local, &remote, 500);
	lab_str(r, "client_final_state", diag_tcp_state_name(state));
	lab_bool(r, "time_wait", state == TCP_TIME_WAIT);
}

/* The observed sentence shared by the close experiments. */
static void observe_close(struct lab_result *r, const char *what)
{
	const struct lab_field *cu = lab_field(r, "close_us"), *ce = lab_field(r, "close_errno"),
			       *sent = lab_field(r, "bytes_sent"), *got = lab_field(r, "bytes_received"),
			       *end = lab_field(r, "peer_end"), *after = lab_field(r, "state_after_close"),
			       *fin = lab_field(r, "client_final_state");

	if (!cu || !sent || !got)
		return;
	lab_observe(r,
		    "%s: close returned %s after %.3f ms with %lld bytes queued; the client's connection "
		    "was %s right after close and %s at the end; the peer read %lld of %lld bytes, then %s.",
		    what, ce->s, cu->i / 1000.0, lab_num(r, "unacked_at_close"), after->s, fin->s,
		    got->i, sent->i, end->s);
}

static void run_default(struct lab_result *r)
{
	close_experiment(r, &(struct close_run){ .linger = "off" });
	observe_close(r, "SO_LINGER off");
}

static void run_abort(struct lab_result *r)
{
	close_experiment(r, &(struct close_run){ .linger = "abort" });
	observe_close(r, "SO_LINGER on:0");
}

static void run_timeout_blocking(struct lab_result *r)
{
	close_experiment(r, &(struct close_run){ .linger = "on:1" });
	observe_close(r, "SO_LINGER on:1, blocking socket, peer not reading");
}

static void run_acked(struct lab_result *r)
{
	close_experiment(r, &(struct close_run){ .linger = "on:5", .peer_reads = true });
	observe_close(r, "SO_LINGER on:5, blocking socket, peer reading from 100 ms on");
}

static void run_timeout_nonblocking(struct lab_result *r)
{
	close_experiment(r, &(struct close_run){ .linger = "on:1", .nonblocking = true });
	observe_close(r, "SO_LINGER on:1, O_NONBLOCK socket, peer not reading");
}

static void run_exit(struct lab_result *r)
{
	close_experiment(r, &(struct close_run){ .linger = "on:1", .exit_instead = true });
	if (lab_field(r, "exit_us"))
		lab_observe(r, "A process holding the only reference to a socket with SO_LINGER on:1 "
			       "and %lld unacknowledged bytes exited in %.1f ms; the peer then read "
			       "%lld of %lld bytes, then %s.",
			    lab_num(r, "unacked_at_close"), lab_num(r, "exit_us") / 1000.0,
			    lab_num(r, "bytes_received"), lab_num(r, "bytes_sent"),
			    lab_word(r, "peer_end"));
}

static void run_shutdown(struct lab_result *r)
{
	close_experiment(r, &(struct close_run){ .linger = "on:1", .shutdown_first = true });
	if (lab_field(r, "shutdown_us"))
		lab_observe(r, "shutdown(SHUT_WR) with SO_LINGER on:1 and %lld unacknowledged bytes "
			       "returned %s after %.1f ms.",
			    lab_num(r, "unacked_at_close"), lab_word(r, "shutdown_errno"),
			    lab_num(r, "shutdown_us") / 1000.0);
}

/* Every close experiment needs data still unacknowledged at close. */
static const struct lab_check queued[] = {
	{ "unacked_at_close", LAB_GT, 0, .says = "data was still unacknowledged at close", .setup = true },
};

#define CLOSE_EXPERIMENT(id_, title_, method_, shows_, run_)                                       \
	{ .id = id_, .title = title_, .options = "SO_LINGER", .method = method_, .shows = shows_, \
	  .repeat = 5, .run = run_, .checks = LAB_CHECKS(queued) }

const struct lab_experiment lab_linger[] = {
	CLOSE_EXPERIMENT("linger-default", "close with SO_LINGER off",
			 "Loopback pair; the server does not read, so the client's writes pile up "
			 "unacknowledged. The client closes with SO_LINGER off; then the server reads to "
			 "the end, and sock_diag shows the client's connection state.",
			 "close_us", run_default),
	CLOSE_EXPERIMENT("linger-abort", "close with SO_LINGER on:0",
			 "As linger-default, but the client sets SO_LINGER on:0 before closing; the "
			 "server then reads three times, one by one.",
			 "peer_end", run_abort),
	CLOSE_EXPERIMENT("linger-timeout-blocking", "close with SO_LINGER on:1, blocking, peer not reading",
			 "The server does not read, so the data can never be acknowledged. The client "
			 "sets SO_LINGER on:1 and closes a blocking socket; we time close, keep its "
			 "return value, then let the server read everything it can.",
			 "close_us", run_timeout_blocking),
	CLOSE_EXPERIMENT("linger-acked", "close with SO_LINGER on:5, peer reading",
			 "As linger-timeout-blocking with SO_LINGER on:5, but a thread reads the server "
			 "end from 100 ms after close began, so the data is acknowledged.",
			 "close_us", run_acked),
	CLOSE_EXPERIMENT("linger-timeout-nonblocking", "close with SO_LINGER on:1, O_NONBLOCK",
			 "As linger-timeout-blocking, with O_NONBLOCK set on the client before close.",
			 "close_errno", run_timeout_nonblocking),
	CLOSE_EXPERIMENT("linger-exit", "exit(2) with SO_LINGER on:1",
			 "A child process inherits the only descriptor of a socket with SO_LINGER on:1 "
			 "and unacknowledged data and exits; we time it until it is reaped, then the peer "
			 "reads.",
			 "exit_us", run_exit),
	CLOSE_EXPERIMENT("linger-shutdown", "shutdown(SHUT_WR) with SO_LINGER on:1",
			 "SO_LINGER on:1 with unacknowledged data; we time shutdown(SHUT_WR).",
			 "shutdown_us", run_shutdown),
};
const size_t lab_linger_count = LAB_ARRAY_SIZE(lab_linger);

/* ---- the documents' statements ------------------------------------------ */

#define AT_ONCE(f) { f, LAB_LT, 100000, .says = "close returns at once (under 100 ms)" }
#define DELIVERED { "bytes_received", LAB_EQ, .other = "bytes_sent", .says = "the unsent data is still delivered" }
#define DISCARDED { "bytes_received", LAB_LT, .other = "bytes_sent", .says = "the unsent data is discarded" }
#define RST_SEEN { "peer_end", LAB_EQ, .str = "ECONNRESET", .says = "an RST reaches the peer (its read fails with ECONNRESET)" }
#define FIN_SEEN { "peer_end", LAB_EQ, .str = "EOF", .says = "the peer reads an orderly end (FIN)" }
#define NO_TIME_WAIT { "time_wait", LAB_EQ, 0, .says = "there is no TIME_WAIT" }
#define TIME_WAIT { "time_wait", LAB_EQ, 1, .says = "the connection goes through TIME_WAIT" }
#define WAITS_LINGER { "close_us", LAB_GE, 900000, .says = "close sleeps until the linger time (1 s) is up" }
#define WAITS_NOT_LONGER { "close_us", LAB_LE, 3000000, .says = "and not much longer (3 s)" }
#define EWOULDBLOCK_ON_TIMEOUT { "close_errno", LAB_EQ, .str = "EAGAIN", .says = "close then returns EWOULDBLOCK (EAGAIN on Linux)" }
#define ACKED_RETURN { "close_us", LAB_LT, 4000000, .says = "close returns once the data is acknowledged, before the 5 s linger time" }
#define ACKED_OK { "close_errno", LAB_EQ, .str = "OK", .says = "and returns success" }
#define ACKED_ALL { "bytes_received", LAB_EQ, .other = "bytes_sent", .says = "after all data was delivered" }
#define NONBLOCK_NO_WAIT AT_ONCE("close_us")
#define SECONDS { "close_us", LAB_GE, 900000, .says = "l_linger = 1 made close wait about 1 s: the unit is the second (POSIX), not the 10 ms tick (4.4BSD)" }

static const struct lab_check off_parts[] = { AT_ONCE("close_us"), DELIVERED };
static const struct lab_check off_tw_parts[] = { AT_ONCE("close_us"), DELIVERED, FIN_SEEN, TIME_WAIT };
static const struct lab_check abort_parts[] = { DISCARDED, RST_SEEN, NO_TIME_WAIT };
static const struct lab_check abort_unp_parts[] = {
	DISCARDED, RST_SEEN, NO_TIME_WAIT,
	{ .says = "an old duplicate may then reach a new incarnation of the connection within 2MSL",
	  .unmeasured = "needs a new connection on the same 4-tuple and a delayed old segment" },
};
static const struct lab_check abort_table_parts[] = {
	RST_SEEN, NO_TIME_WAIT, DISCARDED,
	{ .says = "the receive buffer is discarded too", .unmeasured = "the lab leaves nothing unread at the closing end here" },
};
static const struct lab_check abort_windows_parts[] = { AT_ONCE("close_us"), DISCARDED, RST_SEEN };
static const struct lab_check abort_example_parts[] = { AT_ONCE("close_us"), RST_SEEN };
static const struct lab_check abort_every_read_parts[] = {
	AT_ONCE("close_us"), DISCARDED, RST_SEEN,
	{ "peer_next_read", LAB_EQ, .str = "ECONNRESET", .says = "the peer's second read fails with ECONNRESET too" },
	{ "peer_third_read", LAB_EQ, .str = "ECONNRESET", .says = "and its third" },
};
static const struct lab_check avoids_tw_parts[] = { NO_TIME_WAIT };
static const struct lab_check time_wait_parts[] = { TIME_WAIT };
static const struct lab_check rst_parts[] = { RST_SEEN };
static const struct lab_check no_tw_effect_parts[] = {
	{ "time_wait", LAB_EQ, 1, .says = "SO_LINGER (on:0 here) leaves TIME_WAIT as it is" },
};
static const struct lab_check linger_wait_parts[] = {
	WAITS_LINGER, WAITS_NOT_LONGER, EWOULDBLOCK_ON_TIMEOUT, DISCARDED,
};
static const struct lab_check linger_wait_no_errno_parts[] = { WAITS_LINGER, WAITS_NOT_LONGER };
static const struct lab_check linger_wait_rst_parts[] = { WAITS_LINGER, WAITS_NOT_LONGER, DISCARDED, RST_SEEN };
static const struct lab_check linger_table_parts[] = { EWOULDBLOCK_ON_TIMEOUT };
static const struct lab_check acked_parts[] = { ACKED_RETURN, ACKED_OK, ACKED_ALL };
static const struct lab_check nonblock_no_wait_parts[] = { NONBLOCK_NO_WAIT };
static const struct lab_check nonblock_ewouldblock_parts[] = {
	{ "close_errno", LAB_EQ, .str = "EAGAIN", .says = "close on a non-blocking socket fails with EWOULDBLOCK (EAGAIN on Linux)" },
};
static const struct lab_check units_parts[] = { SECONDS };
static const struct lab_check exit_parts[] = {
	{ "exit_us", LAB_LT, 500000, .says = "exit(2) does not wait for the 1 s linger time" },
	{ "bytes_received", LAB_EQ, .other = "bytes_sent", .says = "the data is still delivered in the background" },
};
static const struct lab_check shutdown_parts[] = {
	{ "shutdown_us", LAB_GE, 900000, .says = "shutdown waits like close, up to the 1 s linger time" },
};

#define CLAIM(id_, x, seed_, line_, last_, text, parts_) \
	{ id_, x, seed_, line_, last_, text, LAB_CHECKS(parts_) }

const struct lab_claim lab_linger_claims[] = {
	CLAIM("go-blog-linger-off", "linger-default", "go-blog", 4, 0,
	      "With l_onoff = 0 (the kernel's default) l_linger is ignored, close returns to the caller at once, and any unsent data is transmitted if possible.",
	      off_parts),
	CLAIM("cnblogs-linger-off", "linger-default", "cnblogs", 9, 0,
	      "With l_onoff = 0 l_linger is ignored (the kernel's default): close returns at once and any unsent data is transmitted if possible.",
	      off_parts),
	CLAIM("cnblogs-dontlinger", "linger-default", "cnblogs", 62, 0,
	      "(Windows) With SO_DONTLINGER (l_onoff = 0) on a stream socket closesocket returns at once, and queued data is still sent before the socket closes if possible.",
	      off_parts),
	CLAIM("csdn-wiki-linger-off", "linger-default", "csdn-wiki", 21, 0,
	      "With l_onoff = 0 close returns at once, unsent data is transmitted if possible, and the connection closes later through the normal TIME_WAIT state.",
	      off_tw_parts),
	CLAIM("cnblogs-close-default", "linger-default", "cnblogs", 2, 0,
	      "The kernel's default close returns at once; data left in the socket's send buffer is still sent to the peer.",
	      off_parts),
	CLAIM("csdn-wiki-close-default", "linger-default", "csdn-wiki", 9, 0,
	      "The kernel's default close returns at once; data left in the socket's send buffer is still sent to the peer.",
	      off_parts),
	CLAIM("unp-linger-default", "linger-default", "unp", 117, 0,
	      "By default close returns at once, and data left in the send buffer is still sent to the peer.",
	      off_parts),
	CLAIM("adv-linger-off", "linger-default", "adv", 55, 57,
	      "With l_onoff == 0 (the default) close returns and the stack shuts the connection down gracefully in the background, after sending all unsent data and (TCP) having it acknowledged, blocking or not.",
	      off_tw_parts),
	CLAIM("adv-time-wait", "linger-default", "adv", 37, 0,
	      "When a TCP connection is closed cleanly, the end that initiated the close ends up in TIME_WAIT.",
	      time_wait_parts),
	CLAIM("go-blog-linger-abort", "linger-abort", "go-blog", 5, 0,
	      "With l_onoff != 0 and l_linger = 0 TCP aborts the connection on close: it discards data left in the send buffer, sends an RST, skips the four-way close, and there is no TIME_WAIT.",
	      abort_parts),
	CLAIM("cnblogs-linger-abort", "linger-abort", "cnblogs", 10, 0,
	      "With l_onoff != 0 and l_linger = 0 TCP aborts the connection on close: send-buffer data is discarded, an RST is sent instead of the four-packet termination, and TIME_WAIT is avoided.",
	      abort_parts),
	CLAIM("cnblogs-abort-example", "linger-abort", "cnblogs", 46, 0,
	      "In the example (l_onoff = TRUE, l_linger = 0, then close), close aborts socket s at once; the abort comes from the zero timeout.",
	      abort_example_parts),
	CLAIM("cnblogs-windows-abort", "linger-abort", "cnblogs", 60, 0,
	      "(Windows) With SO_LINGER on and a zero timeout closesocket does not block, the connection is reset, unsent data is lost, and the remote recv fails with WSAECONNRESET.",
	      abort_windows_parts),
	CLAIM("cnblogs-avoid-time-wait", "linger-abort", "cnblogs", 71, 0,
	      "SO_LINGER can keep a server's ports out of TIME_WAIT.",
	      avoids_tw_parts),
	CLAIM("csdn-wiki-linger-abort", "linger-abort", "csdn-wiki", 23, 0,
	      "With l_onoff != 0 and l_linger = 0 TCP aborts on close: send-buffer data is discarded, an RST is sent instead of the four-packet termination, and TIME_WAIT is avoided.",
	      abort_parts),
	CLAIM("csdn-wiki-abort-example", "linger-abort", "csdn-wiki", 65, 0,
	      "In the example (l_onoff = TRUE, l_linger = 0, then close), close aborts socket s at once; the abort comes from the zero timeout.",
	      abort_example_parts),
	CLAIM("csdn-wiki-abort-rst", "linger-abort", "csdn-wiki", 67, 0,
	      "A process can end a connection abnormally, with an RST instead of the four-way close, by setting l_linger to 0 and calling close.",
	      rst_parts),
	CLAIM("unp-linger-abort", "linger-abort", "unp", 140, 0,
	      "With l_onoff != 0 and l_linger = 0 TCP aborts the connection on close: it discards the send buffer, sends an RST rather than the four-packet termination, and so avoids TIME_WAIT, at the risk of old duplicates reaching a new incarnation within 2MSL.",
	      abort_unp_parts),
	CLAIM("unp-close-abort-table", "linger-abort", "unp", 150, 0,
	      "close with l_onoff = 1, l_linger = 0: an RST is sent, the connection goes to CLOSED without TIME_WAIT, and the data in both the send and the receive buffer is discarded.",
	      abort_table_parts),
	CLAIM("adv-linger-abort", "linger-abort", "adv", 59, 61,
	      "With l_onoff != 0 and l_linger == 0 close returns at once, the stack discards unsent data and sends an RST, and all subsequent reads by the peer fail with ECONNRESET.",
	      abort_every_read_parts),
	CLAIM("adv-abort-for-time-wait", "linger-abort", "adv", 35, 0,
	      "The typical reason to set a zero SO_LINGER timeout is to keep connections out of TIME_WAIT.",
	      avoids_tw_parts),
	CLAIM("adv-linger-no-time-wait-effect", "linger-abort", "adv", 79, 0,
	      "SO_LINGER does not (should not) affect the stack's TIME_WAIT; it is not the way around TIME_WAIT.",
	      no_tw_effect_parts),
	CLAIM("cnblogs-linger-timeout", "linger-timeout-blocking", "cnblogs", 11, 0,
	      "With l_onoff != 0 and l_linger != 0 close sleeps until the data is sent and acknowledged or the linger time runs out; on time-out close returns EWOULDBLOCK and the send buffer's data is lost.",
	      linger_wait_parts),
	CLAIM("cnblogs-windows-graceful", "linger-timeout-blocking", "cnblogs", 61, 0,
	      "(Windows) With SO_LINGER on and a non-zero timeout closesocket blocks until the remaining data is sent or the time runs out.",
	      linger_wait_no_errno_parts),
	CLAIM("csdn-wiki-linger-timeout", "linger-timeout-blocking", "csdn-wiki", 25, 0,
	      "With l_onoff != 0 and l_linger != 0 close does not return at once: it sleeps until the data is sent and acknowledged or the time runs out, and on time-out returns EWOULDBLOCK with the send buffer's data lost.",
	      linger_wait_parts),
	CLAIM("unp-linger-timeout", "linger-timeout-blocking", "unp", 142, 0,
	      "With l_onoff != 0 and l_linger != 0 close sleeps until all data is sent and acknowledged or the linger time runs out; on time-out close returns EWOULDBLOCK and the rest of the send buffer is discarded.",
	      linger_wait_parts),
	CLAIM("unp-close-linger-table", "linger-timeout-blocking", "unp", 151, 0,
	      "close with l_onoff = 1, l_linger != 0: if the linger time runs out before the connection is CLOSED, close returns EWOULDBLOCK.",
	      linger_table_parts),
	CLAIM("adv-linger-timeout", "linger-timeout-blocking", "adv", 63, 65,
	      "With l_onoff != 0 and l_linger != 0 a blocking close blocks until a graceful shutdown completes or l_linger elapses; on time-out the stack behaves as with l_linger 0 (discards, RST).",
	      linger_wait_rst_parts),
	CLAIM("adv-linger-close-waits", "linger-timeout-blocking", "adv", 33, 0,
	      "With SO_LINGER enabled close(2) does not return until all queued messages are sent or the linger timeout is reached.",
	      linger_wait_no_errno_parts),
	CLAIM("cnblogs-linger-units", "linger-timeout-blocking", "cnblogs", 12, 0,
	      "The unit of l_linger depends on the implementation: 4.4BSD counts clock ticks (1/100 s), Posix.1g seconds.",
	      units_parts),
	CLAIM("csdn-wiki-linger-units", "linger-timeout-blocking", "csdn-wiki", 27, 0,
	      "The unit of l_linger depends on the implementation: 4.4BSD counts clock ticks (1/100 s), Posix.1g seconds.",
	      units_parts),
	CLAIM("unp-linger-seconds", "linger-timeout-blocking", "unp", 133, 0,
	      "l_linger is a time in seconds.",
	      units_parts),
	CLAIM("cnblogs-linger-acked", "linger-acked", "cnblogs", 11, 0,
	      "With l_linger != 0 close returns once all data is sent and acknowledged by the peer (then the normal termination follows); a successful return says data and FIN were acknowledged.",
	      acked_parts),
	CLAIM("unp-linger-acked", "linger-acked", "unp", 142, 0,
	      "With l_linger != 0 close sleeps only until all data is sent and acknowledged, if that comes before the linger time.",
	      acked_parts),
	CLAIM("cnblogs-linger-nonblocking", "linger-timeout-nonblocking", "cnblogs", 11, 0,
	      "If the socket is non-blocking, close does not wait (even with l_linger != 0).",
	      nonblock_no_wait_parts),
	CLAIM("cnblogs-windows-nonblocking", "linger-timeout-nonblocking", "cnblogs", 61, 0,
	      "(Windows) On a non-blocking socket with a non-zero SO_LINGER timeout closesocket fails with WSAEWOULDBLOCK.",
	      nonblock_ewouldblock_parts),
	CLAIM("unp-linger-nonblocking", "linger-timeout-nonblocking", "unp", 142, 0,
	      "If the socket is non-blocking, close does not wait, even with a non-zero linger time.",
	      nonblock_no_wait_parts),
	CLAIM("adv-linger-nonblocking", "linger-timeout-nonblocking", "adv", 65, 0,
	      "With l_onoff != 0 and l_linger != 0 close on a non-blocking socket fails with EWOULDBLOCK.",
	      nonblock_ewouldblock_parts),
	CLAIM("adv-linger-exit", "linger-exit", "adv", 33, 0,
	      "When the socket is closed as part of exit(2), it always lingers in the background.",
	      exit_parts),
	CLAIM("adv-linger-shutdown", "linger-shutdown", "adv", 33, 0,
	      "With SO_LINGER enabled shutdown(2), like close, does not return until all queued messages are sent or the linger timeout is reached.",
	      shutdown_parts),
};
const size_t lab_linger_claims_count = LAB_ARRAY_SIZE(lab_linger_claims);
