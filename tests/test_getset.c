/* test_getset.c: get and set on real sockets: a round trip for every settable catalog entry, and readback explanations. */
#include <fcntl.h>
#include <linux/net_tstamp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "testutil.h"

/* The value the round trip sets for E, given the value CUR read from a fresh socket. */
static void test_value(const sockopt_entry *e, const sockopt_value *cur, sockopt_value *v)
{
	static const struct {
		enum sockopt_type type;
		const char *text;
	} chosen[] = {
		{ SOCKOPT_TYPE_SECONDS, "37s" },   { SOCKOPT_TYPE_MILLIS, "1500ms" },
		{ SOCKOPT_TYPE_MICROS, "50ms" },   { SOCKOPT_TYPE_LINGER, "on:7" },
		{ SOCKOPT_TYPE_TIMEVAL, "1500ms" },
		{ SOCKOPT_TYPE_TXTIME, "CLOCK_MONOTONIC:deadline_mode:report_errors" },
	};

	*v = *cur;
	if (sockopt_entry_type(e) == SOCKOPT_TYPE_BOOL) {
		sockopt_value_set_int(v, !cur->v.i);
		return;
	}
	if (sockopt_entry_flags(e) & SOCKOPT_FLAG_DOUBLED) {
		sockopt_value_set_int(v, 65536);
		return;
	}
	for (size_t i = 0; i < sizeof(chosen) / sizeof(chosen[0]); i++)
		if (chosen[i].type == sockopt_entry_type(e))
			assert_int_equal(sockopt_value_parse(e, chosen[i].text, v, NULL), 0);
}

/* The first kind in E's mask that this process can open, or 0. */
static int open_first_kind(const sockopt_entry *e, unsigned *kind)
{
	for (unsigned k = 1; k & SOCKOPT_KIND_ALL; k <<= 1) {
		int fd;

		if (!(sockopt_entry_kinds(e) & k))
			continue;
		*kind = k;
		fd = sockopt_kind_socket(k, NULL);
		return fd;
	}
	return -EINVAL;
}

/*
 * Generated from the catalog: set every readable and settable option on a
 * fresh socket of a kind it applies to, read it back, and require that the
 * value is stored as requested or that the readback names the reason it is
 * not.  Options the kernel refuses are listed as skipped with the errno.
 */
static void every_settable_option_round_trips(void **state)
{
	size_t exact = 0, explained = 0, skipped = 0, unexplained = 0, settable = 0;

	(void)state;
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		struct sockopt_readback rb;
		struct sockopt_diag diag;
		sockopt_value cur, v;
		unsigned kind = 0;
		int fd, r;

		if (sockopt_entry_access(e) != SOCKOPT_ACCESS_BOTH)
			continue;
		settable++;
		fd = open_first_kind(e, &kind);
		if (fd < 0) {
			printf("  skipped %-28s cannot open a %s socket (%s)\n", sockopt_entry_name(e),
			       sockopt_kind_name(kind), strerrorname_np(-fd));
			skipped++;
			continue;
		}
		r = sockopt_get(fd, e, &cur, &diag);
		if (r == 0) {
			test_value(e, &cur, &v);
			r = sockopt_set(fd, e, &v, &rb, &diag);
		}
		close(fd);
		if (r < 0) {
			printf("  skipped %-28s on %s: %s\n", sockopt_entry_name(e),
			       sockopt_kind_name(kind), diag.text);
			skipped++;
		} else if (rb.why == 0) {
			exact++;
		} else if (rb.why & ~SOCKOPT_WHY_OTHER) {
			explained++;
		} else {
			printf("  UNEXPLAINED %s\n", rb.text);
			unexplained++;
		}
	}
	printf("  %zu settable options: %zu stored as requested, %zu differed with a reason, "
	       "%zu refused by the kernel, %zu unexplained\n",
	       settable, exact, explained, skipped, unexplained);
	assert_int_equal(unexplained, 0);
	assert_true(exact + explained >= settable * 3 / 4);
}

/* SO_SNDBUF set to 10000 reads 20000, and the readback says Linux doubled it. */
static void sndbuf_is_doubled(void **state)
{
	struct sockopt_readback rb;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_set_text(fd, entry("SO_SNDBUF"), "10000", &rb, NULL), 0);
	assert_int_equal(rb.stored.v.i, 20000);
	assert_int_equal(rb.why, SOCKOPT_WHY_DOUBLED);
	assert_non_null(strstr(rb.text, "doubles"));
	close(fd);
}

/* Above net.core.wmem_max the request is capped at the sysctl, then doubled. */
static void sndbuf_is_capped_at_wmem_max(void **state)
{
	struct sockopt_readback rb;
	sockopt_value v;
	long long max;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_sysctl_read_long("net.core.wmem_max", &max, NULL), 0);
	sockopt_value_set_int(&v, (int)max + 4096);
	assert_int_equal(sockopt_set(fd, entry("SO_SNDBUF"), &v, &rb, NULL), 0);
	assert_int_equal(rb.stored.v.i, 2 * max);
	assert_true(rb.why & SOCKOPT_WHY_CLAMPED_MAX);
	assert_non_null(strstr(rb.text, "net.core.wmem_max"));
	close(fd);
}

/* Below the kernel minimum the value is raised, and the readback says so. */
static void sndbuf_has_a_minimum(void **state)
{
	struct sockopt_readback rb;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(sockopt_set_text(fd, entry("SO_SNDBUF"), "1", &rb, NULL), 0);
	assert_true(rb.stored.v.i > 2);
	assert_true(rb.why & SOCKOPT_WHY_CLAMPED_MIN);
	printf("  SO_SNDBUF=1 reads %d on this kernel\n", rb.stored.v.i);
	close(fd);
}

/* SO_SNDBUFFORCE passes wmem_max as root and names the capability otherwise. */
static void sndbufforce_bypasses_the_maximum(void **state)
{
	struct sockopt_readback rb;
	struct sockopt_diag diag;
	sockopt_value v;
	long long max;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	(void)state;
	assert_int_equal(sockopt_sysctl_read_long("net.core.wmem_max", &max, NULL), 0);
	sockopt_value_set_int(&v, (int)max * 2);
	r = sockopt_set(fd, entry("SO_SNDBUFFORCE"), &v, &rb, &diag);
	if (geteuid() == 0) {
		assert_int_equal(r, 0);
		assert_int_equal(rb.stored.v.i, 4 * max);
		assert_true(rb.why & SOCKOPT_WHY_DOUBLED);
	} else {
		assert_int_equal(r, -EPERM);
		assert_non_null(strstr(diag.text, "CAP_NET_ADMIN"));
	}
	close(fd);
}

/* A TCP option on a UDP socket does not apply, and the sentence says so. */
static void option_for_another_kind_is_refused(void **state)
{
	struct sockopt_diag diag;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(sockopt_set_text(fd, entry("TCP_NODELAY"), "on", NULL, &diag),
			 -ENOPROTOOPT);
	assert_non_null(strstr(diag.text, "does not apply to this udp socket"));
	close(fd);
}

/* SO_RCVBUF after connect is stored, but the readback warns the window scale is fixed. */
static void phase_passed_is_reported(void **state)
{
	struct sockopt_readback rb;
	int client, server;

	(void)state;
	tcp_pair(&client, &server);
	assert_int_equal(sockopt_set_text(client, entry("SO_RCVBUF"), "1M", &rb, NULL), 0);
	assert_true(rb.why & SOCKOPT_WHY_PHASE_PASSED);
	assert_non_null(strstr(rb.text, "window scale was fixed in its handshake"));
	close(client);
	close(server);
}

/* Keepalive timers read the sysctl until set, and are idle while SO_KEEPALIVE is off. */
static void keepalive_defaults_and_inactivity(void **state)
{
	struct sockopt_readback rb;
	sockopt_value v;
	long long def;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_sysctl_read_long("net.ipv4.tcp_keepalive_time", &def, NULL), 0);
	assert_int_equal(sockopt_get(fd, entry("TCP_KEEPIDLE"), &v, NULL), 0);
	assert_int_equal(v.v.i, def);
	assert_int_equal(sockopt_set_text(fd, entry("TCP_KEEPIDLE"), "30s", &rb, NULL), 0);
	assert_int_equal(rb.stored.v.i, 30);
	assert_true(rb.why & SOCKOPT_WHY_INACTIVE);
	assert_int_equal(sockopt_set_text(fd, entry("SO_KEEPALIVE"), "on", NULL, NULL), 0);
	assert_int_equal(sockopt_set_text(fd, entry("TCP_KEEPIDLE"), "31s", &rb, NULL), 0);
	assert_int_equal(rb.why, 0);
	close(fd);
}

/* IP_TTL -1 restores the kernel default, named by its sysctl. */
static void ttl_minus_one_is_the_kernel_default(void **state)
{
	struct sockopt_readback rb;
	long long def;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(sockopt_sysctl_read_long("net.ipv4.ip_default_ttl", &def, NULL), 0);
	assert_int_equal(sockopt_set_text(fd, entry("IP_TTL"), "-1", &rb, NULL), 0);
	assert_int_equal(rb.stored.v.i, def);
	assert_true(rb.why & SOCKOPT_WHY_KERNEL_DEFAULT);
	assert_non_null(strstr(rb.text, "net.ipv4.ip_default_ttl"));
	close(fd);
}

/* A file descriptor that is not a socket, and a read-only option, give clear errors. */
static void bad_descriptors_and_read_only_options(void **state)
{
	struct sockopt_diag diag;
	sockopt_value v;
	int pipefd[2], fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned kind;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(sockopt_get(pipefd[0], entry("SO_TYPE"), &v, &diag), -ENOTSOCK);
	assert_non_null(strstr(diag.text, "is not a socket"));
	assert_int_equal(sockopt_kind_of_fd(pipefd[0], &kind, &diag), -ENOTSOCK);
	assert_int_equal(sockopt_set_text(fd, entry("SO_TYPE"), "dgram", NULL, &diag), -EOPNOTSUPP);
	assert_non_null(strstr(diag.text, "read-only"));
	assert_int_equal(sockopt_get(999, entry("SO_TYPE"), &v, &diag), -EBADF);
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
}

/* Options that refuse a long buffer are read with the length the kernel expects. */
static void exact_length_options_are_readable(void **state)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	sockopt_value v;
	int client, server;

	(void)state;
	tcp_pair(&client, &server);
	/* SO_NETNS_COOKIE answers EINVAL unless the buffer is exactly 8 bytes. */
	assert_int_equal(sockopt_get(client, entry("SO_NETNS_COOKIE"), &v, NULL), 0);
	assert_int_equal(v.len, 8);
	/* SO_PEERNAME answers EINVAL when the buffer is longer than the address. */
	assert_int_equal(sockopt_get(client, entry("SO_PEERNAME"), &v, NULL), 0);
	assert_int_equal(getpeername(client, (struct sockaddr *)&peer, &len), 0);
	assert_int_equal(v.len, len);
	assert_memory_equal(v.v.bytes, &peer, len);
	close(client);
	close(server);
}

/*
 * IPV6_PATHMTU of a connected UDP socket on ::1 is loopback's MTU, the
 * same number IPV6_MTU reads; SO_TXTIME set by a plain setsockopt reads
 * back as the clock and flags it was given.
 */
static void pathmtu_and_txtime_of_real_sockets(void **state)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	struct sock_txtime t = { CLOCK_MONOTONIC, SOF_TXTIME_REPORT_ERRORS };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), mtu = 0;
	socklen_t len = sizeof(mtu);
	char text[128], json[128], want[128];
	sockopt_value v;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sockopt_get(fd, entry("IPV6_PATHMTU"), &v, NULL), -ENOTCONN);
	to.sin6_addr = in6addr_loopback;
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	assert_int_equal(getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len), 0);
	assert_int_equal(sockopt_get(fd, entry("IPV6_PATHMTU"), &v, NULL), 0);
	sockopt_type_format(SOCKOPT_TYPE_MTUINFO, &v, text, sizeof(text));
	snprintf(want, sizeof(want), "%d", mtu);
	assert_string_equal(text, want);
	sockopt_type_format_json(SOCKOPT_TYPE_MTUINFO, &v, json, sizeof(json));
	snprintf(want, sizeof(want), "{\"mtu\": %d, \"address\": null}", mtu);
	assert_string_equal(json, want);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_TXTIME, &t, sizeof(t)), 0);
	assert_int_equal(sockopt_get(fd, entry("SO_TXTIME"), &v, NULL), 0);
	sockopt_type_format(SOCKOPT_TYPE_TXTIME, &v, text, sizeof(text));
	assert_string_equal(text, "CLOCK_MONOTONIC:report_errors");
	close(fd);
}

/* Every kind opens (raw ones only with CAP_NET_RAW) and is recognised again. */
static void kinds_are_recognised(void **state)
{
	(void)state;
	for (unsigned k = 1; k & SOCKOPT_KIND_ALL; k <<= 1) {
		struct sockopt_diag diag;
		unsigned got;
		int fd = sockopt_kind_socket(k, &diag);

		if (fd == -EPERM || fd == -EACCES) {
			assert_non_null(strstr(diag.text, "CAP_NET_RAW"));
			continue;
		}
		assert_true(fd >= 0);
		assert_int_equal(sockopt_kind_of_fd(fd, &got, NULL), 0);
		assert_int_equal(got, k);
		close(fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_settable_option_round_trips),
		cmocka_unit_test(sndbuf_is_doubled),
		cmocka_unit_test(sndbuf_is_capped_at_wmem_max),
		cmocka_unit_test(sndbuf_has_a_minimum),
		cmocka_unit_test(sndbufforce_bypasses_the_maximum),
		cmocka_unit_test(option_for_another_kind_is_refused),
		cmocka_unit_test(phase_passed_is_reported),
		cmocka_unit_test(keepalive_defaults_and_inactivity),
		cmocka_unit_test(ttl_minus_one_is_the_kernel_default),
		cmocka_unit_test(bad_descriptors_and_read_only_options),
		cmocka_unit_test(exact_length_options_are_readable),
		cmocka_unit_test(kinds_are_recognised),
		cmocka_unit_test(pathmtu_and_txtime_of_real_sockets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
