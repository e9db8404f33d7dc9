/* kind.c: socket kinds (tcp, udp6, unix-dgram …): naming them, recognising them, creating them. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

static const struct {
	unsigned kind;
	const char *name;
	int family, type, protocol;
} kinds[] = {
	{ SOCKOPT_KIND_TCP, "tcp", AF_INET, SOCK_STREAM, IPPROTO_TCP },
	{ SOCKOPT_KIND_TCP6, "tcp6", AF_INET6, SOCK_STREAM, IPPROTO_TCP },
	{ SOCKOPT_KIND_UDP, "udp", AF_INET, SOCK_DGRAM, IPPROTO_UDP },
	{ SOCKOPT_KIND_UDP6, "udp6", AF_INET6, SOCK_DGRAM, IPPROTO_UDP },
	{ SOCKOPT_KIND_RAW, "raw", AF_INET, SOCK_RAW, IPPROTO_ICMP },
	{ SOCKOPT_KIND_RAW6, "raw6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6 },
	{ SOCKOPT_KIND_UNIX, "unix", AF_UNIX, SOCK_STREAM, 0 },
	{ SOCKOPT_KIND_UNIX_DGRAM, "unix-dgram", AF_UNIX, SOCK_DGRAM, 0 },
	{ SOCKOPT_KIND_UNIX_SEQPACKET, "unix-seqpacket", AF_UNIX, SOCK_SEQPACKET, 0 },
};

SOCKOPT_EXPORT const char *sockopt_kind_name(unsigned kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return NULL;
}

SOCKOPT_EXPORT int sockopt_kind_parse(const char *name, unsigned *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(kinds[i].name, name) == 0) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

SOCKOPT_EXPORT int sockopt_kind_triple(unsigned kind, int *family, int *type, int *protocol)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (kinds[i].kind == kind) {
			*family = kinds[i].family;
			*type = kinds[i].type;
			*protocol = kinds[i].protocol;
			return 0;
		}
	}
	return -EINVAL;
}

SOCKOPT_EXPORT int sockopt_kind_of_fd(int fd, unsigned *kind, struct sockopt_diag *diag)
{
	int family, type;
	socklen_t len = sizeof(family);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0) {
		int err = -errno;

		if (err == -ENOTSOCK)
			return diag_set(diag, err, "fd %d is not a socket.", fd);
		return diag_set(diag, err, "fd %d: cannot read its socket family: %s.", fd,
				strerror(-err));
	}
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return diag_set(diag, -errno, "fd %d: cannot read its socket type: %s.", fd,
				strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (kinds[i].family == family && kinds[i].type == type) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return diag_set(diag, -EAFNOSUPPORT,
			"fd %d is a socket of family %d and type %d, which sockopt does not cover.",
			fd, family, type);
}

SOCKOPT_EXPORT int sockopt_kind_socket(unsigned kind, struct sockopt_diag *diag)
{
	int family, type, protocol, fd;

	if (sockopt_kind_triple(kind, &family, &type, &protocol) < 0)
		return diag_set(diag, -EINVAL, "There is no socket kind %#x.", kind);
	fd = socket(family, type | SOCK_CLOEXEC, protocol);
	if (fd < 0) {
		int err = -errno;

		if ((err == -EPERM || err == -EACCES) && type == SOCK_RAW)
			return diag_set(diag, err, "A %s socket needs CAP_NET_RAW.",
					sockopt_kind_name(kind));
		return diag_set(diag, err, "Cannot create a %s socket: %s.",
				sockopt_kind_name(kind), strerror(-err));
	}
	return fd;
}
