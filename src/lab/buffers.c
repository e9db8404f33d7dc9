/* buffers.c: experiments on SO_SNDBUF and SO_RCVBUF: doubling, clamping, minimum, defaults, window scale. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* Record sysctl NAME as field FIELD; false when it cannot be read. */
static bool record_sysctl(struct lab_result *r, const char *field, const char *name)
{
	long long v;

	if (sockopt_sysctl_read_long(name, &v, NULL) < 0)
		return false;
	lab_int(r, field, v);
	return true;
}

/*
 * Set option NAME on FD to REQUESTED bytes and record the request, the
 * value read back or the error under PREFIX.  The *BUFFORCE options are
 * write-only: their effect is read from SO_SNDBUF/SO_RCVBUF.
 */
static void set_and_read(struct lab_result *r, int fd, const char *name, const char *prefix,
			 long long requested)
{
	const char *readback = strcmp(name, "SO_SNDBUFFORCE") == 0   ? "SO_SNDBUF"
			       : strcmp(name, "SO_RCVBUFFORCE") == 0 ? "SO_RCVBUF"
								     : name;
	char text[32], field[LAB_NAME_MAX];
	int err;

	snprintf(text, sizeof(text), "%lld", requested);
	snprintf(field, sizeof(field), "%s_requested", prefix);
	lab_int(r, field, requested);
	err = lab_set(fd, name, text);
	snprintf(field, sizeof(field), "%s_errno", prefix);
	if (err == -ENOENT) {
		snprintf(text, sizeof(text), "catalog lacks %s", name);
		lab_str(r, field, text);
		return;
	}
	lab_errno(r, field, err);
	if (err == 0)
		lab_record(r, fd, readback, "%s_readback", prefix);
}

static void record_defaults(struct lab_result *r);

static void run_doubling(struct lab_result *r)
{
	char force[LAB_STR_MAX + 32];
	int fd;

	if (!lab_opt(r, "SO_SNDBUF") || !lab_opt(r, "SO_RCVBUF"))
		return;
	if (!record_sysctl(r, "wmem_max", "net.core.wmem_max") ||
	    !record_sysctl(r, "rmem_max", "net.core.rmem_max"))
		return (void)lab_skip(r, "cannot read net.core.wmem_max / rmem_max");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (void)lab_skip(r, "no TCP socket");
	/* 12000: twice it is no socket's default, so a request the kernel ignored cannot pass. */
	set_and_read(r, fd, "SO_SNDBUF", "sndbuf", 12000);
	set_and_read(r, fd, "SO_RCVBUF", "rcvbuf", 12000);
	set_and_read(r, fd, "SO_SNDBUF", "sndbuf_over", 2 * lab_num(r, "wmem_max"));
	set_and_read(r, fd, "SO_RCVBUF", "rcvbuf_over", 2 * lab_num(r, "rmem_max"));
	set_and_read(r, fd, "SO_SNDBUF", "sndbuf_min", 1);
	set_and_read(r, fd, "SO_RCVBUF", "rcvbuf_min", 1);
	set_and_read(r, fd, "SO_SNDBUFFORCE", "sndbufforce", 2 * lab_num(r, "wmem_max"));
	close(fd);
	if (lab_field(r, "sndbufforce_readback"))
		snprintf(force, sizeof(force), "read back %lld", lab_num(r, "sndbufforce_readback"));
	else
		snprintf(force, sizeof(force), "failed with %s", lab_word(r, "sndbufforce_errno"));
	record_defaults(r);
	lab_observe(r, "SO_SNDBUF 12000 read back %lld and SO_RCVBUF 12000 read back %lld; requests of "
		       "twice the maximum read back %lld (wmem_max %lld) and %lld (rmem_max %lld); a "
		       "request of 1 byte read back %lld (SO_SNDBUF) and %lld (SO_RCVBUF); "
		       "SO_SNDBUFFORCE of %lld %s.",
		    lab_num(r, "sndbuf_readback"), lab_num(r, "rcvbuf_readback"),
		    lab_num(r, "sndbuf_over_readback"), lab_num(r, "wmem_max"),
		    lab_num(r, "rcvbuf_over_readback"), lab_num(r, "rmem_max"),
		    lab_num(r, "sndbuf_min_readback"), lab_num(r, "rcvbuf_min_readback"),
		    lab_num(r, "sndbufforce_requested"), force);
	lab_observe_more(r, " Fresh sockets: TCP SO_SNDBUF %lld, SO_RCVBUF %lld; UDP %lld and %lld "
			    "(wmem_default %lld, rmem_default %lld).",
			 lab_num(r, "tcp_sndbuf"), lab_num(r, "tcp_rcvbuf"), lab_num(r, "udp_sndbuf"),
			 lab_num(r, "udp_rcvbuf"), lab_num(r, "wmem_default"), lab_num(r, "rmem_default"));
}

/* Record the SO_SNDBUF and SO_RCVBUF of a fresh socket of TYPE as PREFIX_sndbuf, PREFIX_rcvbuf. */
static void record_fresh(struct lab_result *r, int type, const char *prefix)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	lab_record(r, fd, "SO_SNDBUF", "%s_sndbuf", prefix);
	lab_record(r, fd, "SO_RCVBUF", "%s_rcvbuf", prefix);
	close(fd);
}

/* The defaults: the sysctls and what fresh TCP and UDP sockets hold. */
static void record_defaults(struct lab_result *r)
{
	record_sysctl(r, "wmem_default", "net.core.wmem_default");
	record_sysctl(r, "rmem_default", "net.core.rmem_default");
	record_fresh(r, SOCK_STREAM, "tcp");
	record_fresh(r, SOCK_DGRAM, "udp");
}

/* The receive window scale this end announced, from TCP_INFO; -1 when unknown. */
static int rcv_wscale(int fd)
{
	const sockopt_entry *e = sockopt_catalog_find("TCP_INFO");
	struct tcp_info ti;
	sockopt_value v;

	if (!e || sockopt_get(fd, e, &v, NULL) < 0 || v.len < sizeof(ti.tcpi_options) + 8)
		return -1;
	memcpy(&ti, v.v.bytes, v.len < sizeof(ti) ? v.len : sizeof(ti));
	return ti.tcpi_rcv_wscale;
}

/* Where a small SO_RCVBUF is set in rcvbuf-before-listen. */
enum when { NEVER, BEFORE_CONNECT, AFTER_CONNECT, BEFORE_LISTEN, AFTER_LISTEN, AFTER_ACCEPT };

/* Connect a pair with SO_RCVBUF=4096 set at WHEN; the window scale of the end it was set on. */
static int wscale_when(enum when when)
{
	int l = labnet_socket("127.0.0.1", SOCK_STREAM), c = -1, s = -1, ws = -1;

	if (l < 0)
		return -1;
	if (when == BEFORE_LISTEN)
		lab_set(l, "SO_RCVBUF", "4096");
	if (labnet_listen(l, "127.0.0.1", 0) < 0 || (c = labnet_socket("127.0.0.1", SOCK_STREAM)) < 0)
		goto out;
	if (when == AFTER_LISTEN)
		lab_set(l, "SO_RCVBUF", "4096");
	if (when == BEFORE_CONNECT)
		lab_set(c, "SO_RCVBUF", "4096");
	if ((s = labnet_connect_accept(l, c)) < 0)
		goto out;
	if (when == AFTER_CONNECT)
		lab_set(c, "SO_RCVBUF", "4096");
	if (when == AFTER_ACCEPT)
		lab_set(s, "SO_RCVBUF", "4096");
	ws = rcv_wscale(when == BEFORE_LISTEN || when == AFTER_LISTEN || when == AFTER_ACCEPT ? s : c);
out:
	labnet_close(s);
	labnet_close(c);
	close(l);
	return ws;
}

/*
 * How many bytes a peer can write to a connected socket that does not
 * read (with SMALL: after it set SO_RCVBUF=4096 on the established
 * connection), until the peer's non-blocking writes stop.  The peer's own
 * send buffer is fixed, so a difference is the receiving side's limit.
 */
static long long queued_with(bool small)
{
	int c, s;
	long long n;

	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return -1;
	if (small)
		lab_set(c, "SO_RCVBUF", "4096");
	lab_set(s, "SO_SNDBUF", "65536");
	n = labnet_fill(s, 64LL << 20);
	close(c);
	close(s);
	return n;
}

static void run_before_listen(struct lab_result *r)
{
	static const struct {
		enum when when;
		const char *field;
	} cases[] = {
		{ NEVER, "wscale_default" },
		{ BEFORE_CONNECT, "wscale_set_before_connect" },
		{ AFTER_CONNECT, "wscale_set_after_connect" },
		{ BEFORE_LISTEN, "wscale_set_before_listen" },
		{ AFTER_LISTEN, "wscale_set_after_listen" },
		{ AFTER_ACCEPT, "wscale_set_after_accept" },
	};

	if (!lab_opt(r, "SO_RCVBUF") || !lab_opt(r, "TCP_INFO"))
		return;
	for (size_t i = 0; i < LAB_ARRAY_SIZE(cases); i++) {
		int ws = wscale_when(cases[i].when);

		if (ws < 0)
			return (void)lab_skip(r, "could not read the window scale from TCP_INFO");
		lab_int(r, cases[i].field, ws);
	}
	lab_int(r, "queued_default_bytes", queued_with(false));
	lab_int(r, "queued_after_connect_bytes", queued_with(true));
	lab_observe(r, "Announced receive window scale: %lld by default; with SO_RCVBUF=4096 set "
		       "before connect %lld, after connect %lld; on the listener before listen %lld, "
		       "after listen %lld (accepted socket), on the accepted socket %lld. A peer could "
		       "queue %lld bytes to a socket that does not read, %lld once that socket set "
		       "SO_RCVBUF=4096 after connect.",
		    lab_num(r, "wscale_default"), lab_num(r, "wscale_set_before_connect"),
		    lab_num(r, "wscale_set_after_connect"),
		    lab_num(r, "wscale_set_before_listen"), lab_num(r, "wscale_set_after_listen"),
		    lab_num(r, "wscale_set_after_accept"), lab_num(r, "queued_default_bytes"),
		    lab_num(r, "queued_after_connect_bytes"));
}

const struct lab_experiment lab_buffers[] = {
	{ .id = "sndbuf-doubling", .title = "SO_SNDBUF/SO_RCVBUF: set, read back, capped, minimum, defaults",
	  .options = "SO_SNDBUF SO_RCVBUF SO_SNDBUFFORCE SO_RCVBUFFORCE",
	  .method = "On a fresh TCP socket: set 12000, twice the sysctl maximum, and 1 byte, and read "
		    "each back; SO_SNDBUFFORCE at twice wmem_max (needs CAP_NET_ADMIN); fresh TCP and "
		    "UDP sockets' defaults beside net.core.wmem_default/rmem_default.",
	  .shows = "sndbuf_readback", .run = run_doubling },
	{ .id = "rcvbuf-before-listen", .title = "SO_RCVBUF before and after connect/listen: window scale and queue",
	  .options = "SO_RCVBUF TCP_INFO",
	  .method = "Loopback pairs with SO_RCVBUF=4096 set at each point; TCP_INFO tcpi_rcv_wscale on "
		    "the end that set it, against a pair with no SO_RCVBUF. Then how much a peer can "
		    "queue to a non-reading socket with and without SO_RCVBUF=4096 set after connect.",
	  .shows = "wscale_set_after_listen", .run = run_before_listen },
};
const size_t lab_buffers_count = LAB_ARRAY_SIZE(lab_buffers);

#define SNDBUF_SET { "sndbuf_readback", LAB_EQ, .other = "sndbuf_requested", .num = 2, .says = "SO_SNDBUF 12000 takes effect (reads back doubled, 24000)" }
#define RCVBUF_SET { "rcvbuf_readback", LAB_EQ, .other = "rcvbuf_requested", .num = 2, .says = "SO_RCVBUF 12000 takes effect (reads back doubled, 24000)" }
#define SNDBUF_CAP { "sndbuf_over_readback", LAB_EQ, .other = "wmem_max", .num = 2, .says = "a request above net.core.wmem_max is capped at it (read back doubled)" }
#define RCVBUF_CAP { "rcvbuf_over_readback", LAB_EQ, .other = "rmem_max", .num = 2, .says = "a request above net.core.rmem_max is capped at it (read back doubled)" }

static const struct lab_check change_parts[] = { SNDBUF_SET, RCVBUF_SET };
static const struct lab_check cap_parts[] = { SNDBUF_CAP, RCVBUF_CAP };
static const struct lab_check man_sndbuf_parts[] = {
	SNDBUF_SET,
	{ "udp_sndbuf", LAB_EQ, .other = "wmem_default", .says = "a UDP socket's default is net.core.wmem_default" },
	{ "tcp_sndbuf", LAB_EQ, .other = "wmem_default", .says = "a TCP socket's default is net.core.wmem_default" },
	SNDBUF_CAP,
	{ "sndbuf_min_readback", LAB_EQ, 2048, .says = "the minimum (doubled) value is 2048" },
};
static const struct lab_check rmem_parts[] = {
	{ "udp_rcvbuf", LAB_EQ, .other = "rmem_default", .says = "rmem_default is a UDP socket's default receive buffer" },
	{ "tcp_rcvbuf", LAB_EQ, .other = "rmem_default", .says = "and a TCP socket's" },
	RCVBUF_CAP,
};
static const struct lab_check wmem_parts[] = {
	{ "udp_sndbuf", LAB_EQ, .other = "wmem_default", .says = "wmem_default is a UDP socket's default send buffer" },
	{ "tcp_sndbuf", LAB_EQ, .other = "wmem_default", .says = "and a TCP socket's" },
	SNDBUF_CAP,
};
static const struct lab_check default_range_parts[] = {
	{ "tcp_sndbuf", LAB_LE, 61440, .says = "a TCP socket's default send buffer is at most 61440" },
	{ "tcp_rcvbuf", LAB_LE, 61440, .says = "its receive buffer too" },
	{ "udp_sndbuf", LAB_LE, 61440, .says = "a UDP socket's send buffer too" },
	{ "udp_rcvbuf", LAB_LE, 61440, .says = "and its receive buffer" },
	{ "tcp_sndbuf", LAB_GE, 8192, .says = "each at least 8192 (TCP send shown)" },
};
static const struct lab_check nfs_parts[] = {
	{ .says = "UDP buffers default to about 9000 (send) and 40000 (receive) bytes", .unmeasured = "the statement is about hosts that support NFS; the lab does not set up NFS" },
};
static const struct lab_check half_parts[] = {
	{ .says = "half of the buffer goes to kernel bookkeeping, so the wire sees half the sysctl", .unmeasured = "would need the bytes in flight against the buffer; only the doubling itself is measured (sndbuf-doubling)" },
};
static const struct lab_check order_parts[] = {
	{ "wscale_set_before_connect", LAB_NE, .other = "wscale_default", .says = "set before connect, SO_RCVBUF decides the client's window scale" },
	{ "wscale_set_before_listen", LAB_NE, .other = "wscale_default", .says = "set on the listener before listen, it decides the accepted socket's scale" },
	{ "wscale_set_after_listen", LAB_EQ, .other = "wscale_default", .says = "set on the listener after listen it is too late (the server must set it before listen)" },
	{ "wscale_set_after_connect", LAB_EQ, .other = "wscale_default", .says = "set on a connected socket it does not change the scale" },
	{ "queued_after_connect_bytes", LAB_EQ, .other = "queued_default_bytes", .says = "set on a connected socket it has no effect at all (what the peer can queue is the same)" },
};

const struct lab_claim lab_buffers_claims[] = {
	{ "go-blog-buffers-change", "sndbuf-doubling", "go-blog", 7, 0,
	  "Every socket has a send and a receive buffer, and SO_SNDBUF and SO_RCVBUF change their default sizes.",
	  LAB_CHECKS(change_parts) },
	{ "go-blog-buffers-limit", "sndbuf-doubling", "go-blog", 8, 0,
	  "A buffer cannot be made arbitrarily large: above the kernel's limit (sysctl) the kernel's value wins.",
	  LAB_CHECKS(cap_parts) },
	{ "unp-buffer-defaults", "sndbuf-doubling", "unp", 165, 0,
	  "Default buffer sizes vary: older implementations used 4096 bytes, newer systems anything from 8192 to 61440 bytes.",
	  LAB_CHECKS(default_range_parts) },
	{ "unp-nfs-udp-buffers", "sndbuf-doubling", "unp", 167, 0,
	  "On a host that supports NFS the UDP send buffer often defaults to about 9000 bytes and the receive buffer to about 40000.",
	  LAB_CHECKS(nfs_parts) },
	{ "adv-sndbuf", "sndbuf-doubling", "adv", 95, 0,
	  "SO_SNDBUF: the kernel doubles the value set and getsockopt returns the doubled value; the default is net.core.wmem_default, the maximum net.core.wmem_max, and the minimum (doubled) 2048.",
	  LAB_CHECKS(man_sndbuf_parts) },
	{ "adv-buffer-half", "sndbuf-doubling", "adv", 98, 0,
	  "Linux assumes half of the send/receive buffer is used for kernel structures, so the sysctls are twice what can be observed on the wire.",
	  LAB_CHECKS(half_parts) },
	{ "adv-rmem", "sndbuf-doubling", "adv", 158, 161,
	  "net.core.rmem_default is the default receive buffer size in bytes; rmem_max the largest SO_RCVBUF a user may set.",
	  LAB_CHECKS(rmem_parts) },
	{ "adv-wmem", "sndbuf-doubling", "adv", 165, 168,
	  "net.core.wmem_default is the default send buffer size in bytes; wmem_max the largest SO_SNDBUF a user may set.",
	  LAB_CHECKS(wmem_parts) },
	{ "unp-rcvbuf-order", "rcvbuf-before-listen", "unp", 169, 0,
	  "The window scale is exchanged in the SYN, so a client must set SO_RCVBUF before connect and a server before listen; set on a connected socket it has no effect, since connected sockets inherit the listener's buffer size.",
	  LAB_CHECKS(order_parts) },
};
const size_t lab_buffers_claims_count = LAB_ARRAY_SIZE(lab_buffers_claims);
