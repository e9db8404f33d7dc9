/* test_proc_threads.c: a process-socket scan spread over worker threads gives what a scan on one thread gives, in the same order. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#define PAIRS 160 /* 320 TCP sockets and 8 unix ones: several chunks of fds for each of 2 workers */
#define MAX_SEEN 512

/* One socket as the callback saw it: enough to tell two scans apart. */
struct record {
	int fd, error;
	unsigned kind;
	int state;
	size_t options;
	int nodelay, nodelay_default, keepalive;
};

struct seen {
	int count;
	struct record r[MAX_SEEN];
	pthread_t caller;
	bool off_thread; /* the callback ran on another thread than the scan's caller */
	int stop_after;	 /* return -ECANCELED after this many sockets (0: never) */
};

/* The value and default-ness of option NAME on SOCK, into *VALUE and *IS_DEFAULT. */
static void option_of(sockopt_sock *sock, const char *name, int *value, int *is_default)
{
	*value = *is_default = -100;
	for (size_t i = 0; i < sockopt_sock_option_count(sock); i++) {
		const sockopt_entry *e;
		const sockopt_value *v;

		if (sockopt_sock_option(sock, i, &e, &v) == 0 &&
		    strcmp(sockopt_entry_name(e), name) == 0) {
			*value = v->v.i;
			*is_default = sockopt_sock_option_is_default(sock, i);
		}
	}
}

static int on_socket(sockopt_sock *sock, void *ctx)
{
	struct seen *s = ctx;
	struct record *r = &s->r[s->count++];
	int ignored;

	assert_true(s->count <= MAX_SEEN);
	s->off_thread |= !pthread_equal(pthread_self(), s->caller);
	r->fd = sockopt_sock_fd(sock);
	r->error = sockopt_sock_error(sock);
	if (r->error == 0) {
		r->kind = sockopt_sock_kind(sock);
		r->state = sockopt_sock_state(sock);
		assert_true(sockopt_sock_read_options(sock, NULL) >= 0);
		r->options = sockopt_sock_option_count(sock);
		option_of(sock, "TCP_NODELAY", &r->nodelay, &r->nodelay_default);
		option_of(sock, "SO_KEEPALIVE", &r->keepalive, &ignored);
	}
	return s->stop_after && s->count >= s->stop_after ? -ECANCELED : 0;
}

/* Leave out unix sockets. */
static bool not_unix(const sockopt_sock *sock, void *ctx)
{
	(void)ctx;
	return sockopt_sock_family(sock) != AF_UNIX;
}

/* How many fds this process has open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Scan this process (FDS, or every fd when N is 0) on THREADS threads; the scan's result. */
static int scan_own(unsigned threads, sockopt_sock_pred filter, const int *fds, size_t n,
		    struct seen *s)
{
	sockopt_scan *scan;
	struct sockopt_diag d;
	int r;

	s->caller = pthread_self();
	assert_int_equal(sockopt_scan_new(0, &scan, &d), 0);
	assert_int_equal(sockopt_scan_set_threads(scan, threads), 0);
	sockopt_scan_set_filter(scan, filter, NULL);
	r = sockopt_scan_pid(scan, getpid(), fds, n, on_socket, s, &d);
	sockopt_scan_free(scan);
	return r;
}

/* PAIRS TCP connections (TCP_NODELAY on every 3rd client) and 4 unix pairs, into FDS. */
static void open_sockets(int fds[2 * PAIRS + 8])
{
	sockopt_value on;

	sockopt_value_set_int(&on, 1);
	for (int i = 0; i < PAIRS; i++) {
		tcp_pair(&fds[2 * i], &fds[2 * i + 1]);
		if (i % 3 == 0)
			assert_int_equal(sockopt_set(fds[2 * i], entry("TCP_NODELAY"), &on, NULL, NULL),
					 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, &fds[2 * PAIRS + 2 * i]), 0);
}

static void close_sockets(int fds[2 * PAIRS + 8])
{
	for (int i = 0; i < 2 * PAIRS + 8; i++)
		close(fds[i]);
}

static void threads_see_what_one_thread_sees_in_the_same_order(void **state)
{
	int fds[2 * PAIRS + 8], before;
	struct seen *one = calloc(1, sizeof(*one)), *two = calloc(1, sizeof(*two));

	(void)state;
	open_sockets(fds);
	before = open_fds();
	assert_true(scan_own(1, NULL, NULL, 0, one) >= 2 * PAIRS + 8);
	assert_true(scan_own(2, NULL, NULL, 0, two) >= 2 * PAIRS + 8);
	assert_false(two->off_thread); /* the callback runs on the caller's thread */
	assert_int_equal(one->count, two->count);
	for (int i = 0; i < one->count; i++) {
		assert_int_equal(one->r[i].fd, two->r[i].fd);
		assert_memory_equal(&one->r[i], &two->r[i], sizeof(one->r[i]));
	}
	/* The nodelay clients were seen as such, with their default-ness, by both. */
	for (int i = 0; i < two->count; i++)
		if (two->r[i].fd == fds[0]) {
			assert_int_equal(two->r[i].nodelay, 1);
			assert_int_equal(two->r[i].nodelay_default, 0);
		}
	/* Every duplicate was closed, in whichever thread made it. */
	assert_int_equal(open_fds(), before);
	close_sockets(fds);
	free(one);
	free(two);
}

static void a_filter_spares_sockets_the_caller_passes_over(void **state)
{
	int fds[2 * PAIRS + 8];
	struct seen *s = calloc(1, sizeof(*s));
	int met;

	(void)state;
	open_sockets(fds);
	met = scan_own(2, not_unix, NULL, 0, s);
	/* The unix sockets count as met, but the callback never sees one. */
	assert_true(met >= s->count + 8);
	for (int i = 0; i < s->count; i++)
		assert_true(s->r[i].kind & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6 | SOCKOPT_KIND_UDP |
					    SOCKOPT_KIND_UDP6 | SOCKOPT_KIND_RAW | SOCKOPT_KIND_RAW6));
	close_sockets(fds);
	free(s);
}

static void a_threaded_scan_stops_when_the_callback_says_so(void **state)
{
	int fds[2 * PAIRS + 8], before;
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	open_sockets(fds);
	before = open_fds();
	s->stop_after = 5;
	assert_int_equal(scan_own(2, NULL, NULL, 0, s), -ECANCELED);
	assert_int_equal(s->count, 5);
	assert_int_equal(open_fds(), before);
	close_sockets(fds);
	free(s);
}

static void named_fds_are_reported_in_the_order_given(void **state)
{
	int fds[2 * PAIRS + 8], asked[2 * PAIRS + 10], p[2], n = 0;
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	open_sockets(fds);
	assert_int_equal(pipe(p), 0);
	/* Backwards, with a pipe and a closed fd among them: each is reported where it was named. */
	for (int i = 2 * PAIRS + 7; i >= 0; i--) {
		asked[n++] = fds[i];
		if (i == 20)
			asked[n++] = p[0];
		if (i == 10)
			asked[n++] = 900;
	}
	assert_int_equal(scan_own(2, NULL, asked, (size_t)n, s), 2 * PAIRS + 8);
	assert_int_equal(s->count, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(s->r[i].fd, asked[i]);
		assert_int_equal(s->r[i].error, asked[i] == p[0]  ? -ENOTSOCK :
						asked[i] == 900 ? -EBADF :
								  0);
	}
	close(p[0]);
	close(p[1]);
	close_sockets(fds);
	free(s);
}

static void too_many_threads_is_refused(void **state)
{
	sockopt_scan *scan;

	(void)state;
	assert_int_equal(sockopt_scan_new(0, &scan, NULL), 0);
	assert_int_equal(sockopt_scan_set_threads(scan, 16), 0);
	assert_int_equal(sockopt_scan_set_threads(scan, 17), -EINVAL);
	sockopt_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threads_see_what_one_thread_sees_in_the_same_order),
		cmocka_unit_test(a_filter_spares_sockets_the_caller_passes_over),
		cmocka_unit_test(a_threaded_scan_stops_when_the_callback_says_so),
		cmocka_unit_test(named_fds_are_reported_in_the_order_given),
		cmocka_unit_test(too_many_threads_is_refused),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
