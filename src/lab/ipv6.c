/* ipv6.c: experiments on the IPv6 options the UNP notes describe: IPV6_RECV* defaults, hop limit, traffic class, packet info, path MTU, DONTFRAG, CHECKSUM. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define BIG_DATAGRAM 65500 /* over loopback's 65536-byte MTU with its 48 bytes of headers */
#define LAB_PROTO 253	   /* RFC 3692's protocol number for experiments */

/* A UDP receiver on ::1 and a sender connected to it; the receiver, or -1. */
static int udp6_link(int *tx)
{
	int rx = labnet_udp_bound("::1");

	*tx = labnet_socket("::1", SOCK_DGRAM);
	if (rx < 0 || *tx < 0 || labnet_connect(*tx, "::1", labnet_port(rx)) < 0) {
		labnet_close(rx);
		labnet_close(*tx);
		return -1;
	}
	return rx;
}

/* The defaults of the IPV6_RECV* options the notes describe, on a fresh UDP socket. */
static void recv_defaults(struct lab_result *r)
{
	static const char *const names[][2] = {
		{ "IPV6_RECVDSTOPTS", "recvdstopts_default" }, { "IPV6_RECVHOPLIMIT", "recvhoplimit_default" },
		{ "IPV6_RECVHOPOPTS", "recvhopopts_default" }, { "IPV6_RECVRTHDR", "recvrthdr_default" },
		{ "IPV6_RECVTCLASS", "recvtclass_default" },   { "IPV6_RECVPKTINFO", "recvpktinfo_default" },
		{ "IPV6_RECVPATHMTU", "recvpathmtu_default" },
	};

	for (size_t i = 0; i < LAB_ARRAY_SIZE(names); i++)
		lab_record_fresh(r, AF_INET6, SOCK_DGRAM, names[i][0], "%s", names[i][1]);
	lab_record_fresh(r, AF_INET6, SOCK_DGRAM, "IPV6_UNICAST_HOPS", "unicast_hops_default");
}

static void ancillary(struct lab_result *r, const struct cmsghdr *cm)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_pktinfo pi;
	int v;

	if (cm->cmsg_level != IPPROTO_IPV6)
		return;
	if (cm->cmsg_type == IPV6_HOPLIMIT || cm->cmsg_type == IPV6_TCLASS) {
		memcpy(&v, CMSG_DATA(cm), sizeof(v));
		lab_int(r, cm->cmsg_type == IPV6_HOPLIMIT ? "received_hoplimit" : "received_tclass", v);
	} else if (cm->cmsg_type == IPV6_PKTINFO) {
		memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
		if (inet_ntop(AF_INET6, &pi.ipi6_addr, text, sizeof(text)))
			lab_str(r, "pktinfo_addr", text);
		lab_int(r, "pktinfo_ifindex", pi.ipi6_ifindex);
	}
}

/* Hop limit 33 and traffic class 0x28 set on the sender; what recvmsg hands the receiver. */
static void hop_limit_and_friends(struct lab_result *r)
{
	int tx, rx = udp6_link(&tx);

	if (rx < 0)
		return;
	lab_set(tx, "IPV6_UNICAST_HOPS", "33");
	lab_record(r, tx, "IPV6_UNICAST_HOPS", "unicast_hops_set");
	lab_set(tx, "IPV6_TCLASS", "0x28");
	lab_set(rx, "IPV6_RECVHOPLIMIT", "on");
	lab_set(rx, "IPV6_RECVTCLASS", "on");
	lab_set(rx, "IPV6_RECVPKTINFO", "on");
	lab_int(r, "lo_ifindex", if_nametoindex("lo"));
	if (send(tx, "x", 1, 0) == 1)
		lab_recv_cmsgs(rx, ancillary, r);
	close(tx);
	close(rx);
}

/* Loopback's MTU from sysfs, or -1. */
static long long lo_mtu(void)
{
	FILE *f = fopen("/sys/class/net/lo/mtu", "re");
	long long v = -1;

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * IPV6_PATHMTU read and set with the system calls themselves (the
 * library knows it as get-only), and a datagram larger than the MTU sent
 * without and with IPV6_DONTFRAG.
 */
static void path_mtu_and_dontfrag(struct lab_result *r)
{
	static char big[BIG_DATAGRAM];
	struct ip6_mtuinfo mi = { 0 };
	socklen_t len = sizeof(mi);
	int tx, rx = udp6_link(&tx);

	if (rx < 0)
		return;
	lab_int(r, "lo_mtu", lo_mtu());
	if (getsockopt(tx, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &len) == 0)
		lab_int(r, "pathmtu", mi.ip6m_mtu);
	lab_errno(r, "pathmtu_set_errno",
		  setsockopt(tx, IPPROTO_IPV6, IPV6_PATHMTU, &mi, sizeof(mi)) < 0 ? errno : 0);
	lab_errno(r, "big_send_errno", send(tx, big, sizeof(big), 0) < 0 ? errno : 0);
	lab_int(r, "big_received_bytes", labnet_wait(rx, POLLIN, 200) ? recv(rx, big, sizeof(big), MSG_DONTWAIT) : 0);
	lab_set(tx, "IPV6_DONTFRAG", "on");
	lab_errno(r, "dontfrag_send_errno", send(tx, big, sizeof(big), 0) < 0 ? errno : 0);
	lab_int(r, "dontfrag_received_bytes", labnet_wait(rx, POLLIN, 200) ? recv(rx, big, sizeof(big), MSG_DONTWAIT) : 0);
	close(tx);
	close(rx);
}

/* A raw IPv6 socket of protocol PROTO bound to ::1, with IPV6_CHECKSUM OFFSET unless it is NULL. */
static int raw6(int proto, const char *offset)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, proto);

	if (fd >= 0 && offset)
		lab_set(fd, "IPV6_CHECKSUM", offset);
	return fd;
}

/*
 * Whether FD receives, within 200 ms, the datagram carrying our process
 * ID in bytes 2-5 (raw sockets also see what other processes send to
 * protocol 253); its first two bytes (the checksum) in *SUM.
 */
static bool got_one(int fd, unsigned *sum)
{
	long long deadline = labnet_now_us() + 200000;
	unsigned char b[64];
	pid_t pid = getpid();

	for (int i = 0; i < 16; i++) {
		long long left = (deadline - labnet_now_us()) / 1000;

		if (left <= 0 || !labnet_wait(fd, POLLIN, (int)left))
			return false;
		if (recv(fd, b, sizeof(b), MSG_DONTWAIT) < 6 || memcmp(b + 2, &pid, sizeof(pid)) != 0)
			continue;
		if (sum)
			*sum = (unsigned)b[0] << 8 | b[1];
		return true;
	}
	return false;
}

/*
 * IPV6_CHECKSUM on raw sockets of protocol 253: a sender with offset 0
 * (the kernel fills the checksum) and one without (it stays 0, which is
 * not a valid checksum for our process ID in the bytes after it), each received by a socket that verifies (offset
 * 0) and one that does not (-1).  And the option on an ICMPv6 socket.
 */
static void raw_checksum(struct lab_result *r)
{
	char zeros[8] = { 0 };
	struct sockaddr_storage ss;
	int len = labnet_addr("::1", 0, &ss);
	int verify = raw6(LAB_PROTO, "0"), plain = raw6(LAB_PROTO, NULL);
	int tx_sum = raw6(LAB_PROTO, "0"), tx_plain = raw6(LAB_PROTO, NULL);
	int icmp = raw6(IPPROTO_ICMPV6, NULL);
	unsigned sum = 0;
	pid_t pid = getpid();

	if (verify < 0 || plain < 0 || tx_sum < 0 || tx_plain < 0 || icmp < 0)
		goto out;
	memcpy(zeros + 2, &pid, sizeof(pid));
	lab_record(r, plain, "IPV6_CHECKSUM", "checksum_default");
	lab_errno(r, "icmp6_checksum_errno", lab_set(icmp, "IPV6_CHECKSUM", "2"));
	if (sendto(tx_sum, zeros, sizeof(zeros), 0, (struct sockaddr *)&ss, len) == sizeof(zeros)) {
		lab_bool(r, "plain_got_summed", got_one(plain, &sum));
		lab_bool(r, "checksum_filled", sum != 0);
		lab_bool(r, "verify_got_summed", got_one(verify, NULL));
	}
	if (sendto(tx_plain, zeros, sizeof(zeros), 0, (struct sockaddr *)&ss, len) == sizeof(zeros)) {
		lab_bool(r, "plain_got_unsummed", got_one(plain, NULL));
		lab_bool(r, "verify_got_unsummed", got_one(verify, NULL));
	}
out:
	labnet_close(verify);
	labnet_close(plain);
	labnet_close(tx_sum);
	labnet_close(tx_plain);
	labnet_close(icmp);
}

static void run_ipv6(struct lab_result *r)
{
	int probe = labnet_udp_bound("::1");

	if (probe < 0)
		return (void)lab_skip(r, "no IPv6 on loopback (::1)");
	close(probe);
	recv_defaults(r);
	hop_limit_and_friends(r);
	path_mtu_and_dontfrag(r);
	raw_checksum(r);
	lab_observe(r, "On a fresh UDP socket IPV6_RECVDSTOPTS, RECVHOPLIMIT, RECVHOPOPTS, RECVRTHDR, "
		       "RECVTCLASS, RECVPKTINFO and RECVPATHMTU read %lld %lld %lld %lld %lld %lld "
		       "%lld; IPV6_UNICAST_HOPS reads %lld, %lld after setting 33, and the receiver's "
		       "IPV6_HOPLIMIT message says %lld (traffic class %lld for 0x28 sent; packet info "
		       "%s on interface %lld, lo is %lld). IPV6_PATHMTU of a connected socket reads "
		       "%lld (lo's MTU %lld); setting it gives %s. A %d-byte datagram: %s and %lld bytes "
		       "arrived; with IPV6_DONTFRAG %s and %lld arrived.",
		    lab_num(r, "recvdstopts_default"), lab_num(r, "recvhoplimit_default"),
		    lab_num(r, "recvhopopts_default"), lab_num(r, "recvrthdr_default"),
		    lab_num(r, "recvtclass_default"), lab_num(r, "recvpktinfo_default"),
		    lab_num(r, "recvpathmtu_default"), lab_num(r, "unicast_hops_default"),
		    lab_num(r, "unicast_hops_set"), lab_num(r, "received_hoplimit"),
		    lab_num(r, "received_tclass"), lab_word(r, "pktinfo_addr"),
		    lab_num(r, "pktinfo_ifindex"), lab_num(r, "lo_ifindex"), lab_num(r, "pathmtu"),
		    lab_num(r, "lo_mtu"), lab_word(r, "pathmtu_set_errno"), BIG_DATAGRAM,
		    lab_word(r, "big_send_errno"), lab_num(r, "big_received_bytes"),
		    lab_word(r, "dontfrag_send_errno"), lab_num(r, "dontfrag_received_bytes"));
	if (lab_field(r, "checksum_default"))
		lab_observe_more(r, " Raw protocol %d: IPV6_CHECKSUM defaults to %lld; with offset 0 the "
				    "sent checksum was %s, and the verifying receiver got it: %s; a "
				    "packet sent without it (checksum 0) reached the plain receiver: %s, "
				    "the verifying one: %s. On ICMPv6 setting it gives %s.",
				 LAB_PROTO, lab_num(r, "checksum_default"),
				 lab_num(r, "checksum_filled") ? "filled in" : "left 0",
				 lab_num(r, "verify_got_summed") ? "yes" : "no",
				 lab_num(r, "plain_got_unsummed") ? "yes" : "no",
				 lab_num(r, "verify_got_unsummed") ? "yes" : "no",
				 lab_word(r, "icmp6_checksum_errno"));
}

const struct lab_experiment lab_ipv6[] = {
	{ .id = "ipv6-options", .title = "IPv6 options: IPV6_RECV* defaults, hop limit, path MTU, DONTFRAG, CHECKSUM",
	  .options = "IPV6_RECVDSTOPTS IPV6_RECVHOPLIMIT IPV6_RECVHOPOPTS IPV6_RECVRTHDR IPV6_RECVTCLASS "
		     "IPV6_RECVPKTINFO IPV6_RECVPATHMTU IPV6_UNICAST_HOPS IPV6_PATHMTU IPV6_DONTFRAG "
		     "IPV6_CHECKSUM",
	  .method = "Fresh UDP6 sockets: the IPV6_RECV* options and IPV6_UNICAST_HOPS. Over ::1: a "
		    "datagram with hop limit 33 and traffic class 0x28 to a receiver with "
		    "IPV6_RECVHOPLIMIT, RECVTCLASS and RECVPKTINFO; IPV6_PATHMTU read and set on the "
		    "connected sender; a 65,500-byte datagram (over lo's MTU) without and with "
		    "IPV6_DONTFRAG. Raw sockets of protocol 253: sent with IPV6_CHECKSUM 0 and without, "
		    "received with it and without; IPV6_CHECKSUM on an ICMPv6 socket.",
	  .shows = "dontfrag_send_errno", .needs = LAB_NEEDS_RAW, .run = run_ipv6 },
};
const size_t lab_ipv6_count = LAB_ARRAY_SIZE(lab_ipv6);

#define DEFAULT_OFF(opt, field) { field, LAB_EQ, 0, .says = opt " is off by default" }
static const struct lab_check dstopts_parts[] = {
	DEFAULT_OFF("IPV6_RECVDSTOPTS", "recvdstopts_default"),
	{ .says = "on, received destination options come with recvmsg", .unmeasured = "the lab sends no destination options header" },
};
static const struct lab_check hopopts_parts[] = {
	DEFAULT_OFF("IPV6_RECVHOPOPTS", "recvhopopts_default"),
	{ .says = "on, received hop-by-hop options come with recvmsg", .unmeasured = "the lab sends no hop-by-hop options header" },
};
static const struct lab_check rthdr_parts[] = {
	DEFAULT_OFF("IPV6_RECVRTHDR", "recvrthdr_default"),
	{ .says = "on, a received routing header comes with recvmsg", .unmeasured = "the lab sends no routing header" },
};
static const struct lab_check recvhoplimit_parts[] = {
	DEFAULT_OFF("IPV6_RECVHOPLIMIT", "recvhoplimit_default"),
	{ "received_hoplimit", LAB_EQ, 33, .says = "on, recvmsg returns each received hop limit as ancillary data (33 sent)" },
};
static const struct lab_check tclass_parts[] = {
	DEFAULT_OFF("IPV6_RECVTCLASS", "recvtclass_default"),
	{ "received_tclass", LAB_EQ, 0x28, .says = "on, recvmsg returns the received traffic class (0x28 sent)" },
};
static const struct lab_check pktinfo_parts[] = {
	{ "pktinfo_addr", LAB_EQ, .str = "::1", .says = "recvmsg returns the destination IPv6 address (::1)" },
	{ "pktinfo_ifindex", LAB_EQ, .other = "lo_ifindex", .says = "and the arriving interface's index (lo's)" },
};
static const struct lab_check recvpathmtu_parts[] = {
	{ .says = "when a path's MTU changes recvmsg returns it as ancillary data with no data", .unmeasured = "needs a path whose MTU changes; loopback's does not" },
};
static const struct lab_check unicast_hops_parts[] = {
	{ "unicast_hops_set", LAB_EQ, 33, .says = "setting it gives the default hop limit for outgoing datagrams (33 set, 33 read)" },
	{ "received_hoplimit", LAB_EQ, 33, .says = "(the datagrams leave with it)" },
	{ "unicast_hops_default", LAB_GT, 0, .says = "getting it returns the hop limit the kernel uses (not -1 for 'the default')" },
};
static const struct lab_check pathmtu_parts[] = {
	{ "pathmtu_set_errno", LAB_NE, .str = "OK", .says = "IPV6_PATHMTU cannot be set" },
	{ "pathmtu", LAB_EQ, .other = "lo_mtu", .says = "getting it returns the current path MTU (lo's MTU on ::1)" },
};
static const struct lab_check dontfrag_parts[] = {
	{ "big_received_bytes", LAB_EQ, BIG_DATAGRAM, .says = "without it a datagram over the MTU is fragmented (65,500 bytes arrive over lo)" },
	{ "dontfrag_received_bytes", LAB_EQ, 0, .says = "with it, a packet over the interface MTU is not fragmented but dropped" },
	{ "dontfrag_send_errno", LAB_EQ, .str = "OK", .says = "the sending call returns no error for it" },
};
static const struct lab_check checksum_parts[] = {
	{ "checksum_filled", LAB_EQ, 1, .says = "with an offset set the kernel computes and stores the checksum of outgoing packets" },
	{ "verify_got_unsummed", LAB_EQ, 0, .says = "and verifies incoming ones, dropping those with a bad checksum" },
	{ "verify_got_summed", LAB_EQ, 1, .says = "(keeping those with a good one)" },
	{ "icmp6_checksum_errno", LAB_NE, .str = "OK", .says = "ICMPv6 raw sockets are excepted" },
	{ "plain_got_unsummed", LAB_EQ, 1, .says = "with -1 the kernel neither computes nor verifies (the bad checksum is delivered)" },
};

const struct lab_claim lab_ipv6_claims[] = {
	{ "unp-ipv6-checksum", "ipv6-options", "unp", 266, 270,
	  "IPV6_CHECKSUM gives the byte offset of the checksum in the user data; then the kernel computes and stores the checksum of outgoing packets and verifies incoming ones, dropping those with an invalid checksum (the notes say this happens when the value is negative); it affects every IPv6 raw socket except ICMPv6 ones; with -1 the kernel neither computes nor verifies.",
	  LAB_CHECKS(checksum_parts) },
	{ "unp-ipv6-dontfrag", "ipv6-options", "unp", 274, 0,
	  "IPV6_DONTFRAG stops automatic fragmentation for UDP and raw sockets: outgoing packets larger than the interface MTU are dropped, and the sending call returns no error for it.",
	  LAB_CHECKS(dontfrag_parts) },
	{ "unp-ipv6-pathmtu", "ipv6-options", "unp", 282, 0,
	  "IPV6_PATHMTU cannot be set, only got; getting it returns the current MTU found by path MTU discovery.",
	  LAB_CHECKS(pathmtu_parts) },
	{ "unp-ipv6-recvdstopts", "ipv6-options", "unp", 286, 0,
	  "With IPV6_RECVDSTOPTS on, received IPv6 destination options are returned by recvmsg as ancillary data; it is off by default.",
	  LAB_CHECKS(dstopts_parts) },
	{ "unp-ipv6-recvhoplimit", "ipv6-options", "unp", 290, 0,
	  "With IPV6_RECVHOPLIMIT on, every received hop limit is returned by recvmsg as ancillary data; it is off by default.",
	  LAB_CHECKS(recvhoplimit_parts) },
	{ "unp-ipv6-recvhopopts", "ipv6-options", "unp", 294, 0,
	  "With IPV6_RECVHOPOPTS on, received hop-by-hop options are returned by recvmsg as ancillary data; it is off by default.",
	  LAB_CHECKS(hopopts_parts) },
	{ "unp-ipv6-recvpathmtu", "ipv6-options", "unp", 298, 0,
	  "With IPV6_RECVPATHMTU on, a path's MTU is returned by recvmsg as ancillary data (with no data) when it changes.",
	  LAB_CHECKS(recvpathmtu_parts) },
	{ "unp-ipv6-recvpktinfo", "ipv6-options", "unp", 302, 0,
	  "With IPV6_RECVPKTINFO on, recvmsg returns two facts of each received IPv6 datagram as ancillary data: the destination IPv6 address and the arriving interface's index.",
	  LAB_CHECKS(pktinfo_parts) },
	{ "unp-ipv6-recvrthdr", "ipv6-options", "unp", 306, 0,
	  "With IPV6_RECVRTHDR on, a received IPv6 routing header is returned by recvmsg as ancillary data; it is off by default.",
	  LAB_CHECKS(rthdr_parts) },
	{ "unp-ipv6-recvtclass", "ipv6-options", "unp", 310, 0,
	  "With IPV6_RECVTCLASS on, the received traffic class (DSCP and ECN) is returned by recvmsg as ancillary data; it is off by default.",
	  LAB_CHECKS(tclass_parts) },
	{ "unp-ipv6-unicast-hops", "ipv6-options", "unp", 314, 0,
	  "IPV6_UNICAST_HOPS is like IP_TTL: setting it gives the default hop limit of outgoing datagrams, getting it returns the hop limit the kernel uses for the socket; the hop limit of a received datagram is obtained with IPV6_RECVHOPLIMIT.",
	  LAB_CHECKS(unicast_hops_parts) },
};
const size_t lab_ipv6_claims_count = LAB_ARRAY_SIZE(lab_ipv6_claims);
