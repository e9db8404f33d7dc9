/* proc_external.c: sockets read by another reader (a BPF iterator), described and valued through the same plans as the pidfd path. */
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>

#include "proc.h"

/* The values the description already holds, as sock_read_options takes them; the rest wait for the reader. */
static void fill_described(struct sockopt_sock *s)
{
	const struct kind_plan *p = s->plan;

	for (size_t i = 0; i < p->count; i++)
		s->errors[i] = -ENODATA;
	for (size_t k = 0; k < p->ndescribed; k++) {
		size_t i = p->described[k];

		s->errors[i] = 0;
		switch ((enum option_source)p->sources[i]) {
		case SRC_DOMAIN:
			sockopt_value_set_int(&s->values[i], s->family);
			break;
		case SRC_TYPE:
			sockopt_value_set_int(&s->values[i], s->type);
			break;
		case SRC_PROTOCOL:
			sockopt_value_set_int(&s->values[i], s->protocol);
			break;
		case SRC_ACCEPTCONN:
			sockopt_value_set_int(&s->values[i], s->state == TCP_LISTEN);
			break;
		default: /* described holds only the four above */
			break;
		}
	}
}

SOCKOPT_EXPORT int sockopt_scan_sock_new(sockopt_scan *scan, int family, int type, int protocol,
					 const char *backend, sockopt_sock **out)
{
	struct sockopt_sock *s = &scan->sock;
	unsigned kind = kind_of(family, type);

	sock_init(s, scan, 0, "", scan->values, scan->errors);
	s->fd = -1;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->kind = kind;
	s->netns = scan->home_netns; /* until the reader says otherwise (sockopt_sock_set_netns) */
	s->backend = backend;
	s->recv_q = s->send_q = -1;
	s->acceptconn = -1;
	name_proto(s);
	if (kind) {
		s->plan = plan_of(scan, s);
		if (!s->plan)
			return -ENOMEM;
		s->option_count = s->plan->count;
	}
	s->prefetched = true; /* sockopt_sock_read_options hands over what the reader gave */
	s->prefetch_result = (int)s->option_count;
	*out = s;
	return 0;
}

SOCKOPT_EXPORT void sockopt_sock_set_owner(sockopt_sock *s, pid_t pid, const char *comm, int fd)
{
	s->pid = pid;
	s->comm = comm;
	s->fd = fd;
}

/* Copy LEN bytes of ADDR into V (an empty value when there is none). */
static void set_address(sockopt_value *v, const void *addr, socklen_t len)
{
	v->len = addr && len <= sizeof(v->v.bytes) ? len : 0;
	if (v->len)
		memcpy(v->v.bytes, addr, v->len);
}

SOCKOPT_EXPORT void sockopt_sock_set_endpoints(sockopt_sock *s, uint64_t inode, int state,
					       long long recv_q, long long send_q,
					       const void *local, socklen_t local_len,
					       const void *peer, socklen_t peer_len)
{
	s->inode = inode;
	s->state = state;
	s->recv_q = recv_q;
	s->send_q = send_q;
	set_address(&s->local, local, local_len);
	set_address(&s->peer, peer, peer_len);
	if (s->plan)
		fill_described(s);
}

SOCKOPT_EXPORT void sockopt_sock_set_timer(sockopt_sock *s, const char *name, long long ms)
{
	s->timer = name;
	s->timer_ms = ms;
}

SOCKOPT_EXPORT void sockopt_sock_set_queues(sockopt_sock *s, long long recv_q, long long send_q)
{
	s->recv_q = recv_q;
	s->send_q = send_q;
}

SOCKOPT_EXPORT long sockopt_sock_option_index(const sockopt_sock *s, int level, int optname)
{
	for (size_t i = 0; i < s->option_count; i++)
		if (s->plan->entries[i]->level == level && s->plan->entries[i]->optname == optname)
			return (long)i;
	return -ENOENT;
}

SOCKOPT_EXPORT int sockopt_sock_set_option(sockopt_sock *s, size_t i, const void *bytes,
					   socklen_t len, int err)
{
	sockopt_value *v;

	if (i >= s->option_count || len > sizeof(v->v.bytes))
		return -EINVAL;
	v = &s->values[i];
	v->v.u64 = 0;
	if (len == sizeof(int)) /* most options: a fixed-size copy, not a call */
		memcpy(v->v.bytes, bytes, sizeof(int));
	else
		memcpy(v->v.bytes, bytes, len);
	v->len = len;
	s->errors[i] = err < 0 ? err : 0;
	return 0;
}

SOCKOPT_EXPORT int sockopt_sock_set_ints(sockopt_sock *s, const size_t *index, const int *values,
					 size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (index[k] >= s->option_count)
			return -EINVAL;
	for (size_t k = 0; k < n; k++) {
		sockopt_value *v = &s->values[index[k]];

		v->v.u64 = 0;
		v->v.i = values[k];
		v->len = sizeof(int);
		s->errors[index[k]] = 0;
	}
	return 0;
}

SOCKOPT_EXPORT const char *sockopt_sock_backend(const sockopt_sock *s)
{
	return s->backend ? s->backend : "pidfd";
}

SOCKOPT_EXPORT const char *sockopt_sock_timer(const sockopt_sock *s, long long *ms)
{
	if (s->timer && ms)
		*ms = s->timer_ms;
	return s->timer;
}

/*
 * A socket of another namespace takes the plan of that namespace, whose
 * defaults come from fresh sockets made there: the reader calls this from
 * inside the namespace (the BPF backend does), before it gives values.
 */
SOCKOPT_EXPORT void sockopt_sock_set_netns(sockopt_sock *s, uint64_t netns)
{
	if (s->netns == netns)
		return;
	s->netns = netns;
	if (!s->kind || !s->prefetched)
		return;
	s->plan = plan_of(s->scan, s);
	s->option_count = s->plan ? s->plan->count : 0;
	s->prefetch_result = s->plan ? (int)s->option_count : -ENOMEM;
}

SOCKOPT_EXPORT uint64_t sockopt_sock_netns(const sockopt_sock *s)
{
	return s->netns;
}
