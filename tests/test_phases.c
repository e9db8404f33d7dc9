/* test_phases.c: options take effect only at their phase: SO_REUSEADDR before bind, SO_RCVBUF before listen/connect. */
#include <linux/tcp.h>

#include "testutil.h"

static void so_reuseaddr_in_a_spec_lets_a_listener_restart_over_time_wait(void **state)
{
	struct sockopt_dial_config cfg = { .spec = spec_of("SO_REUSEADDR=on") };
	struct sockopt_diag d;
	char port[16];
	int c, s, l;

	(void)state;
	snprintf(port, sizeof(port), "%u", spec_pair("SO_REUSEADDR=on", NULL, &c, &s));
	/* The server closes first, so its end, on the listener's port, waits in TIME_WAIT. */
	close(s);
	close(c);
	assert_int_equal(time_wait_count((unsigned)atoi(port)), 1);
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
	struct scales sc;
	int c, s, ignore;

	spec_pair(listen_spec, NULL, &c, &s);
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
	int c, s, rcv_plain, rcv_small, snd;

	(void)state;
	spec_pair(NULL, NULL, &c, &s);
	wscale(c, &rcv_plain, &snd);
	close(c);
	close(s);
	spec_pair(NULL, "SO_RCVBUF=4K", &c, &s);
	wscale(c, &rcv_small, &snd);
	close(c);
	close(s);
	assert_true(rcv_small < rcv_plain);
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
