/* ip.c: experiments on IP-level options: TTL and TOS defaults, IP_OPTIONS, IPV6_V6ONLY, receive timestamps. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* A connected UDP sender to a fresh receiver on 127.0.0.1; the receiver's fd, or -1. */
static int udp_link(int *tx)
{
	int rx = labnet_udp_bound("127.0.0.1");

	*tx = labnet_socket("127.0.0.1", SOCK_DGRAM);
	if (rx < 0 || *tx < 0 || labnet_connect(*tx, "127.0.0.1", labnet_port(rx)) < 0) {
		labnet_close(rx);
		labnet_close(*tx);
		return -1;
	}
	return rx;
}

/* ---- IP_TTL and IP_TOS -------------------------------------------------- */

/* Record IP_TTL and IP_TOS of a fresh socket (FAMILY/TYPE/PROTOCOL) as PREFIX_ttl, PREFIX_tos. */
static int record_ttl_tos(struct lab_result *r, int type, int protocol, const char *prefix)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -errno;
	lab_record(r, fd, "IP_TTL", "%s_ttl", prefix);
	lab_record(r, fd, "IP_TOS", "%s_tos", prefix);
	close(fd);
	return 0;
}

static void wire_ttl_tos(struct lab_result *r, const struct cmsghdr *cm)
{
	int v = 0;

	if (cm->cmsg_level != IPPROTO_IP)
		return;
	if (cm->cmsg_type == IP_TTL) {
		memcpy(&v, CMSG_DATA(cm), sizeof(int));
		lab_int(r, "wire_ttl", v);
	} else if (cm->cmsg_type == IP_TOS) {
		lab_int(r, "wire_tos", *(const unsigned char *)CMSG_DATA(cm));
	}
}

static void run_ttl_tos(struct lab_result *r)
{
	char raw_ttl[160];
	long long def = -1;
	int tx, rx, raw;

	if (!lab_opt(r, "IP_TTL") || !lab_opt(r, "IP_TOS") || !lab_opt(r, "IP_RECVTTL") ||
	    !lab_opt(r, "IP_RECVTOS"))
		return;
	if (sockopt_sysctl_read_long("net.ipv4.ip_default_ttl", &def, NULL) == 0)
		lab_int(r, "ip_default_ttl", def);
	record_ttl_tos(r, SOCK_STREAM, 0, "tcp");
	record_ttl_tos(r, SOCK_DGRAM, 0, "udp");
	raw = record_ttl_tos(r, SOCK_RAW, IPPROTO_ICMP, "raw");
	lab_errno(r, "raw_socket", raw);
	if ((rx = udp_link(&tx)) < 0)
		return (void)lab_skip(r, "no UDP pair");
	lab_set(rx, "IP_RECVTTL", "on");
	lab_set(rx, "IP_RECVTOS", "on");
	lab_set(tx, "IP_TTL", "33");
	lab_set(tx, "IP_TOS", "0x10");
	lab_record(r, tx, "IP_TTL", "set_ttl_readback");
	lab_record(r, tx, "IP_TOS", "set_tos_readback");
	if (send(tx, "x", 1, 0) == 1)
		lab_recv_cmsgs(rx, wire_ttl_tos, r);
	close(tx);
	close(rx);
	if (lab_field(r, "raw_ttl"))
		snprintf(raw_ttl, sizeof(raw_ttl), "%lld", lab_num(r, "raw_ttl"));
	else
		snprintf(raw_ttl, sizeof(raw_ttl), "unknown (%s)", lab_word(r, "raw_socket"));
	lab_observe(r, "Fresh sockets read IP_TTL %lld (TCP), %lld (UDP), %s (raw ICMP) with "
		       "net.ipv4.ip_default_ttl %lld, and IP_TOS %lld (TCP), %lld (UDP). A UDP socket set "
		       "to TTL 33 and TOS 0x10 read back %lld and %lld, and its datagram arrived with TTL "
		       "%lld and TOS %lld.",
		    lab_num(r, "tcp_ttl"), lab_num(r, "udp_ttl"), raw_ttl, def,
		    lab_num(r, "tcp_tos"), lab_num(r, "udp_tos"),
		    lab_num(r, "set_ttl_readback"), lab_num(r, "set_tos_readback"),
		    lab_num(r, "wire_ttl"),
		    lab_num(r, "wire_tos"));
}

/* ---- IP_OPTIONS ----------------------------------------------------------- */

static void wire_options(struct lab_result *r, const struct cmsghdr *cm)
{
	const unsigned char *o = CMSG_DATA(cm);
	size_t len = cm->cmsg_len - CMSG_LEN(0);
	char addr[INET_ADDRSTRLEN];

	/* IP_RECVOPTS delivers the options as a control message of that same type. */
	if (cm->cmsg_level != IPPROTO_IP || (cm->cmsg_type != IP_RECVOPTS && cm->cmsg_type != IP_OPTIONS))
		return;
	lab_int(r, "received_options_len", (long long)len);
	/* Record route: type 7, length, pointer, then the recorded addresses. */
	if (len >= 7 && o[0] == 7 && o[2] > 4 && inet_ntop(AF_INET, o + 3, addr, sizeof(addr)))
		lab_str(r, "recorded_route", addr);
}

static void run_ip_options(struct lab_result *r)
{
	int tx, rx;

	if (!lab_opt(r, "IP_OPTIONS") || !lab_opt(r, "IP_RECVOPTS"))
		return;
	if ((rx = udp_link(&tx)) < 0)
		return (void)lab_skip(r, "no UDP pair");
	lab_set(rx, "IP_RECVOPTS", "on");
	/* Record Route with room for one address, then a NOP to fill the 32-bit word. */
	lab_errno(r, "set_errno", lab_set(tx, "IP_OPTIONS", "0707040000000001"));
	lab_int(r, "sent_options_len", 8);
	lab_int(r, "received_options_len", 0); /* unless the datagram brings some */
	if (send(tx, "x", 1, 0) == 1)
		lab_recv_cmsgs(rx, wire_options, r);
	close(tx);
	close(rx);
	lab_observe(r, "IP_OPTIONS with an 8-byte Record Route option returned %s; the receiver "
		       "(IP_RECVOPTS) got %lld bytes of options with %s recorded.",
		    lab_word(r, "set_errno"), lab_num(r, "received_options_len"),
		    lab_field(r, "recorded_route") ? lab_word(r, "recorded_route") : "nothing");
}

/* ---- IPV6_V6ONLY ---------------------------------------------------------- */

/* Listen on [::]:0 with IPV6_V6ONLY as V6ONLY; connect to 127.0.0.1 on that port; the errno as FIELD. */
static void v4_through_v6(struct lab_result *r, const char *v6only, const char *field)
{
	int l = labnet_socket("::", SOCK_STREAM), c;

	if (l < 0)
		return;
	lab_set(l, "IPV6_V6ONLY", v6only);
	if (labnet_listen(l, "::", 0) == 0 && (c = labnet_socket("127.0.0.1", SOCK_STREAM)) >= 0) {
		lab_errno(r, field, labnet_connect(c, "127.0.0.1", labnet_port(l)));
		close(c);
	}
	close(l);
}

static void run_v6only(struct lab_result *r)
{
	long long sys;
	int fd;

	if (!lab_opt(r, "IPV6_V6ONLY"))
		return;
	if (sockopt_sysctl_read_long("net.ipv6.bindv6only", &sys, NULL) < 0 ||
	    (fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return (void)lab_skip(r, "no IPv6 on this machine");
	lab_int(r, "bindv6only", sys);
	lab_record(r, fd, "IPV6_V6ONLY", "tcp6_default");
	close(fd);
	lab_record_fresh(r, AF_INET6, SOCK_DGRAM, "IPV6_V6ONLY", "udp6_default");
	v4_through_v6(r, "off", "v4_to_dual_stack");
	v4_through_v6(r, "on", "v4_to_v6only");
	lab_observe(r, "net.ipv6.bindv6only is %lld; fresh TCP6 and UDP6 sockets read IPV6_V6ONLY "
		       "%lld and %lld. Connecting to 127.0.0.1 on a [::] listener: %s with "
		       "IPV6_V6ONLY off, %s with it on.",
		    sys, lab_num(r, "tcp6_default"), lab_num(r, "udp6_default"),
		    lab_word(r, "v4_to_dual_stack"),
		    lab_word(r, "v4_to_v6only"));
}

/* ---- SO_TIMESTAMP ---------------------------------------------------------- */

static long long realtime_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

static void stamp(struct lab_result *r, const struct cmsghdr *cm)
{
	struct timeval tv;

	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMP)
		return;
	memcpy(&tv, CMSG_DATA(cm), sizeof(tv));
	lab_int(r, "stamp_us", tv.tv_sec * 1000000LL + tv.tv_usec);
}

static void run_timestamp(struct lab_result *r)
{
	int tx, rx;

	if (!lab_opt(r, "SO_TIMESTAMP"))
		return;
	if ((rx = udp_link(&tx)) < 0)
		return (void)lab_skip(r, "no UDP pair");
	lab_set(rx, "SO_TIMESTAMP", "on");
	lab_int(r, "sent_us", realtime_us());
	lab_int(r, "stamp_us", 0); /* unless the datagram carries one */
	if (send(tx, "x", 1, 0) == 1) {
		labnet_sleep_ms(20); /* received, but not yet read */
		lab_recv_cmsgs(rx, stamp, r);
	}
	lab_int(r, "read_us", realtime_us());
	close(tx);
	close(rx);
	lab_observe(r, "A datagram sent at %lld µs (realtime) and read 20 ms later at %lld µs carried "
		       "an SCM_TIMESTAMP of %lld µs.",
		    lab_num(r, "sent_us"), lab_num(r, "read_us"), lab_num(r, "stamp_us"));
}

/* ---- IP_HDRINCL ---------------------------------------------------------- */

#define HDRINCL_PROTO 253 /* RFC 3692's protocol number for experiments */
#define HDRINCL_TTL 77

/* The one's-complement sum of the 16-bit words of LEN bytes at P. */
static unsigned ones_sum(const unsigned char *p, size_t len)
{
	unsigned sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (unsigned)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * Read from RX, for up to 500 ms, until the packet carrying PID after a
 * 20-byte header arrives (a raw socket also sees what other processes
 * send to protocol 253); whether it came.
 */
static bool receive_ours(int rx, unsigned char *got, size_t size, pid_t pid)
{
	long long deadline = labnet_now_us() + 500000;

	for (int i = 0; i < 16; i++) {
		long long left = (deadline - labnet_now_us()) / 1000;
		ssize_t n;

		if (left <= 0 || !labnet_wait(rx, POLLIN, (int)left))
			return false;
		n = recv(rx, got, size, MSG_DONTWAIT);
		if (n >= (ssize_t)(sizeof(struct iphdr) + sizeof(pid)) && (got[0] & 0x0f) == 5 &&
		    memcmp(got + sizeof(struct iphdr), &pid, sizeof(pid)) == 0)
			return true;
	}
	return false;
}

/*
 * Send, with IP_HDRINCL, a header of our own to 127.0.0.1 with the
 * checksum, the ID and the source left 0 and TTL 77 (FRAG_OFF: 0 or
 * IP_DF), and read the header that arrives on RX; fields under PREFIX.
 */
static void hdrincl_send(struct lab_result *r, int tx, int rx, int frag_off, const char *prefix)
{
	unsigned char pkt[sizeof(struct iphdr) + 8] = { 0 }, got[128];
	struct iphdr *ip = (struct iphdr *)pkt;
	const struct iphdr *in = (const struct iphdr *)got;
	struct sockaddr_storage ss;
	int len = labnet_addr("127.0.0.1", 0, &ss);
	char field[LAB_NAME_MAX], text[INET_ADDRSTRLEN];
	pid_t pid = getpid();

	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = HDRINCL_TTL;
	ip->protocol = HDRINCL_PROTO;
	ip->frag_off = htons(frag_off);
	ip->daddr = htonl(INADDR_LOOPBACK);
	memcpy(pkt + sizeof(*ip), &pid, sizeof(pid));
	if (sendto(tx, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, len) != sizeof(pkt) ||
	    !receive_ours(rx, got, sizeof(got), pid))
		return;
	snprintf(field, sizeof(field), "%s_id", prefix);
	lab_int(r, field, ntohs(in->id));
	if (frag_off)
		return;
	lab_int(r, "received_ttl", in->ttl);
	lab_int(r, "received_check", ntohs(in->check));
	lab_bool(r, "received_check_valid", ones_sum(got, (size_t)in->ihl * 4) == 0xffff);
	if (inet_ntop(AF_INET, &in->saddr, text, sizeof(text)))
		lab_str(r, "received_saddr", text);
}

static void run_hdrincl(struct lab_result *r)
{
	int tx = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, HDRINCL_PROTO);
	int rx = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, HDRINCL_PROTO);

	if (tx < 0 || rx < 0) {
		lab_skip(r, "needs CAP_NET_RAW for raw sockets (%s)", strerrorname_np(errno));
		goto out;
	}
	lab_errno(r, "hdrincl_set_errno", lab_set(tx, "IP_HDRINCL", "on"));
	hdrincl_send(r, tx, rx, 0, "received");
	hdrincl_send(r, tx, rx, IP_DF, "df");
	lab_observe(r, "A header of our own (TTL %d, checksum, ID and source 0) sent with IP_HDRINCL "
		       "to 127.0.0.1 arrived with TTL %lld, checksum 0x%04llx (%s), ID %lld and source "
		       "%s; the same with DF set arrived with ID %lld.",
		    HDRINCL_TTL, lab_num(r, "received_ttl"), lab_num(r, "received_check"),
		    lab_num(r, "received_check_valid") ? "valid" : "not valid",
		    lab_num(r, "received_id"), lab_word(r, "received_saddr"), lab_num(r, "df_id"));
out:
	labnet_close(tx);
	labnet_close(rx);
}

static const struct lab_check hdrincl_setup[] = {
	{ "hdrincl_set_errno", LAB_EQ, .str = "OK", .says = "IP_HDRINCL could be set", .setup = true },
};

const struct lab_experiment lab_ip[] = {
	{ .id = "ttl-tos-defaults", .title = "IP_TTL and IP_TOS: defaults, set, seen on received packets",
	  .options = "IP_TTL IP_TOS IP_RECVTTL IP_RECVTOS",
	  .method = "Read IP_TTL and IP_TOS on fresh TCP, UDP and raw ICMP sockets; set TTL 33 and TOS "
		    "0x10 on a UDP socket and read them from the received datagram (IP_RECVTTL, "
		    "IP_RECVTOS).",
	  .shows = "tcp_ttl", .needs = LAB_NEEDS_RAW, .run = run_ttl_tos },
	{ .id = "ip-options", .title = "IP_OPTIONS puts options into the IPv4 header",
	  .options = "IP_OPTIONS IP_RECVOPTS",
	  .method = "A UDP sender sets a Record Route option; the receiver on 127.0.0.1 reads the "
		    "options of the arriving datagram with IP_RECVOPTS.",
	  .shows = "received_options_len", .run = run_ip_options },
	{ .id = "hdrincl", .title = "IP_HDRINCL: what the kernel fills in a header we build",
	  .options = "IP_HDRINCL",
	  .method = "A raw socket of protocol 253 with IP_HDRINCL sends to 127.0.0.1 a header with TTL "
		    "77 and the checksum, ID and source address 0, once without DF and once with it; a "
		    "second raw socket of protocol 253 reads the header that arrives.",
	  .shows = "df_id", .needs = LAB_NEEDS_RAW, .run = run_hdrincl,
	  .checks = LAB_CHECKS(hdrincl_setup) },
	{ .id = "v6only-default", .title = "IPV6_V6ONLY: default and effect",
	  .options = "IPV6_V6ONLY",
	  .method = "Read net.ipv6.bindv6only and IPV6_V6ONLY on fresh TCP6/UDP6 sockets; connect to "
		    "127.0.0.1 on a [::] listener with IPV6_V6ONLY off and on.",
	  .shows = "tcp6_default", .run = run_v6only },
	{ .id = "so-timestamp", .title = "SO_TIMESTAMP: the receive time as a control message",
	  .options = "SO_TIMESTAMP",
	  .method = "Send a datagram, read it 20 ms later with recvmsg, and place the timestamp between "
		    "the send and the read (realtime clock).",
	  .run = run_timestamp },
};
const size_t lab_ip_count = LAB_ARRAY_SIZE(lab_ip);

static const struct lab_check ttl_parts[] = {
	{ "tcp_ttl", LAB_EQ, 64, .says = "TCP sockets default to TTL 64" },
	{ "udp_ttl", LAB_EQ, 64, .says = "UDP sockets too" },
	{ "raw_ttl", LAB_EQ, 255, .says = "raw sockets default to 255" },
	{ "set_ttl_readback", LAB_EQ, 33, .says = "getsockopt returns the TTL set for outgoing datagrams (33)" },
	{ "wire_ttl", LAB_LT, 0, .says = "there is no way to get the TTL of a received datagram (IP_RECVTTL delivered it)" },
};
static const struct lab_check tos_parts[] = {
	{ "tcp_tos", LAB_EQ, 0, .says = "IP_TOS defaults to 0 (TCP)" },
	{ "udp_tos", LAB_EQ, 0, .says = "and UDP" },
	{ "set_tos_readback", LAB_EQ, 16, .says = "getsockopt returns the TOS set for outgoing headers (0x10)" },
	{ "wire_tos", LAB_LT, 0, .says = "there is no way to get the TOS of a received datagram (IP_RECVTOS delivered it)" },
};
static const struct lab_check options_parts[] = {
	{ "set_errno", LAB_EQ, .str = "OK", .says = "IP_OPTIONS sets IP options" },
	{ "received_options_len", LAB_GE, .other = "sent_options_len", .says = "which travel in the IPv4 header" },
};
static const struct lab_check v6only_parts[] = {
	{ "tcp6_default", LAB_EQ, 0, .says = "IPV6_V6ONLY is off by default" },
	{ "v4_to_dual_stack", LAB_EQ, .str = "OK", .says = "(off: an AF_INET6 listener takes IPv4 connections)" },
	{ "v4_to_v6only", LAB_EQ, .str = "ECONNREFUSED", .says = "on, the socket does IPv6 only" },
	{ .says = "some systems can turn it on by default", .unmeasured = "net.ipv6.bindv6only is the Linux way; the lab reads it (bindv6only) but does not change it" },
};
static const struct lab_check timestamp_parts[] = {
	{ "stamp_us", LAB_GE, .other = "sent_us", .says = "the control message holds the time the datagram was received (after it was sent)" },
	{ "stamp_us", LAB_LT, .other = "read_us", .says = "(before the process read it)" },
};

static const struct lab_check hdrincl_parts[] = {
	{ "received_ttl", LAB_EQ, HDRINCL_TTL, .says = "we build the IP header ourselves (our TTL 77 arrives)" },
	{ "received_check_valid", LAB_EQ, 1, .says = "IP always computes and stores the header checksum" },
	{ "received_id", LAB_NE, 0, .says = "an IP ID of 0 is set by the kernel" },
	{ "df_id", LAB_NE, 0, .says = "(also when the header has DF set)" },
	{ "received_saddr", LAB_EQ, .str = "127.0.0.1", .says = "a source of INADDR_ANY becomes the outgoing interface's primary address (127.0.0.1 on lo)" },
};

const struct lab_claim lab_ip_claims[] = {
	{ "unp-hdrincl", "hdrincl", "unp", 230, 236,
	  "With IP_HDRINCL set on a raw IP socket we build the whole IP header of every datagram sent, except that IP always computes and stores the header checksum, sets the ID field if we leave it 0, and sets a source of INADDR_ANY to the outgoing interface's primary address.",
	  LAB_CHECKS(hdrincl_parts) },
	{ "unp-ip-ttl", "ttl-tos-defaults", "unp", 258, 0,
	  "IP_TTL sets or gets the default TTL of unicast packets: 64 for TCP and UDP sockets, 255 for raw sockets; getsockopt returns the value used for outgoing datagrams, and there is no way to get the value from a received datagram.",
	  LAB_CHECKS(ttl_parts) },
	{ "unp-ip-tos", "ttl-tos-defaults", "unp", 254, 0,
	  "IP_TOS sets the type-of-service field for TCP and UDP sockets; getsockopt returns the current value (default 0); there is no way to get the value from a received datagram.",
	  LAB_CHECKS(tos_parts) },
	{ "unp-ip-options", "ip-options", "unp", 242, 0,
	  "IP_OPTIONS lets us set IP options in the IPv4 header (we must build the option bytes).",
	  LAB_CHECKS(options_parts) },
	{ "unp-v6only", "v6only-default", "unp", 322, 0,
	  "IPV6_V6ONLY on an AF_INET6 socket restricts it to IPv6; it is off by default, though some systems can turn it on by default.",
	  LAB_CHECKS(v6only_parts) },
	{ "adv-so-timestamp", "so-timestamp", "adv", 122, 124,
	  "SO_TIMESTAMP enables an SCM_TIMESTAMP control message (level SOL_SOCKET) holding a struct timeval: the reception time of the last packet passed to the user.",
	  LAB_CHECKS(timestamp_parts) },
};
const size_t lab_ip_claims_count = LAB_ARRAY_SIZE(lab_ip_claims);
