/* reuse.c: experiments on SO_REUSEADDR and SO_REUSEPORT: restarts over TIME_WAIT, distinct IPs, duplicate binds, load spreading. */
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"
#include "sockdiag.h"


/* A socket of TYPE bound (and listening, for TCP) on IP:PORT with SO_REUSEADDR/SO_REUSEPORT as asked; fd or -errno. */
static int bound_socket(int type, const char *ip, int port, const char *options)
{
	int fd = labnet_socket(ip, type), r = 0;
	char spec[64];

	if (fd < 0)
		return fd;
	snprintf(spec, sizeof(spec), "%s", options);
	for (char *save, *name = strtok_r(spec, " ", &save); name && r == 0;
	     name = strtok_r(NULL, " ", &save))
		r = lab_set(fd, name, "on");
	if (r == 0)
		r = type == SOCK_STREAM ? labnet_listen(fd, ip, port) : labnet_bind(fd, ip, port);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Try a TCP listener on IP:PORT with OPTIONS, record its errno as FIELD and close it. */
static void try_listen(struct lab_result *r, const char *field, const char *ip, int port,
		       const char *options)
{
	int fd = bound_socket(SOCK_STREAM, ip, port, options);

	lab_errno(r, field, fd < 0 ? fd : 0);
	labnet_close(fd);
}

/*
 * The seed's restart story: a listener (with OLD_OPTIONS) accepts a
 * connection; then either the connection lives on in a "child" while the
 * listener exits (ESTABLISHED), or the server end closes first and waits in
 * TIME_WAIT.  Then a new listener tries the same port without and with
 * SO_REUSEADDR.  PREFIX names the fields.
 */
static void restart(struct lab_result *r, const char *prefix, const char *old_options,
		    bool time_wait)
{
	int l = bound_socket(SOCK_STREAM, "127.0.0.1", 0, old_options), c = -1, s = -1, port;
	struct sockaddr_storage local, remote;
	char field[LAB_NAME_MAX];

	if (l < 0)
		return;
	port = labnet_port(l);
	c = labnet_socket("127.0.0.1", SOCK_STREAM);
	if (c < 0 || (s = labnet_connect_accept(l, c)) < 0)
		goto out;
	labnet_fd_addrs(s, &local, &remote);
	close(l);
	l = -1;
	if (time_wait) {
		close(s); /* the server closes first: its end goes to TIME_WAIT */
		s = -1;
		labnet_wait(c, POLLIN, 500);
		close(c);
		c = -1;
		for (int i = 0; i < 50 && diag_tcp_state(&local, &remote) != TCP_TIME_WAIT; i++)
			labnet_sleep_ms(10);
	}
	snprintf(field, sizeof(field), "%s_old_state", prefix);
	lab_str(r, field, diag_tcp_state_name(diag_tcp_state(&local, &remote)));
	snprintf(field, sizeof(field), "%s_without", prefix);
	try_listen(r, field, "127.0.0.1", port, "");
	snprintf(field, sizeof(field), "%s_with", prefix);
	try_listen(r, field, "127.0.0.1", port, "SO_REUSEADDR");
out:
	labnet_close(s);
	labnet_close(c);
	labnet_close(l);
}

static void run_timewait(struct lab_result *r)
{
	if (!lab_opt(r, "SO_REUSEADDR"))
		return;
	restart(r, "established", "SO_REUSEADDR", false);
	restart(r, "timewait", "SO_REUSEADDR", true);
	restart(r, "timewait_old_plain", "", true);
	lab_observe(r, "With a connection on the port still ESTABLISHED, a new listener got %s "
		       "without SO_REUSEADDR and %s with it; with the old server end in %s, %s "
		       "without and %s with it (old listener had SO_REUSEADDR); when the old "
		       "listener lacked SO_REUSEADDR the restart with it got %s.",
		    lab_word(r, "established_without"), lab_word(r, "established_with"),
		    lab_word(r, "timewait_old_state"), lab_word(r, "timewait_without"),
		    lab_word(r, "timewait_with"), lab_word(r, "timewait_old_plain_with"));
}

static void run_distinct_ip(struct lab_result *r)
{
	int a, w, port;

	if (!lab_opt(r, "SO_REUSEADDR"))
		return;
	/* Two listeners on one port, 127.0.0.1 and 127.0.0.2: without, then with SO_REUSEADDR. */
	a = bound_socket(SOCK_STREAM, "127.0.0.1", 0, "");
	if (a < 0)
		return (void)lab_skip(r, "no listener on 127.0.0.1");
	port = labnet_port(a);
	try_listen(r, "distinct_ip_without", "127.0.0.2", port, "");
	close(a);
	a = bound_socket(SOCK_STREAM, "127.0.0.1", 0, "SO_REUSEADDR");
	port = labnet_port(a);
	try_listen(r, "distinct_ip_with", "127.0.0.2", port, "SO_REUSEADDR");
	/* The same IP and port twice, both with SO_REUSEADDR. */
	try_listen(r, "same_ip_with", "127.0.0.1", port, "SO_REUSEADDR");
	close(a);
	/* A wildcard listener, then a specific address on its port, both with SO_REUSEADDR. */
	w = bound_socket(SOCK_STREAM, "0.0.0.0", 0, "SO_REUSEADDR");
	if (w >= 0) {
		try_listen(r, "specific_after_wildcard", "127.0.0.1", labnet_port(w), "SO_REUSEADDR");
		close(w);
	}
	lab_observe(r, "A second listener on the same port at 127.0.0.2 got %s without SO_REUSEADDR "
		       "and %s with it; at the same 127.0.0.1 with SO_REUSEADDR on both %s; at "
		       "127.0.0.1 while 0.0.0.0 listens on the port %s.",
		    lab_word(r, "distinct_ip_without"), lab_word(r, "distinct_ip_with"),
		    lab_word(r, "same_ip_with"), lab_word(r, "specific_after_wildcard"));
}

/* Datagrams waiting on FD, read and counted without blocking. */
static int count_datagrams(int fd)
{
	char buf[64];
	int n = 0;

	while (labnet_wait(fd, POLLIN, 50) & POLLIN)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			n++;
	return n;
}

/* Send COUNT datagrams from a new socket to IP:PORT (SO_BROADCAST on when BROADCAST). */
static int send_datagrams(const char *ip, int port, int count, bool broadcast)
{
	int fd = labnet_socket(ip, SOCK_DGRAM), sent = 0;
	struct sockaddr_storage to;
	int len = labnet_addr(ip, port, &to);

	if (fd < 0)
		return fd;
	if (broadcast)
		lab_set(fd, "SO_BROADCAST", "on");
	for (int i = 0; i < count; i++)
		if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to, (socklen_t)len) == 1)
			sent++;
	close(fd);
	return sent;
}

static void run_udp_duplicate(struct lab_result *r)
{
	int a, b, plain, port, got_a, got_b;

	if (!lab_opt(r, "SO_REUSEADDR"))
		return;
	a = bound_socket(SOCK_DGRAM, "0.0.0.0", 0, "SO_REUSEADDR");
	if (a < 0)
		return (void)lab_skip(r, "no UDP socket");
	port = labnet_port(a);
	b = bound_socket(SOCK_DGRAM, "0.0.0.0", port, "SO_REUSEADDR");
	lab_errno(r, "duplicate_with", b < 0 ? b : 0);
	plain = bound_socket(SOCK_DGRAM, "0.0.0.0", port, "");
	lab_errno(r, "duplicate_without", plain < 0 ? plain : 0);
	labnet_close(plain);
	if (b < 0) {
		close(a);
		return;
	}
	lab_int(r, "unicast_sent", send_datagrams("127.0.0.1", port, 20, false));
	got_a = count_datagrams(a);
	got_b = count_datagrams(b);
	lab_int(r, "unicast_first", got_a);
	lab_int(r, "unicast_second", got_b);
	lab_int(r, "unicast_received", got_a + got_b);
	if (sockopt_catalog_find("SO_BROADCAST")) {
		lab_int(r, "broadcast_sent", send_datagrams("127.255.255.255", port, 1, true));
		lab_int(r, "broadcast_copies", count_datagrams(a) + count_datagrams(b));
			}
	close(a);
	close(b);
	lab_observe(r, "Two UDP sockets with SO_REUSEADDR on 0.0.0.0:%d: the second bind got %s (%s "
		       "without the option); of 20 unicast datagrams the first socket got %d and the "
		       "second %d; one broadcast to 127.255.255.255 arrived %lld times.",
		    port, lab_word(r, "duplicate_with"), lab_word(r, "duplicate_without"),
		    got_a, got_b,
		    lab_num(r, "broadcast_copies"));
}

/* Accept everything pending on the N listeners in L, counting per listener, until quiet. */
static void accept_all(const int *l, int *counts, int n)
{
	for (int quiet = 0; quiet < 3;) {
		struct pollfd p[8];
		int ready;

		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = l[i], .events = POLLIN };
		ready = poll(p, (nfds_t)n, 100);
		if (ready <= 0) {
			quiet++;
			continue;
		}
		for (int i = 0; i < n; i++) {
			int fd;

			if (!(p[i].revents & POLLIN) || (fd = accept4(l[i], NULL, NULL, SOCK_CLOEXEC)) < 0)
				continue;
			counts[i]++;
			sockopt_close_abortive(fd, NULL, NULL);
		}
	}
}

#define LISTENERS 4
#define CONNECTIONS 200

static void run_reuseport(struct lab_result *r)
{
	int l[LISTENERS], counts[LISTENERS] = { 0 }, port, fifth, made = 0, lo = CONNECTIONS, hi = 0;

	if (!lab_opt(r, "SO_REUSEPORT"))
		return;
	l[0] = bound_socket(SOCK_STREAM, "127.0.0.1", 0, "SO_REUSEPORT");
	if (l[0] < 0)
		return (void)lab_skip(r, "no listener");
	port = labnet_port(l[0]);
	for (int i = 1; i < LISTENERS; i++)
		if ((l[i] = bound_socket(SOCK_STREAM, "127.0.0.1", port, "SO_REUSEPORT")) < 0)
			return (void)lab_skip(r, "listener %d on the shared port failed", i + 1);
	lab_int(r, "listeners", LISTENERS);
	fifth = bound_socket(SOCK_STREAM, "127.0.0.1", port, "");
	lab_errno(r, "without_option", fifth < 0 ? fifth : 0);
	labnet_close(fifth);
	for (int i = 0; i < CONNECTIONS; i++) {
		int c = labnet_socket("127.0.0.1", SOCK_STREAM);

		if (c >= 0 && labnet_connect(c, "127.0.0.1", port) == 0)
			made++;
		if (c >= 0)
			sockopt_close_abortive(c, NULL, NULL);
		if (i % 50 == 49)
			accept_all(l, counts, LISTENERS);
	}
	accept_all(l, counts, LISTENERS);
	lab_int(r, "connections", made);
	for (int i = 0; i < LISTENERS; i++) {
		char field[16];

		snprintf(field, sizeof(field), "listener_%d", i + 1);
		lab_int(r, field, counts[i]);
		lo = counts[i] < lo ? counts[i] : lo;
		hi = counts[i] > hi ? counts[i] : hi;
		close(l[i]);
	}
	lab_int(r, "accepted", counts[0] + counts[1] + counts[2] + counts[3]);
	lab_int(r, "fewest", lo);
	lab_int(r, "most", hi);
	lab_observe(r, "%d listeners with SO_REUSEPORT shared 127.0.0.1:%d (a fifth without it got "
		       "%s); %d connections were spread %d/%d/%d/%d (fewest %d, most %d): the kernel "
		       "hashes each connection's addresses and ports to one listener.",
		    LISTENERS, port, lab_word(r, "without_option"), made, counts[0], counts[1],
		    counts[2], counts[3], lo, hi);
}

static const struct lab_check timewait_setup[] = {
	{ "timewait_old_state", LAB_EQ, .str = "TIME-WAIT", .says = "the old server end waits in TIME_WAIT", .setup = true },
};
static const struct lab_check reuseport_setup[] = {
	{ "connections", LAB_GT, 0, .says = "connections were made", .setup = true },
};

const struct lab_experiment lab_reuse[] = {
	{ .id = "reuseaddr-timewait", .title = "Restarting a listener while its port has connections",
	  .options = "SO_REUSEADDR",
	  .method = "A listener accepts a connection, then exits while the connection lives on; again "
		    "with the server end closing first into TIME_WAIT. A new listener binds the port "
		    "without and with SO_REUSEADDR. Once more with an old listener that lacked "
		    "SO_REUSEADDR and a connection of it in TIME_WAIT.",
	  .shows = "timewait_old_plain_with", .run = run_timewait, .checks = LAB_CHECKS(timewait_setup) },
	{ .id = "reuseaddr-distinct-ip", .title = "One port on several local IPs; wildcard and exact duplicates",
	  .options = "SO_REUSEADDR",
	  .method = "Listeners on 127.0.0.1:P and 127.0.0.2:P without and with SO_REUSEADDR; twice "
		    "127.0.0.1:P with it; 127.0.0.1:Q while 0.0.0.0:Q listens.",
	  .shows = "distinct_ip_without", .run = run_distinct_ip },
	{ .id = "reuseaddr-udp-duplicate", .title = "Completely duplicate UDP binds with SO_REUSEADDR",
	  .options = "SO_REUSEADDR SO_BROADCAST",
	  .method = "Two UDP sockets on 0.0.0.0:P with SO_REUSEADDR and a third without; 20 unicast "
		    "datagrams to 127.0.0.1:P and one broadcast to 127.255.255.255:P (loopback's "
		    "broadcast address), counted per socket.",
	  .shows = "broadcast_copies", .run = run_udp_duplicate },
	{ .id = "reuseport-balance", .title = "SO_REUSEPORT: several TCP listeners on one port",
	  .options = "SO_REUSEPORT",
	  .method = "Four listeners with SO_REUSEPORT on 127.0.0.1:P, a fifth without; 200 connections, "
		    "counted per listener.",
	  .shows = "fewest", .run = run_reuseport, .checks = LAB_CHECKS(reuseport_setup) },
};
const size_t lab_reuse_count = LAB_ARRAY_SIZE(lab_reuse);

static const struct lab_check restart_parts[] = {
	{ "established_without", LAB_EQ, .str = "EADDRINUSE", .says = "with a connection of the old server still on the port, a restart without SO_REUSEADDR fails" },
	{ "established_with", LAB_EQ, .str = "OK", .says = "set between socket and bind, SO_REUSEADDR makes that bind succeed" },
	{ "timewait_with", LAB_EQ, .str = "OK", .says = "also over a connection in TIME_WAIT" },
	{ "timewait_old_plain_with", LAB_EQ, .str = "OK", .says = "also when the old listener (and so its connection) did not set SO_REUSEADDR" },
};
static const struct lab_check instances_parts[] = {
	{ "distinct_ip_with", LAB_EQ, .str = "OK", .says = "with SO_REUSEADDR a second server binds the port on another local IP" },
	{ "distinct_ip_without", LAB_EQ, .str = "EADDRINUSE", .says = "it is SO_REUSEADDR that allows it (without, the bind fails)" },
	{ "same_ip_with", LAB_EQ, .str = "EADDRINUSE", .says = "TCP never allows two servers on the same IP and port" },
};
static const struct lab_check one_process_parts[] = {
	{ "distinct_ip_with", LAB_EQ, .str = "OK", .says = "one process binds the port on a second socket with another local IP" },
	{ "distinct_ip_without", LAB_EQ, .str = "EADDRINUSE", .says = "it is SO_REUSEADDR that allows it (without, the bind fails)" },
};
static const struct lab_check bsd_reuse_parts[] = {
	{ "distinct_ip_with", LAB_EQ, .str = "OK", .says = "with the option a socket may bind the port on an address no listener is bound to" },
	{ "same_ip_with", LAB_EQ, .str = "EADDRINUSE", .says = "except while a listening socket is bound to the address" },
	{ "specific_after_wildcard", LAB_EQ, .str = "EADDRINUSE", .says = "a listener on INADDR_ANY with the port blocks the port for every local address" },
};
static const struct lab_check udp_dup_parts[] = {
	{ "duplicate_with", LAB_EQ, .str = "OK", .says = "UDP allows a completely duplicate bind with SO_REUSEADDR" },
	{ "duplicate_without", LAB_EQ, .str = "EADDRINUSE", .says = "a socket without the option cannot join" },
};
static const struct lab_check delivery_parts[] = {
	{ "broadcast_copies", LAB_EQ, 2, .says = "a broadcast datagram goes to each of the 2 duplicate sockets" },
	{ "unicast_received", LAB_EQ, .other = "unicast_sent", .says = "each unicast datagram goes to a single socket (no copies)" },
	{ .says = "a multicast datagram goes to each socket", .unmeasured = "the lab sends no multicast here" },
};
static const struct lab_check reuseport_parts[] = {
	{ "accepted", LAB_EQ, .other = "connections", .says = "with SO_REUSEPORT on each, 4 listeners share one address and port, and every connection reaches one" },
	{ "without_option", LAB_EQ, .str = "EADDRINUSE", .says = "only if every socket sets it (one without fails)" },
};
static const struct lab_check reuseport_man_parts[] = {
	{ "accepted", LAB_EQ, .other = "connections", .says = "duplicate bindings of one address and port work, and every connection reaches one listener" },
};
static const struct lab_check multicast_equiv_parts[] = {
	{ .says = "for a multicast address SO_REUSEADDR and SO_REUSEPORT are equivalent", .unmeasured = "the lab binds no multicast address" },
};

const struct lab_claim lab_reuse_claims[] = {
	{ "unp-reuseaddr-restart", "reuseaddr-timewait", "unp", 192, 196,
	  "SO_REUSEADDR lets a listening server restart and bind its well-known port while connections that use the port still exist: without it bind fails, with it set between socket and bind, bind succeeds.",
	  LAB_CHECKS(restart_parts) },
	{ "unp-reuseaddr-instances", "reuseaddr-distinct-ip", "unp", 198, 0,
	  "SO_REUSEADDR allows several instances of a server on the same port as long as each binds a different local IP; TCP never allows two servers bound to the same IP and port.",
	  LAB_CHECKS(instances_parts) },
	{ "unp-reuseaddr-one-process", "reuseaddr-distinct-ip", "unp", 200, 0,
	  "SO_REUSEADDR allows a single process to bind the same port to several sockets, each with a different local IP.",
	  LAB_CHECKS(one_process_parts) },
	{ "adv-reuseaddr", "reuseaddr-distinct-ip", "adv", 19, 0,
	  "With SO_REUSEADDR an AF_INET socket may bind unless a listening socket is bound to the address; when the listener is bound to INADDR_ANY with a port, no local address can bind that port.",
	  LAB_CHECKS(bsd_reuse_parts) },
	{ "unp-reuseaddr-udp-duplicate", "reuseaddr-udp-duplicate", "unp", 202, 0,
	  "SO_REUSEADDR allows completely duplicate bindings (same IP and port on another socket) where the protocol supports it, generally UDP only.",
	  LAB_CHECKS(udp_dup_parts) },
	{ "unp-duplicate-delivery", "reuseaddr-udp-duplicate", "unp", 204, 0,
	  "With duplicate UDP bindings a broadcast or multicast datagram is delivered to every matching socket, a unicast one to a single socket.",
	  LAB_CHECKS(delivery_parts) },
	{ "unp-reuseport", "reuseport-balance", "unp", 208, 0,
	  "SO_REUSEPORT allows completely duplicate bindings, but only if every socket binding that IP and port sets it.",
	  LAB_CHECKS(reuseport_parts) },
	{ "unp-reuseport-multicast", "reuseport-balance", "unp", 210, 0,
	  "If the bound IP address is a multicast address, SO_REUSEADDR and SO_REUSEPORT are equivalent.",
	  LAB_CHECKS(multicast_equiv_parts) },
	{ "adv-reuseport", "reuseport-balance", "adv", 21, 0,
	  "SO_REUSEPORT enables duplicate address and port bindings.",
	  LAB_CHECKS(reuseport_man_parts) },
};
const size_t lab_reuse_claims_count = LAB_ARRAY_SIZE(lab_reuse_claims);
