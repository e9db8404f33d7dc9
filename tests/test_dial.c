/* test_dial.c: dial, listen and accept on loopback: spec phases in time, and failures that name their step. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "testutil.h"

/* Option NAME of FD as an int. */
static int option(int fd, const char *name)
{
	sockopt_value v;
	struct sockopt_diag d;

	assert_int_equal(sockopt_get(fd, entry(name), &v, &d), 0);
	return v.v.i;
}

static void dial_and_listen_apply_the_spec_and_restore_blocking_mode(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;
	struct sockopt_dial_config cfg = { .timeout_ms = 2000 };
	char port[16];
	int l, c, s;

	(void)state;
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on,SO_REUSEADDR=on,IP_TTL=9", &spec, &d), 0);
	cfg.spec = spec;
	l = sockopt_listen("127.0.0.1", "0", &cfg, &d);
	assert_true(l >= 0);
	assert_int_equal(option(l, "SO_REUSEADDR"), 1);
	port_of(l, port, sizeof(port));
	c = sockopt_dial("127.0.0.1", port, &cfg, &d);
	if (c < 0)
		fail_msg("%s", d.text);
	assert_int_equal(option(c, "TCP_NODELAY"), 1);
	assert_int_equal(option(c, "IP_TTL"), 9);
	assert_int_equal(fcntl(c, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(c, F_GETFD) & FD_CLOEXEC);
	s = sockopt_accept(l, &cfg, NULL, NULL, &d);
	assert_true(s >= 0);
	close(s);
	close(c);
	cfg.nonblocking = true;
	c = sockopt_dial("localhost", port, &cfg, &d);
	assert_true(c >= 0);
	assert_int_not_equal(fcntl(c, F_GETFL) & O_NONBLOCK, 0);
	close(c);
	close(l);
	sockopt_spec_free(spec);
}

static void dial_works_over_ipv6(void **state)
{
	struct sockopt_dial_config cfg = { .family = AF_INET6 };
	struct sockopt_diag d;
	struct sockaddr_in6 peer;
	socklen_t len = sizeof(peer);
	char port[16];
	int l = sockopt_listen("::1", NULL, &cfg, &d), c, s;

	(void)state;
	if (l == -EADDRNOTAVAIL || l == -EAFNOSUPPORT) {
		print_message("skipped: no IPv6 loopback here (%s)\n", d.text);
		skip();
	}
	assert_true(l >= 0);
	port_of(l, port, sizeof(port));
	c = sockopt_dial("::1", port, &cfg, &d);
	assert_true(c >= 0);
	s = sockopt_accept(l, NULL, (struct sockaddr *)&peer, &len, &d);
	assert_true(s >= 0);
	assert_int_equal(peer.sin6_family, AF_INET6);
	assert_int_equal(len, sizeof(peer));
	close(s);
	close(c);
	close(l);
}

static void an_after_accept_entry_lands_on_accepted_sockets_only(void **state)
{
	sockopt_spec *spec = sockopt_spec_new();
	struct sockopt_dial_config cfg = { 0 };
	struct sockopt_diag d;
	char port[16];
	int l, c, s;

	(void)state;
	assert_int_equal(sockopt_spec_add(spec, "TCP_NODELAY=on,IP_TTL=33",
					  SOCKOPT_PHASE_AFTER_ACCEPT, &d),
			 0);
	cfg.spec = spec;
	l = sockopt_listen("127.0.0.1", "0", &cfg, &d);
	assert_true(l >= 0);
	port_of(l, port, sizeof(port));
	c = sockopt_dial("127.0.0.1", port, &cfg, &d);
	assert_true(c >= 0);
	s = sockopt_accept(l, &cfg, NULL, NULL, &d);
	assert_true(s >= 0);
	assert_int_equal(option(s, "TCP_NODELAY"), 1);
	assert_int_equal(option(s, "IP_TTL"), 33);
	/* Neither the listener nor the dialing side got them. */
	assert_int_equal(option(l, "TCP_NODELAY"), 0);
	assert_int_equal(option(c, "TCP_NODELAY"), 0);
	assert_int_not_equal(option(c, "IP_TTL"), 33);
	close(s);
	close(c);
	close(l);
	sockopt_spec_free(spec);
}

static void dial_to_a_port_without_listener_reports_econnrefused_from_so_error(void **state)
{
	struct sockopt_dial_config cfg = { .timeout_ms = 2000 };
	struct sockopt_diag d;
	char port[16], want[128];
	/* A bound socket that does not listen keeps the port ours and answers SYN with RST. */
	int held = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	(void)state;
	assert_int_equal(bind(held, (struct sockaddr *)&sin, sizeof(sin)), 0);
	port_of(held, port, sizeof(port));
	assert_int_equal(sockopt_dial("127.0.0.1", port, &cfg, &d), -ECONNREFUSED);
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%s: Connection refused (ECONNREFUSED).",
		 port);
	assert_string_equal(d.text, want);
	/* Without a deadline the same error comes the same way. */
	cfg.timeout_ms = 0;
	assert_int_equal(sockopt_dial("127.0.0.1", port, &cfg, &d), -ECONNREFUSED);
	close(held);
}

static void every_failure_names_its_step(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_dial_config cfg = { .family = AF_INET };
	struct sockopt_diag d;
	char port[16], want[256];
	int l = sockopt_listen("127.0.0.1", "0", NULL, &d);

	(void)state;
	assert_true(l >= 0);
	port_of(l, port, sizeof(port));
	assert_int_equal(sockopt_dial("::1", port, &cfg, &d), -EADDRNOTAVAIL);
	assert_non_null(strstr(d.text, "resolve address ::1:"));
	/* Binding the dialing socket to the listener's own port fails at bind. */
	cfg.local_host = "127.0.0.1";
	cfg.local_port = port;
	assert_int_equal(sockopt_dial("127.0.0.1", port, &cfg, &d), -EADDRINUSE);
	snprintf(want, sizeof(want),
		 "bind to 127.0.0.1:%s before connecting to 127.0.0.1:%s: Address already in "
		 "use (EADDRINUSE).",
		 port, port);
	assert_string_equal(d.text, want);
	assert_int_equal(sockopt_listen("127.0.0.1", port, NULL, &d), -EADDRINUSE);
	snprintf(want, sizeof(want), "bind to 127.0.0.1:%s: Address already in use (EADDRINUSE).",
		 port);
	assert_string_equal(d.text, want);
	/* A spec entry the kernel refuses fails the dial at its phase. */
	assert_int_equal(sockopt_spec_parse("TCP_ULP=nosuch", &spec, &d), 0);
	cfg = (struct sockopt_dial_config){ .spec = spec };
	assert_int_equal(sockopt_dial("127.0.0.1", port, &cfg, &d), -ENOENT);
	snprintf(want, sizeof(want), "apply the any-time options for 127.0.0.1:%s: ", port);
	assert_memory_equal(d.text, want, strlen(want));
	assert_non_null(strstr(d.text, "TCP_ULP=nosuch"));
	close(l);
	sockopt_spec_free(spec);
}

static void a_datagram_listen_is_bound_and_a_datagram_dial_is_connected(void **state)
{
	struct sockopt_dial_config cfg = { .type = SOCK_DGRAM };
	struct sockopt_diag d;
	char port[16], buf[8];
	int u = sockopt_listen("127.0.0.1", "0", &cfg, &d), c;

	(void)state;
	assert_true(u >= 0);
	port_of(u, port, sizeof(port));
	c = sockopt_dial("127.0.0.1", port, &cfg, &d);
	assert_true(c >= 0);
	assert_int_equal(send(c, "ping", 4, 0), 4);
	assert_int_equal(recv(u, buf, sizeof(buf), 0), 4);
	close(c);
	close(u);
}

/*
 * A private network namespace whose loopback drops SYNs to port 9, for the
 * black-hole dial; named after this process so parallel runs do not meet.
 */
static char blackhole_ns[64];

static int blackhole_up(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(blackhole_ns, sizeof(blackhole_ns), "sockopt-test-blackhole-%d", (int)getpid());
	if (geteuid() != 0 || system("command -v nft >/dev/null && command -v ip >/dev/null") != 0)
		return 0;
	snprintf(cmd, sizeof(cmd),
		 "ip netns del %1$s 2>/dev/null; ip netns add %1$s && "
		 "ip -n %1$s link set lo up && "
		 "printf 'table inet t { chain in { type filter hook input priority 0; "
		 "tcp dport 9 drop; }; }\\n' | ip netns exec %1$s nft -f -",
		 blackhole_ns);
	if (system(cmd) != 0)
		print_message("could not make network namespace %s\n", blackhole_ns);
	return 0;
}

static int blackhole_down(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", blackhole_ns);
	if (system(cmd) != 0) {
		/* Nothing to delete: the namespace could not be made, and the test skipped. */
	}
	return 0;
}

static void dial_to_a_black_hole_times_out_within_the_deadline(void **state)
{
	struct sockopt_dial_config cfg = { .timeout_ms = 1000 };
	struct sockopt_diag d;
	char path[128];
	int here, there, r;
	struct timespec t0, t1;
	long long ms;

	(void)state;
	snprintf(path, sizeof(path), "/run/netns/%s", blackhole_ns);
	there = open(path, O_RDONLY | O_CLOEXEC);
	if (there < 0) {
		print_message("skipped: making a network namespace needs root, ip and nft\n");
		skip();
	}
	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_int_equal(setns(there, CLONE_NEWNET), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = sockopt_dial("127.0.0.1", "9", &cfg, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(setns(here, CLONE_NEWNET), 0);
	close(here);
	close(there);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_int_equal(r, -ETIMEDOUT);
	assert_string_equal(d.text, "connect to 127.0.0.1:9: no answer within 1000 ms (ETIMEDOUT).");
	assert_in_range(ms, 900, 1100); /* the deadline ± 10% */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dial_and_listen_apply_the_spec_and_restore_blocking_mode),
		cmocka_unit_test(dial_works_over_ipv6),
		cmocka_unit_test(an_after_accept_entry_lands_on_accepted_sockets_only),
		cmocka_unit_test(dial_to_a_port_without_listener_reports_econnrefused_from_so_error),
		cmocka_unit_test(every_failure_names_its_step),
		cmocka_unit_test(a_datagram_listen_is_bound_and_a_datagram_dial_is_connected),
		cmocka_unit_test_setup_teardown(dial_to_a_black_hole_times_out_within_the_deadline,
						blackhole_up, blackhole_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
