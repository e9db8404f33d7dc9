/* bpf_decode.c: the records the iterator programs write, decoded into the library's sockopt_sock objects by the same catalog and value code as the pidfd path's. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "decode.h"

/* The level and name of each option slot of a record (struct iter_values). */
static const struct {
	int level, name;
} slots[ITER_NSLOTS] = {
#define ROW(l, n) { l, n },
	ITER_SLOTS(ROW)
#undef ROW
};

static const char *const timer_names[] = { "off", "on", "keepalive", "timewait", "persist" };

/* A record's address as getsockname would give it; length 0 for a peer it does not have. */
static socklen_t sockaddr_of(int family, const __u8 *addr, __u16 port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
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

/*
 * SO_BINDTODEVICE, which bpf_getsockopt does not give, as the kernel's
 * getsockopt does: the name of the interface of SO_BINDTOIFINDEX with its
 * NUL, empty when unbound, ENODEV when the index names no interface.  The
 * pass runs inside the socket's own network namespace, so the index is
 * named there (index 2 in a container is not sockopt's eth0).
 */
static void name_bound_device(sockopt_sock *s, long device, const struct iter_values *o)
{
	char name[IF_NAMESIZE] = "";
	int ifindex = o->v[ITER_I_SO_BINDTOIFINDEX], got = o->got[ITER_I_SO_BINDTOIFINDEX];
	int err = got < 0 ? got : 0;

	if (device < 0 || got == ITER_NOT_READ)
		return;
	if (!err && ifindex > 0 && !if_indextoname((unsigned)ifindex, name))
		err = -ENODEV;
	sockopt_sock_set_option(s, (size_t)device, name, name[0] ? strlen(name) + 1 : 0, err);
}

/* The bytes of slot I of O and their length: an int, one of the wider values, or none. */
static const void *slot_value(const struct iter_values *o, size_t i, socklen_t *len)
{
	switch (i) {
	case ITER_I_SO_ATTACH_FILTER:
	case ITER_I_IP_OPTIONS:
	case ITER_I_IPV6_HOPOPTS:
	case ITER_I_IPV6_RTHDRDSTOPTS:
	case ITER_I_IPV6_RTHDR:
	case ITER_I_IPV6_DSTOPTS:
		*len = 0; /* read only when empty (iter.h) */
		return o->v;
	case ITER_I_TCP_ULP:
		*len = o->ulp[0] ? sizeof(o->ulp) : 0;
		return o->ulp;
	case ITER_I_SO_MAX_PACING_RATE:
		*len = sizeof(o->max_pacing_rate);
		return &o->max_pacing_rate;
	case ITER_I_SO_TXTIME:
		*len = sizeof(o->txtime);
		return o->txtime;
	case ITER_I_SO_LINGER:
		*len = sizeof(o->linger);
		return o->linger;
	case ITER_I_SO_RCVTIMEO:
		*len = sizeof(o->rcvtimeo);
		return o->rcvtimeo;
	case ITER_I_SO_SNDTIMEO:
		*len = sizeof(o->sndtimeo);
		return o->sndtimeo;
	case ITER_I_SO_NETNS_COOKIE:
		*len = sizeof(o->netns_cookie);
		return &o->netns_cookie;
	case ITER_I_TCP_CONGESTION:
		*len = sizeof(o->congestion);
		return o->congestion;
	default:
		*len = sizeof(o->v[i]);
		return &o->v[i];
	}
}

/* The option slots of a record into S: each one the program read. */
static void put_values(struct bpf_decoder *p, sockopt_sock *s, const struct iter_values *o)
{
	unsigned kind = sockopt_sock_kind(s);
	int k = kind ? __builtin_ctz(kind) : 0, ints[ITER_NSLOTS];
	size_t index[ITER_NSLOTS], nints = 0;

	if (!kind)
		return;
	if (!p->known[k]) {
		for (size_t i = 0; i < ITER_NSLOTS; i++) {
			long at = sockopt_sock_option_index(s, slots[i].level, slots[i].name);
			socklen_t len;

			if (at >= 0)
				p->map[k][p->nmap[k]++] = (struct slot_index){
					(unsigned short)i, (unsigned short)at, slot_value(o, i, &len) != &o->v[i]
				};
		}
		p->device[k] = sockopt_sock_option_index(s, SOL_SOCKET, SO_BINDTODEVICE);
		p->known[k] = true;
	}
	/* The ints in one call (a call per option cost more than the copying), the rest one by one. */
	for (size_t j = 0; j < p->nmap[k]; j++) {
		const struct slot_index *m = &p->map[k][j];
		int got = o->got[m->slot];
		socklen_t len;
		const void *bytes;

		if (got == ITER_NOT_READ)
			continue;
		if (got == ITER_GOT && !m->wide) {
			index[nints] = m->index;
			ints[nints++] = o->v[m->slot];
			continue;
		}
		bytes = slot_value(o, m->slot, &len);
		sockopt_sock_set_option(s, m->index, bytes, got < 0 ? 0 : len, got < 0 ? got : 0);
	}
	sockopt_sock_set_ints(s, index, ints, nints);
	name_bound_device(s, p->device[k], o);
}

void bpf_decode_tcp(struct bpf_decoder *p, sockopt_sock *s, const struct iter_tcp_record *r)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sockaddr_of(r->family, r->local_addr, r->local_port, &local);
	socklen_t plen = sockaddr_of(r->family, r->peer_addr, r->peer_port, &peer);
	bool full = r->what == ITER_FULL;

	/* A listener or a socket not yet connected has no peer; getpeername fails on it. */
	if (r->peer_port == 0)
		plen = 0;
	sockopt_sock_set_netns(s, r->netns);
	sockopt_sock_set_endpoints(s, r->inode, r->state, full ? (long long)r->recv_q : -1,
				   full ? (long long)r->send_q : -1, &local, llen, &peer, plen);
	if (r->timer < sizeof(timer_names) / sizeof(timer_names[0]))
		sockopt_sock_set_timer(s, timer_names[r->timer], r->timer_ms);
	if (full)
		put_values(p, s, &r->o);
}

/* A UDP or unix record into S: addresses as getsockname/getpeername give them, state, queues, options. */
void bpf_decode_sock(struct bpf_decoder *d, sockopt_sock *s, const struct iter_sock_record *r)
{
	struct sockaddr_storage local, peer;
	socklen_t llen, plen;

	if (r->family == AF_UNIX) {
		llen = r->local_len <= sizeof(local) ? r->local_len : 0;
		plen = r->peer_len <= sizeof(peer) ? r->peer_len : 0;
		memcpy(&local, r->local_addr, llen);
		memcpy(&peer, r->peer_addr, plen);
	} else {
		llen = sockaddr_of(r->family, r->local_addr, r->local_port, &local);
		plen = r->peer_len ? sockaddr_of(r->family, r->peer_addr, r->peer_port, &peer) : 0;
	}
	sockopt_sock_set_netns(s, r->netns);
	sockopt_sock_set_endpoints(s, r->inode, r->state, r->recv_q, r->send_q, &local, llen,
				   &peer, plen);
	put_values(d, s, &r->o);
}
