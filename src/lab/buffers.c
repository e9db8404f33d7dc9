/* buffers.c: experiments on SO_SNDBUF and SO_RCVBUF: doubling, clamping, minimum, defaults, window scale. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define SEED_GO "000_b4212af7d284b003.txt"
#define SEED_UNP "003_f012efc3bbbfde02.txt"
#define SEED_MAN "004_0de232be0c243d49.txt"

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
	set_and_read(r, fd, "SO_SNDBUF", "sndbuf", 8192);
	set_and_read(r, fd, "SO_RCVBUF", "rcvbuf", 8192);
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
	lab_observe(r, "SO_SNDBUF 8192 read back %lld and SO_RCVBUF 8192 read back %lld; requests of "
		       "twice the maximum read back %lld (wmem_max %lld) and %lld (rmem_max %lld); a "
		       "request of 1 byte read back %lld (SO_SNDBUF) and %lld (SO_RCVBUF); "
		       "SO_SNDBUFFORCE of %lld %s.",
		    lab_num(r, "sndbuf_readback"), lab_num(r, "rcvbuf_readback"),
		    lab_num(r, "sndbuf_over_readback"), lab_num(r, "wmem_max"),
		    lab_num(r, "rcvbuf_over_readback"), lab_num(r, "rmem_max"),
		    lab_num(r, "sndbuf_min_readback"), lab_num(r, "rcvbuf_min_readback"),
		    lab_num(r, "sndbufforce_requested"), force);
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

static void run_defaults(struct lab_result *r)
{
	char tcp_wmem[64] = "", tcp_rmem[64] = "";

	if (!lab_opt(r, "SO_SNDBUF") || !lab_opt(r, "SO_RCVBUF"))
		return;
	record_sysctl(r, "wmem_default", "net.core.wmem_default");
	record_sysctl(r, "rmem_default", "net.core.rmem_default");
	sockopt_sysctl_read("net.ipv4.tcp_wmem", tcp_wmem, sizeof(tcp_wmem), NULL);
	sockopt_sysctl_read("net.ipv4.tcp_rmem", tcp_rmem, sizeof(tcp_rmem), NULL);
	lab_str(r, "tcp_wmem", tcp_wmem);
	lab_str(r, "tcp_rmem", tcp_rmem);
	lab_int(r, "seed_high", 61440);
	record_fresh(r, SOCK_STREAM, "tcp");
	record_fresh(r, SOCK_DGRAM, "udp");
	lab_observe(r, "A fresh TCP socket has SO_SNDBUF %lld and SO_RCVBUF %lld (tcp_wmem %s, "
		       "tcp_rmem %s); a fresh UDP socket %lld and %lld (wmem_default %lld, "
		       "rmem_default %lld).",
		    lab_num(r, "tcp_sndbuf"), lab_num(r, "tcp_rcvbuf"), tcp_wmem, tcp_rmem,
		    lab_num(r, "udp_sndbuf"), lab_num(r, "udp_rcvbuf"),
		    lab_num(r, "wmem_default"), lab_num(r, "rmem_default"));
}

static void run_go_setwritebuffer(struct lab_result *r)
{
	int fd;

	if (!lab_opt(r, "SO_SNDBUF"))
		return;
	record_sysctl(r, "wmem_max", "net.core.wmem_max");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (void)lab_skip(r, "no UDP socket");
	/* What udpconn.SetWriteBuffer(4 * 1024 * 1024) does: one setsockopt(SO_SNDBUF). */
	set_and_read(r, fd, "SO_SNDBUF", "sndbuf", 4 << 20);
	set_and_read(r, fd, "SO_SNDBUF", "sndbuf_64m", 64 << 20);
	close(fd);
	lab_observe(r, "SetWriteBuffer(4 MiB) as setsockopt(SO_SNDBUF, 4194304) returned %s and the "
		       "socket then reported %lld bytes; 64 MiB returned %s and reported %lld "
		       "(net.core.wmem_max %lld).",
		    lab_word(r, "sndbuf_errno"), lab_num(r, "sndbuf_readback"),
		    lab_word(r, "sndbuf_64m_errno"), lab_num(r, "sndbuf_64m_readback"),
		    lab_num(r, "wmem_max"));
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
enum when { NEVER, BEFORE_CONNECT, AFTER_CONNECT, BEFORE_LISTEN, AFTER_ACCEPT };

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
	if (when == BEFORE_CONNECT)
		lab_set(c, "SO_RCVBUF", "4096");
	if ((s = labnet_connect_accept(l, c)) < 0)
		goto out;
	if (when == AFTER_CONNECT)
		lab_set(c, "SO_RCVBUF", "4096");
	if (when == AFTER_ACCEPT)
		lab_set(s, "SO_RCVBUF", "4096");
	ws = rcv_wscale(when == BEFORE_LISTEN || when == AFTER_ACCEPT ? s : c);
out:
	labnet_close(s);
	labnet_close(c);
	close(l);
	return ws;
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
	lab_observe(r, "Announced receive window scale: %lld by default; with SO_RCVBUF=4096 set "
		       "before connect %lld, after connect %lld; on the listener before listen %lld "
		       "(accepted socket), on the accepted socket %lld.",
		    lab_num(r, "wscale_default"), lab_num(r, "wscale_set_before_connect"),
		    lab_num(r, "wscale_set_after_connect"),
		    lab_num(r, "wscale_set_before_listen"),
		    lab_num(r, "wscale_set_after_accept"));
}

static const struct lab_check doubling_checks[] = {
	{ "sndbuf_readback", LAB_EQ, .other = "sndbuf_requested", .num = 2, .says = "SO_SNDBUF reads back twice the value set" },
	{ "rcvbuf_readback", LAB_EQ, .other = "rcvbuf_requested", .num = 2, .says = "SO_RCVBUF reads back twice the value set" },
	{ "sndbuf_over_readback", LAB_EQ, .other = "wmem_max", .num = 2, .says = "a request above net.core.wmem_max is capped at it (then doubled)" },
	{ "rcvbuf_over_readback", LAB_EQ, .other = "rmem_max", .num = 2, .says = "a request above net.core.rmem_max is capped at it (then doubled)" },
	{ "sndbuf_min_readback", LAB_EQ, 2048, .says = "the minimum (doubled) SO_SNDBUF is 2048 (man page)" },
	{ "sndbufforce_readback", LAB_EQ, .other = "sndbufforce_requested", .num = 2, .says = "SO_SNDBUFFORCE goes past wmem_max (with CAP_NET_ADMIN)" },
};

static const struct lab_check defaults_checks[] = {
	{ "udp_sndbuf", LAB_EQ, .other = "wmem_default", .says = "the default send buffer is net.core.wmem_default (UDP)" },
	{ "udp_rcvbuf", LAB_EQ, .other = "rmem_default", .says = "the default receive buffer is net.core.rmem_default (UDP)" },
	{ "tcp_sndbuf", LAB_EQ, .other = "wmem_default", .says = "the default send buffer is net.core.wmem_default (TCP)" },
	{ "tcp_rcvbuf", LAB_EQ, .other = "rmem_default", .says = "the default receive buffer is net.core.rmem_default (TCP)" },
	{ "tcp_sndbuf", LAB_LE, .other = "seed_high", .says = "newer systems default to 8192-61440 bytes (TCP send)" },
	{ "tcp_rcvbuf", LAB_LE, .other = "seed_high", .says = "newer systems default to 8192-61440 bytes (TCP receive)" },
};

static const struct lab_check go_checks[] = {
	{ "sndbuf_readback", LAB_EQ, .other = "sndbuf_requested", .says = "SetWriteBuffer(4 MiB) leaves a 4 MiB send buffer" },
	{ "sndbuf_64m_errno", LAB_NE, .str = "OK", .says = "a request the kernel cannot honour returns an error for Go to report" },
};

static const struct lab_check before_listen_checks[] = {
	{ "wscale_set_before_connect", LAB_NE, .other = "wscale_default", .says = "set before connect, SO_RCVBUF decides the window scale" },
	{ "wscale_set_after_connect", LAB_EQ, .other = "wscale_default", .says = "set after connect, it no longer changes the scale" },
	{ "wscale_set_before_listen", LAB_NE, .other = "wscale_default", .says = "a server sets it on the listener before listen, and accepted sockets get that scale" },
	{ "wscale_set_after_accept", LAB_EQ, .other = "wscale_default", .says = "set on the accepted socket, it is too late for the scale" },
};

const struct lab_experiment lab_buffers[] = {
	{ "sndbuf-doubling", "SO_SNDBUF/SO_RCVBUF: doubled, capped at wmem_max/rmem_max, a minimum, FORCE",
	  SEED_GO " " SEED_MAN " " SEED_UNP, "SO_SNDBUF SO_RCVBUF SO_SNDBUFFORCE SO_RCVBUFFORCE",
	  "Linux doubles the SO_SNDBUF/SO_RCVBUF value set (bookkeeping overhead), caps requests at "
	  "net.core.wmem_max/rmem_max (the kernel's limit wins), has a minimum of 2048 (doubled), "
	  "and SO_SNDBUFFORCE lets a privileged process go past the maximum.",
	  "On a fresh TCP socket: set 8192, twice the sysctl maximum, and 1 byte, and read each back; "
	  "then SO_SNDBUFFORCE at twice wmem_max (needs CAP_NET_ADMIN).",
	  0, run_doubling, LAB_CHECKS(doubling_checks) },
	{ "buffer-defaults", "Default SO_SNDBUF/SO_RCVBUF of fresh TCP and UDP sockets",
	  SEED_UNP " " SEED_MAN, "SO_SNDBUF SO_RCVBUF",
	  "The default buffer sizes come from net.core.wmem_default/rmem_default; older systems "
	  "defaulted to 4096 bytes, newer ones to 8192-61440.",
	  "Read SO_SNDBUF and SO_RCVBUF on fresh TCP and UDP sockets and the sysctls beside them.",
	  0, run_defaults, LAB_CHECKS(defaults_checks) },
	{ "go-setwritebuffer", "Go's SetWriteBuffer(4 MiB) is SO_SNDBUF, and Linux doubles it",
	  SEED_GO, "SO_SNDBUF",
	  "Go's UDPConn.SetWriteBuffer(n) ends in setsockopt(SO_SNDBUF, n): the seed sets 4 MiB and "
	  "checks err, expecting a 4 MiB send buffer or an error.",
	  "Do what Go does on a UDP socket (SO_SNDBUF = 4194304, then 64 MiB) and read back what the "
	  "kernel keeps.",
	  0, run_go_setwritebuffer, LAB_CHECKS(go_checks) },
	{ "rcvbuf-before-listen", "SO_RCVBUF decides the window scale only before connect/listen",
	  SEED_UNP, "SO_RCVBUF TCP_INFO",
	  "The TCP window scale is exchanged in the SYN, so SO_RCVBUF must be set before connect "
	  "(client) or before listen (server, inherited by accepted sockets); set later it has no "
	  "effect on the scale.",
	  "Loopback pairs with SO_RCVBUF=4096 set at each point; TCP_INFO tcpi_rcv_wscale on the end "
	  "that set it, against a pair with no SO_RCVBUF.",
	  0, run_before_listen, LAB_CHECKS(before_listen_checks) },
};
const size_t lab_buffers_count = LAB_ARRAY_SIZE(lab_buffers);
