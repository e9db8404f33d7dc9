/* cmd_check.c: `sockopt check POLICY [PID…]`: the live sockets against a declared policy, one line per violation. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy/policy.h"
#include "cli.h"
#include "print.h"

/* One expectation a socket does not meet, kept until its process is read whole. */
struct violation {
	const struct policy_rule *rule;
	const struct policy_expect *expect;
	pid_t pid;
	char comm[64];
	int fd, state;
	char socket[160]; /* "tcp 127.0.0.1:6379<-127.0.0.1:51234 ESTABLISHED" */
	sockopt_value local;
	char found[128];
	char why[SOCKOPT_TEXT_MAX];
};

struct check {
	struct violation *pending; /* of the process being read */
	size_t npending, total;
};

/* TEXT with control bytes shown as '?', so one violation stays one line. */
static void printable(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void describe_socket(const sockopt_sock *sock, char *buf, size_t size)
{
	char local[80] = "", peer[80] = "";
	const sockopt_value *l = sockopt_sock_local(sock), *p = sockopt_sock_peer(sock);

	if (l->len)
		sockopt_type_format(SOCKOPT_TYPE_SOCKADDR, l, local, sizeof(local));
	if (p->len)
		sockopt_type_format(SOCKOPT_TYPE_SOCKADDR, p, peer, sizeof(peer));
	snprintf(buf, size, "%s %s%s%s %s", sockopt_sock_proto_name(sock), local[0] ? local : "*",
		 peer[0] ? "<-" : "", peer, sockopt_sock_state_name(sock));
}

static void print_violation(const struct violation *v)
{
	const char *name = sockopt_entry_name(v->expect->entry);
	const char *expected = v->expect->text + strlen(name);
	char comm[64];

	printable(comm, sizeof(comm), v->comm);
	print_open_object(NULL);
	print_text("%s[%d] fd %d %s: %s expected %s, found %s", comm, (int)v->pid, v->fd, v->socket,
		   name, expected, v->found);
	if (v->why[0])
		print_text(" (%s)", v->why);
	print_text(" [rule %s]\n", v->rule->name);
	print_int(PRINT_JSON, "pid", NULL, v->pid);
	print_string(PRINT_JSON, "comm", NULL, v->comm);
	print_int(PRINT_JSON, "fd", NULL, v->fd);
	print_string(PRINT_JSON, "socket", NULL, v->socket);
	print_string(PRINT_JSON, "option", NULL, name);
	print_string(PRINT_JSON, "expected", NULL, expected);
	print_string(PRINT_JSON, "found", NULL, v->found);
	print_string(PRINT_JSON, "why", NULL, v->why);
	print_string(PRINT_JSON, "rule", NULL, v->rule->name);
	print_string(PRINT_JSON, "where", NULL, v->rule->where);
	print_close_object();
}

/* Keep a violation of X by SOCK until the process is read whole (its listeners known). */
static int note(const struct policy_rule *r, const struct policy_expect *x, const sockopt_sock *sock,
		int index, const sockopt_value *found, void *ctx)
{
	struct check *ck = ctx;
	struct violation *grown = realloc(ck->pending, (ck->npending + 1) * sizeof(*grown)), *v;

	if (!grown)
		return -ENOMEM;
	ck->pending = grown;
	v = &grown[ck->npending++];
	v->rule = r;
	v->expect = x;
	v->pid = sockopt_sock_pid(sock);
	snprintf(v->comm, sizeof(v->comm), "%s", sockopt_sock_comm(sock));
	v->fd = sockopt_sock_fd(sock);
	v->state = sockopt_sock_state(sock);
	v->local = *sockopt_sock_local(sock);
	describe_socket(sock, v->socket, sizeof(v->socket));
	v->why[0] = '\0';
	if (!found) {
		snprintf(v->found, sizeof(v->found), "nothing: reading it failed (%s)", strerror(-index));
		return 0;
	}
	sockopt_type_format(sockopt_entry_type(x->entry), found, v->found, sizeof(v->found));
	policy_why(x, sock, (size_t)index, found, v->why, sizeof(v->why));
	return 0;
}

static int on_socket(struct policy_walk *w, sockopt_sock *sock, void *ctx)
{
	int r = policy_check_socket(w->policy, &w->proc, sock, note, ctx);

	return r < 0 ? r : 0;
}

/* The process is read whole: its listeners are known, so accepted sockets can be told. */
static void on_process_end(struct policy_walk *w, void *ctx)
{
	struct check *ck = ctx;

	for (size_t i = 0; i < ck->npending; i++) {
		struct violation *v = &ck->pending[i];

		if (policy_walk_accepted(w, v->state, &v->local))
			policy_why_accepted(v->expect->entry, v->why, sizeof(v->why));
		print_violation(v);
	}
	ck->total += ck->npending;
	ck->npending = 0;
}

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0, 0, 0, 0 },
};

/* The PID arguments; false after a sentence on a bad one. */
static bool parse_pids(int argc, char **argv, pid_t **out, size_t *n)
{
	*out = calloc((size_t)argc + 1, sizeof(**out));
	*n = 0;
	for (int i = 0; *out && i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);

		if (end == argv[i] || *end || pid <= 0 || pid > 0x3fffffff) {
			fail(EXIT_USAGE, "\"%s\" is not a process id.", argv[i]);
			return false;
		}
		(*out)[(*n)++] = (pid_t)pid;
	}
	return *out != NULL;
}

/* The exit code: 1 for any violation or anything that could not be read, said in one sentence. */
static int verdict(const struct policy_walk *w, const struct check *ck, size_t rules)
{
	size_t unread = w->failed_processes + w->failed_sockets;

	if (unread)
		return fail(EXIT_FAILED, "%zu process%s and %zu socket%s could not be checked; the first: %s",
			    w->failed_processes, w->failed_processes == 1 ? "" : "es",
			    w->failed_sockets, w->failed_sockets == 1 ? "" : "s", w->first_failure);
	if (!print_is_json())
		printf("%zu socket%s checked against %zu rule%s: %zu violation%s.\n", w->sockets,
		       w->sockets == 1 ? "" : "s", rules, rules == 1 ? "" : "s", ck->total,
		       ck->total == 1 ? "" : "s");
	return ck->total ? EXIT_FAILED : EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	struct policy policy;
	struct check ck = { NULL, 0, 0 };
	struct policy_walk w;
	struct sockopt_diag diag;
	pid_t *pids = NULL;
	size_t npids;
	bool json = false;
	int c, code;

	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return usage_help("check");
		else
			return usage_error("check");
	}
	if (optind >= argc)
		return usage_error("check");
	if (policy_load(argv[optind], &policy, &diag) < 0)
		return fail(EXIT_USAGE, "%s", diag.text);
	if (!parse_pids(argc - optind - 1, argv + optind + 1, &pids, &npids)) {
		policy_free(&policy);
		free(pids);
		return EXIT_USAGE;
	}
	memset(&w, 0, sizeof(w));
	w.policy = &policy;
	w.on_socket = on_socket;
	w.on_process_end = on_process_end;
	w.ctx = &ck;
	print_start(json);
	print_open_object(NULL);
	print_open_array("violations");
	code = policy_walk_run(&w, pids, npids, &diag);
	print_close_array();
	print_int(PRINT_JSON, "sockets", NULL, (long long)w.sockets);
	print_int(PRINT_JSON, "rules", NULL, (long long)policy.nrules);
	print_int(PRINT_JSON, "unreadable_processes", NULL, (long long)w.failed_processes);
	print_int(PRINT_JSON, "unreadable_sockets", NULL, (long long)w.failed_sockets);
	print_close_object();
	print_end();
	code = code < 0 ? fail(EXIT_FAILED, "%s", diag.text) : verdict(&w, &ck, policy.nrules);
	free(ck.pending);
	free(pids);
	policy_free(&policy);
	return code;
}
