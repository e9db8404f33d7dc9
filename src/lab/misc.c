/* misc.c: experiments on what exists on Linux at all: SO_DEBUG's reach, BSD-only options, the seeds' tunables. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define SEED_UNP "003_f012efc3bbbfde02.txt"
#define SEED_MAN "004_0de232be0c243d49.txt"
#define SEED_LINGER "001_b5b00f28f26c67e8.txt"

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
#ifdef IPV6_USE_MIN_MTU
	{ "IPV6_USE_MIN_MTU", true },
#else
	{ "IPV6_USE_MIN_MTU", false },
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
	lab_int(r, "named", LAB_ARRAY_SIZE(bsd_names));
	lab_int(r, "present", present);
	lab_observe(r, "Of %zu options the seeds describe, %d exist on this system (in its headers or "
		       "in the catalog of every Linux option); absent: %s. The Linux ways: IP_PKTINFO for "
		       "the destination address and interface, MSG_NOSIGNAL, FIONREAD/SIOCOUTQ, "
		       "SO_LINGER in seconds.",
		    LAB_ARRAY_SIZE(bsd_names), present, absent[0] ? absent : "none");
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
	lab_int(r, "listed", LAB_ARRAY_SIZE(names));
	lab_int(r, "present", present);
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

static const struct lab_check debug_checks[] = {
	{ "tcp_errno", LAB_EQ, .str = "OK", .says = "TCP supports SO_DEBUG" },
	{ "udp_errno", LAB_NE, .str = "OK", .says = "only TCP supports it" },
};

static const struct lab_check missing_checks[] = {
	{ "present", LAB_EQ, .other = "named", .says = "the options the seeds describe exist" },
};

static const struct lab_check proc_checks[] = {
	{ "present", LAB_EQ, .other = "listed", .says = "the listed /proc/sys/net/core tunables exist" },
};

static const struct lab_check tw_checks[] = {
	{ "tcp_tw_reuse", LAB_EQ, 0, .says = "tcp_tw_reuse defaults to 0" },
	{ "tcp_tw_recycle_exists", LAB_EQ, 1, .says = "tcp_tw_recycle exists (default 0)" },
};

const struct lab_experiment lab_misc[] = {
	{ "so-debug", "SO_DEBUG: only TCP supports it",
	  SEED_UNP, "SO_DEBUG",
	  "SO_DEBUG is supported only by TCP, which then keeps a trace of the socket's packets.",
	  "Turn SO_DEBUG on (needs CAP_NET_ADMIN) on TCP, UDP and Unix stream sockets and read it "
	  "back.",
	  0, run_so_debug, LAB_CHECKS(debug_checks) },
	{ "options-missing-on-linux", "BSD/Windows options the seeds name, on Linux",
	  SEED_UNP " " SEED_MAN " " SEED_LINGER,
	  "SO_USELOOPBACK IP_RECVDSTADDR IP_RECVIF IPV6_USE_MIN_MTU SO_NOSIGPIPE SO_NREAD SO_NWRITE "
	  "SO_LINGER_SEC SO_DONTLINGER IP_PKTINFO",
	  "The seeds describe SO_USELOOPBACK, IP_RECVDSTADDR, IP_RECVIF, IPV6_USE_MIN_MTU (UNP), "
	  "SO_NOSIGPIPE, SO_NREAD, SO_NWRITE, SO_LINGER_SEC (BSD manual) and SO_DONTLINGER (Windows).",
	  "Look each name up in this system's headers and in the catalog of every option Linux "
	  "defines.",
	  0, run_missing, LAB_CHECKS(missing_checks) },
	{ "proc-net-core", "The /proc/sys/net/core tunables the seed lists",
	  SEED_MAN, "SO_RCVBUF SO_SNDBUF",
	  "The seed lists 23 tunables under /proc/sys/net/core (rmem_default, rmem_max, wmem_default, "
	  "wmem_max, optmem_max, somaxconn, netdev_max_backlog, warnings, …).",
	  "Read each of them.",
	  0, run_proc_core, LAB_CHECKS(proc_checks) },
	{ "tw-sysctls", "tcp_tw_reuse and tcp_tw_recycle",
	  SEED_MAN, "",
	  "net.ipv4.tcp_tw_reuse (reuse TIME_WAIT sockets for new connections when safe) defaults to "
	  "0, and net.ipv4.tcp_tw_recycle (fast recycling) exists and defaults to 0.",
	  "Read both in a new network namespace, where they start at the kernel's defaults (on the "
	  "host's values when no namespace can be made).",
	  0, run_tw_sysctls, LAB_CHECKS(tw_checks) },
};
const size_t lab_misc_count = LAB_ARRAY_SIZE(lab_misc);
