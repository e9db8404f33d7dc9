/* test_sock_changed.c: sockopt_sock_changed and sockopt_sock_not_read pick, in one call, the options the per-option functions pick one by one, on this test's own sockets. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#define ROOM 512 /* more than the catalog holds */

/* What show's default view prints, asked option by option: the list sockopt_sock_changed gives. */
static size_t changed_one_by_one(const sockopt_sock *sock, size_t *index)
{
	size_t n = 0;

	for (size_t i = 0; i < sockopt_sock_option_count(sock); i++) {
		const sockopt_entry *e;
		const sockopt_value *v;
		int d, set;

		if (sockopt_sock_option(sock, i, &e, &v) < 0 ||
		    !(sockopt_entry_access(e) & SOCKOPT_ACCESS_SET))
			continue;
		d = sockopt_sock_option_is_default(sock, i);
		set = sockopt_sock_option_set_by_program(sock, i);
		if (d == 0 || (d == 1 && set == 1))
			index[n++] = i;
	}
	return n;
}

/* The options with no value (-ENODATA), the settable ones only with SETTABLE_ONLY, asked one by one. */
static size_t not_read_one_by_one(const sockopt_sock *sock, bool settable_only, size_t *index)
{
	size_t n = 0;

	for (size_t i = 0; i < sockopt_sock_option_count(sock); i++) {
		const sockopt_entry *e;
		const sockopt_value *v;

		if (sockopt_sock_option(sock, i, &e, &v) == -ENODATA &&
		    (!settable_only || (sockopt_entry_access(e) & SOCKOPT_ACCESS_SET)))
			index[n++] = i;
	}
	return n;
}

/* The names of the options at the N indexes of INDEX, space-separated, into BUF. */
static const char *names(const sockopt_sock *sock, const size_t *index, size_t n, char *buf,
			 size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < n && used < size; k++) {
		const sockopt_entry *e;
		const sockopt_value *v;

		sockopt_sock_option(sock, index[k], &e, &v);
		used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? " " : "",
					 sockopt_entry_name(e));
	}
	return buf;
}

/* What the scan of this test's sockets saw: the changed options of each, by fd. */
struct seen {
	int fds[4];
	char changed[4][1024];
	int count;
};

static int on_socket(sockopt_sock *sock, void *ctx)
{
	struct seen *s = ctx;
	size_t want[ROOM], got[ROOM], first, n, k;

	assert_true(sockopt_sock_read_options(sock, NULL) > 0);
	n = changed_one_by_one(sock, want);
	assert_int_equal(sockopt_sock_changed(sock, got, ROOM), n);
	for (k = 0; k < n; k++)
		assert_int_equal(got[k], want[k]);
	/* A short room takes the first ones and still says how many there are. */
	if (n > 1) {
		assert_int_equal(sockopt_sock_changed(sock, &first, 1), n);
		assert_int_equal(first, want[0]);
	}
	/* The pidfd path read every option: none lacks a value but those it cannot read. */
	assert_int_equal(sockopt_sock_not_read(sock, false, got, ROOM),
			 not_read_one_by_one(sock, false, want));
	assert_true(s->count < 4);
	s->fds[s->count] = sockopt_sock_fd(sock);
	names(sock, got, sockopt_sock_changed(sock, got, ROOM), s->changed[s->count],
	      sizeof(s->changed[0]));
	s->count++;
	return 0;
}

/* The changed options of fd FD as the scan saw them. */
static const char *changed_of(const struct seen *s, int fd)
{
	for (int i = 0; i < s->count; i++)
		if (s->fds[i] == fd)
			return s->changed[i];
	fail_msg("fd %d was not seen", fd);
	return NULL;
}

static void set_int(int fd, const char *name, int n)
{
	sockopt_value v;

	sockopt_value_set_int(&v, n);
	assert_int_equal(sockopt_set(fd, entry(name), &v, NULL, NULL), 0);
}

static void the_changed_options_are_those_the_program_set(unsigned flags)
{
	int c, s, pair[2], fresh = socket(AF_INET, SOCK_STREAM, 0), rcvbuf;
	socklen_t len = sizeof(rcvbuf);
	struct linger lg = { 1, 5 };
	struct seen seen = { .count = 0 };
	sockopt_scan *scan;
	struct sockopt_diag d;

	assert_int_equal(getsockopt(fresh, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len), 0);
	close(fresh);
	tcp_pair(&c, &s);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	set_int(c, "TCP_NODELAY", 1);
	set_int(c, "SO_KEEPALIVE", 1);
	assert_int_equal(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	/* The kernel doubles what is asked: half the default sets it to the default, and locks it. */
	assert_int_equal(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &(int){ rcvbuf / 2 }, sizeof(int)),
			 0);
	assert_int_equal(sockopt_scan_new(flags, &scan, &d), 0);
	assert_int_equal(sockopt_scan_pid(scan, getpid(), (int[]){ c, s, pair[0] }, 3, on_socket,
					  &seen, &d),
			 3);
	sockopt_scan_free(scan);
	assert_string_equal(changed_of(&seen, c), "SO_KEEPALIVE SO_LINGER TCP_NODELAY");
	assert_string_equal(changed_of(&seen, s), "SO_RCVBUF SO_BUF_LOCK");
	assert_string_equal(changed_of(&seen, pair[0]), "");
	close(c);
	close(s);
	close(pair[0]);
	close(pair[1]);
}

static void changed_options_of_every_option_read(void **state)
{
	(void)state;
	the_changed_options_are_those_the_program_set(0);
}

static void changed_options_of_the_settable_ones_read(void **state)
{
	(void)state;
	the_changed_options_are_those_the_program_set(SOCKOPT_SCAN_SETTABLE_ONLY);
}

/*
 * A socket another reader describes has no value for an option until the
 * reader gives one: not read until then, and changed once it differs.
 */
static void options_another_reader_did_not_give_are_not_read(void **state)
{
	struct sockaddr_in local = { .sin_family = AF_INET,
				     .sin_port = htons(8080),
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	size_t want[ROOM], got[ROOM], before, n;
	sockopt_scan *scan;
	sockopt_sock *sock;
	struct sockopt_diag d;
	int on = 1;
	long nodelay;

	(void)state;
	assert_int_equal(sockopt_scan_new(0, &scan, &d), 0);
	assert_int_equal(
		sockopt_scan_sock_new(scan, AF_INET, SOCK_STREAM, IPPROTO_TCP, "test", &sock), 0);
	sockopt_sock_set_endpoints(sock, 1, TCP_LISTEN, 0, 0, &local, sizeof(local), NULL, 0);
	for (int settable = 0; settable < 2; settable++) {
		n = sockopt_sock_not_read(sock, settable, got, ROOM);
		assert_int_equal(n, not_read_one_by_one(sock, settable, want));
		for (size_t k = 0; k < n; k++)
			assert_int_equal(got[k], want[k]);
	}
	/* SO_DOMAIN, SO_TYPE, SO_PROTOCOL and SO_ACCEPTCONN come from the description. */
	assert_int_equal(sockopt_sock_not_read(sock, false, NULL, 0),
			 sockopt_sock_option_count(sock) - 4);
	assert_int_equal(sockopt_sock_changed(sock, got, ROOM), 0);
	before = sockopt_sock_not_read(sock, true, NULL, 0);
	nodelay = sockopt_sock_option_index(sock, IPPROTO_TCP, TCP_NODELAY);
	assert_true(nodelay >= 0);
	assert_int_equal(sockopt_sock_set_option(sock, (size_t)nodelay, &on, sizeof(on), 0), 0);
	assert_int_equal(sockopt_sock_not_read(sock, true, NULL, 0), before - 1);
	assert_int_equal(sockopt_sock_changed(sock, got, ROOM), 1);
	assert_int_equal(got[0], (size_t)nodelay);
	assert_int_equal(changed_one_by_one(sock, want), 1);
	sockopt_scan_free(scan);
}

/* sockopt_sock_set_ints gives the same values as sockopt_sock_set_option one by one, and nothing when an index is out of range. */
static void ints_in_one_call(void **state)
{
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct sockopt_diag diag;
	sockopt_scan *scan;
	sockopt_sock *sock;
	const sockopt_entry *e;
	const sockopt_value *v;
	long nodelay, keepidle;
	size_t index[2], bad[2];
	int values[2] = { 1, 77 };

	(void)state;
	assert_int_equal(sockopt_scan_new(0, &scan, &diag), 0);
	assert_int_equal(
		sockopt_scan_sock_new(scan, AF_INET, SOCK_STREAM, IPPROTO_TCP, "test", &sock), 0);
	sockopt_sock_set_endpoints(sock, 1, TCP_LISTEN, 0, 0, &local, sizeof(local), NULL, 0);
	nodelay = sockopt_sock_option_index(sock, IPPROTO_TCP, TCP_NODELAY);
	keepidle = sockopt_sock_option_index(sock, IPPROTO_TCP, TCP_KEEPIDLE);
	assert_true(nodelay >= 0 && keepidle >= 0);
	index[0] = bad[0] = (size_t)nodelay;
	index[1] = (size_t)keepidle;
	bad[1] = sockopt_sock_option_count(sock);
	assert_int_equal(sockopt_sock_set_ints(sock, bad, values, 2), -EINVAL);
	assert_int_equal(sockopt_sock_option(sock, (size_t)nodelay, &e, &v), -ENODATA);
	assert_int_equal(sockopt_sock_set_ints(sock, index, values, 2), 0);
	for (size_t k = 0; k < 2; k++) {
		assert_int_equal(sockopt_sock_option(sock, index[k], &e, &v), 0);
		assert_int_equal(v->len, sizeof(int));
		assert_int_equal(v->v.i, values[k]);
	}
	assert_int_equal(sockopt_sock_changed(sock, bad, 2), 2);
	sockopt_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(changed_options_of_every_option_read),
		cmocka_unit_test(changed_options_of_the_settable_ones_read),
		cmocka_unit_test(options_another_reader_did_not_give_are_not_read),
		cmocka_unit_test(ints_in_one_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
