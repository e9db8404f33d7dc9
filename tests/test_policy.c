/* test_policy.c: policy files parse into rules, bad ones are named by file, line and column, and rules match real sockets. */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/stat.h>

#include "testutil.h"
#include "policy.h"

/* Parse TEXT as file "p.policy"; the error sentence (or "" on success) in DIAG. */
static int parse(const char *text, struct policy *p, struct sockopt_diag *d)
{
	d->text[0] = '\0';
	return policy_parse_text("p.policy", text, p, d);
}

static void rules_read_as_match_then_spec(void **state)
{
	struct policy p;
	struct sockopt_diag d;
	const struct policy_rule *r;

	(void)state;
	assert_int_equal(parse("# keepalive for the database\n"
			       "rule db tcp tcp6 established sport 6379,7000-7010 src 127.0.0.0/8 "
			       "comm redis-*: SO_KEEPALIVE=on, TCP_KEEPIDLE<=5m\n"
			       "    SO_RCVBUF>=1M,TCP_KEEPCNT in 3..9  # indented: more of the same rule\n"
			       "\n"
			       "udp dst ::1 user 0 cgroup /system.slice: SO_SNDBUF!=4096\n",
			       &p, &d),
			 0);
	assert_int_equal(p.nrules, 2);
	r = &p.rules[0];
	assert_string_equal(r->name, "db");
	assert_string_equal(r->where, "p.policy:2");
	assert_int_equal(r->kinds, SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6);
	assert_int_equal(r->states, 1u << 1);
	assert_int_equal(r->nsport, 2);
	assert_int_equal(r->sport[1].low, 7000);
	assert_int_equal(r->sport[1].high, 7010);
	assert_int_equal(r->src[0].bits, 8);
	assert_int_equal(r->nexpect, 4);
	assert_string_equal(r->expect[1].text, "TCP_KEEPIDLE<=5m");
	assert_string_equal(r->expect[2].text, "SO_RCVBUF>=1048576");
	assert_string_equal(r->expect[3].text, "TCP_KEEPCNT in 3..9");
	assert_string_equal(p.rules[1].name, "p.policy:5");
	assert_int_equal(p.rules[1].dst[0].family, AF_INET6);
	assert_int_equal(p.rules[1].expect[0].op, POLICY_NE);
	policy_free(&p);
}

/* Every mistake is one sentence that starts with FILE:LINE:COLUMN of the mistake. */
static const struct {
	const char *text, *where, *words;
} mistakes[] = {
	{ "tcp: SO_KEEPALIVE=maybe\n", "p.policy:1:19: ", "maybe" },
	{ "tcp: SO_KEEPALIV=on\n", "p.policy:1:6: ", "did you mean SO_KEEPALIVE" },
	{ "\n\ntcp listening sport 99999: SO_KEEPALIVE=on\n", "p.policy:3:21: ", "99999" },
	{ "tcpp: SO_KEEPALIVE=on\n", "p.policy:1:1: ", "not a socket kind" },
	{ "tcp SO_KEEPALIVE=on\n", "p.policy:1:20: ", "no ':'" },
	{ "tcp: TCP_CONGESTION>=bbr\n", "p.policy:1:6: ", "no order" },
	{ "tcp: SO_ERROR=0\n", "p.policy:1:6: ", "changes the socket" },
	{ "udp: TCP_NODELAY=on\n", "p.policy:1:6: ", "does not apply" },
	{ "tcp: TCP_KEEPIDLE in 300..30\n", "p.policy:1:", "backwards" },
	{ "tcp: TCP_KEEPIDLE~300\n", "p.policy:1:18: ", "takes =, !=" },
	{ "   SO_KEEPALIVE=on\n", "p.policy:1:4: ", "no rule is above" },
	{ "tcp:\nudp: SO_SNDBUF=1M\n", "p.policy:1:1: ", "no expectations" },
	{ "tcp src 10.0.0.0/33: SO_KEEPALIVE=on\n", "p.policy:1:9: ", "ADDRESS/BITS" },
	{ "tcp user no-such-user-here: SO_KEEPALIVE=on\n", "p.policy:1:10: ", "not a user" },
	{ "tcp comm: SO_KEEPALIVE=on\n", "p.policy:1:", "needs a value" },
	{ "include\n", "p.policy:1:8: ", "needs a file name" },
	{ "tcp: SO_KEEPALIVE=on, TCP_NODELAY=x\n", "p.policy:1:35: ", "TCP_NODELAY" },
};

static void mistakes_name_file_line_and_column(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++) {
		struct policy p = { NULL, 0 };
		struct sockopt_diag d;

		assert_int_equal(parse(mistakes[i].text, &p, &d), -EINVAL);
		if (strncmp(d.text, mistakes[i].where, strlen(mistakes[i].where)) != 0 ||
		    !strstr(d.text, mistakes[i].words))
			fail_msg("%s: got \"%s\"", mistakes[i].text, d.text);
		assert_null(p.rules);
	}
}

/* Write TEXT to DIR/NAME. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Includes are relative to the including file; a loop and a missing file name the include line. */
static void includes_are_relative_and_loop_safe(void **state)
{
	char dir[] = "/tmp/test_policy.XXXXXX", path[256], cmd[300];
	struct policy p;
	struct sockopt_diag d;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mkdir(strcat(strcpy(path, dir), "/sub"), 0700), 0);
	write_file(dir, "main.policy", "include sub/web.policy\ntcp: SO_KEEPALIVE=on\n");
	write_file(dir, "sub/web.policy", "# the listeners\ntcp listening: SO_REUSEADDR=on\n");
	snprintf(path, sizeof(path), "%s/main.policy", dir);
	assert_int_equal(policy_load(path, &p, &d), 0);
	assert_int_equal(p.nrules, 2);
	assert_non_null(strstr(p.rules[0].where, "sub/web.policy:2"));
	policy_free(&p);

	write_file(dir, "sub/web.policy", "\ninclude ../main.policy\n");
	assert_int_equal(policy_load(path, &p, &d), -EINVAL);
	assert_non_null(strstr(d.text, "sub/web.policy:2:9: including ../main.policy again makes a loop"));

	write_file(dir, "sub/web.policy", "include  gone.policy\n");
	assert_int_equal(policy_load(path, &p, &d), -EINVAL);
	assert_non_null(strstr(d.text, "web.policy:1:10: cannot read"));
	snprintf(path, sizeof(path), "%s/absent.policy", dir);
	assert_int_equal(policy_load(path, &p, &d), -ENOENT);
	assert_non_null(strstr(d.text, "cannot read"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Expectations compare as the values measure: 2M meets >=1M, 7200 s misses <=5m. */
static void expectations_compare_kernel_values(void **state)
{
	struct policy p;
	struct sockopt_diag d;
	sockopt_value v;

	(void)state;
	assert_int_equal(parse("tcp: SO_RCVBUF>=1M, TCP_KEEPIDLE<=5m, TCP_KEEPCNT in 3..9, "
			       "TCP_CONGESTION=cubic, SO_KEEPALIVE!=off\n",
			       &p, &d),
			 0);
	sockopt_type_parse(SOCKOPT_TYPE_BYTES, "2M", &v, NULL);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[0], &v), 1);
	sockopt_type_parse(SOCKOPT_TYPE_BYTES, "1048575", &v, NULL);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[0], &v), 0);
	sockopt_value_set_int(&v, 7200);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[1], &v), 0);
	sockopt_value_set_int(&v, 300);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[1], &v), 1);
	sockopt_value_set_int(&v, 10);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[2], &v), 0);
	sockopt_value_set_int(&v, 3);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[2], &v), 1);
	sockopt_type_parse(SOCKOPT_TYPE_STRING, "bbr", &v, NULL);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[3], &v), 0);
	sockopt_value_set_int(&v, 1);
	assert_int_equal(policy_expect_holds(&p.rules[0].expect[4], &v), 1);
	policy_free(&p);
}

/* What the scan callback saw: whether each rule matched the listener and the connection. */
struct seen {
	const struct policy *p;
	struct policy_proc proc;
	int listener, client;
	int matched[2][2]; /* [socket][rule] */
	int holds;	   /* rule 1's expectation on the client */
};

static int on_sock(sockopt_sock *sock, void *ctx)
{
	struct seen *s = ctx;
	int which = sockopt_sock_fd(sock) == s->listener ? 0 : sockopt_sock_fd(sock) == s->client ? 1 : -1;
	const sockopt_value *v;

	if (which < 0)
		return 0;
	assert_true(sockopt_sock_read_options(sock, NULL) > 0);
	for (int r = 0; r < 2; r++)
		s->matched[which][r] = policy_rule_matches(&s->p->rules[r], &s->proc, sock);
	if (which == 1) {
		assert_true(policy_sock_value(sock, s->p->rules[1].expect[0].entry, &v) >= 0);
		s->holds = policy_expect_holds(&s->p->rules[1].expect[0], v);
	}
	return 0;
}

/* Rules match this process's own sockets by kind, state, port, address, comm and user. */
static void rules_match_live_sockets(void **state)
{
	struct policy p;
	struct sockopt_diag d;
	struct seen s = { 0 };
	sockopt_scan *scan;
	in_port_t port;
	char text[512];
	int one = 1;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int server;
	in_port_t peer_port;

	(void)state;
	s.listener = tcp_listener(&port);
	tcp_pair(&s.client, &server);
	assert_int_equal(getpeername(s.client, (struct sockaddr *)&peer, &len), 0);
	peer_port = ntohs(peer.sin_port);
	assert_int_equal(setsockopt(s.client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	snprintf(text, sizeof(text),
		 "tcp listening sport %u src 127.0.0.1 user %u comm test_pol*: SO_KEEPALIVE=on\n"
		 "tcp established dport %u dst 127.0.0.0/8 cgroup /: TCP_NODELAY=on\n",
		 ntohs(port), (unsigned)geteuid(), peer_port);
	assert_int_equal(parse(text, &p, &d), 0);
	s.p = &p;
	policy_proc_read(getpid(), &s.proc);
	assert_int_equal(sockopt_scan_new(0, &scan, &d), 0);
	assert_true(sockopt_scan_pid(scan, getpid(), NULL, 0, on_sock, &s, &d) >= 2);
	sockopt_scan_free(scan);
	assert_int_equal(s.matched[0][0], 1);
	assert_int_equal(s.matched[0][1], 0);
	assert_int_equal(s.matched[1][0], 0);
	assert_int_equal(s.matched[1][1], 1);
	assert_int_equal(s.holds, 1);
	policy_free(&p);
	close(s.client);
	close(server);
	close(s.listener);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_read_as_match_then_spec),
		cmocka_unit_test(mistakes_name_file_line_and_column),
		cmocka_unit_test(includes_are_relative_and_loop_safe),
		cmocka_unit_test(expectations_compare_kernel_values),
		cmocka_unit_test(rules_match_live_sockets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
