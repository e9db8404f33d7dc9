/* linger.c: experiments on SO_LINGER: what close() does with unsent data, how long it waits, and what the peer sees. */
#include <errno.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"
#include "sockdiag.h"

#define SEEDS_LINGER "001_b5b00f28f26c67e8.txt 002_48b01fd0b13bff6e.txt 003_f012efc3bbbfde02.txt"
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
};

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

static void close_experiment(struct lab_result *r, const struct close_run *run)
{
	struct sockaddr_storage local, remote;
	char linger[64] = "";
	int client, server, end = 0, state;
	long long sent, received;

	if (!lab_opt(r, "SO_LINGER"))
		return;
	if (labnet_tcp_pair("127.0.0.1", &client, &server) < 0)
		return (void)lab_skip(r, "could not make a loopback TCP pair");
	labnet_fd_addrs(client, &local, &remote);
	if (lab_set(client, "SO_LINGER", run->linger) < 0)
		lab_skip(r, "setting SO_LINGER=%s failed", run->linger);
	lab_get_text(client, "SO_LINGER", linger, sizeof(linger));
	lab_str(r, "so_linger", linger);
	sent = labnet_fill(client, FILL_MAX);
	lab_int(r, "bytes_sent", sent);
	lab_int(r, "unacked_at_close", labnet_outq(client));
	if (run->nonblocking)
		sockopt_fd_set_nonblocking(client, true, NULL);
	close_client(r, run, client);
	state = diag_tcp_state(&local, &remote);
	lab_str(r, "state_after_close", diag_tcp_state_name(state));
	received = labnet_drain(server, 1500, &end);
	lab_int(r, "bytes_received", received);
	lab_errno(r, "peer_end", end);
	close(server);
	state = settle_state(&local, &remote, 500);
	lab_str(r, "client_final_state", diag_tcp_state_name(state));
	lab_int(r, "time_wait", state == TCP_TIME_WAIT);
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
		    got->i, sent->i, strcmp(end->s, "OK") == 0 ? "EOF" : end->s);
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
	lab_int(r, "linger_us", 1000000);
	close_experiment(r, &(struct close_run){ .linger = "on:1" });
	observe_close(r, "SO_LINGER on:1, blocking socket, peer not reading");
}

static void run_timeout_nonblocking(struct lab_result *r)
{
	lab_int(r, "linger_us", 1000000);
	close_experiment(r, &(struct close_run){ .linger = "on:1", .nonblocking = true });
	observe_close(r, "SO_LINGER on:1, O_NONBLOCK socket, peer not reading");
}

static void run_units(struct lab_result *r)
{
	lab_int(r, "l_linger", 1);
	lab_int(r, "one_second_us", 1000000);
	lab_int(r, "one_tick_us", 10000);
	close_experiment(r, &(struct close_run){ .linger = "on:1" });
	if (lab_field(r, "close_us"))
		lab_observe(r, "With l_linger = 1 and unacknowledged data, close blocked for %.1f ms "
			       "(1 s would be 1000 ms, one 4.4BSD tick 10 ms).",
			    lab_num(r, "close_us") / 1000.0);
}

static void run_exit(struct lab_result *r)
{
	lab_int(r, "linger_us", 1000000);
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
	lab_int(r, "linger_us", 1000000);
	close_experiment(r, &(struct close_run){ .linger = "on:1", .shutdown_first = true });
	if (lab_field(r, "shutdown_us"))
		lab_observe(r, "shutdown(SHUT_WR) with SO_LINGER on:1 and %lld unacknowledged bytes "
			       "returned %s after %.1f ms.",
			    lab_num(r, "unacked_at_close"), lab_word(r, "shutdown_errno"),
			    lab_num(r, "shutdown_us") / 1000.0);
}

#define DATA_QUEUED { "unacked_at_close", LAB_GT, 0, .says = "data was still unacknowledged at close", .setup = true }
#define AT_ONCE(f) { f, LAB_LT, 100000, .says = "it returns at once (under 100 ms)" }

static const struct lab_check default_checks[] = {
	DATA_QUEUED,
	AT_ONCE("close_us"),
	{ "bytes_received", LAB_EQ, .other = "bytes_sent", .says = "the unsent data is still delivered" },
	{ "peer_end", LAB_EQ, .str = "OK", .says = "the peer reads an orderly end of stream (FIN)" },
	{ "time_wait", LAB_EQ, 1, .says = "the active closer goes to TIME_WAIT" },
};

static const struct lab_check abort_checks[] = {
	DATA_QUEUED,
	AT_ONCE("close_us"),
	{ "bytes_received", LAB_LT, .other = "bytes_sent", .says = "unsent data is discarded" },
	{ "peer_end", LAB_EQ, .str = "ECONNRESET", .says = "the peer's read fails with ECONNRESET" },
	{ "time_wait", LAB_EQ, 0, .says = "no TIME_WAIT" },
};

static const struct lab_check timeout_blocking_checks[] = {
	DATA_QUEUED,
	{ "close_us", LAB_GE, .other = "linger_us", .num = 9, .den = 10, .says = "close blocks until the linger time runs out" },
	{ "close_us", LAB_LE, .other = "linger_us", .num = 3, .says = "close does not block much longer than the linger time" },
	{ "close_errno", LAB_EQ, .str = "EAGAIN", .says = "close returns EWOULDBLOCK (EAGAIN on Linux)" },
	{ "bytes_received", LAB_LT, .other = "bytes_sent", .says = "the unsent data is discarded" },
};

static const struct lab_check timeout_nonblocking_checks[] = {
	DATA_QUEUED,
	AT_ONCE("close_us"),
	{ "close_errno", LAB_EQ, .str = "EAGAIN", .says = "close returns EWOULDBLOCK (Windows, seed 001)" },
};

static const struct lab_check units_checks[] = {
	DATA_QUEUED,
	{ "close_us", LAB_GE, .other = "one_second_us", .num = 9, .den = 10, .says = "l_linger counts seconds (POSIX), not 10 ms ticks (4.4BSD)" },
};

static const struct lab_check exit_checks[] = {
	DATA_QUEUED,
	{ "exit_us", LAB_LT, .other = "linger_us", .num = 1, .den = 2, .says = "exit(2) does not wait for the linger time" },
	{ "bytes_received", LAB_EQ, .other = "bytes_sent", .says = "the data is still delivered in the background" },
};

static const struct lab_check shutdown_checks[] = {
	DATA_QUEUED,
	{ "shutdown_us", LAB_GE, .other = "linger_us", .num = 9, .den = 10, .says = "shutdown waits like close, up to the linger time" },
};

const struct lab_experiment lab_linger[] = {
	{ "linger-default", "SO_LINGER off: close returns at once, data still delivered, TIME_WAIT",
	  SEEDS_LINGER " 000_b4212af7d284b003.txt", "SO_LINGER",
	  "With SO_LINGER off (the default) close returns at once, the kernel still delivers unsent "
	  "data and ends with the FIN handshake, and the active closer goes to TIME_WAIT.",
	  "Loopback pair; the server does not read, so the client's writes pile up unacknowledged. "
	  "The client closes with SO_LINGER off; then the server reads to the end and closes, and "
	  "/proc/net/tcp shows the client's connection state.",
	  0, run_default, LAB_CHECKS(default_checks) },
	{ "linger-abort", "SO_LINGER on:0: close sends RST, data discarded, ECONNRESET, no TIME_WAIT",
	  SEEDS_LINGER " 004_0de232be0c243d49.txt 000_b4212af7d284b003.txt", "SO_LINGER",
	  "With l_onoff=1 and l_linger=0 close aborts the connection: unsent data is discarded, an "
	  "RST goes to the peer, whose next read fails with ECONNRESET, and there is no TIME_WAIT.",
	  "As linger-default, but the client sets SO_LINGER on:0 (abort) before closing.",
	  0, run_abort, LAB_CHECKS(abort_checks) },
	{ "linger-timeout-blocking", "SO_LINGER on:N, blocking: close waits, then EWOULDBLOCK and data lost",
	  SEEDS_LINGER " 004_0de232be0c243d49.txt", "SO_LINGER",
	  "With l_linger > 0 a blocking close waits until the data is acknowledged or the time runs "
	  "out; on timeout close returns EWOULDBLOCK and the unsent data is discarded.",
	  "The server does not read, so the data can never be acknowledged. The client sets SO_LINGER "
	  "on:1 and closes a blocking socket; we time close, keep its return value, look at the "
	  "connection right after, then let the server read everything it can.",
	  0, run_timeout_blocking, LAB_CHECKS(timeout_blocking_checks) },
	{ "linger-timeout-nonblocking", "SO_LINGER on:N, non-blocking: close does not wait / EWOULDBLOCK",
	  SEEDS_LINGER " 004_0de232be0c243d49.txt", "SO_LINGER",
	  "On a non-blocking socket with l_linger > 0 close does not wait (UNP); Windows and the "
	  "portability note say it fails with EWOULDBLOCK.",
	  "As linger-timeout-blocking, with O_NONBLOCK set on the client before close.",
	  0, run_timeout_nonblocking, LAB_CHECKS(timeout_nonblocking_checks) },
	{ "linger-units", "l_linger unit: seconds (POSIX) or clock ticks (4.4BSD)",
	  SEEDS_LINGER, "SO_LINGER",
	  "The unit of l_linger depends on the implementation: 4.4BSD counts clock ticks (1/100 s), "
	  "POSIX.1g seconds.",
	  "l_linger = 1 on a blocking socket with unacknowledged data: close blocks 1000 ms if the "
	  "unit is a second, 10 ms if it is a tick.",
	  0, run_units, LAB_CHECKS(units_checks) },
	{ "linger-exit", "SO_LINGER on:N does not delay exit(2)",
	  "004_0de232be0c243d49.txt", "SO_LINGER",
	  "When the socket is closed as part of exit(2), it always lingers in the background: the "
	  "process does not wait.",
	  "A child process inherits the only descriptor of a socket with SO_LINGER on:1 and "
	  "unacknowledged data and exits; we time it until it is reaped, then the peer reads.",
	  0, run_exit, LAB_CHECKS(exit_checks) },
	{ "linger-shutdown", "SO_LINGER and shutdown(2)",
	  "004_0de232be0c243d49.txt", "SO_LINGER",
	  "When SO_LINGER is enabled, close(2) or shutdown(2) does not return until the queued data "
	  "is sent or the linger time has passed.",
	  "SO_LINGER on:1 with unacknowledged data; we time shutdown(SHUT_WR).",
	  0, run_shutdown, LAB_CHECKS(shutdown_checks) },
};
const size_t lab_linger_count = LAB_ARRAY_SIZE(lab_linger);
