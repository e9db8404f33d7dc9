/* tcp.c: experiments on TCP options: Nagle and delayed ACK, TCP_MAXSEG, and what accepted sockets inherit. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* ---- Nagle × delayed ACK ---------------------------------------------- */

#define ROUNDS 50
#define MSG 100

/* The server of the write-write-read pattern: read 2 × MSG bytes, answer 1 byte, until EOF. */
static void *answer(void *arg)
{
	int fd = *(int *)arg;
	char buf[2 * MSG];

	for (;;) {
		size_t got = 0;

		while (got < sizeof(buf)) {
			ssize_t n = recv(fd, buf + got, sizeof(buf) - got, 0);

			if (n <= 0)
				return NULL;
			got += (size_t)n;
		}
		if (send(fd, "k", 1, MSG_NOSIGNAL) != 1)
			return NULL;
	}
}

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/*
 * ROUNDS requests of 2 × MSG bytes, as two writes (SPLIT) or one, each
 * waiting for the 1-byte answer; the median and 90th percentile in µs.
 */
static int round_trips(bool nodelay, bool split, long long *median, long long *p90)
{
	static char msg[2 * MSG];
	long long t[ROUNDS];
	pthread_t server;
	int c, s, done = 0;
	char k;

	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return -1;
	if (nodelay)
		lab_set(c, "TCP_NODELAY", "on");
	if (pthread_create(&server, NULL, answer, &s) != 0) {
		close(c);
		close(s);
		return -1;
	}
	for (; done < ROUNDS; done++) {
		long long t0 = labnet_now_us();

		if ((split && (send(c, msg, MSG, 0) != MSG || send(c, msg + MSG, MSG, 0) != MSG)) ||
		    (!split && send(c, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg)) ||
		    recv(c, &k, 1, MSG_WAITALL) != 1)
			break;
		t[done] = labnet_now_us() - t0;
	}
	shutdown(c, SHUT_WR);
	pthread_join(server, NULL);
	close(c);
	close(s);
	if (done < ROUNDS)
		return -1;
	qsort(t, ROUNDS, sizeof(t[0]), compare_ll);
	*median = t[ROUNDS / 2];
	*p90 = t[ROUNDS * 9 / 10];
	return 0;
}

static void run_nodelay(struct lab_result *r)
{
	static const struct {
		bool nodelay, split;
		const char *prefix;
	} runs[] = {
		{ false, false, "one_write" },
		{ false, true, "nagle" },
		{ true, true, "nodelay" },
	};

	if (!lab_opt(r, "TCP_NODELAY"))
		return;
	lab_record_fresh(r, AF_INET, SOCK_STREAM, "TCP_NODELAY", "nodelay_default");
	lab_int(r, "rounds", ROUNDS);
	for (size_t i = 0; i < LAB_ARRAY_SIZE(runs); i++) {
		long long median, p90;
		char field[LAB_NAME_MAX];

		if (round_trips(runs[i].nodelay, runs[i].split, &median, &p90) < 0)
			return (void)lab_skip(r, "a round trip failed");
		snprintf(field, sizeof(field), "%s_median_us", runs[i].prefix);
		lab_int(r, field, median);
		snprintf(field, sizeof(field), "%s_p90_us", runs[i].prefix);
		lab_int(r, field, p90);
	}
	lab_observe(r, "Median (p90) of %d round trips of %d bytes: one write %lld µs (%lld); two "
		       "writes with Nagle %lld µs (%lld); two writes with TCP_NODELAY %lld µs (%lld). "
		       "TCP_NODELAY is %s on a fresh socket.",
		    ROUNDS, 2 * MSG, lab_num(r, "one_write_median_us"),
		    lab_num(r, "one_write_p90_us"), lab_num(r, "nagle_median_us"),
		    lab_num(r, "nagle_p90_us"), lab_num(r, "nodelay_median_us"),
		    lab_num(r, "nodelay_p90_us"),
		    lab_num(r, "nodelay_default") ? "on" : "off");
}

/* ---- TCP_MAXSEG -------------------------------------------------------- */

/* Move TOTAL bytes from C to S (both ends of a pair), so the connection's windows open up. */
static void push_bytes(int c, int s, long long total)
{
	static char buf[1 << 20];

	for (long long sent = 0, rounds = 0; sent < total && rounds < 10000; rounds++) {
		long long n = labnet_fill(c, total - sent);

		sent += n > 0 ? n : 0;
		while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
}

/*
 * Linux holds the MSS to half the largest window the peer has offered, so
 * right after connect it may read less than the peer announced.  Send a
 * fixed 8 MiB and read it again (whatever it then is); then set 1000 on
 * the connected socket and read it once more.
 */
static void after_traffic(struct lab_result *r, int c, int s)
{
	push_bytes(c, s, 8 << 20);
	lab_record(r, c, "TCP_MAXSEG", "after_traffic_client");
	lab_errno(r, "set_after_connect_errno", lab_set(c, "TCP_MAXSEG", "1000"));
	lab_record(r, c, "TCP_MAXSEG", "after_connect_readback");
}

/* A pair whose client set TCP_MAXSEG to CLIENT_MSS (NULL: not) before connect; fields under PREFIX. */
static void maxseg_pair(struct lab_result *r, const char *prefix, const char *client_mss)
{
	int l = labnet_tcp_listener("127.0.0.1"), c, s;
	struct tcp_info ti;

	c = labnet_socket("127.0.0.1", SOCK_STREAM);
	if (l < 0 || c < 0)
		return;
	if (client_mss)
		lab_set(c, "TCP_MAXSEG", client_mss);
	if ((s = labnet_connect_accept(l, c)) < 0) {
		close(c);
		close(l);
		return;
	}
	lab_record(r, c, "TCP_MAXSEG", "%s_client", prefix);
	lab_record(r, s, "TCP_MAXSEG", "%s_server", prefix);
	if (!client_mss && lab_tcp_info(s, &ti, sizeof(ti))) {
		lab_int(r, "server_advmss", ti.tcpi_advmss);
		lab_bool(r, "timestamps", ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
		if (lab_tcp_info(c, &ti, sizeof(ti)))
			lab_int(r, "client_advmss", ti.tcpi_advmss);
		after_traffic(r, c, s);
	}
	close(s);
	close(c);
	close(l);
}

static void run_maxseg(struct lab_result *r)
{
	if (!lab_opt(r, "TCP_MAXSEG") || !lab_opt(r, "TCP_INFO"))
		return;
	lab_record_fresh(r, AF_INET, SOCK_STREAM, "TCP_MAXSEG", "before_connect");
	maxseg_pair(r, "default", NULL);
	maxseg_pair(r, "set_1000", "1000");
	if (!lab_field(r, "default_client") || !lab_field(r, "set_1000_server"))
		return (void)lab_skip(r, "could not read TCP_MAXSEG on a connection");
	lab_observe(r, "TCP_MAXSEG reads %lld before connect, %lld right after connecting on loopback "
		       "and %lld once 8 MiB had flowed (the server announced MSS %lld, timestamps %s). "
		       "With 1000 set before connect the client reads %lld and the server %lld; setting "
		       "1000 after connect returned %s and it then read %lld.",
		    lab_num(r, "before_connect"), lab_num(r, "default_client"),
		    lab_num(r, "after_traffic_client"),
		    lab_num(r, "server_advmss"),
		    lab_num(r, "timestamps") ? "on" : "off",
		    lab_num(r, "set_1000_client"), lab_num(r, "set_1000_server"),
		    lab_word(r, "set_after_connect_errno"),
		    lab_num(r, "after_connect_readback"));
}

/* ---- options inherited by accepted sockets ----------------------------- */

/* The options the seed lists, each with a value that differs from the default. */
static const struct {
	const char *name;
	const char *value;
	bool at_most; /* the accepted socket reads the value or less (MSS after options) */
} inheritable[] = {
	{ "SO_KEEPALIVE", "on", false },   { "SO_LINGER", "on:5", false }, { "SO_RCVBUF", "48K", false },
	{ "SO_SNDBUF", "48K", false },	   { "TCP_NODELAY", "on", false }, { "TCP_MAXSEG", "1000", true },
	{ "SO_DEBUG", "on", false },	   { "SO_DONTROUTE", "on", false }, { "SO_OOBINLINE", "on", false },
	{ "SO_RCVLOWAT", "100", false },   { "SO_SNDLOWAT", "100", false },
};

/* Whether option I on the accepted socket S shows the listener's value (L_TEXT). */
static bool inherited(size_t i, int s, const char *l_text)
{
	char text[64];
	int v;

	if (inheritable[i].at_most)
		return lab_get_int(s, inheritable[i].name, &v) == 0 && v <= atoi(inheritable[i].value);
	return lab_get_text(s, inheritable[i].name, text, sizeof(text)) == 0 &&
	       strcmp(text, l_text) == 0;
}

static void run_accept_inherits(struct lab_result *r)
{
	char l_text[LAB_ARRAY_SIZE(inheritable)][64];
	bool settable[LAB_ARRAY_SIZE(inheritable)];
	int l = labnet_socket("127.0.0.1", SOCK_STREAM), c = -1, s = -1, n_set = 0, n_inh = 0;
	char missing[LAB_STR_MAX] = "";

	if (l < 0)
		return (void)lab_skip(r, "no TCP socket");
	for (size_t i = 0; i < LAB_ARRAY_SIZE(inheritable); i++) {
		/* SO_SNDLOWAT is read-only in the catalog: ask the kernel directly. */
		int err = lab_set_unchecked(l, inheritable[i].name, inheritable[i].value);

		settable[i] = err == 0 && lab_get_text(l, inheritable[i].name, l_text[i], 64) == 0;
		if (!settable[i]) {
			char word[64];

			snprintf(word, sizeof(word), "not settable (%s)",
				 err == -ENOENT ? "not in catalog" : strerrorname_np(-err));
			lab_str(r, inheritable[i].name, word);
		}
	}
	if (labnet_listen(l, "127.0.0.1", 0) < 0 || (c = labnet_socket("127.0.0.1", SOCK_STREAM)) < 0 ||
	    (s = labnet_connect_accept(l, c)) < 0) {
		lab_skip(r, "could not accept a connection");
		goto out;
	}
	for (size_t i = 0; i < LAB_ARRAY_SIZE(inheritable); i++) {
		if (!settable[i])
			continue;
		n_set++;
		if (inherited(i, s, l_text[i])) {
			n_inh++;
			lab_str(r, inheritable[i].name, "inherited");
		} else {
			lab_str(r, inheritable[i].name, "not inherited");
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), " %s",
				 inheritable[i].name);
		}
	}
	lab_int(r, "settable", n_set);
	lab_int(r, "inherited", n_inh);
	lab_observe(r, "Of the %zu options the seed lists, %d could be set on the listener and %d of "
		       "those showed the listener's value on the accepted socket%s%s.",
		    LAB_ARRAY_SIZE(inheritable), n_set, n_inh, missing[0] ? "; not inherited:" : "",
		    missing);
out:
	labnet_close(s);
	labnet_close(c);
	close(l);
}

/* How many options at level IPPROTO_TCP the kernel answers getsockopt for on a TCP socket. */
static void run_tcp_options(struct lab_result *r)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), n = 0;
	char names[LAB_STR_MAX] = "";

	if (fd < 0)
		return (void)lab_skip(r, "no TCP socket");
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		sockopt_value v;

		if (sockopt_entry_level(e) != IPPROTO_TCP || sockopt_get(fd, e, &v, NULL) < 0)
			continue;
		if (n++ < 4)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s ",
				 sockopt_entry_name(e));
	}
	close(fd);
	lab_int(r, "tcp_level_options", n);
	lab_observe(r, "getsockopt answered %d options at level IPPROTO_TCP on a TCP socket (%s…).",
		    n, names);
}

const struct lab_experiment lab_tcp[] = {
	{ .id = "nodelay-delayed-ack", .title = "Nagle: small writes held back while data is unacknowledged",
	  .options = "TCP_NODELAY",
	  .method = "Loopback pair, 50 round trips each: 200 bytes as one write; as two 100-byte "
		    "writes with Nagle; as two writes with TCP_NODELAY. The peer answers one byte after "
		    "reading 200. Medians.",
	  .shows = "nagle_median_us", .run = run_nodelay },
	{ .id = "maxseg", .title = "TCP_MAXSEG before connect, right after, after traffic, set",
	  .options = "TCP_MAXSEG TCP_INFO",
	  .method = "Read TCP_MAXSEG on a fresh socket, on both ends of a loopback connection right "
		    "after connect and after 8 MiB of traffic, with the MSS each end announced (TCP_INFO "
		    "tcpi_advmss); with 1000 set before connect; after setting 1000 on a connected "
		    "socket.",
	  .shows = "default_client", .run = run_maxseg },
	{ .id = "accept-inherits", .title = "Options an accepted socket inherits from its listener",
	  .options = "SO_KEEPALIVE SO_LINGER SO_RCVBUF SO_SNDBUF TCP_NODELAY TCP_MAXSEG SO_DEBUG "
		     "SO_DONTROUTE SO_OOBINLINE SO_RCVLOWAT SO_SNDLOWAT",
	  .method = "Set each option the document lists to a non-default value on a listener, accept a "
		    "connection, and compare the accepted socket's value with the listener's (TCP_MAXSEG: "
		    "at most the value set).",
	  .shows = "inherited", .run = run_accept_inherits },
	{ .id = "tcp-option-count", .title = "How many options level IPPROTO_TCP has",
	  .options = "", .method = "getsockopt every catalog option of level IPPROTO_TCP on a TCP socket; count the answers.",
	  .shows = "tcp_level_options", .run = run_tcp_options },
};
const size_t lab_tcp_count = LAB_ARRAY_SIZE(lab_tcp);

#define NAGLE_DEFAULT { "nodelay_default", LAB_EQ, 0, .says = "Nagle is on by default (TCP_NODELAY off)" }
#define NAGLE_HOLDS { "nagle_median_us", LAB_GE, .other = "one_write_median_us", .num = 10, .says = "a small write is held back while earlier data is unacknowledged (two writes take 10× one)" }
#define NODELAY_SENDS { "nodelay_median_us", LAB_LE, .other = "one_write_median_us", .num = 3, .says = "TCP_NODELAY disables it (two writes about as fast as one)" }

static const struct lab_check unp_nagle_parts[] = { NAGLE_DEFAULT, NAGLE_HOLDS, NODELAY_SENDS };
static const struct lab_check unp_lan_parts[] = {
	{ "nagle_median_us", LAB_LT, 10000, .says = "on a fast network the Nagle effect is not noticed: the small segment waits only a few ms (under 10 ms) for its ACK" },
};
static const struct lab_check man_nodelay_parts[] = {
	{ "nagle_median_us", LAB_LE, .other = "nodelay_median_us", .num = 2, .says = "the speed gained by TCP_NODELAY is very small (Nagle's exchange at most twice as slow)" },
	{ .says = "it increases traffic with smaller packets", .unmeasured = "the lab does not count packets here" },
};
static const struct lab_check maxseg_parts[] = {
	{ "after_traffic_client", LAB_EQ, .other = "server_advmss", .says = "on a connection it is the MSS the peer announced in its SYN (after traffic)" },
	{ "default_client", LAB_EQ, .other = "server_advmss", .says = "also right after connect" },
	{ "set_1000_client", LAB_LE, 1000, .says = "or a smaller value our TCP chose (1000 set before connect)" },
	{ "before_connect", LAB_EQ, 536, .says = "before the connection it is the default used without a peer MSS option (536)" },
};
static const struct lab_check inherit_parts[] = {
	{ "SO_DEBUG", LAB_EQ, .str = "inherited", .says = "SO_DEBUG" },
	{ "SO_DONTROUTE", LAB_EQ, .str = "inherited", .says = "SO_DONTROUTE" },
	{ "SO_KEEPALIVE", LAB_EQ, .str = "inherited", .says = "SO_KEEPALIVE" },
	{ "SO_LINGER", LAB_EQ, .str = "inherited", .says = "SO_LINGER" },
	{ "SO_OOBINLINE", LAB_EQ, .str = "inherited", .says = "SO_OOBINLINE" },
	{ "SO_RCVBUF", LAB_EQ, .str = "inherited", .says = "SO_RCVBUF" },
	{ "SO_RCVLOWAT", LAB_EQ, .str = "inherited", .says = "SO_RCVLOWAT" },
	{ "SO_SNDBUF", LAB_EQ, .str = "inherited", .says = "SO_SNDBUF" },
	{ "SO_SNDLOWAT", LAB_EQ, .str = "inherited", .says = "SO_SNDLOWAT" },
	{ "TCP_MAXSEG", LAB_EQ, .str = "inherited", .says = "TCP_MAXSEG" },
	{ "TCP_NODELAY", LAB_EQ, .str = "inherited", .says = "TCP_NODELAY" },
};
static const struct lab_check tcp_count_parts[] = {
	{ "tcp_level_options", LAB_EQ, 2, .says = "TCP has two options at level IPPROTO_TCP" },
};

const struct lab_claim lab_tcp_claims[] = {
	{ "unp-nodelay", "nodelay-delayed-ack", "unp", 339, 0,
	  "TCP_NODELAY disables Nagle's algorithm, which is on by default: while a connection has unacknowledged data, a small segment (smaller than the MSS) is not sent until the data is acknowledged.",
	  LAB_CHECKS(unp_nagle_parts) },
	{ "unp-nagle-lan", "nodelay-delayed-ack", "unp", 340, 0,
	  "On a fast LAN the effect of Nagle's algorithm goes unnoticed, since a small packet's acknowledgement takes a few milliseconds.",
	  LAB_CHECKS(unp_lan_parts) },
	{ "adv-nodelay", "nodelay-delayed-ack", "adv", 210, 0,
	  "Disabling Nagle with TCP_NODELAY increases traffic with smaller packets, and the speed increase is very small.",
	  LAB_CHECKS(man_nodelay_parts) },
	{ "unp-maxseg", "maxseg", "unp", 334, 0,
	  "TCP_MAXSEG returns the most data our TCP sends in a segment: normally the MSS the peer announced with its SYN, unless our TCP chose a smaller one; before the connection, the default used without an MSS option from the peer (the 12 bytes of timestamps: unp-maxseg-timestamps).",
	  LAB_CHECKS(maxseg_parts) },
	{ "unp-accept-inherits", "accept-inherits", "unp", 55, 57,
	  "A connected TCP socket inherits SO_DEBUG, SO_DONTROUTE, SO_KEEPALIVE, SO_LINGER, SO_OOBINLINE, SO_RCVBUF, SO_RCVLOWAT, SO_SNDBUF, SO_SNDLOWAT, TCP_MAXSEG and TCP_NODELAY from the listening socket.",
	  LAB_CHECKS(inherit_parts) },
	{ "unp-tcp-two-options", "tcp-option-count", "unp", 330, 0,
	  "TCP has two socket options at level IPPROTO_TCP.",
	  LAB_CHECKS(tcp_count_parts) },
};
const size_t lab_tcp_claims_count = LAB_ARRAY_SIZE(lab_tcp_claims);
