/* misc.c: experiments on what exists on Linux at all: SO_DEBUG's reach, BSD-only options, the seeds' tunables. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* ---- SO_DEBUG ----------------------------------------------------------- */

static void run_so_debug(struct lab_result *r)
{
	static const struct {
		int family, type;
		const char *field;
	} kinds[] = {
		{ AF_INET, SOCK_STREAM, "tcp_errno" },
		{ AF_INET, SOCK_DGRAM, "udp_errno" },
		{ AF_UNIX, SOCK_STREAM, "unix_errno" },
	};

	if (!lab_opt(r, "SO_DEBUG"))
		return;
	for (size_t i = 0; i < LAB_ARRAY_SIZE(kinds); i++) {
		int fd = socket(kinds[i].family, kinds[i].type | SOCK_CLOEXEC, 0), err, v;

		if (fd < 0)
			continue;
		err = lab_set(fd, "SO_DEBUG", "on");
		if (err == -EACCES || err == -EPERM) {
			close(fd);
			return (void)lab_skip(r, "needs CAP_NET_ADMIN to turn SO_DEBUG on (%s)",
					      strerrorname_np(-err));
		}
		if (err == 0 && (lab_get_int(fd, "SO_DEBUG", &v) < 0 || !v))
			err = -ENOPROTOOPT; /* accepted but not kept */
		lab_errno(r, kinds[i].field, err);
		close(fd);
	}
	lab_observe(r, "Turning SO_DEBUG on (and reading it back) gave %s on TCP, %s on UDP and %s "
		       "on a Unix stream socket.",
		    lab_word(r, "tcp_errno"), lab_word(r, "udp_errno"),
		    lab_word(r, "unix_errno"));
}

/* ---- options the seeds name that Linux lacks ------------------------------ */

/* The names, and whether this system's headers define them. */
static const struct {
	const char *name;
	bool in_headers;
} bsd_names[] = {
#ifdef SO_USELOOPBACK
	{ "SO_USELOOPBACK", true },
#else
	{ "SO_USELOOPBACK", false },
#endif
#ifdef IP_RECVDSTADDR
	{ "IP_RECVDSTADDR", true },
#else
	{ "IP_RECVDSTADDR", false },
#endif
#ifdef IP_RECVIF
	{ "IP_RECVIF", true },
#else
	{ "IP_RECVIF", false },
#endif
#ifdef SO_NOSIGPIPE
	{ "SO_NOSIGPIPE", true },
#else
	{ "SO_NOSIGPIPE", false },
#endif
#ifdef SO_NREAD
	{ "SO_NREAD", true },
#else
	{ "SO_NREAD", false },
#endif
#ifdef SO_NWRITE
	{ "SO_NWRITE", true },
#else
	{ "SO_NWRITE", false },
#endif
#ifdef SO_LINGER_SEC
	{ "SO_LINGER_SEC", true },
#else
	{ "SO_LINGER_SEC", false },
#endif
#ifdef SO_DONTLINGER
	{ "SO_DONTLINGER", true },
#else
	{ "SO_DONTLINGER", false },
#endif
};

/*
 * IPV6_USE_MIN_MTU has a number in <linux/in6.h> (63, under #if 0) and so
 * in the catalog; whether the kernel knows it is what getsockopt says.
 */
static void use_min_mtu(struct lab_result *r)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), v = 0, err;

	if (fd < 0)
		return;
	err = lab_get_int(fd, "IPV6_USE_MIN_MTU", &v);
	lab_errno(r, "use_min_mtu_get", err);
	if (err == 0)
		lab_int(r, "use_min_mtu_default", v);
	close(fd);
}

/*
 * IPV6_NEXTHOP as UNP describes it, a socket address naming the next hop
 * (::1 here): given to setsockopt, and as ancillary data to sendmsg.  The
 * system calls are made directly on purpose: the catalog knows the name
 * only as an ancillary-data type, and what is measured is the kernel's
 * answer to each form.
 */
static void nexthop(struct lab_result *r)
{
	struct sockaddr_in6 hop = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(hop))];
	} control = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), rx = labnet_udp_bound("::1");

	if (fd >= 0 && rx >= 0) {
		lab_errno(r, "nexthop_set_errno",
			  setsockopt(fd, IPPROTO_IPV6, IPV6_NEXTHOP, &hop, sizeof(hop)) < 0 ? errno : 0);
		to.sin6_port = htons(labnet_port(rx));
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_NEXTHOP;
		cm->cmsg_len = CMSG_LEN(sizeof(hop));
		memcpy(CMSG_DATA(cm), &hop, sizeof(hop));
		lab_errno(r, "nexthop_cmsg_errno", sendmsg(fd, &msg, 0) < 0 ? errno : 0);
	}
	labnet_close(fd);
	labnet_close(rx);
}

static void run_missing(struct lab_result *r)
{
	char absent[LAB_STR_MAX] = "";
	int present = 0;

	for (size_t i = 0; i < LAB_ARRAY_SIZE(bsd_names); i++) {
		bool known = sockopt_catalog_find(bsd_names[i].name) || bsd_names[i].in_headers;

		lab_str(r, bsd_names[i].name, known ? "present" : "absent");
		present += known;
		if (!known)
			snprintf(absent + strlen(absent), sizeof(absent) - strlen(absent), "%s%s",
				 absent[0] ? " " : "", bsd_names[i].name);
	}
	lab_int(r, "present", present);
	use_min_mtu(r);
	nexthop(r);
	lab_observe(r, "Of %zu options the seeds describe, %d exist on this system (in its headers or "
		       "in the catalog of every Linux option); absent: %s. The Linux ways: IP_PKTINFO for "
		       "the destination address and interface, MSG_NOSIGNAL, FIONREAD/SIOCOUTQ, "
		       "SO_LINGER in seconds.",
		    LAB_ARRAY_SIZE(bsd_names), present, absent[0] ? absent : "none");
	lab_observe_more(r, " getsockopt(IPV6_USE_MIN_MTU) on a UDP6 socket: %s.",
			 lab_word(r, "use_min_mtu_get"));
	lab_observe_more(r, " IPV6_NEXTHOP (::1): setsockopt %s, as sendmsg ancillary data %s.",
			 lab_word(r, "nexthop_set_errno"), lab_word(r, "nexthop_cmsg_errno"));
}

/* ---- the /proc/sys/net tunables the seeds list ---------------------------- */

static void run_proc_core(struct lab_result *r)
{
	static const char *const names[] = {
		"bpf_jit_enable",	"busy_poll",		 "busy_read",
		"default_qdisc",	"dev_weight",		 "message_burst",
		"message_cost",		"netdev_budget",	 "netdev_max_backlog",
		"netdev_rss_key",	"netdev_tstamp_prequeue", "optmem_max",
		"rmem_default",		"rmem_max",		 "rps_sock_flow_entries",
		"somaxconn",		"warnings",		 "wmem_default",
		"wmem_max",		"xfrm_acq_expires",	 "xfrm_aevent_etime",
		"xfrm_aevent_rseqth",	"xfrm_larval_drop",
	};
	char absent[LAB_STR_MAX] = "", name[96], value[256];
	int present = 0;

	for (size_t i = 0; i < LAB_ARRAY_SIZE(names); i++) {
		snprintf(name, sizeof(name), "net.core.%s", names[i]);
		if (sockopt_sysctl_read(name, value, sizeof(value), NULL) == 0) {
			present++;
			continue;
		}
		snprintf(absent + strlen(absent), sizeof(absent) - strlen(absent), "%s%s",
			 absent[0] ? " " : "", names[i]);
	}
	lab_int(r, "missing", (long long)LAB_ARRAY_SIZE(names) - present);
	lab_int(r, "present", present);
	use_min_mtu(r);
	lab_str(r, "absent", absent);
	lab_observe(r, "Of the %zu /proc/sys/net/core entries the seed lists, %d are readable here; "
		       "missing: %s.",
		    LAB_ARRAY_SIZE(names), present, absent[0] ? absent : "none");
}

/* ---- TIME_WAIT tunables ------------------------------------------------------ */

/*
 * Per-namespace sysctls start at the kernel's defaults in a new network
 * namespace, so the values are read there when this process may make one.
 */
static void run_tw_sysctls(struct lab_result *r)
{
	long long v;

	lab_str(r, "read_in", labnet_netns_enter() == 0 ? "new namespace (kernel defaults)"
							: "host namespace (may be tuned)");
	if (sockopt_sysctl_read_long("net.ipv4.tcp_tw_reuse", &v, NULL) == 0)
		lab_int(r, "tcp_tw_reuse", v);
	lab_bool(r, "tcp_tw_recycle_exists",
		 sockopt_sysctl_read_long("net.ipv4.tcp_tw_recycle", &v, NULL) == 0);
	if (!lab_field(r, "tcp_tw_reuse"))
		return (void)lab_skip(r, "cannot read net.ipv4.tcp_tw_reuse");
	lab_observe(r, "Read in the %s: net.ipv4.tcp_tw_reuse = %lld; net.ipv4.tcp_tw_recycle %s.",
		    lab_word(r, "read_in"), lab_num(r, "tcp_tw_reuse"),
		    lab_num(r, "tcp_tw_recycle_exists") ? "exists" : "does not exist");
}

const struct lab_experiment lab_misc[] = {
	{ .id = "so-debug", .title = "SO_DEBUG on TCP, UDP and Unix sockets",
	  .options = "SO_DEBUG",
	  .method = "Turn SO_DEBUG on (needs CAP_NET_ADMIN) on TCP, UDP and Unix stream sockets and read "
		    "it back.",
	  .shows = "udp_errno", .run = run_so_debug },
	{ .id = "options-missing-on-linux", .title = "BSD and Windows options the documents name, on Linux",
	  .options = "SO_USELOOPBACK IP_RECVDSTADDR IP_RECVIF IPV6_USE_MIN_MTU SO_NOSIGPIPE SO_NREAD "
		     "SO_NWRITE SO_LINGER_SEC SO_DONTLINGER IPV6_NEXTHOP",
	  .method = "Look each name up in this system's headers and in the catalog of every option "
		    "Linux defines; getsockopt(IPV6_USE_MIN_MTU) on a UDP6 socket; IPV6_NEXTHOP ::1 "
		    "given to setsockopt and as ancillary data to a sendmsg to a UDP6 socket on ::1.",
	  .shows = "present", .run = run_missing },
	{ .id = "proc-net-core", .title = "The /proc/sys/net/core tunables the article lists",
	  .options = "SO_RCVBUF SO_SNDBUF", .method = "Read each of them.",
	  .shows = "missing", .run = run_proc_core },
	{ .id = "tw-sysctls", .title = "tcp_tw_reuse and tcp_tw_recycle",
	  .options = "",
	  .method = "Read both in a new network namespace, where they start at the kernel's defaults "
		    "(on the host's values when no namespace can be made).",
	  .shows = "tcp_tw_reuse", .run = run_tw_sysctls },
};
const size_t lab_misc_count = LAB_ARRAY_SIZE(lab_misc);

static const struct lab_check debug_parts[] = {
	{ "tcp_errno", LAB_EQ, .str = "OK", .says = "TCP supports SO_DEBUG" },
	{ "udp_errno", LAB_NE, .str = "OK", .says = "only TCP (UDP refuses it)" },
	{ .says = "the kernel keeps a trace of the socket's packets, read with trpt", .unmeasured = "Linux has no trpt and no SO_DEBUG trace buffer the lab could read; the flag is only stored" },
};
#define EXISTS(name) { name, LAB_EQ, .str = "present", .says = name " exists" }
static const struct lab_check unp_bsd_parts[] = {
	EXISTS("SO_USELOOPBACK"), EXISTS("IP_RECVDSTADDR"), EXISTS("IP_RECVIF"),
};
static const struct lab_check min_mtu_parts[] = {
	{ "use_min_mtu_get", LAB_EQ, .str = "OK", .says = "the kernel has the option (getsockopt on a UDP6 socket)" },
	{ "use_min_mtu_default", LAB_EQ, -1, .says = "it defaults to -1" },
};
static const struct lab_check nexthop_parts[] = {
	{ "nexthop_set_errno", LAB_EQ, .str = "OK", .says = "IPV6_NEXTHOP sets the next hop of outgoing datagrams as a socket address (setsockopt)" },
	{ "nexthop_cmsg_errno", LAB_EQ, .str = "OK", .says = "(or per datagram as sendmsg ancillary data)" },
	{ .says = "it is a privileged operation", .unmeasured = "neither form is accepted here, with errors that are not permission errors, so there is no privilege to check" },
};
static const struct lab_check man_bsd_parts[] = {
	EXISTS("SO_NOSIGPIPE"), EXISTS("SO_NREAD"), EXISTS("SO_NWRITE"), EXISTS("SO_LINGER_SEC"),
};
static const struct lab_check dontlinger_parts[] = { EXISTS("SO_DONTLINGER") };
static const struct lab_check proc_parts[] = {
	{ "missing", LAB_EQ, 0, .says = "every tunable listed exists under /proc/sys/net/core" },
};
static const struct lab_check reuse_parts[] = {
	{ "tcp_tw_reuse", LAB_EQ, 0, .says = "net.ipv4.tcp_tw_reuse defaults to 0" },
};
static const struct lab_check recycle_parts[] = {
	{ "tcp_tw_recycle_exists", LAB_EQ, 1, .says = "net.ipv4.tcp_tw_recycle exists (default 0)" },
};

const struct lab_claim lab_misc_claims[] = {
	{ "unp-so-debug", "so-debug", "unp", 71, 73,
	  "SO_DEBUG is supported only by TCP; turned on, the kernel keeps a detailed trace of the packets the socket sends and receives, in a ring buffer read with trpt.",
	  LAB_CHECKS(debug_parts) },
	{ "unp-bsd-options", "options-missing-on-linux", "unp", 218, 250,
	  "There are options SO_USELOOPBACK (routing sockets, on by default), IP_RECVDSTADDR and IP_RECVIF (destination address and interface of a UDP datagram via recvmsg).",
	  LAB_CHECKS(unp_bsd_parts) },
	{ "unp-ipv6-use-min-mtu", "options-missing-on-linux", "unp", 318, 0,
	  "IPV6_USE_MIN_MTU: 1 sends with the minimum IPv6 MTU, 0 does path MTU discovery for every destination, -1 (the default) for unicast only.",
	  LAB_CHECKS(min_mtu_parts) },
	{ "unp-ipv6-nexthop", "options-missing-on-linux", "unp", 278, 0,
	  "IPV6_NEXTHOP gives the next-hop address of outgoing datagrams as a socket address structure; this is a privileged operation.",
	  LAB_CHECKS(nexthop_parts) },
	{ "adv-bsd-options", "options-missing-on-linux", "adv", 128, 134,
	  "There are options SO_NOSIGPIPE (EPIPE instead of SIGPIPE), SO_NREAD, SO_NWRITE (get only) and SO_LINGER_SEC.",
	  LAB_CHECKS(man_bsd_parts) },
	{ "cnblogs-dontlinger-option", "options-missing-on-linux", "cnblogs", 63, 0,
	  "(Windows) SO_DONTLINGER, when true, disables SO_LINGER.",
	  LAB_CHECKS(dontlinger_parts) },
	{ "adv-proc-net-core", "proc-net-core", "adv", 141, 172,
	  "/proc/sys/net/core has bpf_jit_enable, busy_poll, busy_read, default_qdisc, dev_weight, message_burst, message_cost, netdev_budget, netdev_max_backlog, netdev_rss_key, netdev_tstamp_prequeue, optmem_max, rmem_default, rmem_max, rps_sock_flow_entries, somaxconn, warnings, wmem_default, wmem_max and the xfrm_* tunables.",
	  LAB_CHECKS(proc_parts) },
	{ "adv-tcp-tw-reuse", "tw-sysctls", "adv", 198, 0,
	  "tcp_tw_reuse allows reusing TIME-WAIT sockets for new connections when safe; the default is 0.",
	  LAB_CHECKS(reuse_parts) },
	{ "adv-tcp-tw-recycle", "tw-sysctls", "adv", 205, 0,
	  "tcp_tw_recycle enables fast recycling of TIME-WAIT sockets; the default is 0.",
	  LAB_CHECKS(recycle_parts) },
};
const size_t lab_misc_claims_count = LAB_ARRAY_SIZE(lab_misc_claims);
