/* bpf_show.c: the sockets of a query read through the iterators, joined with their owners on the socket inode, handed over as sockopt_sock objects. */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
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
#include "decode.h"
#include "inodes.h"
#include "optnames.h"
#include "iter.h"

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

/* The owners of sockets, sorted by inode and indexed by it; MET marks those an iterator met. */
struct owners {
	struct iter_file_record *v;
	unsigned char *met;
	size_t n, room;
	pid_t pid;
	struct inode_index index;
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

/* An array that grows by doubling: N items of SIZE bytes at V, room for ROOM. */
struct grow {
	void *v;
	size_t n, room;
};

/* Append the SIZE bytes of ITEM to G; -ENOMEM. */
static int grow_push(struct grow *g, const void *item, size_t size)
{
	if (g->n == g->room) {
		size_t room = g->room ? 2 * g->room : 64;
		void *grown = realloc(g->v, room * size);

		if (!grown)
			return -ENOMEM;
		g->v = grown;
		g->room = room;
	}
	memcpy((char *)g->v + g->n++ * size, item, size);
	return 0;
}

/* What a TCP pass carries from record to record. */
struct pass {
	sockopt_scan *scan;
	const struct bpf_show_query *q;
	struct owners *owners;
	sockopt_sock_fn fn;
	void *ctx;
	int count;
	struct bpf_reader *reader; /* reads the socket iterators ahead; NULL: this thread reads */
	struct bpf_show_diag *diag;
	/*
	 * The one pass of a process (iter_tcp_fds.bpf.c): the TCP sockets it
	 * handed over at once (HANDED, by inode), and those held by more than
	 * one fd, which wait for the pass to have found every holder (LATER).
	 */
	struct grow handed, later;
	__u32 self_netns; /* our network namespace's inode */
	struct bpf_decoder decoder;
};

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

/* The first of the owners of socket INODE (the others follow it), or NULL when no process holds it. */
static struct iter_file_record *first_owner(const struct owners *o, __u64 inode)
{
	long first = inode_index_first(&o->index, inode);

	return first < 0 ? NULL : &o->v[first];
}

/*
 * Hand S (socket INODE, whose first owner is F) over once per process fd
 * that holds it, marking those owners met, or once as nobody's in a
 * whole-machine query.
 */
static int hand_to_owners(struct pass *p, sockopt_sock *s, __u64 inode, struct iter_file_record *f)
{
	struct owners *o = p->owners;
	int err = 0;

	if (!f)
		return p->q->pid ? 0 : hand_over(p, s, NULL);
	/*
	 * An iterator resumes each read() by its offset in a hash bucket, so
	 * sockets made or closed meanwhile can make it meet a socket twice
	 * (or skip one, which fall_back then reads): shown once.
	 */
	if (o->met[f - o->v])
		return 0;
	for (; err == 0 && f < o->v + o->n && f->inode == inode; f++) {
		o->met[f - o->v] = 1;
		err = hand_over(p, s, f);
	}
	return err;
}

/* Whether the query wants sockets of KIND (0: a family sockopt has no options for). */
static bool kind_wanted(const struct bpf_show_query *q, unsigned kind)
{
	return q->kinds == 0 || (kind & q->kinds);
}

/* *S made by the scan from TCP record R. */
static int tcp_sock(struct pass *p, const struct iter_tcp_record *r, sockopt_sock **s)
{
	int err = sockopt_scan_sock_new(p->scan, r->family, SOCK_STREAM, IPPROTO_TCP, "bpf", s);

	if (err == 0)
		bpf_decode_tcp(&p->decoder, *s, r);
	return err;
}

static int on_tcp(const void *rec, void *ctx)
{
	struct pass *p = ctx;
	const struct iter_tcp_record *r = rec;
	struct iter_file_record *f = first_owner(p->owners, r->inode);
	sockopt_sock *s;

	p->diag->records++;
	if (p->q->pid && !f)
		return 0; /* not this process's: the pass need not build it */
	if (tcp_sock(p, r, &s) < 0)
		return -ENOMEM;
	return hand_to_owners(p, s, r->inode, f);
}

/*
 * One socket fd of the process from its one pass (iter_tcp_fds.bpf.c):
 * its owner kept, and a TCP socket of our namespace that no other fd
 * holds handed over at once, while the pass goes on; one that other fds
 * hold too waits until the pass has found them all.
 */
static int on_fd(const void *rec, void *ctx)
{
	struct pass *p = ctx;
	const struct iter_fd_record *d = rec;
	sockopt_sock *s;
	int r;

	if ((r = keep_owner(&d->file, p->owners)) < 0 || !d->tcp || d->file.netns != p->self_netns)
		return r;
	if (d->refs != 2) /* the fd's, and the pass's own */
		return grow_push(&p->later, &d->r, sizeof(d->r));
	p->diag->records++;
	if ((r = grow_push(&p->handed, &d->file.inode, sizeof(d->file.inode))) < 0 ||
	    (r = tcp_sock(p, &d->r, &s)) < 0)
		return r;
	return hand_over(p, s, &d->file);
}

/* A UDP or unix record as a socket, handed over to its owners. */
static int on_sock(const void *rec, void *ctx)
{
	struct pass *p = ctx;
	const struct iter_sock_record *r = rec;
	sockopt_sock *s;
	int protocol = r->family == AF_UNIX ? 0 : IPPROTO_UDP;
	struct iter_file_record *f = first_owner(p->owners, r->inode);

	p->diag->records++;
	if (p->q->pid && !f)
		return 0;
	if (sockopt_scan_sock_new(p->scan, r->family, r->type, protocol, "bpf", &s) < 0)
		return -ENOMEM;
	bpf_decode_sock(&p->decoder, s, r);
	return hand_to_owners(p, s, r->inode, f);
}

/* The socket iterators a query needs, each with its record and its reader. */
struct reader {
	int which;
	unsigned kinds; /* SOCKOPT_KIND_* its sockets are */
	size_t size;
	int (*each)(const void *rec, void *ctx);
	int link;
	struct bpf_narrow narrowed; /* while this run names its sockets to it */
};

static struct reader readers[] = {
	{ BPF_ITER_TCP, SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6, sizeof(struct iter_tcp_record), on_tcp,
	  -1, BPF_NARROW_NONE },
	{ BPF_ITER_UDP, SOCKOPT_KIND_UDP | SOCKOPT_KIND_UDP6, sizeof(struct iter_sock_record),
	  on_sock, -1, BPF_NARROW_NONE },
	{ BPF_ITER_UNIX, SOCKOPT_KIND_UNIX | SOCKOPT_KIND_UNIX_DGRAM | SOCKOPT_KIND_UNIX_SEQPACKET,
	  sizeof(struct iter_sock_record), on_sock, -1, BPF_NARROW_NONE },
};

#define NREADERS (sizeof(readers) / sizeof(readers[0]))

/*
 * Name the inodes of the sockets of the fds a one-process query wants to
 * each reader, so that its program skips the machine's other sockets
 * before reading their options; those it reads anyway (a reader that
 * cannot be narrowed, a bit shared by another inode) on_tcp and on_sock
 * drop as before.
 */
static int narrow_readers(const struct bpf_show_query *q, const struct owners *o, pid_t tid)
{
	uint64_t *inodes = malloc((o->n + 1) * sizeof(*inodes));
	size_t n = 0;
	int r = inodes ? 0 : -ENOMEM;

	for (size_t i = 0; inodes && i < o->n; i++)
		if (fd_wanted(q, (int)o->v[i].fd) && (n == 0 || inodes[n - 1] != o->v[i].inode))
			inodes[n++] = o->v[i].inode;
	for (size_t i = 0; r == 0 && i < NREADERS; i++)
		if (readers[i].link >= 0)
			r = bpf_narrow_begin(readers[i].link, tid, inodes, n, &readers[i].narrowed);
	free(inodes);
	return r;
}

/*
 * Read the socket iterators through a reader thread, narrowed to the
 * query's sockets when it names a process; where the reader thread
 * cannot be narrowed (before Linux 6.9) this thread reads, narrowed, as
 * skipping the machine's other sockets saves more than reading ahead.
 */
static void start_reading(struct pass *p, const struct owners *o)
{
	if (!p->reader)
		p->reader = bpf_reader_start();
	if (!p->q->pid)
		return;
	if (p->reader && narrow_readers(p->q, o, bpf_reader_tid(p->reader)) < 0) {
		for (size_t i = 0; i < NREADERS; i++)
			bpf_narrow_end(&readers[i].narrowed);
		bpf_reader_stop(p->reader);
		p->reader = NULL;
	}
	if (!p->reader)
		narrow_readers(p->q, o, getpid());
}

/* Every reader the query wants, from this namespace's point of view. */
static int read_here(void *ctx, struct bpf_show_diag *diag)
{
	struct pass *p = ctx;
	int r = 0;

	for (size_t i = 0; r == 0 && i < NREADERS; i++) {
		const struct reader *it = &readers[i];

		if (it->link >= 0 && p->reader)
			r = bpf_reader_records(p->reader, it->link, it->size, it->each, p, diag);
		else if (it->link >= 0)
			r = bpf_read_records(it->link, it->size, it->each, p, diag);
	}
	return r;
}

/* The namespace and process of each owner, to enter each namespace through. */
static int read_every_netns(struct pass *p, struct bpf_show_diag *diag)
{
	const struct owners *o = p->owners;
	struct bpf_netns_door *doors = malloc((o->n + 1) * sizeof(*doors));
	int r;

	if (!doors)
		return bpf_show_fail(diag, -ENOMEM, "out of memory");
	for (size_t i = 0; i < o->n; i++)
		doors[i] = (struct bpf_netns_door){ o->v[i].netns, (pid_t)o->v[i].pid };
	/* A namespace not entered: its sockets' owners are read through pidfd_getfd (fall_back). */
	r = bpf_in_every_netns(doors, o->n, NULL, read_here, p, diag);
	free(doors);
	return r;
}

/* The SOCKOPT_KIND_* bit of a family and type, or 0 (sockopt_kind_triple's table read backwards). */
static unsigned kind_of(int family, int type)
{
	for (unsigned k = 1; k & SOCKOPT_KIND_ALL; k <<= 1) {
		int f, t, proto;

		if (sockopt_kind_triple(k, &f, &t, &proto) == 0 && f == family && t == type)
			return k;
	}
	return 0;
}

/*
 * The kinds of the sockets the query may hand over: of a process, those
 * its wanted fds hold (an iterator for no other kind need not be loaded
 * or read); of the whole machine, every kind, for the sockets no process
 * holds.
 */
static unsigned kinds_held(const struct bpf_show_query *q, const struct owners *o)
{
	unsigned held = 0, kind = 0;
	int family = -1, type = -1;

	if (!q->pid)
		return SOCKOPT_KIND_ALL;
	for (size_t i = 0; i < o->n; i++) {
		if (!fd_wanted(q, (int)o->v[i].fd))
			continue;
		if (o->v[i].family != family || o->v[i].type != type) { /* kind_of once per run of alike fds */
			family = o->v[i].family;
			type = o->v[i].type;
			kind = kind_of(family, type);
		}
		held |= kind;
	}
	return held;
}

/* Whether the task_file pass found socket fd FD in process PID. */
static bool holds_fd(const struct owners *o, pid_t pid, int fd)
{
	for (size_t i = 0; i < o->n; i++)
		if ((pid_t)o->v[i].pid == pid && (int)o->v[i].fd == fd)
			return true;
	return false;
}

static int by_pid_fd(const void *a, const void *b)
{
	const struct iter_file_record *x = *(const struct iter_file_record *const *)a;
	const struct iter_file_record *y = *(const struct iter_file_record *const *)b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * Hand over a socket read through pidfd_getfd, but not an fd that was
 * closed or became another file since the task_file pass: nothing of it
 * is missing (processes that open and close sockets all the time do so
 * between the two passes).
 */
static int pidfd_socket(sockopt_sock *s, void *ctx)
{
	const struct pass *p = ctx;
	int err = sockopt_sock_error(s);

	if (err == -EBADF || err == -ENOTSOCK)
		return 0;
	return p->fn(s, p->ctx);
}

/* Read the N fds of process PID the iterators did not meet through pidfd_getfd. */
static int read_through_pidfd(struct pass *p, pid_t pid, const int *fds, size_t n)
{
	struct sockopt_diag d;
	int r;

	sockopt_scan_set_filter(p->scan, p->q->filter, p->q->filter_ctx);
	/* Fds named on the command line are reported whatever they became. */
	r = sockopt_scan_pid(p->scan, pid, fds, n, p->q->nfds ? p->fn : pidfd_socket,
			     p->q->nfds ? p->ctx : (void *)p, &d);
	sockopt_scan_set_filter(p->scan, NULL, NULL);
	if (r >= 0) {
		p->count += r;
		return 0;
	}
	/* A process that exited since the task_file pass has nothing left to show. */
	if (r != -ESRCH && p->q->failed)
		p->q->failed(pid, r, d.text, p->ctx);
	return r == -ENOMEM ? bpf_show_fail(p->diag, r, "out of memory") : 0;
}

/*
 * The socket fds the task_file pass found that no socket iterator met,
 * of the kinds the query wants, read through pidfd_getfd, process by
 * process in fd order.
 */
static int fall_back(struct pass *p, struct bpf_show_diag *diag)
{
	const struct owners *o = p->owners;
	const struct iter_file_record **left = malloc((o->n + 1) * sizeof(*left));
	int *fds = malloc((o->n + p->q->nfds + 1) * sizeof(*fds)), r = 0;
	size_t n = 0, k_named = 0;

	if (!left || !fds) {
		free(left);
		free(fds);
		return bpf_show_fail(diag, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < o->n; i++)
		if (!o->met[i] && kind_wanted(p->q, kind_of(o->v[i].family, o->v[i].type)) &&
		    fd_wanted(p->q, (int)o->v[i].fd))
			left[n++] = &o->v[i];
	if (n)
		qsort(left, n, sizeof(*left), by_pid_fd);
	/* An fd named on the command line that is no socket: pidfd_getfd says what it is. */
	for (size_t i = 0; i < p->q->nfds; i++)
		if (!holds_fd(o, p->q->pid, p->q->fds[i]))
			fds[k_named++] = p->q->fds[i];
	if (k_named)
		r = read_through_pidfd(p, p->q->pid, fds, k_named);
	for (size_t i = 0, j; r == 0 && i < n; i = j) {
		size_t k = 0;

		for (j = i; j < n && left[j]->pid == left[i]->pid; j++)
			fds[k++] = (int)left[j]->fd;
		r = read_through_pidfd(p, (pid_t)left[i]->pid, fds, k);
	}
	free(left);
	free(fds);
	return r;
}

/*
 * The link of the one pass over process PID's fds that gives both its
 * owners and its TCP sockets (iter_tcp_fds.bpf.c), when the query wants
 * TCP sockets and the process is of our namespace (the pass reads only
 * sockets of ours; the others are read through pidfd_getfd); -1 when it
 * does not apply or its program cannot be loaded (bpf_rdonly_cast needs
 * Linux 6.2): the task_file pass and the TCP iterator are read instead.
 */
static int one_pass_link(const struct bpf_show_query *q, __u32 self, struct bpf_show_diag *diag)
{
	struct bpf_show_diag quiet = { 0 };
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)q->pid);
	if (!q->pid || !kind_wanted(q, SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6) ||
	    stat(path, &st) != 0 || st.st_ino != self)
		return -1;
	fd = bpf_iter_link_pid(BPF_ITER_TCP_FDS, q->pid, &quiet);
	diag->loaded += quiet.loaded;
	diag->unpinned |= quiet.unpinned;
	return fd < 0 ? -1 : fd;
}

/*
 * After the one pass, with the owners known: the sockets it handed over
 * are marked met, and those several fds hold are handed over to all of them.
 */
static int after_one_pass(struct pass *p)
{
	const __u64 *handed = p->handed.v;
	const struct iter_tcp_record *later = p->later.v;
	struct owners *o = p->owners;
	int r = 0;

	for (size_t i = 0; i < p->handed.n; i++)
		for (struct iter_file_record *f = first_owner(o, handed[i]);
		     f && f < o->v + o->n && f->inode == handed[i]; f++)
			o->met[f - o->v] = 1;
	for (size_t i = 0; r == 0 && i < p->later.n; i++)
		r = on_tcp(&later[i], p);
	return r;
}

int bpf_show_scan(sockopt_scan *scan, const struct bpf_show_query *q, sockopt_sock_fn fn,
		  void *ctx, struct bpf_show_diag *diag)
{
	struct owners owners = { .pid = q->pid };
	struct pass p = { .scan = scan, .q = q, .owners = &owners, .fn = fn, .ctx = ctx,
			  .diag = diag, .self_netns = bpf_own_netns() };
	int one = one_pass_link(q, p.self_netns, diag);
	int task = one >= 0 ? one
		   : q->pid ? bpf_iter_link_pid(BPF_ITER_TASK_FILE, q->pid, diag)
			    : bpf_iter_link(BPF_ITER_TASK_FILE, diag);
	unsigned held;
	int r;

	if (task < 0)
		return task;
	/* The one pass is read ahead by the reader thread while this one hands its sockets over. */
	if (one >= 0 && (p.reader = bpf_reader_start()))
		r = bpf_reader_records(p.reader, one, sizeof(struct iter_fd_record), on_fd, &p, diag);
	else if (one >= 0)
		r = bpf_read_records(one, sizeof(struct iter_fd_record), on_fd, &p, diag);
	else
		r = bpf_read_records(task, sizeof(struct iter_file_record), keep_owner, &owners, diag);
	if (r == -ENOMEM)
		r = bpf_show_fail(diag, r, "out of memory");
	if (r == 0 && owners.n > 0) /* qsort wants a pointer even for no elements */
		qsort(owners.v, owners.n, sizeof(*owners.v), by_inode);
	/* Without its table the index searches the sorted owners: slower, never wrong. */
	if (r == 0)
		inode_index_build(&owners.index, owners.v, owners.n, sizeof(*owners.v),
				  offsetof(struct iter_file_record, inode));
	for (size_t i = 0; r == 0 && q->owner && i < owners.n; i++) {
		const struct iter_file_record *f = &owners.v[i];
		char comm[sizeof(f->comm) + 1];
		size_t len = strnlen(f->comm, sizeof(f->comm));

		memcpy(comm, f->comm, len); /* once per socket: snprintf cost more than the rest of this loop */
		comm[len] = '\0';
		if ((r = q->owner(f->inode, (pid_t)f->pid, (int)f->fd, comm, q->owner_ctx)) < 0)
			r = bpf_show_fail(diag, r, "out of memory");
	}
	if (r == 0 && !(owners.met = calloc(owners.n + 1, 1)))
		r = bpf_show_fail(diag, -ENOMEM, "out of memory");
	if (r == 0 && one >= 0)
		r = after_one_pass(&p);
	held = r == 0 ? kinds_held(q, &owners) : 0;
	if (one >= 0) /* it read the TCP sockets of our namespace; those of others are read through pidfd */
		held &= ~(unsigned)(SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6);
	for (size_t i = 0; r == 0 && i < NREADERS; i++)
		if (kind_wanted(q, readers[i].kinds) && (readers[i].kinds & held) &&
		    (readers[i].link = bpf_iter_link(readers[i].which, diag)) < 0)
			r = readers[i].link;
	if (r == 0) {
		start_reading(&p, &owners);
		r = read_every_netns(&p, diag);
	}
	for (size_t i = 0; i < NREADERS; i++)
		bpf_narrow_end(&readers[i].narrowed);
	bpf_reader_stop(p.reader);
	if (r == 0)
		r = fall_back(&p, diag);
	for (size_t i = 0; i < NREADERS; i++) {
		if (readers[i].link >= 0)
			close(readers[i].link);
		readers[i].link = -1;
	}
	close(task);
	free(owners.v);
	free(owners.met);
	free(p.handed.v);
	free(p.later.v);
	inode_index_free(&owners.index);
	return r < 0 ? r : p.count;
}
