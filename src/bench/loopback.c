/* loopback.c: loopback sockets and kernel socket counts (sock_diag through libmnl), shared by the bench and the lab. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "loopback.h"

static struct sockaddr_in loop_addr(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	return sin;
}

int loop_socket(int type)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int loop_bind(int fd, int port, bool listen_too)
{
	struct sockaddr_in sin = loop_addr(port);

	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -errno;
	if (listen_too && listen(fd, SOMAXCONN) < 0)
		return -errno;
	return loop_local_port(fd);
}

int loop_connect(int fd, int port)
{
	struct sockaddr_in sin = loop_addr(port);

	return connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? -errno : 0;
}

int loop_local_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return -errno;
	return ntohs(sin.sin_port);
}

int loop_tcp_pair(int *client, int *server)
{
	int l = loop_socket(SOCK_STREAM), c = -1, s = -1, port, err;

	if (l < 0)
		return l;
	port = err = loop_bind(l, 0, true);
	if (err >= 0)
		err = c = loop_socket(SOCK_STREAM);
	if (err >= 0)
		err = loop_connect(c, port);
	if (err >= 0) {
		s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		err = s < 0 ? -errno : 0;
	}
	close(l);
	if (err < 0) {
		if (c >= 0)
			close(c);
		return err;
	}
	*client = c;
	*server = s;
	return 0;
}

/* The running count of one dump, filled by the callback of each message. */
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

static int count_message(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct diag_walk *w = data;

	if (w->f->local_port >= 0 && ntohs(m->id.idiag_sport) != w->f->local_port)
		return MNL_CB_OK;
	if (w->f->remote_port >= 0 && ntohs(m->id.idiag_dport) != w->f->remote_port)
		return MNL_CB_OK;
	w->count.sockets++;
	mnl_attr_parse(nlh, sizeof(*m), add_drops, w);
	return MNL_CB_OK;
}

/* Send one dump request on NL and feed every answer to count_message. */
static int dump(struct mnl_socket *nl, const struct diag_filter *f, struct diag_walk *w)
{
	char buf[32768]; /* MNL_SOCKET_DUMP_SIZE in newer libmnl */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	unsigned seq = (unsigned)time(NULL), portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET;
	req->sdiag_protocol = (uint8_t)f->protocol;
	req->idiag_states = f->states ? f->states : ~0u;
	req->idiag_ext = 1u << (INET_DIAG_SKMEMINFO - 1);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, count_message, w);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
	return n < 0 ? -errno : 0;
}

int diag_count(const struct diag_filter *f, struct diag_count *out)
{
	struct diag_walk w = { .f = f };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	int err;

	if (!nl)
		return -errno;
	err = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ? -errno : dump(nl, f, &w);
	mnl_socket_close(nl);
	if (err == 0)
		*out = w.count;
	return err;
}
