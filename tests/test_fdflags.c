/* test_fdflags.c: flag changes keep the other flags, unlike seed 003's "flags &= O_NONBLOCK". */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "testutil.h"

/* A temporary file opened for appending; unlinked at once. */
static int append_file(void)
{
	char path[] = "/tmp/sockopt-fdflags-XXXXXX";
	int tmp = mkstemp(path), fd;

	assert_true(tmp >= 0);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	unlink(path);
	close(tmp);
	return fd;
}

static void turning_nonblocking_off_keeps_o_append_on_a_file(void **state)
{
	struct sockopt_diag d;
	int fd = append_file();

	(void)state;
	assert_int_equal(sockopt_fd_set_nonblocking(fd, true, &d), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
	assert_int_equal(sockopt_fd_set_nonblocking(fd, false, &d), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND);
	close(fd);
}

static void turning_nonblocking_off_keeps_o_async_on_a_socket(void **state)
{
	struct sockopt_diag d;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_fd_set_async(fd, true, 0, &d), 0);
	assert_int_equal(fcntl(fd, F_GETOWN), getpid());
	assert_int_equal(sockopt_fd_set_nonblocking(fd, true, &d), 0);
	assert_int_equal(sockopt_fd_set_nonblocking(fd, false, &d), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_ASYNC | O_NONBLOCK), O_ASYNC);
	assert_int_equal(sockopt_fd_set_async(fd, false, 0, &d), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ASYNC, 0);
	close(fd);
}

/* What seed 003 prints for clearing O_NONBLOCK, applied to FD. */
static void seed_003_clear_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL, 0);

	flags &= O_NONBLOCK;
	assert_int_equal(fcntl(fd, F_SETFL, flags), 0);
}

static void the_seeds_flags_and_o_nonblock_would_have_cleared_them(void **state)
{
	struct sockopt_diag d;
	int file = append_file(), sock = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(sockopt_fd_set_async(sock, true, 0, &d), 0);
	/* With O_NONBLOCK off, "flags &= O_NONBLOCK" leaves 0: every flag is gone. */
	seed_003_clear_nonblocking(file);
	seed_003_clear_nonblocking(sock);
	assert_int_equal(fcntl(file, F_GETFL) & O_APPEND, 0);
	assert_int_equal(fcntl(sock, F_GETFL) & O_ASYNC, 0);
	/* With O_NONBLOCK on, it even keeps O_NONBLOCK on, the opposite of its intent. */
	assert_int_equal(fcntl(file, F_SETFL, O_APPEND | O_NONBLOCK), 0);
	seed_003_clear_nonblocking(file);
	assert_int_equal(fcntl(file, F_GETFL) & (O_APPEND | O_NONBLOCK), O_NONBLOCK);
	close(file);
	close(sock);
}

static void cloexec_turns_on_and_off(void **state)
{
	struct sockopt_diag d;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(sockopt_fd_set_cloexec(fd, true, &d), 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(sockopt_fd_set_cloexec(fd, false, &d), 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
}

static void o_async_with_an_owner_delivers_sigio_when_data_arrives(void **state)
{
	struct sockopt_diag d;
	struct timespec wait = { .tv_sec = 2 };
	sigset_t io, old;
	siginfo_t info;
	int client, server;

	(void)state;
	tcp_pair(&client, &server);
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	assert_int_equal(sigprocmask(SIG_BLOCK, &io, &old), 0);
	assert_int_equal(sockopt_fd_set_async(server, true, getpid(), &d), 0);
	assert_int_equal(send(client, "x", 1, 0), 1);
	assert_int_equal(sigtimedwait(&io, &info, &wait), SIGIO);
	/* Closing sends more SIGIO (FIN, RST); take them while still blocked. */
	close(client);
	close(server);
	wait.tv_sec = 0;
	while (sigtimedwait(&io, &info, &wait) == SIGIO)
		;
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void a_bad_fd_gets_a_sentence_naming_the_call(void **state)
{
	struct sockopt_diag d;

	(void)state;
	assert_int_equal(sockopt_fd_set_nonblocking(-1, true, &d), -EBADF);
	assert_string_equal(d.text, "fcntl(-1, F_GETFL): Bad file descriptor (EBADF).");
	assert_int_equal(sockopt_fd_set_cloexec(-1, true, &d), -EBADF);
	assert_string_equal(d.text, "fcntl(-1, F_GETFD): Bad file descriptor (EBADF).");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(turning_nonblocking_off_keeps_o_append_on_a_file),
		cmocka_unit_test(turning_nonblocking_off_keeps_o_async_on_a_socket),
		cmocka_unit_test(the_seeds_flags_and_o_nonblock_would_have_cleared_them),
		cmocka_unit_test(cloexec_turns_on_and_off),
		cmocka_unit_test(o_async_with_an_owner_delivers_sigio_when_data_arrives),
		cmocka_unit_test(a_bad_fd_gets_a_sentence_naming_the_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
