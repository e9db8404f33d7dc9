/* metrics.c: aggregate one reading of the sockets per process, kind and state, and write it as Prometheus metrics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"

#define TCP_LISTEN_STATE 10 /* include/net/tcp_states.h */

/* The metric families, in the order they are written. */
enum family {
	F_SOCKETS,
	F_KEEPALIVE_OFF,
	F_NODELAY_OFF,
	F_BUFFER_LOCKED,
	F_LISTENER_OPTION,
	F_VIOLATIONS,
	F_COUNT
};

static const struct {
	const char *name, *help;
} families[F_COUNT] = {
	[F_SOCKETS] = { "sockopt_sockets", "Sockets per process, socket kind and state." },
	[F_KEEPALIVE_OFF] = { "sockopt_sockets_keepalive_off",
			      "TCP sockets whose SO_KEEPALIVE is off, per process, kind and state." },
	[F_NODELAY_OFF] = { "sockopt_sockets_nodelay_off",
			    "TCP sockets whose TCP_NODELAY is off (Nagle on), per process, kind and state." },
	[F_BUFFER_LOCKED] = { "sockopt_sockets_buffer_locked",
			      "Sockets whose buffer sizes are locked against autotuning (SO_BUF_LOCK not 0)." },
	[F_LISTENER_OPTION] = { "sockopt_listener_option",
				"The value the kernel holds for an option of a TCP listener, in the option's "
				"unit (bytes, seconds, milliseconds; flags 0 or 1)." },
	[F_VIOLATIONS] = { "sockopt_policy_violations",
			   "Expectations of a policy rule that sockets do not meet (sockopt check lines)." },
};

/* The counts of one process's sockets of one kind and state. */
struct group {
	pid_t pid;
	char comm[64];
	char kind[24], state[16];
	unsigned long sockets, counted[3]; /* keepalive off, nodelay off, buffer locked */
	bool tcp;
};

struct scrape {
	const struct policy *policy;
	FILE *family[F_COUNT];
	char *text[F_COUNT];
	size_t len[F_COUNT];
	struct group *groups;
	size_t ngroups, last; /* LAST: the group the previous socket went to */
	unsigned long *violations; /* per rule */
	const sockopt_entry *keepalive, *nodelay, *buf_lock;
};

void metrics_label_value(FILE *out, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;

	fputc('"', out);
	while (*p) {
		size_t n = policy_utf8_length(p);

		/* The format escapes only \\, \" and \n; other control bytes and bytes that are not
		 * UTF-8 are written as the four characters \xHH (an escaped backslash), so the
		 * value stays one line of valid UTF-8 and the byte can still be told. */
		if (*p == '\\' || *p == '"')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (n == 0 || *p < 0x20 || *p == 0x7f)
			fprintf(out, "\\\\x%02x", *p);
		else
			fwrite(p, 1, n, out);
		p += n ? n : 1;
	}
	fputc('"', out);
}

/* The labels every per-process sample starts with: pid and comm. */
static void process_labels(FILE *f, pid_t pid, const char *comm)
{
	fprintf(f, "{pid=\"%d\",comm=", (int)pid);
	metrics_label_value(f, comm);
}

static bool in_group(const struct group *g, pid_t pid, const char *kind, const char *state)
{
	return g->pid == pid && !strcmp(g->kind, kind) && !strcmp(g->state, state);
}

/*
 * The group of SOCK's process, kind and state, made when new.  Sockets
 * come in runs of one process (the pidfd scan) or in any order (BPF), so
 * the previous socket's group is tried first.
 */
static struct group *group_of(struct scrape *s, const sockopt_sock *sock)
{
	const char *kind = sockopt_sock_proto_name(sock), *state = sockopt_sock_state_name(sock);
	pid_t pid = sockopt_sock_pid(sock);
	struct group *g;

	if (s->last < s->ngroups && in_group(&s->groups[s->last], pid, kind, state))
		return &s->groups[s->last];
	for (s->last = 0; s->last < s->ngroups; s->last++)
		if (in_group(&s->groups[s->last], pid, kind, state))
			return &s->groups[s->last];
	g = realloc(s->groups, (s->ngroups + 1) * sizeof(*g));
	if (!g)
		return NULL;
	s->groups = g;
	g = &g[s->ngroups++];
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	snprintf(g->comm, sizeof(g->comm), "%s", sockopt_sock_comm(sock));
	snprintf(g->kind, sizeof(g->kind), "%s", kind);
	snprintf(g->state, sizeof(g->state), "%s", state);
	g->tcp = (sockopt_sock_kind(sock) & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6)) != 0;
	return g;
}

/* Whether SOCK holds option E (read, a number) at zero (ZERO) or at something else (!ZERO). */
static bool holds_zero(const sockopt_sock *sock, const sockopt_entry *e, bool zero)
{
	const sockopt_value *v;
	double n;

	return e && policy_sock_value(sock, e, &v) >= 0 &&
	       sockopt_value_number(sockopt_entry_type(e), v, &n) == 0 && (n == 0) == zero;
}

/*
 * The listener options exported: what accepted connections inherit or
 * what shapes accepting, a fixed set so a listener's series neither come
 * nor go when a value changes (sockopt show lists every option).
 */
static const char *const listener_option_names[] = {
	"SO_KEEPALIVE",	    "SO_REUSEADDR",	"SO_REUSEPORT",	 "SO_RCVBUF",
	"SO_SNDBUF",	    "SO_BUF_LOCK",	"SO_LINGER",	 "SO_MARK",
	"SO_PRIORITY",	    "IP_TOS",		"IP_TTL",	 "IPV6_V6ONLY",
	"TCP_NODELAY",	    "TCP_KEEPIDLE",	"TCP_KEEPINTVL", "TCP_KEEPCNT",
	"TCP_USER_TIMEOUT", "TCP_DEFER_ACCEPT", "TCP_FASTOPEN",	 "TCP_MAXSEG",
	"TCP_NOTSENT_LOWAT",
};

bool metrics_listener_lacks(const sockopt_sock *sock)
{
	for (size_t i = 0; i < sizeof(listener_option_names) / sizeof(listener_option_names[0]); i++) {
		const sockopt_entry *e = sockopt_catalog_find(listener_option_names[i]);
		const sockopt_value *v;

		if (e && (sockopt_entry_kinds(e) & sockopt_sock_kind(sock)) &&
		    policy_sock_value(sock, e, &v) == -ENODATA)
			return true;
	}
	return false;
}

/* One sample per exported option of a TCP listener. */
static void listener_options(struct scrape *s, const sockopt_sock *sock)
{
	FILE *f = s->family[F_LISTENER_OPTION];
	char local[80] = "";
	size_t n = sizeof(listener_option_names) / sizeof(listener_option_names[0]);

	sockopt_type_format(SOCKOPT_TYPE_SOCKADDR, sockopt_sock_local(sock), local, sizeof(local));
	for (size_t i = 0; i < n; i++) {
		const sockopt_entry *e = sockopt_catalog_find(listener_option_names[i]);
		const sockopt_value *v;
		double number;

		if (!e || policy_sock_value(sock, e, &v) < 0 ||
		    sockopt_value_number(sockopt_entry_type(e), v, &number) < 0)
			continue;
		fputs(families[F_LISTENER_OPTION].name, f);
		process_labels(f, sockopt_sock_pid(sock), sockopt_sock_comm(sock));
		fprintf(f, ",kind=\"%s\",local=", sockopt_sock_proto_name(sock));
		metrics_label_value(f, local);
		/* The fd tells apart the SO_REUSEPORT listeners one process holds on one address. */
		fprintf(f, ",fd=\"%d\",option=\"%s\"} %.17g\n", sockopt_sock_fd(sock),
			sockopt_entry_name(e), number);
	}
}

static int count_violation(const struct policy_rule *r, const struct policy_expect *x,
			   const sockopt_sock *sock, int index, const sockopt_value *found, void *ctx)
{
	struct scrape *s = ctx;

	(void)x, (void)sock, (void)index, (void)found;
	s->violations[r - s->policy->rules]++;
	return 0;
}

static int on_socket(struct policy_walk *w, sockopt_sock *sock, const struct policy_proc *proc,
		     void *ctx)
{
	struct scrape *s = ctx;
	struct group *g = group_of(s, sock);

	(void)w;
	if (!g)
		return -ENOMEM;
	g->sockets++;
	if (g->tcp) {
		g->counted[0] += holds_zero(sock, s->keepalive, true);
		g->counted[1] += holds_zero(sock, s->nodelay, true);
		if (sockopt_sock_state(sock) == TCP_LISTEN_STATE)
			listener_options(s, sock);
	}
	g->counted[2] += holds_zero(sock, s->buf_lock, false);
	if (s->policy)
		return policy_check_socket(s->policy, proc, sock, count_violation, s) < 0 ? -ENOMEM : 0;
	return 0;
}

/* One sample per family for each process, kind and state. */
static void write_groups(struct scrape *s)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];

		for (int f = F_SOCKETS; f <= F_BUFFER_LOCKED; f++) {
			if ((f == F_KEEPALIVE_OFF || f == F_NODELAY_OFF) && !g->tcp)
				continue;
			fputs(families[f].name, s->family[f]);
			process_labels(s->family[f], g->pid, g->comm);
			fprintf(s->family[f], ",kind=\"%s\",state=\"%s\"} %lu\n", g->kind, g->state,
				f == F_SOCKETS ? g->sockets : g->counted[f - F_KEEPALIVE_OFF]);
		}
	}
}

/* The scrape's own samples: how long it took and what it could not read. */
static void write_meta(FILE *out, const struct policy_walk *w, double seconds)
{
	fprintf(out,
		"# HELP sockopt_scrape_duration_seconds How long reading the sockets took.\n"
		"# TYPE sockopt_scrape_duration_seconds gauge\n"
		"sockopt_scrape_duration_seconds %.6f\n"
		"# HELP sockopt_unreadable_processes Processes whose sockets could not be read.\n"
		"# TYPE sockopt_unreadable_processes gauge\n"
		"sockopt_unreadable_processes %zu\n"
		"# HELP sockopt_unreadable_sockets Sockets that could not be read.\n"
		"# TYPE sockopt_unreadable_sockets gauge\n"
		"sockopt_unreadable_sockets %zu\n",
		seconds, w->failed_processes, w->failed_sockets);
}

/* One sample per rule, 0 included, so an alert can tell "met" from "not checked". */
static void write_violations(struct scrape *s)
{
	for (size_t i = 0; s->policy && i < s->policy->nrules; i++) {
		fprintf(s->family[F_VIOLATIONS], "%s{rule=", families[F_VIOLATIONS].name);
		metrics_label_value(s->family[F_VIOLATIONS], s->policy->rules[i].name);
		fprintf(s->family[F_VIOLATIONS], "} %lu\n", s->violations[i]);
	}
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open one memory stream per family; false when memory ran out. */
static bool open_families(struct scrape *s)
{
	for (int f = 0; f < F_COUNT; f++)
		if (!(s->family[f] = open_memstream(&s->text[f], &s->len[f])))
			return false;
	return true;
}

/* Write each family that has samples, under its HELP and TYPE lines, and free the streams. */
static void write_families(struct scrape *s, FILE *out)
{
	for (int f = 0; f < F_COUNT; f++) {
		if (s->family[f])
			fclose(s->family[f]);
		if (s->text[f] && s->len[f])
			fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n%s", families[f].name,
				families[f].help, families[f].name, s->text[f]);
		free(s->text[f]);
	}
}

int metrics_scrape(const struct policy *policy, policy_backend_fn backend, const pid_t *pids,
		   size_t npids, FILE *out, struct metrics_result *res, struct sockopt_diag *diag)
{
	struct scrape s = { .policy = policy };
	struct policy_walk w;
	double start = now_seconds();
	int r = -ENOMEM;

	memset(&w, 0, sizeof(w));
	w.policy = NULL; /* every socket is counted, not only those a rule names */
	/* Read-only options are never a listener's setting; a policy may still ask for one. */
	w.scan_flags = policy ? 0 : SOCKOPT_SCAN_SETTABLE_ONLY;
	w.backend = backend;
	w.on_socket = on_socket;
	w.ctx = &s;
	s.keepalive = sockopt_catalog_find("SO_KEEPALIVE");
	s.nodelay = sockopt_catalog_find("TCP_NODELAY");
	s.buf_lock = sockopt_catalog_find("SO_BUF_LOCK");
	if (open_families(&s) &&
	    (!policy || (s.violations = calloc(policy->nrules + 1, sizeof(*s.violations)))))
		r = policy_walk_run(&w, pids, npids, diag);
	if (r == -ENOMEM && diag) {
		diag->error = r;
		snprintf(diag->text, sizeof(diag->text), "Out of memory while writing the metrics.");
	}
	if (r == 0) {
		write_groups(&s);
		write_violations(&s);
	}
	write_families(&s, out);
	if (r == 0)
		write_meta(out, &w, now_seconds() - start);
	res->sockets = w.sockets;
	res->failed_processes = w.failed_processes;
	res->failed_sockets = w.failed_sockets;
	snprintf(res->first_failure, sizeof(res->first_failure), "%s", w.first_failure);
	policy_walk_free(&w);
	free(s.groups);
	free(s.violations);
	return r;
}
