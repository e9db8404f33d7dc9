/* test_spec.c: specs parse once, reject bad entries by name, and apply by phase and kind. */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>

#include "testutil.h"

static void a_spec_parses_into_typed_entries_with_catalog_phases(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;

	(void)state;
	assert_int_equal(sockopt_spec_parse("SO_KEEPALIVE=on, tcp_keepidle=30s,linger=on:5,"
					    "SO_RCVBUF=4M",
					    &spec, &d),
			 0);
	assert_int_equal(sockopt_spec_count(spec), 4);
	assert_ptr_equal(sockopt_spec_entry(spec, 1), entry("TCP_KEEPIDLE"));
	assert_ptr_equal(sockopt_spec_entry(spec, 2), entry("SO_LINGER"));
	assert_string_equal(sockopt_spec_text(spec, 1), "30s");
	assert_string_equal(sockopt_spec_text(spec, 2), "on:5");
	assert_string_equal(sockopt_spec_text(spec, 3), "4194304");
	assert_int_equal(sockopt_spec_value(spec, 1)->v.i, 30);
	/* SO_RCVBUF acts on the window scale only before connect or listen. */
	assert_int_equal(sockopt_spec_phase(spec, 0), SOCKOPT_PHASE_ANY);
	assert_int_equal(sockopt_spec_phase(spec, 3), SOCKOPT_PHASE_BEFORE_CONNECT);
	assert_null(sockopt_spec_entry(spec, 4));
	sockopt_spec_free(spec);
}

/* Each rejected input and the start of the sentence that names its entry. */
static const struct {
	const char *text;
	const char *sentence;
} rejections[] = {
	{ "SO_LINGER=maybe", "\"SO_LINGER=maybe\": SO_LINGER: \"maybe\" is not valid; expected " },
	{ "SO_KEEPALIVE=on,SO_REUSEADR=1",
	  "\"SO_REUSEADR=1\": there is no socket option SO_REUSEADR; did you mean SO_REUSEADDR" },
	{ "SO_KEEPALIVE", "\"SO_KEEPALIVE\": expected NAME=VALUE." },
	{ "=1", "\"=1\": the option name is missing." },
	{ "SO_TYPE=stream", "\"SO_TYPE=stream\": SO_TYPE is read-only." },
	{ "SO_KEEPALIVE=on,,TCP_NODELAY=on", "Entry 2 of the spec is empty" },
	{ "SO_KEEPALIVE=on,", "Entry 2 of the spec is empty" },
	{ "  ", "The spec is empty" },
	{ "SO_RCVBUF=1M,rcvbuf=2M", "\"SO_RCVBUF=2097152\": SO_RCVBUF is set twice in this spec" },
	/* A comma always separates entries, so linger's seconds follow a colon. */
	{ "SO_LINGER=on,30", "\"SO_LINGER=on\": SO_LINGER: \"on\" is not valid" },
	{ "TCP_KEEPIDLE=soon", "\"TCP_KEEPIDLE=soon\": TCP_KEEPIDLE: \"soon\"" },
};

static void every_rejection_names_the_entry_and_adds_nothing(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;

	(void)state;
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on", &spec, &d), 0);
	for (size_t i = 0; i < sizeof(rejections) / sizeof(rejections[0]); i++) {
		memset(&d, 0, sizeof(d));
		if (sockopt_spec_add(spec, rejections[i].text, SOCKOPT_PHASE_CATALOG, &d) !=
		    -EINVAL)
			fail_msg("%s was accepted", rejections[i].text);
		assert_int_equal(d.error, -EINVAL);
		if (strncmp(d.text, rejections[i].sentence, strlen(rejections[i].sentence)) != 0)
			fail_msg("%s gave \"%s\"", rejections[i].text, d.text);
		assert_int_equal(sockopt_spec_count(spec), 1);
	}
	sockopt_spec_free(spec);
}

static void an_explicit_phase_overrides_the_catalog_and_a_later_add_replaces(void **state)
{
	sockopt_spec *spec = sockopt_spec_new();
	struct sockopt_diag d;

	(void)state;
	assert_non_null(spec);
	assert_int_equal(sockopt_spec_add(spec, "TCP_NODELAY=on", SOCKOPT_PHASE_AFTER_ACCEPT, &d), 0);
	assert_int_equal(sockopt_spec_add(spec, "TCP_NODELAY=off", SOCKOPT_PHASE_CATALOG, &d), 0);
	assert_int_equal(sockopt_spec_count(spec), 2);
	assert_int_equal(sockopt_spec_phase(spec, 0), SOCKOPT_PHASE_AFTER_ACCEPT);
	assert_int_equal(sockopt_spec_phase(spec, 1), SOCKOPT_PHASE_ANY);
	/* The same option at the same phase again replaces the value in place. */
	assert_int_equal(sockopt_spec_add(spec, "nodelay=off", SOCKOPT_PHASE_AFTER_ACCEPT, &d), 0);
	assert_int_equal(sockopt_spec_count(spec), 2);
	assert_string_equal(sockopt_spec_text(spec, 0), "off");
	assert_int_equal(sockopt_spec_add(spec, "TCP_NODELAY=on", 9, &d), -EINVAL);
	assert_string_equal(d.text, "There is no phase 9.");
	sockopt_spec_free(spec);
}

static void has_phase_answers_by_phase_and_kind_without_a_socket(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;

	(void)state;
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on,SO_REUSEADDR=on", &spec, &d), 0);
	assert_true(sockopt_spec_has_phase(spec, SOCKOPT_PHASE_ANY, SOCKOPT_KIND_TCP6));
	assert_false(sockopt_spec_has_phase(spec, SOCKOPT_PHASE_ANY, SOCKOPT_KIND_UDP));
	assert_true(sockopt_spec_has_phase(spec, SOCKOPT_PHASE_BEFORE_BIND, SOCKOPT_KIND_UDP));
	assert_false(sockopt_spec_has_phase(spec, SOCKOPT_PHASE_BEFORE_CONNECT, SOCKOPT_KIND_ALL));
	assert_false(sockopt_spec_has_phase(spec, SOCKOPT_PHASE_AFTER_ACCEPT, SOCKOPT_KIND_ALL));
	sockopt_spec_free(spec);
}

static void validate_refuses_an_entry_that_fits_none_of_the_kinds(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;

	(void)state;
	assert_int_equal(sockopt_spec_parse("SO_KEEPALIVE=on,TCP_NODELAY=on", &spec, &d), 0);
	assert_int_equal(sockopt_spec_validate(spec, SOCKOPT_KIND_TCP | SOCKOPT_KIND_UDP, &d), 0);
	assert_int_equal(sockopt_spec_validate(spec, SOCKOPT_KIND_UDP | SOCKOPT_KIND_UDP6, &d),
			 -ENOPROTOOPT);
	assert_string_equal(d.text, "\"TCP_NODELAY=on\": TCP_NODELAY applies to tcp, tcp6 "
				    "sockets, not to udp or udp6 sockets.");
	sockopt_spec_free(spec);
}

/* What a report callback heard. */
struct heard {
	int applied, skipped, failed;
	char last[SOCKOPT_TEXT_MAX];
	char failure[SOCKOPT_TEXT_MAX];
};

static void listen_to(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	struct heard *h = ctx;

	(void)fd;
	if (r->outcome == SOCKOPT_APPLIED) {
		h->applied++;
		assert_non_null(r->rb);
	} else if (r->outcome == SOCKOPT_SKIPPED) {
		h->skipped++;
	} else {
		h->failed++;
		assert_true(r->error < 0);
		snprintf(h->failure, sizeof(h->failure), "%s", r->text);
	}
	snprintf(h->last, sizeof(h->last), "%s", r->text);
}

static void apply_sets_the_entries_of_one_phase_and_reports_each(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;
	struct heard h = { 0 };
	sockopt_value v;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on,SO_RCVBUF=100K,IP_TTL=7", &spec, &d), 0);
	assert_int_equal(sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, listen_to, &h), 0);
	assert_int_equal(h.applied, 2); /* SO_RCVBUF waits for its own phase */
	assert_string_equal(h.last, "IP_TTL: requested 7, stored 7.");
	assert_int_equal(sockopt_get(fd, entry("SO_RCVBUF"), &v, &d), 0);
	assert_int_not_equal(v.v.i, 2 * 102400);
	assert_int_equal(sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_BEFORE_CONNECT, listen_to, &h),
			 0);
	assert_int_equal(h.applied, 3);
	assert_string_equal(h.last, "SO_RCVBUF: requested 102400, stored 204800: Linux doubles "
				    "SO_RCVBUF (2 × 102400).");
	assert_int_equal(sockopt_get(fd, entry("TCP_NODELAY"), &v, &d), 0);
	assert_int_equal(v.v.i, 1);
	close(fd);
	sockopt_spec_free(spec);
}

static void apply_skips_what_does_not_fit_and_counts_failures(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;
	struct heard h = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	/* The kernel refuses a multicast interface address no interface has (the spec cannot know). */
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on,IP_MULTICAST_IF=192.0.2.1,SO_KEEPALIVE=on",
					    &spec, &d),
			 0);
	assert_int_equal(sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, listen_to, &h), 1);
	assert_int_equal(h.skipped, 1);
	assert_int_equal(h.failed, 1);
	assert_int_equal(h.applied, 1);
	assert_non_null(strstr(h.failure, "IP_MULTICAST_IF=192.0.2.1"));
	assert_non_null(strstr(h.failure, "EADDRNOTAVAIL"));
	/* Without a listener nothing is read back, and the count is the same. */
	assert_int_equal(sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, NULL, NULL), 1);
	close(fd);
	sockopt_spec_free(spec);
}

static void apply_leaves_errno_alone_and_refuses_what_is_not_a_socket(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;
	int fds[2], fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(sockopt_spec_parse("IP_MULTICAST_IF=192.0.2.1", &spec, &d), 0);
	errno = EINTR;
	assert_int_equal(sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, NULL, NULL), 1);
	assert_int_equal(errno, EINTR);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(sockopt_spec_apply(fds[0], spec, SOCKOPT_PHASE_ANY, NULL, NULL),
			 -ENOTSOCK);
	assert_int_equal(errno, EINTR);
	/* A phase without entries returns at once, without looking at the fd. */
	assert_int_equal(sockopt_spec_apply(fds[0], spec, SOCKOPT_PHASE_BEFORE_BIND, NULL, NULL),
			 0);
	close(fds[0]);
	close(fds[1]);
	close(fd);
	sockopt_spec_free(spec);
}

static void apply_skips_every_entry_on_a_socket_sockopt_does_not_cover(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;
	struct heard h = { 0 };
	int fd = socket(AF_NETLINK, SOCK_RAW, 0);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sockopt_spec_parse("SO_KEEPALIVE=on", &spec, &d), 0);
	assert_int_equal(sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, listen_to, &h), 0);
	assert_int_equal(h.skipped, 1);
	assert_non_null(strstr(h.last, "a kind sockopt does not cover; SO_KEEPALIVE skipped"));
	close(fd);
	sockopt_spec_free(spec);
}

/* Count applied entries whose readback says what was stored (no cmocka asserts off main). */
static void count_applied(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	(void)fd;
	if (r->outcome == SOCKOPT_APPLIED && r->rb && strstr(r->text, "stored on"))
		++*(int *)ctx;
}

#ifndef __SANITIZE_ADDRESS__
/*
 * Count allocations while COUNTING is set, by standing in for malloc and
 * friends (glibc's own calls go through these too) and forwarding to glibc.
 */
extern void *__libc_malloc(size_t), *__libc_calloc(size_t, size_t), *__libc_realloc(void *, size_t);
static int counting, allocations;

void *malloc(size_t n)
{
	allocations += counting;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	allocations += counting;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	allocations += counting;
	return __libc_realloc(p, n);
}

static void apply_allocates_nothing_with_or_without_a_report(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;
	struct heard h = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on,SO_SNDBUF=64K,TCP_ULP=nosuch,UDP_CORK=on",
					    &spec, &d),
			 0);
	counting = 1;
	sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, NULL, NULL);
	sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_BEFORE_CONNECT, NULL, NULL);
	sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, listen_to, &h);
	sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_BEFORE_CONNECT, listen_to, &h);
	counting = 0;
	assert_int_equal(allocations, 0);
	/* Every outcome was exercised: applied, skipped (UDP_CORK) and failed (ULP nosuch). */
	assert_true(h.applied == 2 && h.skipped == 1 && h.failed == 1);
	close(fd);
	sockopt_spec_free(spec);
}
#else
static void apply_allocates_nothing_with_or_without_a_report(void **state)
{
	(void)state;
	skip(); /* AddressSanitizer owns malloc; the plain build checks this */
}
#endif

/* One thread's share of the concurrent apply: many sockets, one shared spec. */
static void *apply_many(void *arg)
{
	const sockopt_spec *spec = arg;
	long good = 0;

	for (int i = 0; i < 200; i++) {
		int applied = 0, fd = socket(AF_INET6, SOCK_STREAM, 0);

		if (sockopt_spec_apply(fd, spec, SOCKOPT_PHASE_ANY, count_applied, &applied) == 0 &&
		    applied == 2)
			good++;
		close(fd);
	}
	return (void *)good;
}

static void one_spec_applies_from_many_threads_at_once(void **state)
{
	sockopt_spec *spec = NULL;
	struct sockopt_diag d;
	pthread_t t[8];

	(void)state;
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on,SO_KEEPALIVE=on", &spec, &d), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, apply_many, spec), 0);
	for (int i = 0; i < 8; i++) {
		void *good;

		assert_int_equal(pthread_join(t[i], &good), 0);
		assert_int_equal((long)good, 200);
	}
	sockopt_spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_spec_parses_into_typed_entries_with_catalog_phases),
		cmocka_unit_test(every_rejection_names_the_entry_and_adds_nothing),
		cmocka_unit_test(an_explicit_phase_overrides_the_catalog_and_a_later_add_replaces),
		cmocka_unit_test(has_phase_answers_by_phase_and_kind_without_a_socket),
		cmocka_unit_test(validate_refuses_an_entry_that_fits_none_of_the_kinds),
		cmocka_unit_test(apply_sets_the_entries_of_one_phase_and_reports_each),
		cmocka_unit_test(apply_skips_what_does_not_fit_and_counts_failures),
		cmocka_unit_test(apply_leaves_errno_alone_and_refuses_what_is_not_a_socket),
		cmocka_unit_test(apply_skips_every_entry_on_a_socket_sockopt_does_not_cover),
		cmocka_unit_test(one_spec_applies_from_many_threads_at_once),
		cmocka_unit_test(apply_allocates_nothing_with_or_without_a_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
