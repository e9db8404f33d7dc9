/* test_keepalive.c: keepalive in one call: values read back, zero fields keep the kernel's, derived user timeout. */
#include "testutil.h"

/* The sysctl NAME as a number. */
static int sysctl_int(const char *name)
{
	long long n;
	struct sockopt_diag d;

	assert_int_equal(sockopt_sysctl_read_long(name, &n, &d), 0);
	return (int)n;
}

static void every_field_reads_back(void **state)
{
	struct sockopt_keepalive ka = { .idle_s = 30, .interval_s = 5, .count = 4,
					.user_timeout_ms = 45000 };
	struct sockopt_keepalive got;
	struct sockopt_diag d;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_keepalive_set(fd, &ka, &d), 0);
	assert_int_equal(sockopt_keepalive_get(fd, &got, &d), 0);
	assert_true(got.enabled);
	assert_int_equal(got.idle_s, 30);
	assert_int_equal(got.interval_s, 5);
	assert_int_equal(got.count, 4);
	assert_int_equal(got.user_timeout_ms, 45000);
	close(fd);
}

static void zero_fields_leave_the_kernel_defaults(void **state)
{
	struct sockopt_keepalive ka = { .idle_s = 30 }, got;
	struct sockopt_diag d;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_keepalive_get(fd, &got, &d), 0);
	assert_false(got.enabled);
	assert_int_equal(sockopt_keepalive_set(fd, &ka, &d), 0);
	assert_int_equal(sockopt_keepalive_get(fd, &got, &d), 0);
	assert_true(got.enabled);
	assert_int_equal(got.idle_s, 30);
	assert_int_equal(got.interval_s, sysctl_int("net.ipv4.tcp_keepalive_intvl"));
	assert_int_equal(got.count, sysctl_int("net.ipv4.tcp_keepalive_probes"));
	assert_int_equal(got.user_timeout_ms, 0);
	close(fd);
}

static void the_user_timeout_is_derived_from_idle_interval_and_count(void **state)
{
	struct sockopt_keepalive ka = { .idle_s = 10, .interval_s = 5, .count = 3,
					.derive_user_timeout = true };
	struct sockopt_keepalive got;
	struct sockopt_diag d;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_keepalive_set(fd, &ka, &d), 0);
	assert_int_equal(sockopt_keepalive_get(fd, &got, &d), 0);
	assert_int_equal(got.user_timeout_ms, (10 + 5 * 3) * 1000);
	/* Zero fields count with the kernel's values. */
	ka = (struct sockopt_keepalive){ .idle_s = 60, .derive_user_timeout = true };
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(sockopt_keepalive_set(fd, &ka, &d), 0);
	assert_int_equal(sockopt_keepalive_get(fd, &got, &d), 0);
	assert_int_equal(got.user_timeout_ms,
			 (60 + sysctl_int("net.ipv4.tcp_keepalive_intvl") *
				       sysctl_int("net.ipv4.tcp_keepalive_probes")) *
				 1000);
	/* An explicit user timeout wins over the derived one. */
	ka.user_timeout_ms = 1234;
	assert_int_equal(sockopt_keepalive_set(fd, &ka, &d), 0);
	assert_int_equal(sockopt_keepalive_get(fd, &got, &d), 0);
	assert_int_equal(got.user_timeout_ms, 1234);
	close(fd);
}

static void a_udp_socket_is_refused_before_anything_changes(void **state)
{
	struct sockopt_keepalive ka = { .idle_s = 10 };
	struct sockopt_diag d;
	sockopt_value v;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(sockopt_keepalive_set(fd, &ka, &d), -ENOPROTOOPT);
	assert_non_null(strstr(d.text, "needs a TCP socket"));
	assert_non_null(strstr(d.text, "is a udp socket"));
	assert_int_equal(sockopt_get(fd, entry("SO_KEEPALIVE"), &v, &d), 0);
	assert_int_equal(v.v.i, 0);
	close(fd);
}

static void a_value_the_kernel_refuses_names_the_option(void **state)
{
	struct sockopt_keepalive ka = { .idle_s = 10, .count = 1000 };
	struct sockopt_diag d;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	/* TCP_KEEPCNT is at most 127 (MAX_TCP_KEEPCNT). */
	assert_int_equal(sockopt_keepalive_set(fd, &ka, &d), -EINVAL);
	assert_non_null(strstr(d.text, "TCP_KEEPCNT=1000"));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_field_reads_back),
		cmocka_unit_test(zero_fields_leave_the_kernel_defaults),
		cmocka_unit_test(the_user_timeout_is_derived_from_idle_interval_and_count),
		cmocka_unit_test(a_udp_socket_is_refused_before_anything_changes),
		cmocka_unit_test(a_value_the_kernel_refuses_names_the_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
