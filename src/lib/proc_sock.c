/* proc_sock.c: one socket of another process, described and its options read, with per-kind plans and defaults. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optnames.h"
#include "proc.h"

/* Families sockopt has no options for, named as ss names them. */
static const struct named other_families[] = {
	{ AF_NETLINK, "netlink" }, { AF_PACKET, "packet" }, { AF_VSOCK, "vsock" },
	{ AF_BLUETOOTH, "bluetooth" }, { AF_ALG, "alg" },   { AF_XDP, "xdp" },
	{ AF_TIPC, "tipc" },	   { AF_CAN, "can" },	    { AF_KCM, "kcm" },
};

static int int_option(int fd, int level, int name, int *out)
{
	socklen_t len = sizeof(*out);

	return getsockopt(fd, level, name, out, &len) < 0 ? -errno : 0;
}

/* Where option E's value comes from when the description already read it. */
static enum option_source source_of(const sockopt_entry *e)
{
	if (e->level == SOL_SOCKET && e->optname == SO_DOMAIN)
		return SRC_DOMAIN;
	if (e->level == SOL_SOCKET && e->optname == SO_TYPE)
		return SRC_TYPE;
	if (e->level == SOL_SOCKET && e->optname == SO_PROTOCOL)
		return SRC_PROTOCOL;
	if (e->level == IPPROTO_TCP && e->optname == TCP_INFO)
		return SRC_TCPINFO;
	if (e->level == SOL_SOCKET && e->optname == SO_ACCEPTCONN)
		return SRC_ACCEPTCONN;
	return SRC_GETSOCKOPT;
}

/* Read E on FD into V without clearing all of V: scalars read v.u64, structs honour len. */
static int read_option(int fd, const sockopt_entry *e, sockopt_value *v)
{
	v->v.u64 = 0;
	return option_read(fd, e, v);
}

/* Whether the scan reads option E on sockets of KIND at all. */
static bool wanted(const struct sockopt_scan *scan, const sockopt_entry *e, unsigned kind)
{
	if (!(e->kinds & kind) || !(e->access & SOCKOPT_ACCESS_GET))
		return false;
	if ((scan->flags & SOCKOPT_SCAN_SETTABLE_ONLY) && !(e->access & SOCKOPT_ACCESS_SET))
		return false;
	if (e->flags & (SOCKOPT_FLAG_SIDE_EFFECT | SOCKOPT_FLAG_TRANSIENT))
		return scan->flags & SOCKOPT_SCAN_SIDE_EFFECTS;
	return true;
}

static void plan_free(struct kind_plan *p)
{
	free(p->entries);
	free(p->sources);
	free(p->defaults);
	free(p->default_errors);
	free(p->tuned);
	free(p->settable);
	free(p->described);
	free(p->compared);
	memset(p, 0, sizeof(*p));
}

static int kernel_set_index(const sockopt_entry *e);

/*
 * Build the plan of KIND: the options to read and their values on a fresh
 * socket.  An option the fresh socket refuses with ENOPROTOOPT or
 * EOPNOTSUPP is one this kernel does not have for the protocol, whatever
 * the socket's state, so it is left out and costs nothing per socket.
 */
/*
 * A fresh socket of KIND in the network namespace of S: made here when this
 * thread is in it (the BPF backend reads each namespace from inside it),
 * else by a thread that enters the namespace of S's duplicate; -ENODATA
 * when neither can be done, and the defaults stay unknown rather than
 * those of another namespace.
 */
static int fresh_socket(const struct sockopt_sock *s, unsigned kind)
{
	uint64_t here = netns_of_thread();

	if (s->netns == here || (!here && s->netns == s->scan->home_netns))
		return sockopt_kind_socket(kind, NULL);
	if (s->netns && s->local_fd >= 0)
		return kind_socket_in_netns_of(s->local_fd, kind);
	return -ENODATA;
}

static int plan_build(struct sockopt_scan *scan, struct kind_plan *p, unsigned kind,
		      const struct sockopt_sock *s)
{
	size_t n = sockopt_catalog_count();
	int fresh = fresh_socket(s, kind);

	p->entries = calloc(n, sizeof(*p->entries));
	p->sources = calloc(n, sizeof(*p->sources));
	p->defaults = calloc(n, sizeof(*p->defaults));
	p->default_errors = calloc(n, sizeof(*p->default_errors));
	p->tuned = calloc(n, sizeof(*p->tuned));
	p->settable = calloc(n, sizeof(*p->settable));
	p->described = calloc(n, sizeof(*p->described));
	p->compared = calloc(n, sizeof(*p->compared));
	if (!p->entries || !p->sources || !p->defaults || !p->default_errors || !p->tuned ||
	    !p->settable || !p->described || !p->compared) {
		if (fresh >= 0)
			close(fresh);
		plan_free(p);
		return -ENOMEM;
	}
	p->defaults_known = fresh >= 0;
	p->buf_lock = -1;
	for (size_t i = 0; i < n; i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		int r = 0;

		if (!wanted(scan, e, kind))
			continue;
		if (fresh >= 0) {
			r = read_option(fresh, e, &p->defaults[p->count]);
			if (r == -ENOPROTOOPT || r == -EOPNOTSUPP)
				continue;
		}
		p->default_errors[p->count] = fresh >= 0 ? r : -ENODATA;
		p->sources[p->count] = (unsigned char)source_of(e);
		p->tuned[p->count] = (signed char)kernel_set_index(e);
		if (e->level == SOL_SOCKET && e->optname == SO_BUF_LOCK)
			p->buf_lock = (long)p->count;
		if (e->access & SOCKOPT_ACCESS_SET)
			p->settable[p->nsettable++] = p->count;
		if ((e->access & SOCKOPT_ACCESS_SET) && fresh >= 0 && r == 0)
			p->compared[p->ncompared++] = (struct plan_compare){
				p->count, e->type,
				p->tuned[p->count] >= 0 ||
					(e->level == SOL_SOCKET && e->optname == SO_LINGER)
			};
		if (p->sources[p->count] != SRC_GETSOCKOPT && p->sources[p->count] != SRC_TCPINFO)
			p->described[p->ndescribed++] = p->count;
		p->entries[p->count++] = e;
	}
	if (fresh >= 0)
		close(fresh);
	__atomic_store_n(&p->ready, true, __ATOMIC_RELEASE);
	return 0;
}

void plans_free(struct sockopt_scan *scan)
{
	for (size_t k = 0; k < KIND_COUNT; k++)
		plan_free(&scan->plans[k]);
	while (scan->away) {
		struct netns_plans *next = scan->away->next;

		for (size_t k = 0; k < KIND_COUNT; k++)
			plan_free(&scan->away->plans[k]);
		free(scan->away);
		scan->away = next;
	}
}

/* The plans of namespace NETNS other than the scan's own, added on first use; NULL when out of memory. Under PLAN_LOCK. */
static struct netns_plans *away_plans(struct sockopt_scan *scan, uint64_t netns)
{
	struct netns_plans *a;

	for (a = scan->away; a; a = a->next)
		if (a->netns == netns)
			return a;
	a = calloc(1, sizeof(*a));
	if (a) {
		a->netns = netns;
		a->next = scan->away;
		scan->away = a;
	}
	return a;
}

/*
 * The plan of S's kind (a single SOCKOPT_KIND_* bit) in S's namespace,
 * built on first use.  Worker threads share the plans: one builds a plan
 * under the lock, and the others see it whole once READY is set.
 */
const struct kind_plan *plan_of(struct sockopt_scan *scan, const struct sockopt_sock *s)
{
	unsigned k = (unsigned)__builtin_ctz(s->kind);
	struct kind_plan *p = s->netns == scan->home_netns ? &scan->plans[k] : NULL;
	int r = 0;

	if (p && __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE))
		return p;
	pthread_mutex_lock(&scan->plan_lock);
	if (!p) {
		struct netns_plans *a = away_plans(scan, s->netns);

		p = a ? &a->plans[k] : NULL;
	}
	if (!p)
		r = -ENOMEM;
	else if (!p->ready)
		r = plan_build(scan, p, s->kind, s);
	pthread_mutex_unlock(&scan->plan_lock);
	return r < 0 ? NULL : p;
}

void netns_home(struct sockopt_scan *scan)
{
	socklen_t len = sizeof(scan->home_cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	scan->home_netns = netns_of_thread();
	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &scan->home_cookie, &len) < 0)
		scan->home_cookie = 0;
	if (fd >= 0)
		close(fd);
}

/*
 * One getsockopt per socket: the namespace cookie tells the scan's own
 * namespace from others, and only a namespace met for the first time costs
 * the SIOCGSKNS that names its inode.
 */
uint64_t netns_of_sock(struct sockopt_scan *scan, int local_fd)
{
	uint64_t cookie = 0, netns = 0;
	socklen_t len = sizeof(cookie);
	size_t i;

	if (getsockopt(local_fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return netns_of_socket(local_fd);
	if (cookie == scan->home_cookie)
		return scan->home_netns;
	pthread_mutex_lock(&scan->plan_lock);
	for (i = 0; i < scan->nseen && scan->seen[i].cookie != cookie; i++)
		;
	if (i < scan->nseen) {
		netns = scan->seen[i].netns;
	} else {
		netns = netns_of_socket(local_fd);
		if (netns && scan->nseen < ARRAY_SIZE(scan->seen))
			scan->seen[scan->nseen++] = (struct netns_seen){ cookie, netns };
	}
	pthread_mutex_unlock(&scan->plan_lock);
	return netns;
}

/* The kind bit of a family and type, or 0 (without the two reads sockopt_kind_of_fd makes). */
unsigned kind_of(int family, int type)
{
	for (unsigned k = 1; k & SOCKOPT_KIND_ALL; k <<= 1) {
		int f, t, p;

		if (sockopt_kind_triple(k, &f, &t, &p) == 0 && f == family && t == type)
			return k;
	}
	return 0;
}

/* Whether S is a TCP socket or an MPTCP one, which answers TCP_INFO for its connection as a whole. */
static bool tcp_like(const struct sockopt_sock *s)
{
	return (s->protocol == IPPROTO_TCP || s->protocol == IPPROTO_MPTCP) &&
	       (s->kind & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6));
}

/*
 * The ss-like name of the socket's protocol or family.  An MPTCP socket
 * (socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)) has the options of the
 * TCP kind but is named for what it is: "mptcp", "mptcp6".
 */
void name_proto(struct sockopt_sock *s)
{
	const char *name = s->kind ? sockopt_kind_name(s->kind) : NULL;

	if (s->protocol == IPPROTO_MPTCP && tcp_like(s)) {
		snprintf(s->proto_name, sizeof(s->proto_name), "mptcp%s",
			 s->kind == SOCKOPT_KIND_TCP6 ? "6" : "");
		return;
	}

	for (size_t i = 0; !name && i < ARRAY_SIZE(other_families); i++)
		if (other_families[i].value == s->family)
			name = other_families[i].name;
	if (name) { /* once per socket: copied, not formatted */
		size_t len = strnlen(name, sizeof(s->proto_name) - 1);

		memcpy(s->proto_name, name, len);
		s->proto_name[len] = '\0';
	} else
		snprintf(s->proto_name, sizeof(s->proto_name), "AF%d", s->family);
}

/* Addresses, state and queues of an inet or unix socket. */
static void describe_endpoints(struct sockopt_sock *s, int fd)
{
	int listening = 0, n;

	s->local.len = sizeof(s->local.v.bytes);
	if (getsockname(fd, (struct sockaddr *)s->local.v.bytes, &s->local.len) < 0)
		s->local.len = 0;
	s->peer.len = sizeof(s->peer.v.bytes);
	if (getpeername(fd, (struct sockaddr *)s->peer.v.bytes, &s->peer.len) < 0)
		s->peer.len = 0;
	if (tcp_like(s)) {
		struct tcp_info ti;

		s->tcpinfo.len = sizeof(s->tcpinfo.v.bytes);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, s->tcpinfo.v.bytes, &s->tcpinfo.len) < 0)
			s->tcpinfo.len = 0;
		memset(&ti, 0, sizeof(ti));
		memcpy(&ti, s->tcpinfo.v.bytes,
		       s->tcpinfo.len < sizeof(ti) ? s->tcpinfo.len : sizeof(ti));
		s->state = ti.tcpi_state;
		if (s->tcpinfo.len)
			s->acceptconn = s->state == TCP_LISTEN;
		if (s->state == TCP_LISTEN) {
			/* For a listener TCP_INFO carries the accept queue and its limit. */
			s->recv_q = ti.tcpi_unacked;
			s->send_q = ti.tcpi_sacked;
			return;
		}
	} else {
		if (s->type != SOCK_DGRAM && s->type != SOCK_RAW &&
		    int_option(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening) == 0)
			s->acceptconn = listening;
		s->state = listening ? TCP_LISTEN : s->peer.len ? TCP_ESTABLISHED : TCP_CLOSE;
	}
	if (s->state != TCP_LISTEN && ioctl(fd, SIOCINQ, &n) == 0)
		s->recv_q = n;
	if (s->state != TCP_LISTEN && ioctl(fd, SIOCOUTQ, &n) == 0)
		s->send_q = n;
	if ((s->family == AF_INET || s->family == AF_INET6) && s->type != SOCK_STREAM) {
		/*
		 * For UDP and raw sockets SIOCINQ is the size of the next datagram;
		 * ss's Recv-Q is every queued byte with its overhead (sk_rmem_alloc):
		 * three 1000-byte datagrams are 1000 and 6912 here.  Take ss's.
		 */
		uint32_t mem[SK_MEMINFO_VARS];
		socklen_t len = sizeof(mem);

		if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 && len == sizeof(mem))
			s->recv_q = mem[SK_MEMINFO_RMEM_ALLOC];
	}
}

int sock_describe(struct sockopt_sock *s, int fd)
{
	struct stat st;
	int r;

	s->local_fd = fd;
	s->error = 0;
	s->error_text[0] = '\0';
	s->kind = 0;
	s->state = 0;
	s->recv_q = s->send_q = -1;
	s->local.len = s->peer.len = s->tcpinfo.len = 0;
	s->acceptconn = -1;
	s->plan = NULL;
	s->option_count = 0;
	s->backend = s->timer = NULL;
	s->netns = 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	s->inode = st.st_ino;
	if ((r = int_option(fd, SOL_SOCKET, SO_DOMAIN, &s->family)) < 0 ||
	    (r = int_option(fd, SOL_SOCKET, SO_TYPE, &s->type)) < 0)
		return r;
	if (int_option(fd, SOL_SOCKET, SO_PROTOCOL, &s->protocol) < 0)
		s->protocol = 0;
	s->kind = kind_of(s->family, s->type);
	if (s->kind)
		s->netns = netns_of_sock(s->scan, fd);
	name_proto(s);
	if (s->family == AF_INET || s->family == AF_INET6 || s->family == AF_UNIX)
		describe_endpoints(s, fd);
	return 0;
}

int sock_read_options(struct sockopt_sock *s)
{
	const struct kind_plan *p;

	if (!s->kind)
		return 0;
	p = plan_of(s->scan, s);
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < p->count; i++) {
		sockopt_value *v = &s->values[i];
		int *err = &s->errors[i];

		*err = 0;
		switch ((enum option_source)p->sources[i]) {
		case SRC_GETSOCKOPT:
			*err = read_option(s->local_fd, p->entries[i], v);
			break;
		case SRC_DOMAIN:
			sockopt_value_set_int(v, s->family);
			break;
		case SRC_TYPE:
			sockopt_value_set_int(v, s->type);
			break;
		case SRC_PROTOCOL:
			sockopt_value_set_int(v, s->protocol);
			break;
		case SRC_TCPINFO:
			*v = s->tcpinfo;
			if (!v->len)
				*err = -ENODATA;
			break;
		case SRC_ACCEPTCONN:
			if (s->acceptconn >= 0)
				sockopt_value_set_int(v, s->acceptconn);
			else
				*err = read_option(s->local_fd, p->entries[i], v);
			break;
		}
	}
	s->plan = p;
	s->option_count = p->count;
	return (int)p->count;
}

SOCKOPT_EXPORT int sockopt_sock_read_options(sockopt_sock *s, struct sockopt_diag *diag)
{
	int r;

	if (s->error || (!s->prefetched && s->local_fd < 0))
		return diag_set(diag, -EBADF, "fd %d of process %d was not read.", s->fd, s->pid);
	r = s->prefetched ? s->prefetch_result : sock_read_options(s);
	if (r < 0)
		return diag_set(diag, r, "Out of memory reading the options of fd %d.", s->fd);
	return r;
}

/* ---- accessors ------------------------------------------------------------ */

SOCKOPT_EXPORT pid_t sockopt_sock_pid(const sockopt_sock *s) { return s->pid; }
SOCKOPT_EXPORT const char *sockopt_sock_comm(const sockopt_sock *s) { return s->comm; }
SOCKOPT_EXPORT int sockopt_sock_fd(const sockopt_sock *s) { return s->fd; }
SOCKOPT_EXPORT int sockopt_sock_error(const sockopt_sock *s) { return s->error; }
SOCKOPT_EXPORT const char *sockopt_sock_error_text(const sockopt_sock *s) { return s->error_text; }
SOCKOPT_EXPORT uint64_t sockopt_sock_inode(const sockopt_sock *s) { return s->inode; }
SOCKOPT_EXPORT int sockopt_sock_family(const sockopt_sock *s) { return s->family; }
SOCKOPT_EXPORT int sockopt_sock_type(const sockopt_sock *s) { return s->type; }
SOCKOPT_EXPORT int sockopt_sock_protocol(const sockopt_sock *s) { return s->protocol; }
SOCKOPT_EXPORT unsigned sockopt_sock_kind(const sockopt_sock *s) { return s->kind; }
SOCKOPT_EXPORT const char *sockopt_sock_proto_name(const sockopt_sock *s) { return s->proto_name; }
SOCKOPT_EXPORT const sockopt_value *sockopt_sock_local(const sockopt_sock *s) { return &s->local; }
SOCKOPT_EXPORT const sockopt_value *sockopt_sock_peer(const sockopt_sock *s) { return &s->peer; }
SOCKOPT_EXPORT int sockopt_sock_state(const sockopt_sock *s) { return s->state; }
SOCKOPT_EXPORT long long sockopt_sock_recv_q(const sockopt_sock *s) { return s->recv_q; }
SOCKOPT_EXPORT long long sockopt_sock_send_q(const sockopt_sock *s) { return s->send_q; }
SOCKOPT_EXPORT size_t sockopt_sock_option_count(const sockopt_sock *s) { return s->option_count; }

SOCKOPT_EXPORT const char *sockopt_sock_state_name(const sockopt_sock *s)
{
	if (s->state == TCP_CLOSE && !tcp_like(s))
		return "UNCONN";
	return sockopt_tcp_state_name(s->state);
}

SOCKOPT_EXPORT int sockopt_sock_option(const sockopt_sock *s, size_t i, const sockopt_entry **e,
				       const sockopt_value **v)
{
	if (i >= s->option_count)
		return -EINVAL;
	*e = s->plan->entries[i];
	*v = &s->values[i];
	return s->errors[i];
}

/*
 * Options whose value the kernel sets itself as a socket lives, so that a
 * fresh socket cannot say what the default would be now.  Measured here on
 * idle loopback TCP connections: SO_SNDBUF grows from 16384 to 3939840 or
 * 4194304 (the tcp_wmem maximum) at connection setup (tcp_sndbuf_expand),
 * and SO_RCVBUF grows as data is read, unless the program set them
 * (SO_BUF_LOCK then has bit 1 or 2);
 * TCP_MAXSEG follows the path MTU, TCP_WINDOW_CLAMP is computed at the
 * handshake, SO_INCOMING_CPU records the CPU of the last packet received
 * and TCP_TIMESTAMP is a clock.
 */
static const struct {
	int level, optname;
	bool when_connected; /* only once a TCP socket is past connect/accept */
	int lock_bit;	     /* SO_BUF_LOCK bit that says the program set it, or 0 */
} kernel_set[] = {
	{ SOL_SOCKET, SO_SNDBUF, true, 1 },
	{ SOL_SOCKET, SO_RCVBUF, true, 2 },
	{ IPPROTO_TCP, TCP_MAXSEG, true, 0 },
	{ IPPROTO_TCP, TCP_WINDOW_CLAMP, true, 0 },
	{ SOL_SOCKET, SO_INCOMING_CPU, false, 0 },
	{ IPPROTO_TCP, TCP_TIMESTAMP, false, 0 },
};

/* The row of kernel_set for E, or -1. */
static int kernel_set_index(const sockopt_entry *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(kernel_set); i++)
		if (kernel_set[i].level == e->level && kernel_set[i].optname == e->optname)
			return (int)i;
	return -1;
}

/* Whether the kernel, not the program, decides the current value of option I on S. */
static bool kernel_tuned(const struct sockopt_sock *s, size_t i)
{
	const struct kind_plan *p = s->plan;
	int k = p->tuned[i], lock = -1;

	if (k < 0) /* most options: asked first, as show asks for every option of every socket */
		return false;
	if (kernel_set[k].when_connected &&
	    !(tcp_like(s) && s->state != TCP_CLOSE && s->state != TCP_LISTEN))
		return false;
	/* SO_BUF_LOCK, when it was read, says whether the program set the buffer itself. */
	if (kernel_set[k].lock_bit && p->buf_lock >= 0 && !s->errors[p->buf_lock])
		lock = s->values[p->buf_lock].v.i;
	return lock < 0 || !(lock & kernel_set[k].lock_bit);
}

/* sockopt_sock_option_set_by_program for an option I of S's plan. */
static int set_by_program_at(const struct sockopt_sock *s, size_t i)
{
	const struct kind_plan *p = s->plan;
	const sockopt_entry *e = p->entries[i];
	int k;

	if (s->errors[i])
		return -ENODATA;
	/* l_onoff, the first int of struct linger: off leaves nothing, {0, 0} reads as a fresh socket. */
	if (e->level == SOL_SOCKET && e->optname == SO_LINGER)
		return s->values[i].v.i ? 1 : -ENODATA;
	k = p->tuned[i];
	if (k < 0 || !kernel_set[k].lock_bit || p->buf_lock < 0 || s->errors[p->buf_lock])
		return -ENODATA;
	return (s->values[p->buf_lock].v.i & kernel_set[k].lock_bit) != 0;
}

SOCKOPT_EXPORT int sockopt_sock_option_set_by_program(const sockopt_sock *s, size_t i)
{
	return i < s->option_count ? set_by_program_at(s, i) : -ENODATA;
}

/*
 * Whether A and B hold the same value.  The kernel writes the same bytes
 * for the same value, so bytes of equal length decide; a boolean may be
 * any non-zero int; only values of different lengths pay for
 * sockopt_value_equal, which formats both.
 */
static bool same_value(enum sockopt_type t, const sockopt_value *a, const sockopt_value *b)
{
	if (t == SOCKOPT_TYPE_BOOL)
		return !a->v.i == !b->v.i;
	if (a->len == sizeof(int) && b->len == sizeof(int)) /* most options, compared without a call */
		return a->v.i == b->v.i;
	if (a->len == b->len)
		return memcmp(a->v.bytes, b->v.bytes, a->len) == 0;
	return sockopt_value_equal(t, a, b);
}

/* sockopt_sock_option_is_default for an option I of S's plan. */
static int is_default_at(const struct sockopt_sock *s, size_t i)
{
	const struct kind_plan *p = s->plan;

	if (!p->defaults_known || p->default_errors[i] || s->errors[i] || kernel_tuned(s, i))
		return -ENODATA;
	return same_value(p->entries[i]->type, &s->values[i], &p->defaults[i]);
}

SOCKOPT_EXPORT int sockopt_sock_option_is_default(const sockopt_sock *s, size_t i)
{
	return i < s->option_count ? is_default_at(s, i) : -ENODATA;
}

SOCKOPT_EXPORT size_t sockopt_sock_changed(const sockopt_sock *s, size_t *index, size_t room)
{
	const struct kind_plan *p = s->plan;
	size_t n = 0;

	if (!s->option_count || !p->defaults_known)
		return 0;
	for (size_t k = 0; k < p->ncompared; k++) {
		const struct plan_compare *c = &p->compared[k];
		size_t i = c->i;
		bool changed;

		if (s->errors[i])
			continue; /* no value: never "changed" */
		if (!c->marked) { /* most: only the value can tell */
			changed = !same_value(c->type, &s->values[i], &p->defaults[i]);
		} else { /* a value set equal to the default counts when the kernel records it was set */
			int d = is_default_at(s, i);

			changed = d == 0 || (d == 1 && set_by_program_at(s, i) == 1);
		}
		if (changed) {
			if (n < room)
				index[n] = i;
			n++;
		}
	}
	return n;
}

SOCKOPT_EXPORT size_t sockopt_sock_not_read(const sockopt_sock *s, bool settable_only, size_t *index,
					    size_t room)
{
	const struct kind_plan *p = s->plan;
	size_t n = 0, count = !s->option_count ? 0 : settable_only ? p->nsettable : s->option_count;

	if (count == s->option_count) /* every option is settable (a SETTABLE_ONLY scan): no list to follow */
		settable_only = false;
	for (size_t k = 0; k < count; k++) {
		size_t i = settable_only ? p->settable[k] : k;

		if (s->errors[i] != -ENODATA)
			continue;
		if (n < room)
			index[n] = i;
		n++;
	}
	return n;
}
