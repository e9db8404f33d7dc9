/* mtu.c: experiments over a 1500-byte-MTU veth link between two private network namespaces: MSS, TCP_MAXSEG and segment sizes. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

/*
 * The experiment runs in a private namespace (LAB_NEEDS_NETNS); a child
 * makes a second one, and a veth pair joins them: lab0 192.0.2.1/24 here,
 * lab1 192.0.2.2/24 there (a documentation prefix), both at veth's
 * default MTU of 1500.  Both namespaces end with their processes.
 */
#define PEER_IP "192.0.2.2"
#define PEER_PORT 5001
#define SEGMENTS 700

/* What the peer measured on its accepted socket. */
struct peer_report {
	int advmss, rcvbuf;
	long long received;
};

static struct tcp_info info_of(int fd)
{
	struct tcp_info ti = { 0 };
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		memset(&ti, 0, sizeof(ti));
	return ti;
}

/* Read one byte from FD within MS: whether it came. */
static bool await_byte(int fd, int ms)
{
	char b;

	return labnet_wait(fd, POLLIN, ms) && read(fd, &b, 1) == 1;
}

/* The peer: in a namespace of its own, configure lab1 once it is there, accept, drain, report, wait. */
static void peer(int to_parent, int from_parent)
{
	static const char *const cmds[][8] = {
		{ "ip", "addr", "add", PEER_IP "/24", "dev", "lab1", NULL },
		{ "ip", "link", "set", "lab1", "up", NULL },
	};
	struct peer_report rep = { 0 };
	int l, s, end;

	if (labnet_netns_enter() < 0 || write(to_parent, "r", 1) != 1 || !await_byte(from_parent, 5000))
		_exit(1);
	for (size_t i = 0; i < LAB_ARRAY_SIZE(cmds); i++)
		if (labnet_spawn(cmds[i], NULL) != 0)
			_exit(1);
	l = labnet_socket(PEER_IP, SOCK_STREAM);
	if (l < 0 || labnet_listen(l, PEER_IP, PEER_PORT) < 0 || write(to_parent, "l", 1) != 1 ||
	    (s = labnet_accept(l, 5000)) < 0)
		_exit(1);
	rep.advmss = (int)info_of(s).tcpi_advmss;
	lab_get_int(s, "SO_RCVBUF", &rep.rcvbuf);
	rep.received = labnet_drain(s, 3000, &end);
	labnet_write_all(to_parent, &rep, sizeof(rep));
	/* The link ends with this namespace: keep it until the parent is done with it. */
	await_byte(from_parent, 10000);
	_exit(0);
}

/* Make the link to the peer PID's namespace, once it has one. */
static int make_link(pid_t pid)
{
	char netns[32];
	const char *const add[] = { "ip", "link", "add", "lab0", "type", "veth", "peer", "name", "lab1",
				    "netns", netns, NULL };
	static const char *const cmds[][8] = {
		{ "ip", "addr", "add", "192.0.2.1/24", "dev", "lab0", NULL },
		{ "ip", "link", "set", "lab0", "up", NULL },
	};

	snprintf(netns, sizeof(netns), "%d", (int)pid);
	if (labnet_spawn(add, NULL) != 0)
		return -1;
	for (size_t i = 0; i < LAB_ARRAY_SIZE(cmds); i++)
		if (labnet_spawn(cmds[i], NULL) != 0)
			return -1;
	return 0;
}

/* A packet socket seeing the packets on lab0 both ways (outgoing ones only reach ETH_P_ALL), or -1. */
static int capture_open(void)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)if_nametoindex("lab0") };

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The MSS option of the TCP header at T (LEN bytes), or -1. */
static int mss_option(const unsigned char *t, size_t len)
{
	size_t end = (size_t)(t[12] >> 4) * 4;

	for (size_t i = 20; i < end && i < len;) {
		if (t[i] == 0)
			break;
		if (t[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || t[i + 1] < 2)
			break;
		if (t[i] == 2 && t[i + 1] == 4 && i + 3 < len)
			return t[i + 2] << 8 | t[i + 3];
		i += t[i + 1];
	}
	return -1;
}

/* Read what CAP holds and record the MSS options of the SYN (syn_mss) and the SYN-ACK (synack_mss). */
static void capture_syns(struct lab_result *r, int cap)
{
	unsigned char p[256];
	ssize_t n;

	for (int i = 0; i < 64 && (n = recv(cap, p, sizeof(p), MSG_DONTWAIT)) > 0; i++) {
		size_t ihl = (size_t)(p[0] & 0x0f) * 4;
		const unsigned char *t = p + ihl;

		if ((p[0] >> 4) != 4 || n < (ssize_t)(ihl + 20) || p[9] != IPPROTO_TCP || !(t[13] & 0x02))
			continue;
		lab_int(r, t[13] & 0x10 ? "synack_mss" : "syn_mss", mss_option(t, (size_t)n - ihl));
	}
}

/*
 * The path changes under the connection: lab0's MTU goes down to 1280 and
 * C sends again; what TCP_MAXSEG and the segment size are then.
 */
static void path_change(struct lab_result *r, int c, const char *buf, size_t len)
{
	static const char *const lower[] = { "ip", "link", "set", "lab0", "mtu", "1280", NULL };
	struct tcp_info ti;

	if (labnet_spawn(lower, NULL) != 0 || send(c, buf, len, 0) != (ssize_t)len)
		return;
	for (int i = 0; i < 200 && labnet_outq(c) > 0; i++)
		labnet_sleep_ms(10);
	lab_record(r, c, "TCP_MAXSEG", "mtu1280_maxseg");
	ti = info_of(c);
	lab_int(r, "mtu1280_segment_bytes", ti.tcpi_snd_mss);
	lab_int(r, "sent_bytes", 2 * (long long)len);
}

/* Connect to the peer; SEGMENTS full segments in one send; what TCP_MAXSEG and TCP_INFO say. */
static void client(struct lab_result *r)
{
	int c = labnet_socket(PEER_IP, SOCK_STREAM), maxseg = 0, cap = capture_open();
	struct tcp_info ti;
	char *buf;
	size_t len;

	if (c < 0 || labnet_connect(c, PEER_IP, PEER_PORT) < 0) {
		labnet_close(c);
		labnet_close(cap);
		return;
	}
	if (cap >= 0) {
		capture_syns(r, cap);
		close(cap);
	}
	lab_record(r, c, "TCP_MAXSEG", "connect_maxseg");
	ti = info_of(c);
	lab_bool(r, "timestamps", ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	lab_get_int(c, "TCP_MAXSEG", &maxseg);
	len = (size_t)(maxseg > 0 ? maxseg : 1000) * SEGMENTS;
	buf = calloc(1, len);
	if (buf && send(c, buf, len, 0) == (ssize_t)len) {
		for (int i = 0; i < 200 && labnet_outq(c) > 0; i++)
			labnet_sleep_ms(10);
		lab_record(r, c, "TCP_MAXSEG", "after_maxseg");
		ti = info_of(c);
		lab_int(r, "sent_bytes", (long long)len);
		lab_int(r, "path_mtu", ti.tcpi_pmtu);
		/* The size TCP cuts this connection's segments to. */
		lab_int(r, "segment_bytes", ti.tcpi_snd_mss);
		lab_int(r, "segment_shortfall_bytes", lab_num(r, "after_maxseg") - ti.tcpi_snd_mss);
		path_change(r, c, buf, len);
	}
	free(buf);
	close(c);
}

/* ---- UDP through a slow link --------------------------------------------- */

#define UDP_PAYLOAD 1400
#define UDP_MAX_SENDS 2000

/* Shape lab0 with tbf at 8 Mbit/s and a queue of LATENCY ("1s", "5ms"); 0 or -1. */
static int shape(const char *verb, const char *latency)
{
	const char *const argv[] = { "tc", "qdisc", verb, "dev", "lab0", "root", "tbf", "rate", "8mbit",
				     "burst", "1540", "latency", latency, NULL };

	return labnet_spawn(argv, NULL) == 0 ? 0 : -1;
}

/* Non-blocking sends of UDP_PAYLOAD bytes to the peer until one fails (at most UDP_MAX_SENDS); how many went, and the errno. */
static int udp_burst(int u, int *err)
{
	static char buf[UDP_PAYLOAD];
	struct sockaddr_storage ss;
	int len = labnet_addr(PEER_IP, 9, &ss), n;

	*err = 0;
	for (n = 0; n < UDP_MAX_SENDS; n++)
		if (sendto(u, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, len) < 0) {
			*err = errno;
			break;
		}
	return n;
}

/*
 * Does UDP keep a send buffer?  Behind a link shaped to 8 Mbit/s with a
 * queue longer than the socket's send buffer, send until the kernel says
 * no and see what the socket still holds (SIOCOUTQ).  Then, with a 5 ms
 * queue that overflows first, the same burst without and with
 * IP_RECVERR (a lab observation: when does a sender learn of ENOBUFS?).
 */
static void udp_send_buffer(struct lab_result *r)
{
	int u = labnet_socket(PEER_IP, SOCK_DGRAM), err, n;
	long long drops;

	if (u < 0 || shape("add", "1s") < 0) {
		labnet_close(u);
		return;
	}
	lab_set(u, "SO_SNDBUF", "64K");
	lab_record(r, u, "SO_SNDBUF", "udp_sndbuf");
	n = udp_burst(u, &err);
	lab_int(r, "udp_sends", n);
	lab_errno(r, "udp_full_errno", err);
	lab_int(r, "udp_outq_bytes", labnet_outq(u));
	for (int i = 0; i < 100 && labnet_outq(u) > 0; i++)
		labnet_sleep_ms(20);
	if (shape("change", "5ms") == 0) {
		drops = labnet_counter("Udp", "SndbufErrors");
		lab_int(r, "udp_quiet_sends", udp_burst(u, &err));
		lab_errno(r, "udp_quiet_errno", err);
		lab_int(r, "udp_quiet_drops", labnet_counter("Udp", "SndbufErrors") - drops);
		for (int i = 0; i < 100 && labnet_outq(u) > 0; i++)
			labnet_sleep_ms(20);
		lab_set(u, "IP_RECVERR", "on");
		lab_int(r, "udp_recverr_sends", udp_burst(u, &err));
		lab_errno(r, "udp_recverr_errno", err);
	}
	close(u);
}

static void run_mtu1500(struct lab_result *r)
{
	int up[2], down[2], status = 0;
	struct peer_report rep = { 0 };
	pid_t pid;

	if (!labnet_have("ip"))
		return (void)lab_skip(r, "needs ip (iproute2) to build the test network");
	if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		return (void)lab_skip(r, "could not start the peer");
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		peer(up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	if (!await_byte(up[0], 5000) || make_link(pid) < 0 || write(down[1], "g", 1) != 1 ||
	    !await_byte(up[0], 5000))
		lab_skip(r, "could not build the veth link between two namespaces");
	else
		client(r);
	if (!r->skipped[0])
		udp_send_buffer(r);
	close(down[1]);
	if (!r->skipped[0] && labnet_wait(up[0], POLLIN, 5000) &&
	    read(up[0], &rep, sizeof(rep)) == sizeof(rep)) {
		lab_int(r, "peer_advmss", rep.advmss);
		lab_int(r, "peer_rcvbuf", rep.rcvbuf);
		lab_int(r, "peer_received_bytes", rep.received);
	}
	close(up[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	lab_observe(r, "Over a veth link of MTU 1500 (path MTU %lld): the SYN carried MSS %lld and the "
		       "SYN-ACK %lld (the peer's tcpi_advmss then read %lld); TCP_MAXSEG read %lld right "
		       "after connect and %lld after %d segments' worth (timestamps %s), and TCP cut "
		       "segments of %lld bytes (tcpi_snd_mss), %lld fewer than TCP_MAXSEG. The peer's "
		       "receive buffer was %lld bytes.",
		    lab_num(r, "path_mtu"), lab_num(r, "syn_mss"), lab_num(r, "synack_mss"),
		    lab_num(r, "peer_advmss"), lab_num(r, "connect_maxseg"), lab_num(r, "after_maxseg"),
		    SEGMENTS, lab_num(r, "timestamps") ? "on" : "off", lab_num(r, "segment_bytes"),
		    lab_num(r, "segment_shortfall_bytes"), lab_num(r, "peer_rcvbuf"));
	lab_observe_more(r, " With lab0's MTU lowered to 1280 during the connection, TCP_MAXSEG then "
			    "read %lld and segments were cut to %lld bytes.",
			 lab_num(r, "mtu1280_maxseg"), lab_num(r, "mtu1280_segment_bytes"));
	lab_observe_more(r, " UDP through the link shaped to 8 Mbit/s (tbf, 1 s queue), SO_SNDBUF %lld: "
			    "%lld non-blocking sends of %d bytes went before %s, and the socket then "
			    "held %lld bytes (SIOCOUTQ). With a 5 ms queue the same burst sent %lld "
			    "before %s while the queue dropped %lld (Udp SndbufErrors); with IP_RECVERR "
			    "the burst stopped after %lld with %s.",
			 lab_num(r, "udp_sndbuf"), lab_num(r, "udp_sends"), UDP_PAYLOAD,
			 lab_word(r, "udp_full_errno"), lab_num(r, "udp_outq_bytes"),
			 lab_num(r, "udp_quiet_sends"), lab_word(r, "udp_quiet_errno"),
			 lab_num(r, "udp_quiet_drops"), lab_num(r, "udp_recverr_sends"),
			 lab_word(r, "udp_recverr_errno"));
}

static const struct lab_check mtu_setup[] = {
	{ "timestamps", LAB_EQ, 1, .says = "the connection uses the timestamp option", .setup = true },
	{ "path_mtu", LAB_EQ, 1500, .says = "the path's MTU is 1500", .setup = true },
	{ "peer_received_bytes", LAB_EQ, .other = "sent_bytes", .says = "the peer received every byte sent", .setup = true },
};

const struct lab_experiment lab_mtu[] = {
	{ .id = "maxseg-mtu1500", .title = "TCP_MAXSEG and segment sizes on a 1500-byte-MTU path",
	  .options = "TCP_MAXSEG SO_RCVBUF",
	  .method = "Two private network namespaces joined by a veth pair (MTU 1500): connect, read "
		    "TCP_MAXSEG and the MSS options of the SYN and SYN-ACK (a packet socket on the "
		    "link), send 700 times TCP_MAXSEG bytes in one send, wait until they are "
		    "acknowledged, read TCP_MAXSEG again and the segment size TCP uses (tcpi_snd_mss); "
		    "the peer reports its receive buffer; lab0's MTU is lowered to 1280 and the same "
		    "is sent again. Then UDP to the peer through the link shaped "
		    "with tbf (8 Mbit/s, 1 s queue): non-blocking 1400-byte sends until one fails, and "
		    "SIOCOUTQ; with a 5 ms queue, the same without and with IP_RECVERR.",
	  .shows = "segment_shortfall_bytes", .needs = LAB_NEEDS_NETNS, .run = run_mtu1500,
	  .checks = LAB_CHECKS(mtu_setup) },
};
const size_t lab_mtu_count = LAB_ARRAY_SIZE(lab_mtu);

static const struct lab_check timestamp_parts[] = {
	{ "connect_maxseg", LAB_EQ, .other = "synack_mss", .says = "TCP_MAXSEG returns the MSS the peer announced (the timestamps' 12 bytes not taken off)" },
	{ "segment_shortfall_bytes", LAB_EQ, 12, .says = "TCP cuts segments 12 bytes smaller than TCP_MAXSEG returns" },
};
static const struct lab_check typical_mss_parts[] = {
	{ "synack_mss", LAB_EQ, 1460, .says = "on a 1500-byte-MTU path the MSS is the typical 1460 (the SYN-ACK's MSS option)" },
	{ "peer_rcvbuf", LAB_GE, 8192, .says = "default receive buffers are 8192 bytes or more" },
	{ "peer_rcvbuf", LAB_GE, .other = "synack_mss", .num = 4, .says = "so the buffer is at least four times the MSS" },
	{ .says = "the buffer should be an even multiple of the MSS", .unmeasured = "advice to applications; the lab measures no buffer space wasted" },
};

static const struct lab_check udp_buffer_parts[] = {
	{ "udp_outq_bytes", LAB_EQ, 0, .says = "UDP keeps no copy of sent data: after a burst nothing waits counted against its send buffer" },
	{ "udp_full_errno", LAB_NE, .str = "EAGAIN", .says = "so the send buffer is only a size limit: a sender never waits for room in it (no EAGAIN)" },
};

static const struct lab_check pmtu_parts[] = {
	{ "mtu1280_segment_bytes", LAB_LT, .other = "segment_bytes", .says = "the largest segment changes during the connection when the path changes (lab0's MTU lowered to 1280)" },
	{ "mtu1280_maxseg", LAB_LT, .other = "after_maxseg", .says = "and TCP_MAXSEG follows it" },
};

const struct lab_claim lab_mtu_claims[] = {
	{ "unp-maxseg-pmtu", "maxseg-mtu1500", "unp", 335, 0,
	  "With path MTU discovery the largest segment may change during the life of the connection: when the path to the peer changes, the value is adjusted.",
	  LAB_CHECKS(pmtu_parts) },
	{ "go-blog-udp-no-send-buffer", "maxseg-mtu1500", "go-blog", 10, 15,
	  "(Quoting UNP) A UDP socket's send buffer does not really exist (a dashed box in the figure): since UDP is unreliable it does not keep a copy of the application's data and needs no actual send buffer; the copy made on the way down the stack is discarded by the datalink layer once transmitted.",
	  LAB_CHECKS(udp_buffer_parts) },
	{ "unp-maxseg-timestamps", "maxseg-mtu1500", "unp", 334, 0,
	  "With the timestamp option in use the largest segment actually sent may be smaller than the MSS TCP_MAXSEG returns (normally the one the peer announced), since the option takes 12 bytes of every segment.",
	  LAB_CHECKS(timestamp_parts) },
	{ "unp-rcvbuf-four-mss", "maxseg-mtu1500", "unp", 171, 0,
	  "A TCP receive buffer must be at least four times the connection's MSS; typical defaults (8192 bytes or more) and MSS values (512 or 1460) meet this; the buffer should also be an even multiple of the MSS.",
	  LAB_CHECKS(typical_mss_parts) },
};
const size_t lab_mtu_claims_count = LAB_ARRAY_SIZE(lab_mtu_claims);
