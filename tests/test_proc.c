/* test_proc.c: the process-socket scan of libsockopt, run on this test's own sockets and on a child that exits. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "testutil.h"

/* What the callback saw: one socket's description and a few option facts. */
struct seen {
	int count;
	int fds[64];
	unsigned kinds[64];
	int states[64];
	int errors[64];
	char error_text[SOCKOPT_TEXT_MAX];
	int nodelay_default;   /* is_default of TCP_NODELAY on the fd named by nodelay_fd */
	int reuseaddr_default; /* is_default of SO_REUSEADDR there */
	int nodelay_fd;
	bool side_effect_read; /* an option flagged SIDE_EFFECT or TRANSIENT was read */
	int stop_after;	       /* return -ECANCELED after this many sockets (0: never) */
};

static void note_options(sockopt_sock *sock, struct seen *s)
{
	assert_true(sockopt_sock_read_options(sock, NULL) > 0);
	for (size_t i = 0; i < sockopt_sock_option_count(sock); i++) {
		const sockopt_entry *e;
		const sockopt_value *v;

		if (sockopt_sock_option(sock, i, &e, &v) < 0)
			continue;
		if (sockopt_entry_flags(e) & (SOCKOPT_FLAG_SIDE_EFFECT | SOCKOPT_FLAG_TRANSIENT))
			s->side_effect_read = true;
		if (sockopt_sock_fd(sock) != s->nodelay_fd)
			continue;
		if (strcmp(sockopt_entry_name(e), "TCP_NODELAY") == 0) {
			assert_int_equal(v->v.i, 1);
			s->nodelay_default = sockopt_sock_option_is_default(sock, i);
		} else if (strcmp(sockopt_entry_name(e), "SO_REUSEADDR") == 0) {
			s->reuseaddr_default = sockopt_sock_option_is_default(sock, i);
		}
	}
}

static int on_socket(sockopt_sock *sock, void *ctx)
{
	struct seen *s = ctx;
	int n = s->count++;

	assert_true(n < 64);
	assert_int_equal(sockopt_sock_pid(sock), getpid());
	s->fds[n] = sockopt_sock_fd(sock);
	s->errors[n] = sockopt_sock_error(sock);
	if (s->errors[n]) {
		snprintf(s->error_text, sizeof(s->error_text), "%s", sockopt_sock_error_text(sock));
		return 0;
	}
	s->kinds[n] = sockopt_sock_kind(sock);
	s->states[n] = sockopt_sock_state(sock);
	note_options(sock, s);
	return s->stop_after && s->count >= s->stop_after ? -ECANCELED : 0;
}

/* How many fds of this process refer to the same socket as FD. */
static int fds_on_socket(int fd)
{
	char path[64], link[64], want[64];
	struct stat st;
	int n = 0;

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	for (int i = 0; i < 1024; i++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", i);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		n += strcmp(link, want) == 0;
	}
	return n;
}

static void scan_own(unsigned flags, const int *fds, size_t n, struct seen *s, int expect)
{
	sockopt_scan *scan;
	struct sockopt_diag d;

	assert_int_equal(sockopt_scan_new(flags, &scan, &d), 0);
	assert_int_equal(sockopt_scan_pid(scan, getpid(), fds, n, on_socket, s, &d), expect);
	sockopt_scan_free(scan);
}

static void own_sockets_are_described_and_their_options_read(void **state)
{
	int c, s, pair[2];
	struct seen seen = { .nodelay_default = -1, .reuseaddr_default = -1 };
	sockopt_value on;

	(void)state;
	tcp_pair(&c, &s);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair), 0);
	sockopt_value_set_int(&on, 1);
	assert_int_equal(sockopt_set(c, entry("TCP_NODELAY"), &on, NULL, NULL), 0);
	seen.nodelay_fd = c;
	scan_own(0, (int[]){ c, s, pair[0] }, 3, &seen, 3);
	/* Every duplicate was closed: each socket has its one fd again. */
	assert_int_equal(fds_on_socket(c), 1);
	assert_int_equal(fds_on_socket(s), 1);
	assert_int_equal(fds_on_socket(pair[0]), 1);
	assert_int_equal(seen.count, 3);
	assert_int_equal(seen.kinds[0], SOCKOPT_KIND_TCP);
	assert_int_equal(seen.kinds[2], SOCKOPT_KIND_UNIX_DGRAM);
	assert_string_equal(sockopt_tcp_state_name(seen.states[0]), "ESTABLISHED");
	assert_int_equal(seen.nodelay_default, 0);   /* set: differs from a fresh socket */
	assert_int_equal(seen.reuseaddr_default, 1); /* untouched: the kernel default */
	assert_false(seen.side_effect_read);
	close(c);
	close(s);
	close(pair[0]);
	close(pair[1]);
}

static void side_effect_options_are_read_only_when_asked(void **state)
{
	int c, s;
	struct seen seen = { .nodelay_fd = -1 };

	(void)state;
	tcp_pair(&c, &s);
	scan_own(SOCKOPT_SCAN_SIDE_EFFECTS, &c, 1, &seen, 1);
	assert_true(seen.side_effect_read);
	close(c);
	close(s);
}

static void an_fd_that_is_not_a_socket_is_named(void **state)
{
	int p[2];
	struct seen seen = { .nodelay_fd = -1 };

	(void)state;
	assert_int_equal(pipe(p), 0);
	scan_own(0, &p[0], 1, &seen, 0);
	assert_int_equal(seen.errors[0], -ENOTSOCK);
	assert_non_null(strstr(seen.error_text, "is not a socket; it is pipe:["));
	close(p[0]);
	close(p[1]);
	/* Not p[1]: the scan's own pidfd would take that number. */
	scan_own(0, (int[]){ 900 }, 1, &seen, 0);
	assert_int_equal(seen.errors[1], -EBADF);
	assert_non_null(strstr(seen.error_text, "is not open"));
}

static void a_whole_scan_finds_every_socket_and_can_be_stopped(void **state)
{
	int c, s;
	struct seen seen = { .nodelay_fd = -1 }, stopped = { .nodelay_fd = -1, .stop_after = 1 };
	sockopt_scan *scan;
	struct sockopt_diag d;
	bool found_c = false, found_s = false;

	(void)state;
	tcp_pair(&c, &s);
	assert_int_equal(sockopt_scan_new(0, &scan, &d), 0);
	assert_true(sockopt_scan_pid(scan, getpid(), NULL, 0, on_socket, &seen, &d) >= 2);
	for (int i = 0; i < seen.count; i++) {
		found_c |= seen.fds[i] == c;
		found_s |= seen.fds[i] == s;
	}
	assert_true(found_c && found_s);
	assert_int_equal(sockopt_scan_pid(scan, getpid(), NULL, 0, on_socket, &stopped, &d),
			 -ECANCELED);
	assert_int_equal(stopped.count, 1);
	sockopt_scan_free(scan);
	close(c);
	close(s);
}

static void a_missing_or_exited_process_is_said_so(void **state)
{
	struct sockopt_diag d;
	sockopt_scan *scan;
	struct seen seen = { .nodelay_fd = -1 };
	pid_t child = fork();

	(void)state;
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	/* Wait until the child is a zombie: exited, not yet reaped. */
	assert_int_equal(waitid(P_PID, (id_t)child, NULL, WEXITED | WNOWAIT), 0);
	assert_int_equal(sockopt_scan_new(0, &scan, &d), 0);
	assert_int_equal(sockopt_scan_pid(scan, child, NULL, 0, on_socket, &seen, &d), -ESRCH);
	assert_non_null(strstr(d.text, "exited"));
	waitpid(child, NULL, 0);
	assert_int_equal(sockopt_scan_pid(scan, child, NULL, 0, on_socket, &seen, &d), -ESRCH);
	assert_non_null(strstr(d.text, "There is no process"));
	assert_int_equal(seen.count, 0);
	sockopt_scan_free(scan);
}

static void a_duplicate_is_the_same_socket(void **state)
{
	int c, s, dup;
	struct stat a, b;
	struct sockopt_diag d;
	sockopt_value on, got;

	(void)state;
	tcp_pair(&c, &s);
	dup = sockopt_proc_getfd(getpid(), c, &d);
	assert_true(dup >= 0);
	assert_int_equal(fstat(c, &a), 0);
	assert_int_equal(fstat(dup, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	sockopt_value_set_int(&on, 1);
	assert_int_equal(sockopt_set(dup, entry("SO_KEEPALIVE"), &on, NULL, NULL), 0);
	assert_int_equal(sockopt_get(c, entry("SO_KEEPALIVE"), &got, NULL), 0);
	assert_int_equal(got.v.i, 1);
	assert_int_equal(sockopt_proc_getfd(getpid(), 4000, &d), -EBADF);
	assert_non_null(strstr(d.text, "has no fd 4000"));
	close(dup);
	close(c);
	close(s);
}

/* Make syscall NR fail with ENOSYS in this process, as on a kernel that lacks it. */
static void pretend_kernel_lacks(int nr)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(2);
}

/* In a child whose kernel "lacks" syscall NR: sockopt_proc_getfd's sentence, into TEXT. */
static int getfd_without(int nr, char *text, size_t size)
{
	int p[2], status;
	ssize_t n;
	pid_t child;

	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct sockopt_diag d = { 0, "" };
		int r;

		pretend_kernel_lacks(nr);
		r = sockopt_proc_getfd(getppid(), 0, &d);
		if (write(p[1], d.text, strlen(d.text)) < 0)
			_exit(3);
		_exit(r == -ENOSYS ? 0 : 1);
	}
	close(p[1]);
	n = read(p[0], text, size - 1);
	text[n > 0 ? n : 0] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void a_kernel_without_pidfd_getfd_is_named(void **state)
{
	char text[SOCKOPT_TEXT_MAX];

	(void)state;
	assert_int_equal(getfd_without(SYS_pidfd_getfd, text, sizeof(text)), 0);
	assert_string_equal(text, "This kernel has no pidfd_getfd (Linux 5.6), which reading "
				  "another process's sockets needs.");
	assert_int_equal(getfd_without(SYS_pidfd_open, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "This kernel has no pidfd_open (Linux 5.3)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_sockets_are_described_and_their_options_read),
		cmocka_unit_test(side_effect_options_are_read_only_when_asked),
		cmocka_unit_test(an_fd_that_is_not_a_socket_is_named),
		cmocka_unit_test(a_whole_scan_finds_every_socket_and_can_be_stopped),
		cmocka_unit_test(a_missing_or_exited_process_is_said_so),
		cmocka_unit_test(a_duplicate_is_the_same_socket),
		cmocka_unit_test(a_kernel_without_pidfd_getfd_is_named),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
