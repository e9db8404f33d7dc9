/* keepalive.c: experiments on TCP keepalive and dead, unreachable or rebooted peers, in private network namespaces. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define SEED_UNP "003_f012efc3bbbfde02.txt"
#define SEED_MAN "004_0de232be0c243d49.txt"
#define SEED_GO "000_b4212af7d284b003.txt"

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
	lab_int(r, "idle_s", IDLE_S);
	lab_int(r, "intvl_s", INTVL_S);
	lab_int(r, "cnt", COUNT);
	lab_int(r, "expected_us", (IDLE_S + COUNT * INTVL_S) * 1000000LL);
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
	lab_int(r, "first_probe_us", IDLE_S * 1000000LL);
	lab_observe(r, "After the peer forgot the connection (its RST lost), the first keepalive "
		       "probe, due after %d s, failed the connection after %.2f s with SO_ERROR %s.",
		    IDLE_S, lab_num(r, "failed_after_us") / 1e6, lab_word(r, "so_error"));
	close(c);
}

static const struct lab_check defaults_checks[] = {
	{ "keepalive_time", LAB_EQ, 7200, .says = "the first probe comes after 2 hours idle" },
	{ "keepalive_intvl", LAB_EQ, 75, .says = "probes are 75 s apart" },
	{ "keepalive_probes", LAB_EQ, 9, .says = "9 probes are sent before giving up" },
	{ "probing_s", LAB_EQ, 675, .says = "probing lasts 11 min 15 s" },
	{ "socket_idle", LAB_EQ, .other = "keepalive_time", .says = "a socket's TCP_KEEPIDLE starts at the sysctl" },
	{ "socket_intvl", LAB_EQ, .other = "keepalive_intvl", .says = "a socket's TCP_KEEPINTVL starts at the sysctl" },
	{ "socket_cnt", LAB_EQ, .other = "keepalive_probes", .says = "a socket's TCP_KEEPCNT starts at the sysctl" },
	{ "so_keepalive", LAB_EQ, 0, .says = "keepalive is off until SO_KEEPALIVE is set" },
};

#define FAILED_IN_TIME                                                                                        \
	{ "failed", LAB_EQ, 1, .says = "the connection fails" },                                               \
	{ "failed_after_us", LAB_GE, .other = "expected_us", .num = 9, .den = 10, .says = "after idle + cnt × intvl, not before" }, \
	{ "failed_after_us", LAB_LE, .other = "expected_us", .num = 2, .says = "and not much later" }

static const struct lab_check dead_peer_checks[] = {
	FAILED_IN_TIME,
	{ "so_error", LAB_EQ, .str = "ETIMEDOUT", .says = "the pending error is ETIMEDOUT" },
};

static const struct lab_check unreachable_checks[] = {
	FAILED_IN_TIME,
	{ "so_error", LAB_EQ, .str = "EHOSTUNREACH", .says = "an ICMP host unreachable answer makes the error EHOSTUNREACH" },
};

static const struct lab_check reboot_checks[] = {
	{ "failed", LAB_EQ, 1, .says = "the connection fails" },
	{ "failed_after_us", LAB_LT, .other = "expected_us", .says = "at the first probe, without waiting for the others" },
	{ "so_error", LAB_EQ, .str = "ECONNRESET", .says = "the peer answers the probe with RST: ECONNRESET" },
};

const struct lab_experiment lab_keepalive[] = {
	{ "keepalive-defaults", "Keepalive timers: 2 h idle, 75 s interval, 9 probes",
	  SEED_UNP " " SEED_GO, "SO_KEEPALIVE TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT",
	  "With SO_KEEPALIVE set, TCP probes after 2 hours without traffic, then sends probes 75 s "
	  "apart, 9 in all (11 min 15 s), before giving up.",
	  "Read net.ipv4.tcp_keepalive_time/_intvl/_probes and SO_KEEPALIVE, TCP_KEEPIDLE, "
	  "TCP_KEEPINTVL, TCP_KEEPCNT on a fresh TCP socket.",
	  0, run_defaults, LAB_CHECKS(defaults_checks) },
	{ "keepalive-dead-peer", "Keepalive against a silent peer: ETIMEDOUT after idle + cnt × intvl",
	  SEED_UNP, "SO_KEEPALIVE TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT SO_ERROR",
	  "If the peer does not answer the probes, TCP gives up after the idle time plus the probes, "
	  "the pending error becomes ETIMEDOUT and the socket is closed.",
	  "In a private network namespace: a loopback pair, keepalive on the client with idle 1 s, "
	  "interval 1 s, 2 probes (sockopt_keepalive_set); an nftables rule drops everything sent to "
	  "the server's port; we time until the client's socket fails.",
	  LAB_NEEDS_NETNS, run_dead_peer, LAB_CHECKS(dead_peer_checks) },
	{ "keepalive-unreachable", "Keepalive answered by ICMP host unreachable: EHOSTUNREACH",
	  SEED_UNP, "SO_KEEPALIVE TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT SO_ERROR",
	  "If the probes are answered with an ICMP error such as host unreachable, that error is "
	  "returned (EHOSTUNREACH) and the socket is closed.",
	  "As keepalive-dead-peer, but the nftables rule rejects the probes with ICMP host "
	  "unreachable.",
	  LAB_NEEDS_NETNS, run_unreachable, LAB_CHECKS(unreachable_checks) },
	{ "keepalive-peer-reboot", "Keepalive against a peer that crashed and rebooted: ECONNRESET",
	  SEED_UNP, "SO_KEEPALIVE TCP_KEEPIDLE SO_ERROR",
	  "If the peer host crashed and rebooted, it answers the probe with RST; the pending error "
	  "becomes ECONNRESET and the socket is closed.",
	  "In a private network namespace: the server aborts its end while an nftables rule drops "
	  "its RST, so the client still believes in the connection; the rule is removed and the "
	  "client's first keepalive probe (after 1 s) reaches a host without the connection.",
	  LAB_NEEDS_NETNS, run_peer_reboot, LAB_CHECKS(reboot_checks) },
};
const size_t lab_keepalive_count = LAB_ARRAY_SIZE(lab_keepalive);
