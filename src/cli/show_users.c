/* show_users.c: what show learns of each socket from outside its fd: which processes hold it (as ss -p) and its TCP timer (as ss -o). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "show.h"
#include "sockdiag.h"

bool show_users_add(struct show_users *u, uint64_t inode, pid_t pid, int fd, const char *comm)
{
	if (u->n == u->room) {
		size_t room = u->room ? 2 * u->room : 256;
		struct show_user *grown = realloc(u->v, room * sizeof(*grown));

		if (!grown)
			return false;
		u->v = grown;
		u->room = room;
	}
	u->v[u->n] = (struct show_user){ .inode = inode, .pid = pid, .fd = fd };
	/* Zeroed above, so the copy stays terminated; one per socket, without snprintf's parsing. */
	memcpy(u->v[u->n].comm, comm, strnlen(comm, sizeof(u->v[u->n].comm) - 1));
	u->n++;
	return true;
}

/* The comm of PID as the kernel gives it (any byte but NUL; only its closing newline taken off). */
static void read_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * The sockets among PID's fds: one readlink per fd ("socket:[INODE]"), as
 * ss -p reads them.  A process that cannot be read (another user's, gone)
 * adds nothing: show says why when it reads the process itself.
 */
static bool collect_pid(struct show_users *u, pid_t pid)
{
	char path[64], link[64], comm[sizeof(u->v->comm)];
	struct dirent *d;
	DIR *dir;
	bool ok = true;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(dir = opendir(path)))
		return true;
	read_comm(pid, comm, sizeof(comm));
	while (ok && (d = readdir(dir))) {
		unsigned long long inode;
		ssize_t n;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		n = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%llu]", &inode) == 1)
			ok = show_users_add(u, inode, pid, atoi(d->d_name), comm);
	}
	closedir(dir);
	return ok;
}

static int by_inode_pid_fd(const void *a, const void *b)
{
	const struct show_user *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

bool show_users_collect(struct show_users *u, const pid_t *pids, size_t npids)
{
	bool ok = true;

	if (npids) {
		for (size_t i = 0; ok && i < npids; i++)
			ok = collect_pid(u, pids[i]);
	} else {
		DIR *proc = opendir("/proc");
		struct dirent *d;

		while (ok && proc && (d = readdir(proc)))
			if (isdigit((unsigned char)d->d_name[0]))
				ok = collect_pid(u, (pid_t)atoi(d->d_name));
		if (proc)
			closedir(proc);
	}
	if (u->n)
		qsort(u->v, u->n, sizeof(*u->v), by_inode_pid_fd);
	return ok;
}

struct show_user *show_users_of(struct show_users *u, uint64_t inode, size_t *n)
{
	long first;
	size_t i;

	if (u->index.base != (const void *)u->v || u->index.n != u->n)
		inode_index_build(&u->index, u->v, u->n, sizeof(*u->v),
				  offsetof(struct show_user, inode));
	*n = 0;
	if ((first = inode_index_first(&u->index, inode)) < 0)
		return NULL;
	for (i = (size_t)first; i < u->n && u->v[i].inode == inode; i++)
		;
	*n = i - (size_t)first;
	return &u->v[first];
}

void show_users_free(struct show_users *u)
{
	inode_index_free(&u->index);
	free(u->v);
	memset(u, 0, sizeof(*u));
}

/* ---- timers, from sock_diag --------------------------------------------- */

/* Keep E (its retransmits are not kept: the BPF backend does not read them, and both print alike). */
static void keep(struct show_timers *t, struct show_timer e)
{
	if (t->failed)
		return;
	if (t->n == t->room) {
		size_t room = t->room ? 2 * t->room : 256;
		struct show_timer *grown = realloc(t->v, room * sizeof(*grown));

		if (!grown) {
			t->failed = true;
			return;
		}
		t->v = grown;
		t->room = room;
	}
	t->v[t->n++] = e;
}

static void keep_timer(const struct diag_tcp_timer *d, void *ctx)
{
	keep(ctx, (struct show_timer){ d->inode, d->timer, d->ms, d->rqueue, -1 });
}

static void keep_unix_listener(unsigned long long inode, unsigned rqueue, unsigned wqueue, void *ctx)
{
	keep(ctx, (struct show_timer){ inode, -1, 0, rqueue, wqueue });
}

static int by_timer_inode(const void *a, const void *b)
{
	const struct show_timer *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

void show_timers_collect(struct show_timers *t, bool tcp, bool unix_listeners)
{
	if (tcp && diag_tcp_timers(keep_timer, t) < 0)
		t->failed = true;
	if (unix_listeners && diag_unix_listeners(keep_unix_listener, t) < 0)
		t->failed = true;
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), by_timer_inode);
}

const char *show_timer_of(const struct show_timers *t, uint64_t inode, long long *ms)
{
	static const char *const names[] = { "off", "on", "keepalive", "timewait", "persist" };
	struct show_timer key = { .inode = inode };
	const struct show_timer *f;

	if (!inode || !t->n)
		return NULL;
	f = bsearch(&key, t->v, t->n, sizeof(*t->v), by_timer_inode);
	if (!f || f->timer < 0 || (size_t)f->timer >= sizeof(names) / sizeof(names[0]))
		return NULL;
	*ms = f->ms;
	return names[f->timer];
}

bool show_queues_of(const struct show_timers *t, uint64_t inode, long long *recv_q,
		    long long *send_q)
{
	struct show_timer key = { .inode = inode };
	const struct show_timer *f;

	if (!inode || !t->n)
		return false;
	f = bsearch(&key, t->v, t->n, sizeof(*t->v), by_timer_inode);
	if (!f)
		return false;
	*recv_q = f->recv_q;
	if (f->send_q >= 0)
		*send_q = f->send_q;
	return true;
}

void show_timers_free(struct show_timers *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
