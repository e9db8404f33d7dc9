/* test_bounds.c: every bound of the catalog (BOUND and NEEDS rows) tried against the running kernel, so the table cannot drift. */
#include <limits.h>
#include <netinet/tcp.h>
#include <sys/wait.h>

#include "testutil.h"

/* A fresh socket of the first kind of E this process can make, or -1. */
static int fresh_socket_for(const sockopt_entry *e)
{
	for (unsigned kind = 1; kind & SOCKOPT_KIND_ALL; kind <<= 1) {
		int fd;

		if (!(sockopt_entry_kinds(e) & kind))
			continue;
		fd = sockopt_kind_socket(kind, NULL);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

/* What the kernel says to E = N on a fresh socket: 0 or -errno. */
static int kernel_takes(const sockopt_entry *e, long long n)
{
	int fd = fresh_socket_for(e), i = (int)n, r;

	assert_true(fd >= 0);
	r = setsockopt(fd, sockopt_entry_level(e), sockopt_entry_optname(e), &i, sizeof(i)) < 0
		    ? -errno
		    : 0;
	close(fd);
	return r;
}

/* What the library's parser says to E = N: 0 or -errno. */
static int parser_takes(const sockopt_entry *e, long long n)
{
	char text[32];
	sockopt_value v;

	snprintf(text, sizeof(text), "%lld", n);
	return sockopt_value_parse(e, text, &v, NULL);
}

/* N must be accepted by both the kernel and the parser. */
static void accepted(const sockopt_entry *e, long long n)
{
	if (parser_takes(e, n) != 0)
		fail_msg("%s=%lld: the parser refuses a value inside the bound", sockopt_entry_name(e), n);
	if (kernel_takes(e, n) != 0)
		fail_msg("%s=%lld: the kernel refuses a value inside the catalog's bound (%s)",
			 sockopt_entry_name(e), n, strerror(-kernel_takes(e, n)));
}

/* N must be refused: by the kernel with EINVAL (when an int holds it) and by the parser. */
static void refused(const sockopt_entry *e, long long n)
{
	int r = parser_takes(e, n);

	if (r != -ERANGE && r != -EINVAL)
		fail_msg("%s=%lld: the parser accepts a value outside the bound", sockopt_entry_name(e), n);
	if (n < INT_MIN || n > INT_MAX)
		return;
	if (kernel_takes(e, n) != -EINVAL)
		fail_msg("%s=%lld: the kernel accepts a value outside the catalog's bound; the bound drifted",
			 sockopt_entry_name(e), n);
}

/* Whether this process may set E to N (root may set them all; nobody may not set TCP_REPAIR). */
static bool allowed(const sockopt_entry *e, long long n)
{
	sockopt_value v;

	sockopt_value_set_int(&v, (int)n);
	return sockopt_set_allowed(e, &v, NULL) == 0;
}

/* MIN, MAX and ALSO are accepted; MIN - 1 and MAX + 1 are not, by the kernel and the parser. */
static void test_every_range_is_the_kernels(void **state)
{
	size_t tried = 0;

	(void)state;
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		struct sockopt_bound b;

		if (sockopt_entry_bound(e, &b) < 0 || b.source == SOCKOPT_BOUND_SYSCTL)
			continue;
		assert_true(b.source == SOCKOPT_BOUND_KERNEL || b.source == SOCKOPT_BOUND_MEASURED);
		assert_true(b.min <= b.max);
		if (!allowed(e, b.min))
			continue;
		accepted(e, b.min);
		accepted(e, b.max);
		if (b.has_also) {
			accepted(e, b.also);
			assert_true(b.also < b.min || b.also > b.max);
		}
		if (!b.has_also || b.also != b.min - 1)
			refused(e, b.min - 1);
		if (!b.has_also || b.also != b.max + 1)
			refused(e, b.max + 1);
		tried++;
	}
	assert_true(tried >= 25);
}

/* The ranges the issue names, as the catalog holds them. */
static void test_the_named_ranges(void **state)
{
	static const struct {
		const char *name;
		long long min, max;
	} named[] = {
		{ "IP_TTL", 1, 255 },	     { "TCP_KEEPIDLE", 1, 32767 }, { "TCP_KEEPINTVL", 1, 32767 },
		{ "TCP_KEEPCNT", 1, 127 },   { "TCP_MAXSEG", 88, 32767 },  { "TCP_SYNCNT", 1, 127 },
		{ "IP_MTU_DISCOVER", 0, 5 }, { "IPV6_UNICAST_HOPS", 0, 255 },
	};
	struct sockopt_bound b;

	(void)state;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		assert_int_equal(sockopt_entry_bound(entry(named[i].name), &b), 0);
		assert_int_equal(b.min, named[i].min);
		assert_int_equal(b.max, named[i].max);
	}
	assert_int_equal(sockopt_entry_bound(entry("SO_SNDBUF"), &b), -ENODATA);
}

/* Every congestion control the sysctl lists is taken; a name it lacks is refused by both. */
static void test_congestion_words_are_the_sysctls(void **state)
{
	const sockopt_entry *e = entry("TCP_CONGESTION");
	struct sockopt_diag diag;
	char list[256];
	const char *p = list, *w;
	sockopt_value v;
	size_t len;
	int fd;

	(void)state;
	assert_int_equal(sockopt_sysctl_read("net.ipv4.tcp_available_congestion_control", list,
					     sizeof(list), NULL),
			 0);
	while ((w = sockopt_word_next(&p, &len))) {
		char word[32];

		snprintf(word, sizeof(word), "%.*s", (int)len, w);
		assert_int_equal(sockopt_value_parse(e, word, &v, NULL), 0);
		if (sockopt_set_allowed(e, &v, NULL) != 0)
			continue;
		fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, word, (socklen_t)len), 0);
		close(fd);
	}
	assert_int_equal(sockopt_value_parse(e, "nosuch", &v, &diag), -ERANGE);
	assert_non_null(strstr(diag.text, "tcp_available_congestion_control"));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "nosuch", 6), -1);
	assert_int_equal(errno, ENOENT);
	close(fd);
}

/* In a child turned nobody: what sockopt_set_allowed refuses, the kernel refuses too, and the reverse. */
static int nobody_agrees(void)
{
	static const struct {
		const char *name, *value;
		bool needs;
	} cases[] = {
		{ "SO_DEBUG", "on", true },	    { "SO_DEBUG", "off", false },
		{ "SO_PRIORITY", "7", true },	    { "SO_PRIORITY", "6", false },
		{ "SO_PRIORITY", "-1", true },	    { "SO_MARK", "0", true },
		{ "SO_SNDBUFFORCE", "4096", true }, { "SO_RCVBUFFORCE", "4096", true },
		{ "SO_PREFER_BUSY_POLL", "on", true }, { "TCP_REPAIR", "0", true },
		{ "TCP_NODELAY", "on", false },
	};
	int bad = 0;

	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		return 100;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const sockopt_entry *e = sockopt_catalog_find(cases[i].name);
		sockopt_value v;
		int fd = socket(AF_INET, SOCK_STREAM, 0), kernel;

		if (!e || fd < 0 || sockopt_value_parse(e, cases[i].value, &v, NULL) < 0)
			return 101;
		kernel = setsockopt(fd, sockopt_entry_level(e), sockopt_entry_optname(e), v.v.bytes,
				    v.len) < 0;
		close(fd);
		if ((sockopt_set_allowed(e, &v, NULL) == -EPERM) != cases[i].needs || kernel != cases[i].needs) {
			fprintf(stderr, "nobody: %s=%s: catalog %s, kernel %s\n", cases[i].name,
				cases[i].value, cases[i].needs ? "needs" : "free",
				kernel ? "refuses" : "takes");
			bad++;
		}
	}
	return bad;
}

static void test_capabilities_are_the_kernels(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(nobody_agrees());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_range_is_the_kernels),
		cmocka_unit_test(test_the_named_ranges),
		cmocka_unit_test(test_congestion_words_are_the_sysctls),
		cmocka_unit_test(test_capabilities_are_the_kernels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
