/* keepalive.c: TCP keepalive in one call: SO_KEEPALIVE, idle, interval, count and user timeout. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* The int fields of struct sockopt_keepalive and the options they set. */
static const struct {
	const char *option;
	size_t offset;
} fields[] = {
	{ "TCP_KEEPIDLE", offsetof(struct sockopt_keepalive, idle_s) },
	{ "TCP_KEEPINTVL", offsetof(struct sockopt_keepalive, interval_s) },
	{ "TCP_KEEPCNT", offsetof(struct sockopt_keepalive, count) },
};

/* Set option NAME of FD to the int N through the catalog. */
static int set_int(int fd, const char *name, int n, struct sockopt_diag *diag)
{
	sockopt_value v;

	sockopt_value_set_int(&v, n);
	return sockopt_set(fd, sockopt_catalog_find(name), &v, NULL, diag);
}

/* Read option NAME of FD as an int through the catalog. */
static int get_int(int fd, const char *name, int *n, struct sockopt_diag *diag)
{
	sockopt_value v;
	int r = sockopt_get(fd, sockopt_catalog_find(name), &v, diag);

	if (r == 0)
		*n = v.v.i;
	return r;
}

SOCKOPT_EXPORT int sockopt_keepalive_set(int fd, const struct sockopt_keepalive *ka,
					 struct sockopt_diag *diag)
{
	struct sockopt_keepalive now;
	unsigned user_timeout = ka->user_timeout_ms, kind;
	int r = sockopt_kind_of_fd(fd, &kind, diag);

	if (r < 0)
		return r;
	if (!(kind & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6)))
		return diag_set(diag, -ENOPROTOOPT,
				"Keepalive needs a TCP socket; fd %d is a %s socket.", fd,
				sockopt_kind_name(kind));
	r = set_int(fd, "SO_KEEPALIVE", 1, diag);

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(fields); i++) {
		int n = *(const int *)((const char *)ka + fields[i].offset);

		if (n)
			r = set_int(fd, fields[i].option, n, diag);
	}
	if (r == 0 && !user_timeout && ka->derive_user_timeout) {
		/* Zero fields count with the values in force: the socket reads the sysctls. */
		r = sockopt_keepalive_get(fd, &now, diag);
		if (r == 0)
			user_timeout = (unsigned)(now.idle_s + now.interval_s * now.count) * 1000u;
	}
	if (r == 0 && user_timeout)
		r = set_int(fd, "TCP_USER_TIMEOUT", (int)user_timeout, diag);
	return r;
}

SOCKOPT_EXPORT int sockopt_keepalive_get(int fd, struct sockopt_keepalive *ka,
					 struct sockopt_diag *diag)
{
	struct sockopt_keepalive got = { 0 };
	int on = 0, timeout = 0;
	int r = get_int(fd, "SO_KEEPALIVE", &on, diag);

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(fields); i++)
		r = get_int(fd, fields[i].option, (int *)((char *)&got + fields[i].offset), diag);
	if (r == 0)
		r = get_int(fd, "TCP_USER_TIMEOUT", &timeout, diag);
	if (r < 0)
		return r;
	got.user_timeout_ms = (unsigned)timeout;
	got.enabled = on != 0;
	*ka = got;
	return 0;
}
