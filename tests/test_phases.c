/* test_phases.c: options take effect only at their phase: SO_REUSEADDR before bind, SO_RCVBUF before listen/connect. */
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

/* The port of bound FD as text. */
static void port_of(int fd, char *buf, size_t size)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(buf, size, "%u", ntohs(sin.sin_port));
}

/* TIME_WAIT sockets whose local port is PORT, from /proc/net/tcp (state 06). */
static int time_wait_on(const char *port)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	unsigned want = (unsigned)atoi(port), lport, state;
	char line[256];
	int count = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*8x:%x %*8x:%*x %x", &lport, &state) == 2 &&
		    state == 0x06 && lport == want)
			count++;
	fclose(f);
	return count;
}

/* A spec parsed from TEXT, which must be valid. */
static sockopt_spec *spec_of(const char *text)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;

	assert_int_equal(sockopt_spec_parse(text, &spec, &d), 0);
	return spec;
}

static void so_reuseaddr_in_a_spec_lets_a_listener_restart_over_time_wait(void **state)
{
	struct sockopt_dial_config cfg = { .spec = spec_of("SO_REUSEADDR=on") };
	struct sockopt_diag d;
	char port[16];
	int l = sockopt_listen("127.0.0.1", "0", &cfg, &d), c, s;

	(void)state;
	assert_true(l >= 0);
	port_of(l, port, sizeof(port));
	c = sockopt_dial("127.0.0.1", port, NULL, &d);
	s = sockopt_accept(l, NULL, NULL, NULL, &d);
	assert_true(c >= 0 && s >= 0);
	/* The server closes first, so its end, on the listener's port, waits in TIME_WAIT. */
	close(s);
	close(l);
	close(c);
	assert_int_equal(time_wait_on(port), 1);
	assert_int_equal(sockopt_listen("127.0.0.1", port, NULL, &d), -EADDRINUSE);
	l = sockopt_listen("127.0.0.1", port, &cfg, &d);
	if (l < 0)
		fail_msg("%s", d.text);
	close(l);
	sockopt_spec_free((sockopt_spec *)cfg.spec);
}

/* The window scales of a connection: what the server end receives with and sends with. */
struct scales {
	int server_rcv, client_snd;
};

/* Read tcpi_rcv_wscale of FD through the library's TCP_INFO entry (and snd too). */
static void wscale(int fd, int *rcv, int *snd)
{
	sockopt_value v;
	struct sockopt_diag d;
	struct tcp_info ti;

	assert_int_equal(sockopt_get(fd, entry("TCP_INFO"), &v, &d), 0);
	assert_true(v.len >= offsetof(struct tcp_info, tcpi_rto));
	memcpy(&ti, v.v.bytes, sizeof(ti) < v.len ? sizeof(ti) : v.len);
	*rcv = ti.tcpi_rcv_wscale;
	*snd = ti.tcpi_snd_wscale;
}

/* Keep the readback's reasons of an applied entry. */
static void keep_why(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	(void)fd;
	if (r->rb)
		*(unsigned *)ctx = r->rb->why;
}

/* Connect through a listener with LISTEN_SPEC; apply AFTER_SPEC to the accepted end. */
static struct scales connection_scales(const char *listen_spec, const char *after_spec)
{
	struct sockopt_dial_config cfg = { .spec = listen_spec ? spec_of(listen_spec) : NULL };
	struct sockopt_diag d;
	struct scales sc;
	char port[16];
	int l = sockopt_listen("127.0.0.1", "0", &cfg, &d), c, s, ignore;

	assert_true(l >= 0);
	port_of(l, port, sizeof(port));
	c = sockopt_dial("127.0.0.1", port, NULL, &d);
	s = sockopt_accept(l, NULL, NULL, NULL, &d);
	assert_true(c >= 0 && s >= 0);
	if (after_spec) {
		sockopt_spec *late = spec_of(after_spec);
		unsigned why = 0;

		/* Stored, but too late: the SYN-ACK has gone, and the readback says so. */
		assert_int_equal(
			sockopt_spec_apply(s, late, SOCKOPT_PHASE_BEFORE_CONNECT, keep_why, &why), 0);
		assert_true(why & SOCKOPT_WHY_PHASE_PASSED);
		sockopt_spec_free(late);
	}
	wscale(s, &sc.server_rcv, &ignore);
	wscale(c, &ignore, &sc.client_snd);
	close(s);
	close(c);
	close(l);
	sockopt_spec_free((sockopt_spec *)cfg.spec);
	return sc;
}

static void so_rcvbuf_before_listen_changes_the_window_scale_and_after_does_not(void **state)
{
	struct scales plain = connection_scales(NULL, NULL);
	struct scales before = connection_scales("SO_RCVBUF=4K", NULL);
	struct scales after = connection_scales(NULL, "SO_RCVBUF=4K");

	(void)state;
	print_message("window scale announced by the server: default %d, SO_RCVBUF=4K before "
		      "listen %d, after accept %d\n",
		      plain.server_rcv, before.server_rcv, after.server_rcv);
	/* The peer sends with the scale the server announced in its SYN-ACK. */
	assert_int_equal(plain.client_snd, plain.server_rcv);
	assert_int_equal(before.client_snd, before.server_rcv);
	assert_true(before.server_rcv < plain.server_rcv);
	assert_int_equal(after.server_rcv, plain.server_rcv);
	assert_int_equal(after.client_snd, plain.client_snd);
}

static void so_rcvbuf_in_a_dial_spec_lands_before_the_syn(void **state)
{
	struct sockopt_dial_config cfg = { .spec = spec_of("SO_RCVBUF=4K") };
	struct sockopt_diag d;
	char port[16];
	int l = sockopt_listen("127.0.0.1", "0", NULL, &d), plain, small, s, rcv_plain, rcv_small,
	    snd;

	(void)state;
	port_of(l, port, sizeof(port));
	plain = sockopt_dial("127.0.0.1", port, NULL, &d);
	small = sockopt_dial("127.0.0.1", port, &cfg, &d);
	assert_true(plain >= 0 && small >= 0);
	wscale(plain, &rcv_plain, &snd);
	wscale(small, &rcv_small, &snd);
	assert_true(rcv_small < rcv_plain);
	for (int i = 0; i < 2; i++) {
		s = sockopt_accept(l, NULL, NULL, NULL, &d);
		assert_true(s >= 0);
		close(s);
	}
	close(plain);
	close(small);
	close(l);
	sockopt_spec_free((sockopt_spec *)cfg.spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(so_reuseaddr_in_a_spec_lets_a_listener_restart_over_time_wait),
		cmocka_unit_test(so_rcvbuf_before_listen_changes_the_window_scale_and_after_does_not),
		cmocka_unit_test(so_rcvbuf_in_a_dial_spec_lands_before_the_syn),
	};

	return cmocka_run_group_tests(tests, enter_private_netns, NULL);
}
