/* sockdiag.c: count kernel sockets by state and port through sock_diag netlink, with libmnl. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "sockdiag.h"

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
