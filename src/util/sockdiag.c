/* sockdiag.c: kernel sockets by state, port and address through sock_diag netlink, with libmnl. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "sockdiag.h"

/* Called with every socket a dump returns. */
typedef void (*diag_fn)(const struct nlmsghdr *nlh, const struct inet_diag_msg *m, void *ctx);

struct diag_dump {
	diag_fn fn;
	void *ctx;
};

static int each_message(const struct nlmsghdr *nlh, void *data)
{
	const struct diag_dump *d = data;

	d->fn(nlh, mnl_nlmsg_get_payload(nlh), d->ctx);
	return MNL_CB_OK;
}

/* Send the dump request REQ (LEN bytes: an inet_diag_req_v2 or a unix_diag_req) on NL and feed every answer to D. */
static int request(struct mnl_socket *nl, const void *req, size_t len, struct diag_dump *d)
{
	char buf[32768]; /* MNL_SOCKET_DUMP_SIZE in newer libmnl */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL), portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, len), req, len);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, each_message, d);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
	return n < 0 ? -errno : 0;
}

/* Send REQ (LEN bytes) and call FN with every socket it returns; 0 or -errno. */
static int dump_request(const void *req, size_t len, diag_fn fn, void *ctx)
{
	struct diag_dump d = { fn, ctx };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	int err;

	if (!nl)
		return -errno;
	err = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ? -errno : request(nl, req, len, &d);
	mnl_socket_close(nl);
	return err;
}

/* Call FN with every FAMILY/PROTOCOL socket in STATES (a mask of 1 << TCP_*); 0 or -errno. */
static int dump(int family, int protocol, unsigned states, diag_fn fn, void *ctx)
{
	struct inet_diag_req_v2 req = {
		.sdiag_family = (uint8_t)family,
		.sdiag_protocol = (uint8_t)protocol,
		.idiag_ext = 1u << (INET_DIAG_SKMEMINFO - 1),
		.idiag_states = states,
	};

	return dump_request(&req, sizeof(req), fn, ctx);
}

/* ---- counting by port --------------------------------------------------- */

/* The running count of one dump. */
struct diag_walk {
	const struct diag_filter *f;
	struct diag_count count;
};

/* Add SK_MEMINFO_DROPS from the INET_DIAG_SKMEMINFO attribute, when present. */
static int add_drops(const struct nlattr *attr, void *data)
{
	struct diag_walk *w = data;

	if (mnl_attr_get_type(attr) == INET_DIAG_SKMEMINFO &&
	    mnl_attr_get_payload_len(attr) >= sizeof(uint32_t) * (SK_MEMINFO_DROPS + 1))
		w->count.drops += ((const uint32_t *)mnl_attr_get_payload(attr))[SK_MEMINFO_DROPS];
	return MNL_CB_OK;
}

static void count_message(const struct nlmsghdr *nlh, const struct inet_diag_msg *m, void *ctx)
{
	struct diag_walk *w = ctx;

	if (w->f->local_port >= 0 && ntohs(m->id.idiag_sport) != w->f->local_port)
		return;
	if (w->f->remote_port >= 0 && ntohs(m->id.idiag_dport) != w->f->remote_port)
		return;
	w->count.sockets++;
	mnl_attr_parse(nlh, sizeof(*m), add_drops, w);
}

int diag_count(const struct diag_filter *f, struct diag_count *out)
{
	struct diag_walk w = { .f = f };
	int err = dump(AF_INET, f->protocol, f->states ? f->states : ~0u, count_message, &w);

	if (err == 0)
		*out = w.count;
	return err;
}

/* ---- one connection by its addresses ------------------------------------ */

struct state_query {
	const struct sockaddr_storage *local, *remote;
	int state;
};

/* Whether the address and port of SS are ADDR (idiag_src/dst) and PORT (network order). */
static bool same_end(const struct sockaddr_storage *ss, const __be32 addr[4], __be16 port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		return s6->sin6_port == port && memcmp(&s6->sin6_addr, addr, 16) == 0;
	}
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

	return s4->sin_port == port && s4->sin_addr.s_addr == addr[0];
}

static void match_pair(const struct nlmsghdr *nlh, const struct inet_diag_msg *m, void *ctx)
{
	struct state_query *q = ctx;

	(void)nlh;
	if (same_end(q->local, m->id.idiag_src, m->id.idiag_sport) &&
	    same_end(q->remote, m->id.idiag_dst, m->id.idiag_dport))
		q->state = m->idiag_state;
}

int diag_tcp_state(const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	struct state_query q = { local, remote, 0 };
	int err = dump(local->ss_family, IPPROTO_TCP, ~0u, match_pair, &q);

	return err < 0 ? err : q.state;
}

/* ---- timers of every TCP socket ----------------------------------------- */

struct timer_walk {
	void (*each)(const struct diag_tcp_timer *t, void *ctx);
	void *ctx;
};

static void timer_message(const struct nlmsghdr *nlh, const struct inet_diag_msg *m, void *ctx)
{
	struct timer_walk *w = ctx;
	struct diag_tcp_timer t = { m->idiag_inode, m->idiag_timer, m->idiag_expires,
				    m->idiag_retrans, m->idiag_rqueue };

	(void)nlh;
	w->each(&t, w->ctx);
}

int diag_tcp_timers(void (*each)(const struct diag_tcp_timer *t, void *ctx), void *ctx)
{
	struct timer_walk w = { each, ctx };
	int err = dump(AF_INET, IPPROTO_TCP, ~0u, timer_message, &w);

	return err < 0 ? err : dump(AF_INET6, IPPROTO_TCP, ~0u, timer_message, &w);
}

/* ---- queues of unix listeners ------------------------------------------- */

struct unix_walk {
	void (*each)(unsigned long long inode, unsigned rqueue, unsigned wqueue, void *ctx);
	void *ctx;
};

/* The message is a unix_diag_msg, not the inet_diag_msg diag_fn names: only the header is shared. */
static void unix_message(const struct nlmsghdr *nlh, const struct inet_diag_msg *unused, void *ctx)
{
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct unix_walk *w = ctx;
	const struct nlattr *attr;

	(void)unused;
	mnl_attr_for_each(attr, nlh, sizeof(*m)) {
		if (mnl_attr_get_type(attr) == UNIX_DIAG_RQLEN &&
		    mnl_attr_get_payload_len(attr) >= sizeof(struct unix_diag_rqlen)) {
			const struct unix_diag_rqlen *q = mnl_attr_get_payload(attr);

			w->each(m->udiag_ino, q->udiag_rqueue, q->udiag_wqueue, w->ctx);
		}
	}
}

int diag_unix_listeners(void (*each)(unsigned long long inode, unsigned rqueue, unsigned wqueue,
				     void *ctx),
			void *ctx)
{
	struct unix_diag_req req = {
		.sdiag_family = AF_UNIX,
		.udiag_states = 1u << TCP_LISTEN,
		.udiag_show = UDIAG_SHOW_RQLEN,
	};
	struct unix_walk w = { each, ctx };

	return dump_request(&req, sizeof(req), unix_message, &w);
}

const char *diag_tcp_state_name(int state)
{
	static const char *const names[] = {
		"none",	     "ESTABLISHED", "SYN-SENT",	  "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
		"TIME-WAIT", "CLOSE",	    "CLOSE-WAIT", "LAST-ACK", "LISTEN",	    "CLOSING",
	};

	if (state < 0)
		return "unknown";
	return state < (int)(sizeof(names) / sizeof(names[0])) ? names[state] : "?";
}
