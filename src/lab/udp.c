/* udp.c: experiments on datagram sockets: sizes against SO_SNDBUF, broadcast, receive-buffer drops, SO_DONTROUTE. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h> /* the kernel's struct tcp_info: glibc's lacks tcpi_snd_wnd */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* sendto IP:PORT LEN bytes from FD with FLAGS; 0 or the errno. */
static int send_to(int fd, const char *ip, int port, size_t len, int flags)
{
	static char buf[70000];
	struct sockaddr_storage ss;
	int alen = labnet_addr(ip, port, &ss);

	if (len > sizeof(buf) || alen < 0)
		return EINVAL;
	return sendto(fd, buf, len, flags, (struct sockaddr *)&ss, (socklen_t)alen) < 0 ? errno : 0;
}

/* The length of the next datagram on FD within 200 ms, or -1. */
static long long next_datagram(int fd)
{
	static char buf[70000];

	if (!(labnet_wait(fd, POLLIN, 200) & POLLIN))
		return -1;
	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
}

/* ---- a datagram larger than SO_SNDBUF, and the size limit --------------- */

static void run_over_sndbuf(struct lab_result *r)
{
	int rx = labnet_udp_bound("127.0.0.1"), tx = labnet_socket("127.0.0.1", SOCK_DGRAM), port, sndbuf;
	long long len;

	if (!lab_opt(r, "SO_SNDBUF"))
		return;
	if (rx < 0 || tx < 0)
		return (void)lab_skip(r, "no UDP sockets");
	port = labnet_port(rx);
	lab_set(rx, "SO_RCVBUF", "1M");
	/* The two limits at the default send buffer first. */
	lab_errno(r, "send_65507", send_to(tx, "127.0.0.1", port, 65507, 0));
	lab_int(r, "received_65507", next_datagram(rx));
	lab_errno(r, "send_65508", send_to(tx, "127.0.0.1", port, 65508, 0));
	lab_set(tx, "SO_SNDBUF", "4096");
	if (lab_get_int(tx, "SO_SNDBUF", &sndbuf) < 0)
		return (void)lab_skip(r, "cannot read SO_SNDBUF");
	lab_int(r, "sndbuf", sndbuf);
	len = 3LL * sndbuf < 65507 ? 3LL * sndbuf : 65507;
	lab_int(r, "datagram_len", len);
	lab_errno(r, "over_sndbuf_errno", send_to(tx, "127.0.0.1", port, (size_t)len, 0));
	lab_int(r, "over_sndbuf_received", next_datagram(rx));
	close(tx);
	close(rx);
	lab_observe(r, "With SO_SNDBUF reading %d, a %lld-byte datagram was sent with %s and "
		       "%lld bytes arrived. At the default buffer, 65507 bytes: %s (%lld arrived); "
		       "65508 bytes: %s.",
		    sndbuf, len, lab_word(r, "over_sndbuf_errno"),
		    lab_num(r, "over_sndbuf_received"), lab_word(r, "send_65507"),
		    lab_num(r, "received_65507"), lab_word(r, "send_65508"));
}

/* ---- broadcast ---------------------------------------------------------- */

/*
 * Sending to a broadcast address without and with SO_BROADCAST.  Inside a
 * private network namespace when this process may make one; otherwise on
 * the host's loopback, whose broadcast address 127.255.255.255 never leaves
 * the machine either.
 */
static void run_broadcast(struct lab_result *r)
{
	int rx, tx, tcp, port;

	if (!lab_opt(r, "SO_BROADCAST"))
		return;
	lab_str(r, "namespace", labnet_netns_enter() == 0 ? "private" : "host loopback");
	rx = labnet_udp_bound("0.0.0.0");
	tx = labnet_socket("127.0.0.1", SOCK_DGRAM);
	if (rx < 0 || tx < 0)
		return (void)lab_skip(r, "no UDP sockets");
	port = labnet_port(rx);
	lab_errno(r, "without_errno", send_to(tx, "127.255.255.255", port, 8, 0));
	if (strcmp(lab_word(r, "namespace"), "private") == 0)
		lab_errno(r, "limited_without_errno", send_to(tx, "255.255.255.255", port, 8, 0));
	lab_set(tx, "SO_BROADCAST", "on");
	lab_errno(r, "with_errno", send_to(tx, "127.255.255.255", port, 8, 0));
	lab_int(r, "received_with", next_datagram(rx));
	/* A stream socket accepts the flag, but TCP cannot connect to a broadcast address. */
	tcp = labnet_socket("127.0.0.1", SOCK_STREAM);
	lab_errno(r, "tcp_set_errno", lab_set(tcp, "SO_BROADCAST", "on"));
	lab_errno(r, "tcp_connect_errno", labnet_connect(tcp, "127.255.255.255", port));
	close(tcp);
	close(tx);
	close(rx);
	lab_observe(r, "In the %s namespace, a UDP datagram to 127.255.255.255 without SO_BROADCAST "
		       "got %s; with it %s, and %lld bytes arrived at a socket bound to 0.0.0.0. A TCP "
		       "socket took SO_BROADCAST with %s, and its connect to 127.255.255.255 got %s.",
		    lab_word(r, "namespace"), lab_word(r, "without_errno"),
		    lab_word(r, "with_errno"), lab_num(r, "received_with"),
		    lab_word(r, "tcp_set_errno"), lab_word(r, "tcp_connect_errno"));
}

/* ---- no flow control for UDP, flow control for TCP ---------------------- */

/* The window the peer advertised to FD (TCP_INFO tcpi_snd_wnd) as FIELD. */
static void record_window(struct lab_result *r, int fd, const char *field)
{
	struct tcp_info ti;

	if (lab_tcp_info(fd, &ti, sizeof(ti)))
		lab_int(r, field, ti.tcpi_snd_wnd);
}

/* Read every datagram waiting on FD; the count. */
static int drain_datagrams(int fd)
{
	char buf[2048];
	int n = 0;

	while ((labnet_wait(fd, POLLIN, 100) & POLLIN) && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/* The kernel's count of packets FD dropped (SO_MEMINFO, SK_MEMINFO_DROPS), or -1. */
static long long socket_drops(int fd)
{
	const sockopt_entry *e = sockopt_catalog_find("SO_MEMINFO");
	uint32_t meminfo[SK_MEMINFO_VARS];
	sockopt_value v;

	if (!e || sockopt_get(fd, e, &v, NULL) < 0 || v.len < sizeof(meminfo))
		return -1;
	memcpy(meminfo, v.v.bytes, sizeof(meminfo));
	return meminfo[SK_MEMINFO_DROPS];
}

static void run_rcvbuf_drops(struct lab_result *r)
{
	int rx = labnet_udp_bound("127.0.0.1"), tx = labnet_socket("127.0.0.1", SOCK_DGRAM), c, s;
	int sent = 0, end;

	if (!lab_opt(r, "SO_RCVBUF") || !lab_opt(r, "SO_MEMINFO"))
		return;
	if (rx < 0 || tx < 0)
		return (void)lab_skip(r, "no UDP sockets");
	lab_set(rx, "SO_RCVBUF", "16K");
	for (int i = 0; i < 200; i++)
		sent += send_to(tx, "127.0.0.1", labnet_port(rx), 1000, 0) == 0;
	lab_int(r, "udp_sent", sent);
	lab_int(r, "udp_received", drain_datagrams(rx));
	lab_int(r, "udp_dropped", socket_drops(rx));
	lab_int(r, "udp_accounted", lab_num(r, "udp_received") + lab_num(r, "udp_dropped"));
	close(rx);
	close(tx);
	/* TCP with the same small buffers: the sender stops when the window is full; nothing is lost. */
	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return (void)lab_skip(r, "no loopback TCP pair");
	lab_set(s, "SO_RCVBUF", "16K");
	lab_set(c, "SO_SNDBUF", "16K");
	lab_record(r, s, "SO_RCVBUF", "tcp_rcvbuf");
	labnet_sleep_ms(20); /* the receiver's window update after SO_RCVBUF */
	record_window(r, c, "tcp_window_empty");
	lab_int(r, "tcp_offered", 1 << 20);
	lab_int(r, "tcp_sent", labnet_fill(c, 1 << 20));
	labnet_sleep_ms(20); /* the last segments are acknowledged */
	record_window(r, c, "tcp_window_full");
	close(c);
	lab_int(r, "tcp_received", labnet_drain(s, 1000, &end));
	close(s);
	lab_observe(r, "200 datagrams of 1000 bytes to a UDP socket with SO_RCVBUF 16K that did not "
		       "read: %lld sent, %lld received, %lld counted as dropped (SO_MEMINFO). A TCP "
		       "sender offered 1 MiB to a receiver with the same buffers; the kernel took "
		       "%lld bytes before EAGAIN, and all %lld arrived. The receiver (SO_RCVBUF "
		       "read back as %lld) advertised a window of %lld bytes while empty and %lld "
		       "once full.",
		    lab_num(r, "udp_sent"), lab_num(r, "udp_received"),
		    lab_num(r, "udp_dropped"), lab_num(r, "tcp_sent"),
		    lab_num(r, "tcp_received"), lab_num(r, "tcp_rcvbuf"),
		    lab_num(r, "tcp_window_empty"), lab_num(r, "tcp_window_full"));
}

/* ---- SO_DONTROUTE -------------------------------------------------------- */

/*
 * A veth pair inside the experiment's own namespace: 192.0.2.1/24 on one
 * end (a documentation prefix), and a route to 198.51.100.0/24 through a
 * gateway 192.0.2.254 that does not exist.  Nothing can leave the namespace.
 */
static int make_routed_link(void)
{
	static const char *const cmds[][12] = {
		{ "ip", "link", "add", "lab0", "type", "veth", "peer", "name", "lab1", NULL },
		{ "ip", "addr", "add", "192.0.2.1/24", "dev", "lab0", NULL },
		{ "ip", "link", "set", "lab0", "up", NULL },
		{ "ip", "link", "set", "lab1", "up", NULL },
		{ "ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.254", NULL },
	};

	for (size_t i = 0; i < LAB_ARRAY_SIZE(cmds); i++)
		if (labnet_spawn(cmds[i], NULL) != 0)
			return -1;
	return 0;
}

static void run_dontroute(struct lab_result *r)
{
	int fd;

	if (!lab_opt(r, "SO_DONTROUTE"))
		return;
	if (!labnet_have("ip"))
		return (void)lab_skip(r, "needs ip (iproute2) to build the test network");
	if (make_routed_link() < 0)
		return (void)lab_skip(r, "could not build the veth link in the namespace");
	fd = labnet_socket("127.0.0.1", SOCK_DGRAM);
	lab_errno(r, "routed_plain", send_to(fd, "198.51.100.1", 9, 8, 0));
	lab_errno(r, "routed_msg_dontroute", send_to(fd, "198.51.100.1", 9, 8, MSG_DONTROUTE));
	lab_set(fd, "SO_DONTROUTE", "on");
	lab_errno(r, "routed_dontroute", send_to(fd, "198.51.100.1", 9, 8, 0));
	lab_errno(r, "onlink_dontroute", send_to(fd, "192.0.2.2", 9, 8, 0));
	close(fd);
	lab_observe(r, "To 198.51.100.1, reachable only through a gateway: %s without the option, "
		       "%s with MSG_DONTROUTE, %s with SO_DONTROUTE. To 192.0.2.2 on the local link "
		       "with SO_DONTROUTE: %s.",
		    lab_word(r, "routed_plain"), lab_word(r, "routed_msg_dontroute"),
		    lab_word(r, "routed_dontroute"), lab_word(r, "onlink_dontroute"));
}

static const struct lab_check dontroute_setup[] = {
	{ "routed_plain", LAB_EQ, .str = "OK", .says = "normally the route through the gateway is used", .setup = true },
};

const struct lab_experiment lab_udp[] = {
	{ .id = "udp-datagram-over-sndbuf", .title = "A UDP datagram larger than SO_SNDBUF",
	  .options = "SO_SNDBUF",
	  .method = "Set SO_SNDBUF 4096 on a UDP socket and send a datagram three times the size read "
		    "back to a receiver on 127.0.0.1; at the default buffer send 65,507 and 65,508 bytes "
		    "(a lab observation).",
	  .shows = "over_sndbuf_errno", .run = run_over_sndbuf },
	{ .id = "broadcast-eacces", .title = "Broadcast with and without SO_BROADCAST; SO_BROADCAST on TCP",
	  .options = "SO_BROADCAST",
	  .method = "In a private network namespace (or, unprivileged, on the host loopback): UDP to "
		    "127.255.255.255 without and with SO_BROADCAST, received by a socket on 0.0.0.0; a "
		    "TCP socket sets SO_BROADCAST and connects to 127.255.255.255.",
	  .shows = "without_errno", .run = run_broadcast },
	{ .id = "udp-rcvbuf-drops", .title = "UDP drops what its receive buffer cannot hold; TCP's window does not",
	  .options = "SO_RCVBUF SO_MEMINFO TCP_INFO",
	  .method = "200 datagrams of 1000 bytes to a UDP socket with SO_RCVBUF 16K that does not read, "
		    "drops counted by the kernel (SO_MEMINFO); a TCP sender with a 16K send buffer "
		    "offers 1 MiB to a receiver with SO_RCVBUF 16K until EAGAIN, then the receiver "
		    "drains; the window the receiver advertised (the sender's TCP_INFO tcpi_snd_wnd) "
		    "before and after the sending.",
	  .shows = "udp_dropped", .run = run_rcvbuf_drops },
	{ .id = "dontroute", .title = "SO_DONTROUTE and MSG_DONTROUTE bypass gateways",
	  .options = "SO_DONTROUTE",
	  .method = "In a private network namespace: a veth link with 192.0.2.1/24 and a route to "
		    "198.51.100.0/24 through a gateway; UDP sends to 198.51.100.1 without the option, "
		    "with MSG_DONTROUTE and with SO_DONTROUTE, and to 192.0.2.2 with SO_DONTROUTE.",
	  .shows = "routed_dontroute", .needs = LAB_NEEDS_NETNS, .run = run_dontroute,
	  .checks = LAB_CHECKS(dontroute_setup) },
};
const size_t lab_udp_count = LAB_ARRAY_SIZE(lab_udp);

static const struct lab_check emsgsize_parts[] = {
	{ "over_sndbuf_errno", LAB_EQ, .str = "EMSGSIZE", .says = "a datagram larger than the socket's send buffer fails with EMSGSIZE" },
};
static const struct lab_check broadcast_parts[] = {
	{ "without_errno", LAB_EQ, .str = "EACCES", .says = "without SO_BROADCAST, a datagram to a broadcast address fails with EACCES" },
	{ "with_errno", LAB_EQ, .str = "OK", .says = "with it set, the datagram goes out" },
	{ "received_with", LAB_GT, 0, .says = "and arrives" },
};
static const struct lab_check datagram_only_parts[] = {
	{ "tcp_set_errno", LAB_NE, .str = "OK", .says = "SO_BROADCAST can be used only on datagram sockets (a TCP socket refuses it)" },
};
static const struct lab_check man_broadcast_parts[] = {
	{ "with_errno", LAB_EQ, .str = "OK", .says = "with it, a datagram socket may send to a broadcast address" },
	{ "without_errno", LAB_NE, .str = "OK", .says = "(and without it may not)" },
	{ "tcp_connect_errno", LAB_NE, .str = "OK", .says = "it has no effect on a stream socket (TCP still cannot reach a broadcast address)" },
};
static const struct lab_check udp_flow_parts[] = {
	{ "udp_received", LAB_LT, .other = "udp_sent", .says = "a datagram that does not fit the receive buffer is dropped" },
	{ "udp_accounted", LAB_EQ, .other = "udp_sent", .says = "every datagram was either received or counted as dropped" },
};
static const struct lab_check tcp_window_parts[] = {
	{ "tcp_window_empty", LAB_GT, 0, .says = "with room in the receive buffer the window advertised to the peer is open" },
	{ "tcp_window_full", LAB_EQ, 0, .says = "with no room left (nothing read) it is 0: the free space limits the window" },
};
static const struct lab_check tcp_flow_parts[] = {
	{ "tcp_sent", LAB_LT, .other = "tcp_offered", .says = "the peer cannot send past the advertised window (the sender stops with EAGAIN)" },
	{ "tcp_received", LAB_EQ, .other = "tcp_sent", .says = "so nothing overflows: every byte sent is received" },
};
static const struct lab_check dontroute_parts[] = {
	{ "routed_dontroute", LAB_EQ, .str = "ENETUNREACH", .says = "with SO_DONTROUTE a destination not on a local network gives ENETUNREACH" },
	{ "onlink_dontroute", LAB_EQ, .str = "OK", .says = "a destination on the local interface's network is still reached" },
	{ "routed_msg_dontroute", LAB_EQ, .str = "ENETUNREACH", .says = "MSG_DONTROUTE has the same effect on one send" },
};
static const struct lab_check man_dontroute_parts[] = {
	{ "routed_dontroute", LAB_EQ, .str = "ENETUNREACH", .says = "SO_DONTROUTE does not send via a gateway" },
	{ "onlink_dontroute", LAB_EQ, .str = "OK", .says = "only to directly connected hosts" },
	{ "routed_msg_dontroute", LAB_EQ, .str = "ENETUNREACH", .says = "MSG_DONTROUTE on send has the same effect" },
};

const struct lab_claim lab_udp_claims[] = {
	{ "go-blog-udp-emsgsize", "udp-datagram-over-sndbuf", "go-blog", 11, 17,
	  "(Quoting UNP) A UDP socket's send buffer is only an upper limit on the datagram size: writing a datagram larger than the send buffer returns EMSGSIZE.",
	  LAB_CHECKS(emsgsize_parts) },
	{ "unp-broadcast-eacces", "broadcast-eacces", "unp", 65, 67,
	  "A process must set SO_BROADCAST before sending a broadcast datagram; if the destination is a broadcast address and the option is not set, EACCES is returned.",
	  LAB_CHECKS(broadcast_parts) },
	{ "unp-broadcast-datagram-only", "broadcast-eacces", "unp", 61, 0,
	  "Though a generic option, SO_BROADCAST can only be used on datagram sockets.",
	  LAB_CHECKS(datagram_only_parts) },
	{ "adv-broadcast", "broadcast-eacces", "adv", 87, 0,
	  "With SO_BROADCAST enabled datagram sockets may send to a broadcast address; the option has no effect on stream sockets.",
	  LAB_CHECKS(man_broadcast_parts) },
	{ "unp-udp-no-flow-control", "udp-rcvbuf-drops", "unp", 163, 0,
	  "UDP has no flow control: a datagram that does not fit in the receive buffer is dropped, so a fast sender can overrun a slow receiver.",
	  LAB_CHECKS(udp_flow_parts) },
	{ "unp-rcvbuf-window", "udp-rcvbuf-drops", "unp", 159, 0,
	  "For TCP, the free space in the socket receive buffer limits the window TCP advertises to the peer.",
	  LAB_CHECKS(tcp_window_parts) },
	{ "unp-tcp-no-overflow", "udp-rcvbuf-drops", "unp", 161, 0,
	  "A TCP receive buffer cannot overflow, because the peer may not send more than the advertised window (flow control).",
	  LAB_CHECKS(tcp_flow_parts) },
	{ "unp-dontroute", "dontroute", "unp", 77, 81,
	  "SO_DONTROUTE makes outgoing packets bypass the routing: they go to the local interface of the destination's network, ENETUNREACH when there is none; MSG_DONTROUTE does the same for one send.",
	  LAB_CHECKS(dontroute_parts) },
	{ "adv-dontroute", "dontroute", "adv", 29, 0,
	  "SO_DONTROUTE: do not send via a gateway, only to directly connected hosts; MSG_DONTROUTE on send(2) has the same effect.",
	  LAB_CHECKS(man_dontroute_parts) },
};
const size_t lab_udp_claims_count = LAB_ARRAY_SIZE(lab_udp_claims);
