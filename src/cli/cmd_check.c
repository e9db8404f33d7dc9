/* cmd_check.c: `sockopt check POLICY [PID…]`: the live sockets against a declared policy, one line per violation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf/bpfshow.h"
#include "../policy/metrics.h"
#include "../policy/policy.h"
#include "cli.h"
#include "print.h"
#include "show.h"

/* One expectation a socket does not meet, kept until every socket is read. */
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
	struct violation *pending;
	size_t npending;
};

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
	const char *found = v->found[0] ? v->found : NULL; /* empty (no device bound): "-", null */

	print_open_object(NULL);
	print_text("%s[%d] fd %d %s: %s expected %s, found %s", v->comm, (int)v->pid, v->fd,
		   v->socket, name, expected, found ? found : "-");
	if (v->why[0])
		print_text(" (%s)", v->why);
	print_text(" [rule %s]\n", v->rule->name);
	print_int(PRINT_JSON, "pid", NULL, v->pid);
	print_string(PRINT_JSON, "comm", NULL, v->comm);
	print_int(PRINT_JSON, "fd", NULL, v->fd);
	print_string(PRINT_JSON, "socket", NULL, v->socket);
	print_string(PRINT_JSON, "option", NULL, name);
	print_string(PRINT_JSON, "expected", NULL, expected);
	print_string(PRINT_JSON, "found", NULL, found);
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
	/* One line of valid UTF-8 in text and JSON, whatever bytes the name holds. */
	policy_text_clean(v->comm, sizeof(v->comm), sockopt_sock_comm(sock));
	v->fd = sockopt_sock_fd(sock);
	v->state = sockopt_sock_state(sock);
	v->local = *sockopt_sock_local(sock);
	describe_socket(sock, v->socket, sizeof(v->socket));
	v->why[0] = '\0';
	if (index == -ENODATA) {
		snprintf(v->found, sizeof(v->found), "nothing: the BPF backend does not read it "
			 "(--backend pidfd does)");
		return 0;
	}
	if (!found) {
		snprintf(v->found, sizeof(v->found), "nothing: reading it failed (%s)", strerror(-index));
		return 0;
	}
	sockopt_type_format(sockopt_entry_type(x->entry), found, v->found, sizeof(v->found));
	policy_why(x, sock, (size_t)index, found, v->why, sizeof(v->why));
	return 0;
}

static int on_socket(struct policy_walk *w, sockopt_sock *sock, const struct policy_proc *proc,
		     void *ctx)
{
	int r = policy_check_socket(w->policy, proc, sock, note, ctx);

	return r < 0 ? r : 0;
}

/* Every socket is read: the listeners are known, so accepted sockets can be told. */
static void print_violations(const struct policy_walk *w, struct check *ck)
{
	for (size_t i = 0; i < ck->npending; i++) {
		struct violation *v = &ck->pending[i];

		if (policy_walk_accepted(w, v->pid, v->state, &v->local))
			policy_why_accepted(v->expect->entry, v->why, sizeof(v->why));
		print_violation(v);
	}
}

/*
 * What the BPF reader of check and export reads again through
 * pidfd_getfd: a socket of a process whose reading lacks an option the run
 * needs, so that no expectation fails and no listener's series goes
 * missing only because BPF could not read an option (IPV6_UNICAST_HOPS
 * while unset, TCP_TIMESTAMP …).  One command makes one walk, so this is kept here
 * for the reader, whose signature is the walk's.
 */
static struct {
	const struct policy *policy; /* its expectations; NULL: none */
	bool listeners;		     /* export: every option of a TCP listener */
	sockopt_scan *pidfd;	     /* made on the first socket that needs it */
} reread;

#define TCP_LISTEN_STATE 10 /* include/net/tcp_states.h */

/* Whether SOCK was read through BPF without an option the run needs. */
static bool lacks_needed_option(const sockopt_sock *sock)
{
	unsigned kind = sockopt_sock_kind(sock);

	if (strcmp(sockopt_sock_backend(sock), "pidfd") == 0 || sockopt_sock_pid(sock) <= 0)
		return false;
	if (reread.listeners && sockopt_sock_state(sock) == TCP_LISTEN_STATE &&
	    (kind & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6)) && metrics_listener_lacks(sock))
		return true;
	for (size_t i = 0; reread.policy && i < reread.policy->nrules; i++) {
		const struct policy_rule *r = &reread.policy->rules[i];

		for (size_t j = 0; j < r->nexpect; j++) {
			const sockopt_value *v;

			if ((sockopt_entry_kinds(r->expect[j].entry) & kind) &&
			    policy_sock_value(sock, r->expect[j].entry, &v) == -ENODATA)
				return true;
		}
	}
	return false;
}

/* The walk's reader, told each socket BPF read: through pidfd_getfd again when it lacks an option. */
struct bpf_pass {
	sockopt_sock_fn fn;
	void *ctx;
};

static int bpf_socket(sockopt_sock *sock, void *ctx)
{
	struct bpf_pass *pass = ctx;
	struct sockopt_diag diag;

	if (sockopt_sock_error(sock) == 0 && sockopt_sock_read_options(sock, &diag) >= 0 &&
	    lacks_needed_option(sock) &&
	    (reread.pidfd || sockopt_scan_new(0, &reread.pidfd, &diag) == 0) &&
	    sockopt_scan_pid(reread.pidfd, sockopt_sock_pid(sock), (int[]){ sockopt_sock_fd(sock) },
			     1, pass->fn, pass->ctx, &diag) == 1)
		return 0;
	/* Refused (or not needed): what BPF read, each option it lacks said as such. */
	return pass->fn(sock, pass->ctx);
}

/* The BPF reader in the walk's terms: its diagnosis becomes the walk's. */
static int bpf_backend(sockopt_scan *scan, pid_t pid, sockopt_sock_pred filter, void *filter_ctx,
		       sockopt_sock_fn fn, void *ctx, struct sockopt_diag *diag)
{
	struct bpf_show_query q = { .pid = pid, .filter = filter, .filter_ctx = filter_ctx };
	struct bpf_show_diag d = { 0 };
	struct bpf_pass pass = { fn, ctx };
	int r = bpf_show_scan(scan, &q, bpf_socket, &pass, &d);

	if (r < 0 && diag) {
		diag->error = r;
		snprintf(diag->text, sizeof(diag->text), "%s", d.text);
	}
	return r;
}

int check_backend(const char *arg, const struct policy *policy, bool listeners, bool verbose,
		  policy_backend_fn *out)
{
	int bpf;

	/* show's choice: BPF whenever the caller may load programs and the kernel has BTF. */
	if ((bpf = show_backend_choose(arg, NULL, verbose)) < 0)
		return -1;
	*out = bpf ? bpf_backend : NULL;
	reread.policy = policy;
	reread.listeners = listeners;
	return 0;
}

void check_backend_free(void)
{
	if (reread.pidfd)
		sockopt_scan_free(reread.pidfd);
	reread.pidfd = NULL;
}

/* The PID arguments; false after a sentence on a bad one. */
static bool parse_pids(int argc, char **argv, pid_t **out, size_t *n)
{
	*out = calloc((size_t)argc + 1, sizeof(**out));
	*n = 0;
	for (int i = 0; *out && i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);

		if (end == argv[i] || *end || pid <= 0 || pid > 0x3fffffff) {
			fail(EXIT_USAGE, "\"%s\" is not a process id.", arg_short(argv[i]));
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
		       w->sockets == 1 ? "" : "s", rules, rules == 1 ? "" : "s", ck->npending,
		       ck->npending == 1 ? "" : "s");
	return ck->npending ? EXIT_FAILED : EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
	struct policy policy;
	struct check ck = { NULL, 0 };
	struct policy_walk w;
	struct sockopt_diag diag;
	pid_t *pids = NULL;
	size_t npids;
	const char *backend_arg = NULL;
	bool json = false, verbose = false;
	int c, code;
	struct args a;

	args_start(&a, &check_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		if (c == 'j')
			json = true;
		else if (c == SHOW_BACKEND_FLAG)
			backend_arg = a.value;
		else
			verbose = true;
	}
	if (c < 0)
		return a.code;
	if (policy_load(a.operands[0], &policy, &diag) < 0)
		return fail(EXIT_USAGE, "%s", diag.text);
	memset(&w, 0, sizeof(w));
	if (check_backend(backend_arg, &policy, false, verbose, &w.backend) < 0) {
		policy_free(&policy);
		return EXIT_USAGE;
	}
	if (!parse_pids(a.noperands - 1, a.operands + 1, &pids, &npids)) {
		policy_free(&policy);
		free(pids);
		return EXIT_USAGE;
	}
	w.policy = &policy;
	w.on_socket = on_socket;
	w.ctx = &ck;
	print_start(json);
	print_open_object(NULL);
	print_open_array("violations");
	code = policy_walk_run(&w, pids, npids, &diag);
	print_violations(&w, &ck);
	print_close_array();
	print_int(PRINT_JSON, "sockets", NULL, (long long)w.sockets);
	print_int(PRINT_JSON, "rules", NULL, (long long)policy.nrules);
	print_int(PRINT_JSON, "unreadable_processes", NULL, (long long)w.failed_processes);
	print_int(PRINT_JSON, "unreadable_sockets", NULL, (long long)w.failed_sockets);
	print_close_object();
	print_end();
	code = code < 0 ? fail(EXIT_FAILED, "%s", diag.text) : verdict(&w, &ck, policy.nrules);
	free(ck.pending);
	check_backend_free();
	policy_walk_free(&w);
	free(pids);
	policy_free(&policy);
	return code;
}

static const struct flag check_flags[] = { ARGS_FLAG_JSON, SHOW_FLAGS_BACKEND, { 0 } };

const struct command check_command = {
	"check", cmd_check, "POLICY [PID…]",
	"the live sockets against a policy file (sockopt-policy(5)): one line per violation",
	check_flags, 1, -1, ARGS_FLAGS_ANYWHERE,
	"POLICY is a file of rules, a match followed by expectations (sockopt-policy(5)); without PID,\n"
	"every process this user may read. Exits 1 on any violation or socket that could not be read.",
	{ "sockopt check examples/redis.policy", "sockopt check examples/web.policy $(pgrep -d' ' nginx) --json" },
};
