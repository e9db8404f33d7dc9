/* test_close.c: abortive, graceful and linger closes on loopback, and what the peer sees of each. */
#include <fcntl.h>
#include <sys/wait.h>

#include "testutil.h"

/* A loopback connection whose accepting side has a 4K receive buffer, so a non-reading peer fills up. */
static unsigned small_window_pair(int *client, int *server)
{
	return spec_pair("SO_RCVBUF=4K", NULL, client, server);
}

/* Write to FD until its send queue is full; the byte count. */
static long fill(int fd)
{
	static char buf[65536];
	long total = 0;
	ssize_t n;

	while ((n = send(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += n;
	assert_int_equal(errno, EAGAIN);
	return total;
}

/* Read FD until EOF or an error; the byte count, and the error in *ERR (0 at EOF). */
static long read_all(int fd, int *err)
{
	static char buf[65536];
	long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	*err = n < 0 ? errno : 0;
	return total;
}

static void abortive_close_resets_the_peer_and_leaves_no_time_wait(void **state)
{
	struct sockopt_close_result res;
	struct sockopt_diag d;
	int client, server, err;
	unsigned port = small_window_pair(&client, &server);

	(void)state;
	assert_true(fill(client) > 0);
	assert_int_equal(sockopt_close_abortive(client, &res, &d), 0);
	assert_int_equal(res.close_errno, 0);
	assert_true(res.unsent > 0);
	assert_non_null(strstr(res.text, "unacknowledged bytes were discarded"));
	/* The peer reads what already sat in its buffer, then the reset. */
	read_all(server, &err);
	assert_int_equal(err, ECONNRESET);
	close(server);
	assert_int_equal(time_wait_count(port), 0);
}

static void an_ordinary_close_leaves_time_wait_for_comparison(void **state)
{
	int client, server, err;
	unsigned port = small_window_pair(&client, &server);

	(void)state;
	close(client);
	assert_int_equal(read_all(server, &err), 0);
	assert_int_equal(err, 0);
	close(server);
	assert_int_equal(time_wait_count(port), 1);
}

static void graceful_close_returns_after_the_peer_closes(void **state)
{
	struct sockopt_close_result res;
	struct sockopt_diag d;
	int client, server, err, status;
	pid_t peer;

	(void)state;
	small_window_pair(&client, &server);
	peer = fork();
	assert_true(peer >= 0);
	if (peer == 0) {
		/* The peer reads to our EOF, answers, and closes. */
		close(client);
		read_all(server, &err);
		_exit(write(server, "bye", 3) == 3 && close(server) == 0 ? 0 : 1);
	}
	close(server);
	assert_int_equal(send(client, "hello", 5, 0), 5);
	assert_int_equal(sockopt_close_graceful(client, 5000, &res, &d), 0);
	assert_true(res.peer_closed);
	assert_int_equal(res.unread, 3);
	assert_true(res.elapsed_us < 5000000);
	assert_memory_equal(res.text, "peer closed after ", 18);
	assert_non_null(strstr(res.text, "drained 3 bytes; close returned 0."));
	assert_int_equal(waitpid(peer, &status, 0), peer);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(fcntl(client, F_GETFD), -1); /* the fd is gone */
}

static void graceful_close_gives_up_at_the_deadline_and_still_closes(void **state)
{
	struct sockopt_close_result res;
	struct sockopt_diag d;
	int client, server;

	(void)state;
	small_window_pair(&client, &server);
	assert_int_equal(sockopt_close_graceful(client, 200, &res, &d), -ETIMEDOUT);
	assert_false(res.peer_closed);
	assert_true(res.elapsed_us >= 200000);
	assert_memory_equal(d.text, "the deadline of 200 ms passed before the peer closed", 52);
	assert_int_equal(fcntl(client, F_GETFD), -1);
	close(server);
}

static void graceful_close_of_an_unconnected_socket_names_shutdown(void **state)
{
	struct sockopt_diag d;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_close_graceful(fd, 100, NULL, &d), -ENOTCONN);
	assert_non_null(strstr(d.text, "SHUT_WR): Transport endpoint is not connected (ENOTCONN)"));
	assert_int_equal(fcntl(fd, F_GETFD), -1);
}

static void linger_close_waits_the_linger_time_returns_0_and_still_delivers(void **state)
{
	struct sockopt_close_result res;
	struct sockopt_diag d;
	int client, server, err;
	long sent;

	(void)state;
	small_window_pair(&client, &server);
	sent = fill(client);
	assert_int_equal(sockopt_close_linger(client, 1, &res, &d), -ETIMEDOUT);
	print_message("linger 1 s, peer not reading, %ld bytes queued: close returned %d "
		      "(errno %d) after %lld us\n",
		      sent, res.close_errno ? -1 : 0, res.close_errno, res.elapsed_us);
	/* Linux's close returns 0, not EWOULDBLOCK, after the whole linger time. */
	assert_int_equal(res.close_errno, 0);
	assert_true(res.linger_expired);
	assert_true(res.elapsed_us >= 990000);
	assert_true(res.unsent > 0);
	/* Nothing was discarded: the peer reads every byte, then EOF. */
	assert_int_equal(read_all(server, &err), sent);
	assert_int_equal(err, 0);
	close(server);
}

static void linger_close_returns_early_once_everything_is_acknowledged(void **state)
{
	struct sockopt_close_result res;
	struct sockopt_diag d;
	int client, server;

	(void)state;
	small_window_pair(&client, &server);
	assert_int_equal(send(client, "hello", 5, 0), 5);
	assert_int_equal(sockopt_close_linger(client, 2, &res, &d), 0);
	print_message("linger 2 s, 5 bytes that fit the peer's buffer: close returned %d after "
		      "%lld us\n",
		      res.close_errno, res.elapsed_us);
	assert_false(res.linger_expired);
	assert_true(res.elapsed_us < 2000000);
	assert_non_null(strstr(res.text, "the peer acknowledged everything, FIN included"));
	close(server);
	/* 0 seconds would be the abortive close: refused, and the fd stays open. */
	client = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(sockopt_close_linger(client, 0, &res, &d), -EINVAL);
	assert_int_equal(close(client), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abortive_close_resets_the_peer_and_leaves_no_time_wait),
		cmocka_unit_test(an_ordinary_close_leaves_time_wait_for_comparison),
		cmocka_unit_test(graceful_close_returns_after_the_peer_closes),
		cmocka_unit_test(graceful_close_gives_up_at_the_deadline_and_still_closes),
		cmocka_unit_test(graceful_close_of_an_unconnected_socket_names_shutdown),
		cmocka_unit_test(linger_close_waits_the_linger_time_returns_0_and_still_delivers),
		cmocka_unit_test(linger_close_returns_early_once_everything_is_acknowledged),
	};

	return cmocka_run_group_tests(tests, enter_private_netns, NULL);
}
