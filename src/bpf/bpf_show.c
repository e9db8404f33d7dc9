/* bpf_show.c: the TCP and task_file iterators read in one pass, joined on the socket inode, handed over as sockopt_sock objects. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfshow.h"
#include "optnames.h"
#include "iter.h"

/* The level and name of each option slot of a TCP record, in the order the program fills them. */
static const struct {
	int level, name;
} tcp_slots[ITER_TCP_NOPTIONS] = {
#define ROW(l, n) { l, n },
	ITER_TCP_GETSOCKOPT(ROW) ITER_TCP_FIELDS(ROW)
#undef ROW
};

static const char *const timer_names[] = { "off", "on", "keepalive", "timewait", "persist" };

int bpf_show_fail(struct bpf_show_diag *diag, int err, const char *fmt, ...)
{
	char what[SOCKOPT_TEXT_MAX - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	diag->error = err;
	snprintf(diag->text, sizeof(diag->text), "The BPF backend: %s.", what);
	return err;
}

/* Whether this process's effective set holds CAP (capget(2); Debian 12 builds without libcap). */
static bool has_cap(unsigned cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

const char *bpf_show_unavailable(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return "the kernel has no BTF (/sys/kernel/btf/vmlinux), which the programs need";
	if (geteuid() != 0 && !(has_cap(CAP_BPF) && has_cap(CAP_PERFMON)))
		return "loading BPF programs needs root or CAP_BPF and CAP_PERFMON";
	return NULL;
}

int bpf_read_records(int link, size_t size, int (*each)(const void *rec, void *ctx), void *ctx,
			struct bpf_show_diag *diag)
{
	static unsigned char buf[1 << 16];
	size_t have = 0;
	int fd = bpf_iter_create(link), r = 0;
	ssize_t n;

	if (fd < 0)
		return bpf_show_fail(diag, -errno, "starting an iterator failed: %s", strerror(errno));
	while (r == 0 && (n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		size_t used = 0;

		have += (size_t)n;
		for (; r == 0 && have - used >= size; used += size)
			r = each(buf + used, ctx);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	if (r == 0 && n < 0)
		r = bpf_show_fail(diag, -errno, "reading an iterator failed: %s", strerror(errno));
	close(fd);
	return r;
}

/* The owners of sockets, sorted by inode. */
struct owners {
	struct iter_file_record *v;
	size_t n, room;
	pid_t pid;
};

static int keep_owner(const void *rec, void *ctx)
{
	struct owners *o = ctx;
	const struct iter_file_record *f = rec;

	if (o->pid && (pid_t)f->pid != o->pid)
		return 0;
	if (o->n == o->room) {
		size_t room = o->room ? 2 * o->room : 1024;
		struct iter_file_record *grown = realloc(o->v, room * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		o->v = grown;
		o->room = room;
	}
	o->v[o->n++] = *f;
	return 0;
}

static int by_inode(const void *a, const void *b)
{
	const struct iter_file_record *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->pid != y->pid ? (x->pid < y->pid ? -1 : 1) : (x->fd > y->fd) - (x->fd < y->fd);
}

/* What a TCP pass carries from record to record. */
struct pass {
	sockopt_scan *scan;
	const struct bpf_show_query *q;
	struct owners *owners;
	sockopt_sock_fn fn;
	void *ctx;
	int count;
	long slots[2][ITER_TCP_NOPTIONS]; /* option index of each slot for tcp4, tcp6; filled once */
	long device[2];			  /* and of SO_BINDTODEVICE */
	bool slots_known[2];
};

/* A record's address as getsockname would give it; length 0 for a peer it does not have. */
static socklen_t sockaddr_of(const struct iter_tcp_record *r, const __u8 *addr, __u16 port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (r->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, addr, 4);
		return sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, addr, 16);
		return sizeof(*in6);
	}
}

/* The slot of SO_BINDTOIFINDEX in a TCP record. */
static size_t ifindex_slot(void)
{
	size_t i = 0;

	while (i < ITER_TCP_NOPTIONS - 1 &&
	       !(tcp_slots[i].level == SOL_SOCKET && tcp_slots[i].name == SO_BINDTOIFINDEX))
		i++;
	return i;
}

/*
 * SO_BINDTODEVICE, which bpf_getsockopt does not give, as the kernel's
 * getsockopt does: the name of the interface of SO_BINDTOIFINDEX with its
 * NUL, empty when unbound, ENODEV when the index names no interface.  The
 * pass runs inside the socket's own network namespace, so the index is
 * named there (index 2 in a container is not sockopt's eth0).
 */
static void name_bound_device(sockopt_sock *s, long device, const struct iter_tcp_record *r)
{
	const struct iter_option *o = &r->options[ifindex_slot()];
	char name[IF_NAMESIZE] = "";
	int ifindex = 0, err = o->err;

	if (device < 0)
		return;
	memcpy(&ifindex, o->bytes, sizeof(ifindex));
	if (!err && ifindex > 0 && !if_indextoname((unsigned)ifindex, name))
		err = -ENODEV;
	sockopt_sock_set_option(s, (size_t)device, name, name[0] ? strlen(name) + 1 : 0, err);
}

static void describe(struct pass *p, sockopt_sock *s, const struct iter_tcp_record *r)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sockaddr_of(r, r->local_addr, r->local_port, &local);
	socklen_t plen = sockaddr_of(r, r->peer_addr, r->peer_port, &peer);
	bool full = r->what == ITER_FULL;

	/* A listener or a socket not yet connected has no peer; getpeername fails on it. */
	if (r->peer_port == 0)
		plen = 0;
	sockopt_sock_set_netns(s, r->netns);
	sockopt_sock_set_endpoints(s, r->inode, r->state, full ? (long long)r->recv_q : -1,
				   full ? (long long)r->send_q : -1, &local, llen, &peer, plen);
	if (r->timer < sizeof(timer_names) / sizeof(timer_names[0]))
		sockopt_sock_set_timer(s, timer_names[r->timer], r->timer_ms);
	if (!full)
		return;
	int k = r->family == AF_INET6;

	if (!p->slots_known[k]) {
		for (size_t i = 0; i < ITER_TCP_NOPTIONS; i++)
			p->slots[k][i] = sockopt_sock_option_index(s, tcp_slots[i].level,
								   tcp_slots[i].name);
		p->device[k] = sockopt_sock_option_index(s, SOL_SOCKET, SO_BINDTODEVICE);
		p->slots_known[k] = true;
	}
	for (size_t i = 0; i < ITER_TCP_NOPTIONS; i++) {
		const struct iter_option *o = &r->options[i];

		if (p->slots[k][i] >= 0)
			sockopt_sock_set_option(s, (size_t)p->slots[k][i], o->bytes, o->len, o->err);
	}
	name_bound_device(s, p->device[k], r);
}

/* Whether fd FD is among those the query names (all when it names none). */
static bool fd_wanted(const struct bpf_show_query *q, int fd)
{
	for (size_t i = 0; i < q->nfds; i++)
		if (q->fds[i] == fd)
			return true;
	return q->nfds == 0;
}

/* Hand S over as owned by F (or by nobody), when the query's filter takes it. */
static int hand_over(struct pass *p, sockopt_sock *s, const struct iter_file_record *f)
{
	if (f)
		sockopt_sock_set_owner(s, (pid_t)f->pid, f->comm, (int)f->fd);
	else
		sockopt_sock_set_owner(s, 0, "-", -1);
	if (f && !fd_wanted(p->q, (int)f->fd))
		return 0;
	if (p->q->filter && !p->q->filter(s, p->q->filter_ctx))
		return 0;
	p->count++;
	return p->fn(s, p->ctx);
}

/* Compare inodes only, to find any owner of a socket. */
static int inode_only(const void *a, const void *b)
{
	const struct iter_file_record *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

static int on_tcp(const void *rec, void *ctx)
{
	struct pass *p = ctx;
	const struct iter_tcp_record *r = rec;
	struct iter_file_record key = { .inode = r->inode };
	struct owners *o = p->owners;
	struct iter_file_record *f = NULL;
	sockopt_sock *s;
	int err = 0;

	if (r->inode && o->n)
		f = bsearch(&key, o->v, o->n, sizeof(*o->v), inode_only);
	if (!f && p->q->pid)
		return 0; /* not this process's */
	if (sockopt_scan_sock_new(p->scan, r->family, SOCK_STREAM, IPPROTO_TCP, "bpf", &s) < 0)
		return -ENOMEM;
	describe(p, s, r);
	if (!f)
		return hand_over(p, s, NULL);
	/* bsearch found one owner of the inode; the others sit beside it. */
	while (f > o->v && f[-1].inode == r->inode)
		f--;
	for (; err == 0 && f < o->v + o->n && f->inode == r->inode; f++)
		err = hand_over(p, s, f);
	return err;
}

/* The inode of this process's network namespace, or 0. */
static __u32 own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (__u32)st.st_ino : 0;
}

/* Enter network namespace NS through one of the N DOORS of it; false when none is left to. */
static bool enter_netns(const struct bpf_netns_door *doors, size_t n, __u32 ns)
{
	char path[64];
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		int fd;

		if (doors[i].netns != ns)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)doors[i].pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* The process may have moved since: enter only the namespace asked for. */
		if (fstat(fd, &st) == 0 && st.st_ino == ns && setns(fd, CLONE_NEWNET) == 0) {
			close(fd);
			return true;
		}
		close(fd);
	}
	return false;
}

/* The distinct namespaces of the N DOORS, this process's first (it also holds the sockets no process does). */
static size_t distinct_netns(const struct bpf_netns_door *doors, size_t n, __u32 self,
			     __u32 **out)
{
	__u32 *ns = malloc((n + 1) * sizeof(*ns));
	size_t k = 0;

	if (!ns)
		return 0;
	ns[k++] = self;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < k && ns[j] != doors[i].netns)
			j++;
		if (j == k && doors[i].netns)
			ns[k++] = doors[i].netns;
	}
	*out = ns;
	return k;
}

/*
 * An iterator sees the network namespace of the process that starts it,
 * so each namespace other than ours is read from inside it (setns), and
 * we return to ours through HOME afterwards.
 */
int bpf_read_every_netns(int link, size_t size, int (*each)(const void *rec, void *ctx),
			 void *ctx, const struct bpf_netns_door *doors, size_t ndoors,
			 struct bpf_show_diag *diag)
{
	__u32 self = own_netns(), *ns = NULL;
	size_t n = distinct_netns(doors, ndoors, self, &ns);
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), r = 0;

	if (n == 0)
		return bpf_show_fail(diag, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (i > 0 && (home < 0 || !enter_netns(doors, ndoors, ns[i]))) {
			fprintf(stderr, "sockopt: the TCP sockets of network namespace %u were not "
					"reached: no process of it could be entered.\n", ns[i]);
			continue;
		}
		r = bpf_read_records(link, size, each, ctx, diag);
		if (i > 0 && setns(home, CLONE_NEWNET) < 0)
			r = bpf_show_fail(diag, -errno, "returning to our network namespace failed: %s",
					  strerror(errno));
	}
	if (home >= 0)
		close(home);
	free(ns);
	return r;
}

/* The namespace and process of each owner, to enter each namespace through. */
static int read_every_netns(int tcp, struct pass *p, struct bpf_show_diag *diag)
{
	const struct owners *o = p->owners;
	struct bpf_netns_door *doors = malloc((o->n + 1) * sizeof(*doors));
	int r;

	if (!doors)
		return bpf_show_fail(diag, -ENOMEM, "out of memory");
	for (size_t i = 0; i < o->n; i++)
		doors[i] = (struct bpf_netns_door){ o->v[i].netns, (pid_t)o->v[i].pid };
	r = bpf_read_every_netns(tcp, sizeof(struct iter_tcp_record), on_tcp, p, doors, o->n,
				 diag);
	free(doors);
	return r;
}

int bpf_show_scan(sockopt_scan *scan, const struct bpf_show_query *q, sockopt_sock_fn fn,
		  void *ctx, struct bpf_show_diag *diag)
{
	struct owners owners = { .pid = q->pid };
	struct pass p = { .scan = scan, .q = q, .owners = &owners, .fn = fn, .ctx = ctx };
	int task = bpf_iter_link(BPF_ITER_TASK_FILE, diag), tcp = -1, r;

	if (task < 0)
		return task;
	r = bpf_read_records(task, sizeof(struct iter_file_record), keep_owner, &owners, diag);
	if (r == -ENOMEM)
		r = bpf_show_fail(diag, r, "out of memory");
	if (r == 0 && owners.n > 0) /* qsort wants a pointer even for no elements */
		qsort(owners.v, owners.n, sizeof(*owners.v), by_inode);
	if (r == 0 && (tcp = bpf_iter_link(BPF_ITER_TCP, diag)) < 0)
		r = tcp;
	if (r == 0)
		r = read_every_netns(tcp, &p, diag);
	if (tcp >= 0)
		close(tcp);
	close(task);
	free(owners.v);
	return r < 0 ? r : p.count;
}
