/* testutil.h: what the cmocka tests share: real loopback sockets, no mocks. */
#ifndef SOCKOPT_TESTUTIL_H
#define SOCKOPT_TESTUTIL_H

#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockopt.h"

/* The catalog entry NAME, which must exist. */
static inline const sockopt_entry *entry(const char *name)
{
	const sockopt_entry *e = sockopt_catalog_find(name);

	assert_non_null(e);
	return e;
}

/* A listening TCP socket on 127.0.0.1 with an ephemeral port, written to *PORT. */
static inline int tcp_listener(in_port_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = sin.sin_port;
	return fd;
}

/* A connected loopback TCP pair: *CLIENT and *SERVER (the accepted end). */
static inline void tcp_pair(int *client, int *server)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = tcp_listener(&sin.sin_port);

	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*client >= 0);
	assert_int_equal(connect(*client, (struct sockaddr *)&sin, sizeof(sin)), 0);
	*server = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	assert_true(*server >= 0);
	close(l);
}

/* The port FD is bound to (IPv4 or IPv6), as text for sockopt_dial. */
static inline void port_of(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	snprintf(buf, size, "%u",
		 ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						: ((struct sockaddr_in *)&ss)->sin_port));
}

/* A spec parsed from TEXT, which must be valid; NULL for NULL. */
static inline sockopt_spec *spec_of(const char *text)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;

	if (text && sockopt_spec_parse(text, &spec, &d) < 0)
		fail_msg("%s", d.text);
	return spec;
}

/*
 * A loopback TCP connection made by the library: a listener on 127.0.0.1
 * with LISTEN_SPEC, a dial with DIAL_SPEC (either may be NULL), and the
 * accepted end.  Writes *CLIENT and *SERVER, closes the listener and
 * returns its port.
 */
static inline unsigned spec_pair(const char *listen_spec, const char *dial_spec, int *client,
				 int *server)
{
	struct sockopt_dial_config lc = { .spec = spec_of(listen_spec) };
	struct sockopt_dial_config dc = { .spec = spec_of(dial_spec) };
	struct sockopt_diag d;
	char port[16];
	int l = sockopt_listen("127.0.0.1", "0", &lc, &d);

	if (l < 0)
		fail_msg("%s", d.text);
	port_of(l, port, sizeof(port));
	*client = sockopt_dial("127.0.0.1", port, &dc, &d);
	if (*client < 0)
		fail_msg("%s", d.text);
	*server = sockopt_accept(l, &lc, NULL, NULL, &d);
	assert_true(*server >= 0);
	close(l);
	sockopt_spec_free((sockopt_spec *)lc.spec);
	sockopt_spec_free((sockopt_spec *)dc.spec);
	return (unsigned)atoi(port);
}

/* TIME_WAIT sockets with PORT at either end, from /proc/net/tcp (state 06). */
static inline int time_wait_count(unsigned port)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256];
	int count = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned lport, rport, state;

		if (sscanf(line, " %*d: %*8x:%x %*8x:%x %x", &lport, &rport, &state) == 3 &&
		    state == 0x06 && (lport == port || rport == port))
			count++;
	}
	fclose(f);
	return count;
}

/*
 * Move this process into a private network namespace with loopback up, when
 * root: TIME_WAIT counts and limits are per namespace, so tests that count
 * TIME_WAIT sockets are not disturbed by other programs on the machine
 * (a benchmark can fill net.ipv4.tcp_max_tw_buckets, and then the kernel
 * makes no TIME_WAIT at all).  Elsewhere the tests run where they are.
 * For cmocka_run_group_tests' setup; returns 0 either way.
 */
static inline int enter_private_netns(void **state)
{
	(void)state;
	if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0 &&
	    system("ip link set lo up") != 0)
		print_message("enter_private_netns: could not bring lo up\n");
	return 0;
}

#endif /* SOCKOPT_TESTUTIL_H */
