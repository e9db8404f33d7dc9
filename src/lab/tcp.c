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

#define SEED_UNP "003_f012efc3bbbfde02.txt"
#define SEED_MAN "004_0de232be0c243d49.txt"

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

/* TCP_INFO of FD, or false. */
static bool tcp_info_of(int fd, struct tcp_info *ti)
{
	const sockopt_entry *e = sockopt_catalog_find("TCP_INFO");
	sockopt_value v;

	if (!e || sockopt_get(fd, e, &v, NULL) < 0)
		return false;
	memset(ti, 0, sizeof(*ti));
	memcpy(ti, v.v.bytes, v.len < sizeof(*ti) ? v.len : sizeof(*ti));
	return true;
}

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
 * right after connect it reads less than the peer announced.  Send data
 * (1 MiB at a time, up to 32 MiB) until it reads ADVMSS; then set 1000 on
 * the connected socket and read it again.
 */
static void after_traffic(struct lab_result *r, int c, int s, int advmss)
{
	long long pushed = 0;
	int v = 0;

	while (pushed < (32 << 20) && v != advmss) {
		push_bytes(c, s, 1 << 20);
		pushed += 1 << 20;
		if (lab_get_int(c, "TCP_MAXSEG", &v) < 0)
			return;
	}
	lab_int(r, "after_traffic_client", v);
	lab_int(r, "traffic_bytes", pushed);
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
	if (!client_mss && tcp_info_of(s, &ti)) {
		lab_int(r, "server_advmss", ti.tcpi_advmss);
		lab_bool(r, "timestamps", ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
		after_traffic(r, c, s, (int)ti.tcpi_advmss);
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
	lab_int(r, "requested", 1000);
	if (!lab_field(r, "default_client") || !lab_field(r, "set_1000_server"))
		return (void)lab_skip(r, "could not read TCP_MAXSEG on a connection");
	lab_observe(r, "TCP_MAXSEG reads %lld before connect, %lld right after connecting on loopback "
		       "and %lld once %lld MiB had flowed (the peer announced MSS %lld, timestamps %s). "
		       "With 1000 set before connect the client reads %lld and the server %lld; setting "
		       "1000 after connect returned %s and it then read %lld.",
		    lab_num(r, "before_connect"), lab_num(r, "default_client"),
		    lab_num(r, "after_traffic_client"), lab_num(r, "traffic_bytes") >> 20,
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
	lab_int(r, "listed", LAB_ARRAY_SIZE(inheritable));
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

static const struct lab_check nodelay_checks[] = {
	{ "nodelay_default", LAB_EQ, 0, .says = "Nagle is on by default (TCP_NODELAY off)" },
	{ "nagle_median_us", LAB_GE, .other = "one_write_median_us", .num = 10, .says = "with Nagle, write-write-read stalls on the peer's delayed ACK" },
	{ "nodelay_median_us", LAB_LE, .other = "one_write_median_us", .num = 3, .says = "TCP_NODELAY removes the stall" },
};

static const struct lab_check maxseg_checks[] = {
	{ "before_connect", LAB_EQ, 536, .says = "before connect it reads the default used without a peer MSS (536)" },
	{ "after_traffic_client", LAB_EQ, .other = "server_advmss", .says = "on a connection it reads the MSS the peer announced in its SYN" },
	{ "set_1000_server", LAB_LE, .other = "requested", .says = "set before connect, the announced MSS limits the peer's segments" },
	{ "after_connect_readback", LAB_EQ, .other = "after_traffic_client", .says = "set after connect, it changes nothing on the connection" },
};

static const struct lab_check inherit_checks[] = {
	{ "inherited", LAB_EQ, .other = "settable", .says = "every listed option set on the listener shows on the accepted socket" },
	{ "settable", LAB_EQ, .other = "listed", .says = "all the listed options can be set on a listener" },
};

const struct lab_experiment lab_tcp[] = {
	{ "nodelay-delayed-ack", "Nagle × delayed ACK stalls write-write-read; TCP_NODELAY removes it",
	  SEED_UNP " " SEED_MAN, "TCP_NODELAY",
	  "Nagle's algorithm (on by default) holds back a small segment while earlier data is "
	  "unacknowledged; with the peer delaying its ACK, a write-write-read exchange stalls. "
	  "TCP_NODELAY disables Nagle and removes the stall.",
	  "Loopback pair, 50 round trips each: 200 bytes as one write; as two 100-byte writes with "
	  "Nagle; as two writes with TCP_NODELAY. The peer answers one byte after reading 200.",
	  0, run_nodelay, LAB_CHECKS(nodelay_checks) },
	{ "maxseg", "TCP_MAXSEG before and after connect on loopback",
	  SEED_UNP, "TCP_MAXSEG TCP_INFO",
	  "TCP_MAXSEG returns the MSS our TCP sends with, normally the one the peer announced in its "
	  "SYN; before the connection exists, the default used when the peer sends none; a smaller "
	  "value set before connect is announced to the peer. (Timestamps take 12 bytes of each "
	  "segment.)",
	  "Read TCP_MAXSEG on a fresh socket, on both ends of a loopback connection right after "
	  "connect and after up to 32 MiB of traffic (with the MSS the server announced, from TCP_INFO), with 1000 "
	  "set before connect, and after setting 1000 on a connected socket.",
	  0, run_maxseg, LAB_CHECKS(maxseg_checks) },
	{ "accept-inherits", "Options an accepted socket inherits from its listener",
	  SEED_UNP, "SO_KEEPALIVE SO_LINGER SO_RCVBUF SO_SNDBUF TCP_NODELAY TCP_MAXSEG SO_DEBUG "
		    "SO_DONTROUTE SO_OOBINLINE SO_RCVLOWAT SO_SNDLOWAT",
	  "An accepted TCP socket inherits SO_DEBUG, SO_DONTROUTE, SO_KEEPALIVE, SO_LINGER, "
	  "SO_OOBINLINE, SO_RCVBUF, SO_RCVLOWAT, SO_SNDBUF, SO_SNDLOWAT, TCP_MAXSEG and TCP_NODELAY "
	  "from the listener, so they must be set there to be in force when accept returns.",
	  "Set each option to a non-default value on a listener, accept a connection, and compare "
	  "the accepted socket's value with the listener's (TCP_MAXSEG: at most the value set).",
	  0, run_accept_inherits, LAB_CHECKS(inherit_checks) },
};
const size_t lab_tcp_count = LAB_ARRAY_SIZE(lab_tcp);
