/* keepalive.c: experiments on TCP keepalive and dead, unreachable or rebooted peers, in private network namespaces. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* Small keepalive timers so a dead peer is found in seconds: idle 1 s, then 2 probes 1 s apart. */
#define IDLE_S 1
#define INTVL_S 1
#define COUNT 2

/* ---- defaults ---------------------------------------------------------- */

static void run_defaults(struct lab_result *r)
{
	static const struct {
		const char *sysctl, *sys_field, *option, *sock_field;
	} rows[] = {
		{ "net.ipv4.tcp_keepalive_time", "keepalive_time", "TCP_KEEPIDLE", "socket_idle" },
		{ "net.ipv4.tcp_keepalive_intvl", "keepalive_intvl", "TCP_KEEPINTVL", "socket_intvl" },
		{ "net.ipv4.tcp_keepalive_probes", "keepalive_probes", "TCP_KEEPCNT", "socket_cnt" },
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), v;

	if (fd < 0)
		return (void)lab_skip(r, "no TCP socket");
	for (size_t i = 0; i < LAB_ARRAY_SIZE(rows); i++) {
		long long s;

		if (sockopt_sysctl_read_long(rows[i].sysctl, &s, NULL) == 0)
			lab_int(r, rows[i].sys_field, s);
		lab_record(r, fd, rows[i].option, "%s", rows[i].sock_field);
	}
	if (lab_get_int(fd, "SO_KEEPALIVE", &v) == 0)
		lab_bool(r, "so_keepalive", v);
	close(fd);
	if (!lab_field(r, "keepalive_time") || !lab_field(r, "socket_cnt"))
		return (void)lab_skip(r, "cannot read the keepalive sysctls or options");
	lab_int(r, "probing_s", lab_num(r, "keepalive_intvl") * lab_num(r, "keepalive_probes"));
	lab_observe(r, "net.ipv4.tcp_keepalive_time %lld s, _intvl %lld s, _probes %lld (probing "
		       "lasts %lld s); a fresh TCP socket reads TCP_KEEPIDLE %lld, TCP_KEEPINTVL %lld, "
		       "TCP_KEEPCNT %lld, SO_KEEPALIVE %s.",
		    lab_num(r, "keepalive_time"), lab_num(r, "keepalive_intvl"),
		    lab_num(r, "keepalive_probes"), lab_num(r, "probing_s"),
		    lab_num(r, "socket_idle"), lab_num(r, "socket_intvl"),
		    lab_num(r, "socket_cnt"), lab_num(r, "so_keepalive") ? "on" : "off");
}

/* ---- a peer that goes silent, unreachable or away ---------------------- */

/*
 * Wait up to MS for FD to fail; record how long since T0, the pending
 * error (SO_ERROR, which reading clears), and what recv says afterwards
 * ("EOF" once the socket is closed).
 */
static void await_failure(struct lab_result *r, int fd, long long t0, int ms)
{
	int revents = labnet_wait(fd, POLLERR | POLLHUP | POLLIN, ms);
	char buf[16];
	ssize_t n;

	lab_int(r, "failed_after_us", labnet_now_us() - t0);
	lab_bool(r, "failed", revents != 0);
	lab_record_error(r, fd, "so_error");
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0)
		lab_str(r, "recv_after", "EOF");
	else
		lab_errno(r, "recv_after", n < 0 ? errno : 0);
}

/* A loopback pair whose client has the small keepalive timers; 0 or a skip. */
static int keepalive_pair(struct lab_result *r, int *c, int *s)
{
	struct sockopt_keepalive ka = { .idle_s = IDLE_S, .interval_s = INTVL_S, .count = COUNT };
	struct sockopt_diag d;

	if (!labnet_have("nft"))
		return lab_skip(r, "needs nft (nftables) to make the peer silent"), -1;
	if (labnet_tcp_pair("127.0.0.1", c, s) < 0)
		return lab_skip(r, "no loopback TCP pair in the namespace"), -1;
	if (sockopt_keepalive_set(*c, &ka, &d) < 0) {
		close(*c);
		close(*s);
		return lab_skip(r, "%s", d.text), -1;
	}
	return 0;
}

/* Keepalive against a peer behind RULE (drop, or reject with an ICMP error). */
static void silent_peer(struct lab_result *r, const char *rule)
{
	long long t0, icmp0, ignored0;
	int c, s;

	if (keepalive_pair(r, &c, &s) < 0)
		return;
	icmp0 = labnet_counter("Icmp", "InDestUnreachs");
	ignored0 = labnet_counter("TcpExt", "OutOfWindowIcmps");
	t0 = labnet_now_us();
	if (labnet_nft_rule("input", "tcp dport", labnet_port(s), rule) < 0) {
		lab_skip(r, "nft could not load the rule");
	} else {
		await_failure(r, c, t0, 10000);
		lab_int(r, "icmp_unreachable_received", labnet_counter("Icmp", "InDestUnreachs") - icmp0);
		lab_int(r, "icmp_ignored_out_of_window",
			labnet_counter("TcpExt", "OutOfWindowIcmps") - ignored0);
		lab_observe(r, "With TCP_KEEPIDLE %d s, TCP_KEEPINTVL %d s, TCP_KEEPCNT %d and the "
			       "packets to the peer met by \"%s\", the idle connection failed after "
			       "%.2f s (idle + cnt × intvl = %d s) with SO_ERROR %s; recv then gave %s. "
			       "ICMP destination-unreachable messages received: %lld, of which TCP "
			       "ignored %lld as out of window.",
			    IDLE_S, INTVL_S, COUNT, rule, lab_num(r, "failed_after_us") / 1e6,
			    IDLE_S + COUNT * INTVL_S, lab_word(r, "so_error"),
			    lab_word(r, "recv_after"), lab_num(r, "icmp_unreachable_received"),
			    lab_num(r, "icmp_ignored_out_of_window"));
	}
	close(c);
	close(s);
}

/*
 * A peer that answers the probes.  The client's idle time is 2 s here
 * (interval 1 s), so "the next probe after another idle period" and "after
 * the interval" differ; probes are counted by the namespace's
 * TcpExt.TCPKeepAlive, read every 20 ms for 4.5 s.
 */
#define ANSWERED_IDLE_S 2
#define ANSWERED_WATCH_MS 4500

static void run_answering(struct lab_result *r)
{
	long long t0, first_us = -1, second_us = -1, base, seen;
	char c1 = 'x';
	int c, s, woke = 0;

	if (keepalive_pair(r, &c, &s) < 0)
		return;
	lab_set(c, "TCP_KEEPIDLE", "2");
	base = seen = labnet_counter("TcpExt", "TCPKeepAlive");
	t0 = labnet_now_us();
	for (int i = 0; i < ANSWERED_WATCH_MS / 20 && !woke; i++) {
		long long now;

		woke = labnet_wait(c, POLLERR | POLLHUP | POLLIN, 20);
		now = labnet_counter("TcpExt", "TCPKeepAlive");
		if (now > seen && first_us < 0)
			first_us = labnet_now_us() - t0;
		else if (now > seen && second_us < 0)
			second_us = labnet_now_us() - t0;
		seen = now;
	}
	lab_int(r, "woke", woke);
	lab_int(r, "probes", seen - base);
	if (first_us >= 0)
		lab_int(r, "first_probe_us", first_us);
	if (second_us >= 0)
		lab_int(r, "probe_gap_us", second_us - first_us);
	lab_record_error(r, c, "so_error");
	lab_bool(r, "still_works", send(c, &c1, 1, 0) == 1 && labnet_wait(s, POLLIN, 1000) &&
				   recv(s, &c1, 1, 0) == 1);
	lab_observe(r, "With TCP_KEEPIDLE %d s, TCP_KEEPINTVL %d s, TCP_KEEPCNT %d and a peer that "
		       "answers, the connection idled %.1f s: %lld probes went out (TcpExt.TCPKeepAlive), "
		       "the first after %.2f s and the next %.2f s later; poll woke with %d, SO_ERROR "
		       "%s, and it still carried data: %s.",
		    ANSWERED_IDLE_S, INTVL_S, COUNT, ANSWERED_WATCH_MS / 1000.0, lab_num(r, "probes"),
		    first_us / 1e6, lab_num(r, "probe_gap_us") / 1e6, woke, lab_word(r, "so_error"),
		    lab_num(r, "still_works") ? "yes" : "no");
	close(c);
	close(s);
}

static void run_dead_peer(struct lab_result *r)
{
	silent_peer(r, "drop");
}

static void run_unreachable(struct lab_result *r)
{
	silent_peer(r, "reject with icmp type host-unreachable");
}

/*
 * A peer that "crashed and rebooted": its RST from an abortive close is
 * dropped on the way out, so our end still believes in the connection;
 * then the path is restored, and the next keepalive probe meets a host
 * that knows nothing of it.
 */
static void run_peer_reboot(struct lab_result *r)
{
	long long t0;
	int c, s;

	if (keepalive_pair(r, &c, &s) < 0)
		return;
	t0 = labnet_now_us();
	if (labnet_nft_rule("output", "tcp sport", labnet_port(s), "drop") < 0) {
		close(c);
		close(s);
		return (void)lab_skip(r, "nft could not load the rule");
	}
	sockopt_close_abortive(s, NULL, NULL);
	labnet_nft("delete table inet sockopt_lab\n");
	await_failure(r, c, t0, 10000);
	lab_observe(r, "After the peer forgot the connection (its RST lost), the first keepalive "
		       "probe, due after %d s, failed the connection after %.2f s with SO_ERROR %s.",
		    IDLE_S, lab_num(r, "failed_after_us") / 1e6, lab_word(r, "so_error"));
	close(c);
}

#define NETNS_EXPERIMENT(id_, title_, method_, run_)                                          \
	{ .id = id_, .title = title_, .options = "SO_KEEPALIVE TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT", \
	  .method = method_, .shows = "so_error", .needs = LAB_NEEDS_NETNS, .repeat = 5, .run = run_ }

const struct lab_experiment lab_keepalive[] = {
	{ .id = "keepalive-defaults", .title = "Keepalive timers and SO_KEEPALIVE's default",
	  .options = "SO_KEEPALIVE TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT",
	  .method = "Read net.ipv4.tcp_keepalive_time/_intvl/_probes and SO_KEEPALIVE, TCP_KEEPIDLE, "
		    "TCP_KEEPINTVL, TCP_KEEPCNT on a fresh TCP socket.",
	  .shows = "keepalive_time", .run = run_defaults },
	NETNS_EXPERIMENT("keepalive-answered", "Keepalive against a peer that answers the probes",
			 "In a private network namespace: a loopback pair, keepalive on the client with "
			 "idle 2 s, interval 1 s, 2 probes; the peer answers; for 4.5 s we count the probes "
			 "(TcpExt.TCPKeepAlive) and their times, then look at the socket and send a byte.",
			 run_answering),
	NETNS_EXPERIMENT("keepalive-dead-peer", "Keepalive against a silent peer",
			 "In a private network namespace: a loopback pair, keepalive on the client with "
			 "idle 1 s, interval 1 s, 2 probes (sockopt_keepalive_set); an nftables rule drops "
			 "everything sent to the server's port; we time until the client's socket fails.",
			 run_dead_peer),
	NETNS_EXPERIMENT("keepalive-unreachable", "Keepalive probes answered by ICMP host unreachable",
			 "As keepalive-dead-peer, but the nftables rule rejects the probes with ICMP host "
			 "unreachable.", run_unreachable),
	NETNS_EXPERIMENT("keepalive-peer-reboot", "Keepalive against a peer that crashed and rebooted",
			 "In a private network namespace: the server aborts its end while an nftables rule "
			 "drops its RST, so the client still believes in the connection; the rule is removed "
			 "and the client's first keepalive probe (after 1 s) reaches a host without the "
			 "connection.", run_peer_reboot),
};
const size_t lab_keepalive_count = LAB_ARRAY_SIZE(lab_keepalive);

/* The small timers give up at idle + cnt × intvl = 3 s. */
#define GAVE_UP_IN_TIME                                                                      \
	{ "failed_after_us", LAB_GE, 2700000, .says = "TCP gives up after the idle time and the probes (3 s here), not before" }, \
	{ "failed_after_us", LAB_LE, 6000000, .says = "and not much later" }

static const struct lab_check two_hours_parts[] = {
	{ "keepalive_time", LAB_EQ, 7200, .says = "the first probe after 2 hours without traffic" },
	{ "socket_idle", LAB_EQ, 7200, .says = "as a new socket's TCP_KEEPIDLE" },
};
static const struct lab_check answered_parts[] = {
	{ "woke", LAB_EQ, 0, .says = "the application is not notified" },
	{ "so_error", LAB_EQ, .str = "OK", .says = "no error is pending" },
	{ "still_works", LAB_EQ, 1, .says = "the connection goes on" },
	{ "probe_gap_us", LAB_GE, 1800000, .says = "the next probe comes after another idle period (2 s here for the 2 hours), not after the 1 s probe interval" },
};
static const struct lab_check reboot_parts[] = {
	{ "so_error", LAB_EQ, .str = "ECONNRESET", .says = "the peer answers with RST: the pending error is ECONNRESET" },
	{ "recv_after", LAB_EQ, .str = "EOF", .says = "and the socket is closed" },
};
static const struct lab_check probes_parts[] = {
	{ "keepalive_intvl", LAB_EQ, 75, .says = "probes 75 s apart" },
	{ "keepalive_probes", LAB_EQ, 9, .says = "9 probes (the first and 8 more)" },
	{ "probing_s", LAB_EQ, 675, .says = "11 min 15 s in all" },
};
static const struct lab_check timedout_parts[] = {
	GAVE_UP_IN_TIME,
	{ "so_error", LAB_EQ, .str = "ETIMEDOUT", .says = "the pending error is ETIMEDOUT" },
	{ "recv_after", LAB_EQ, .str = "EOF", .says = "and the socket is closed" },
};
static const struct lab_check half_open_parts[] = {
	{ "so_error", LAB_EQ, .str = "ETIMEDOUT", .says = "keepalive detects a peer host that went silent (pending error ETIMEDOUT)" },
	{ "recv_after", LAB_EQ, .str = "EOF", .says = "and ends the connection (the socket is closed)" },
};
static const struct lab_check icmp_parts[] = {
	{ "so_error", LAB_EQ, .str = "EHOSTUNREACH", .says = "an ICMP host unreachable answer makes the pending error EHOSTUNREACH" },
	{ "failed_after_us", LAB_LT, 2700000, .says = "returned when the ICMP error answers a probe (before the probes run out at 3 s)" },
	{ "recv_after", LAB_EQ, .str = "EOF", .says = "and the socket is closed" },
};
static const struct lab_check idle_table_parts[] = {
	{ "so_error", LAB_EQ, .str = "ETIMEDOUT", .says = "a crashed peer host: ETIMEDOUT after the probes" },
};
static const struct lab_check man_keepalive_parts[] = {
	{ "so_error", LAB_EQ, .str = "ETIMEDOUT", .says = "SO_KEEPALIVE sends keep-alive probes on an idle connection (a silent peer is detected)" },
};

const struct lab_claim lab_keepalive_claims[] = {
	{ "unp-keepalive-2h", "keepalive-defaults", "unp", 101, 0,
	  "With SO_KEEPALIVE set, if nothing is exchanged for 2 hours TCP sends the peer a keep-alive probe.",
	  LAB_CHECKS(two_hours_parts) },
	{ "unp-keepalive-probes", "keepalive-defaults", "unp", 105, 0,
	  "If the peer does not answer, TCP sends 8 more probes 75 s apart (11 min 15 s in all) before giving up.",
	  LAB_CHECKS(probes_parts) },
	{ "unp-keepalive-answered", "keepalive-answered", "unp", 103, 0,
	  "If the peer answers the probe with the expected ACK, the application is not notified, and TCP probes again after another 2 quiet hours.",
	  LAB_CHECKS(answered_parts) },
	{ "unp-keepalive-rst", "keepalive-peer-reboot", "unp", 104, 0,
	  "If the peer answers with RST (it crashed and rebooted), the pending error becomes ECONNRESET and the socket is closed.",
	  LAB_CHECKS(reboot_parts) },
	{ "unp-keepalive-timeout", "keepalive-dead-peer", "unp", 107, 0,
	  "If there is no answer to the probes at all, the pending error becomes ETIMEDOUT and the socket is closed.",
	  LAB_CHECKS(timedout_parts) },
	{ "unp-keepalive-table", "keepalive-dead-peer", "unp", 122, 0,
	  "(Table) On an idle connection with keepalive, a crashed peer host is detected after 2 quiet hours and 9 probes, with ETIMEDOUT.",
	  LAB_CHECKS(idle_table_parts) },
	{ "unp-keepalive-half-open", "keepalive-dead-peer", "unp", 111, 0,
	  "A server whose client host went away (lost link, power, crash) never learns it by itself; with keepalive such half-open connections are detected and ended.",
	  LAB_CHECKS(half_open_parts) },
	{ "adv-keepalive", "keepalive-dead-peer", "adv", 25, 0,
	  "SO_KEEPALIVE enables keep-alive messages on connection-oriented sockets.",
	  LAB_CHECKS(man_keepalive_parts) },
	{ "unp-keepalive-icmp", "keepalive-unreachable", "unp", 109, 0,
	  "If a probe is answered with an ICMP error, that error is returned and the socket closed; for host unreachable the pending error is EHOSTUNREACH.",
	  LAB_CHECKS(icmp_parts) },
};
const size_t lab_keepalive_claims_count = LAB_ARRAY_SIZE(lab_keepalive_claims);
