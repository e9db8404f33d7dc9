/* set_match.c: `sockopt set --match FILTER NAME=VALUE…`: options set on every TCP socket a filter matches, through bpf_setsockopt. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../bpf/bpfshow.h"
#include "cli.h"
#include "print.h"

#define TERMS_MAX 8

/* One term of a filter: KEY OP VALUE, as in 'dport = 6379' or 'src != 127.0.0.1'. */
struct term {
	enum { SPORT, DPORT, SRC, DST, PID, COMM, STATE } key;
	bool negate;
	char value[64];
};

static const char *const keys[] = { "sport", "dport", "src", "dst", "pid", "comm", "state" };

/* The next word of *P: a run of letters, digits and . : - _ *, or of = ! (an operator). */
static size_t next_word(const char **p, char *buf, size_t size)
{
	const char *s = *p + strspn(*p, " \t");
	size_t n = strchr("=!", *s) && *s ? strspn(s, "=!") : strcspn(s, " \t=!");

	snprintf(buf, size, "%.*s", (int)n, s);
	*p = s + n;
	return n;
}

/* Parse FILTER ('KEY OP VALUE [and KEY OP VALUE]…') into TERMS; their count, or -1 after a sentence. */
static int parse_filter(const char *filter, struct term *terms)
{
	const char *p = filter;
	char key[32], op[8];
	int n = 0;

	do {
		struct term *t = &terms[n];
		size_t k = 0;

		if (n == TERMS_MAX || !next_word(&p, key, sizeof(key)) ||
		    !next_word(&p, op, sizeof(op)) || !next_word(&p, t->value, sizeof(t->value)))
			break;
		while (k < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[k], key) != 0)
			k++;
		if (k == sizeof(keys) / sizeof(keys[0]) ||
		    (strcmp(op, "=") && strcmp(op, "==") && strcmp(op, "!=")))
			break;
		t->key = (int)k;
		t->negate = op[0] == '!';
		n++;
		if (!next_word(&p, key, sizeof(key)))
			return n;
	} while (strcasecmp(key, "and") == 0);
	fail(EXIT_USAGE, "--match \"%s\" is not KEY = VALUE [and KEY = VALUE]… with KEY one of "
			 "sport, dport, src, dst, pid, comm, state (and = or !=).", filter);
	return -1;
}

/* The port and address text of a socket address value. */
static void split_address(const sockopt_value *v, int *port, char *addr, size_t size)
{
	const struct sockaddr_in *in = (const void *)v->v.bytes;
	const struct sockaddr_in6 *in6 = (const void *)v->v.bytes;

	*port = -1;
	addr[0] = '\0';
	if (v->len >= sizeof(*in) && in->sin_family == AF_INET) {
		*port = ntohs(in->sin_port);
		inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)size);
	} else if (v->len >= sizeof(*in6) && in6->sin6_family == AF_INET6) {
		*port = ntohs(in6->sin6_port);
		inet_ntop(AF_INET6, &in6->sin6_addr, addr, (socklen_t)size);
	}
}

/* A state as the filter may name it: "established", "ESTABLISHED", "time-wait", "TIME_WAIT". */
static bool same_state(const char *name, const char *want)
{
	for (; *name && *want; name++, want++)
		if (toupper((unsigned char)*name) != toupper((unsigned char)*want) &&
		    !(strchr("-_", *name) && strchr("-_", *want)))
			return false;
	return !*name && !*want;
}

static bool term_matches(const struct term *t, const sockopt_sock *s)
{
	char addr[INET6_ADDRSTRLEN], num[32];
	int port;
	bool hit;

	split_address(t->key == DPORT || t->key == DST ? sockopt_sock_peer(s) : sockopt_sock_local(s),
		      &port, addr, sizeof(addr));
	snprintf(num, sizeof(num), "%d", t->key == PID ? (int)sockopt_sock_pid(s) : port);
	if (t->key == SRC || t->key == DST)
		hit = strcmp(addr, t->value) == 0;
	else if (t->key == COMM)
		hit = strcmp(sockopt_sock_comm(s), t->value) == 0;
	else if (t->key == STATE)
		hit = same_state(sockopt_sock_state_name(s), t->value);
	else
		hit = strcmp(num, t->value) == 0;
	return hit != t->negate;
}

/* The sockets matched: one line each to show, their inodes for the program, and the namespaces they live in. */
struct matched {
	const struct term *terms;
	int nterms;
	uint64_t *inodes;
	struct bpf_netns_door *doors;
	char **lines;
	bool *reached; /* a result came back for it */
	size_t n;
};

/* "PID COMM FD netns N LOCAL PEER": a socket as the results name it. */
static char *describe(const sockopt_sock *s)
{
	char local[128] = "*", peer[128] = "*", *line;

	if (sockopt_sock_local(s)->len)
		sockopt_type_format(SOCKOPT_TYPE_SOCKADDR, sockopt_sock_local(s), local, sizeof(local));
	if (sockopt_sock_peer(s)->len)
		sockopt_type_format(SOCKOPT_TYPE_SOCKADDR, sockopt_sock_peer(s), peer, sizeof(peer));
	if (asprintf(&line, "pid %d (%s) fd %d netns %llu %s -> %s", (int)sockopt_sock_pid(s),
		     sockopt_sock_comm(s), sockopt_sock_fd(s),
		     (unsigned long long)sockopt_sock_netns(s), local, peer) < 0)
		return NULL;
	return line;
}

/* Make room for one more socket in M; false when out of memory. */
static bool matched_grow(struct matched *m)
{
	size_t n = m->n + 1;
	uint64_t *inodes = realloc(m->inodes, n * sizeof(*inodes));
	struct bpf_netns_door *doors;
	char **lines;
	bool *reached;

	if (inodes)
		m->inodes = inodes;
	doors = inodes ? realloc(m->doors, n * sizeof(*doors)) : NULL;
	if (doors)
		m->doors = doors;
	lines = doors ? realloc(m->lines, n * sizeof(*lines)) : NULL;
	if (lines)
		m->lines = lines;
	reached = lines ? realloc(m->reached, n * sizeof(*reached)) : NULL;
	if (reached)
		m->reached = reached;
	return reached != NULL;
}

/* Keep a socket the filter matches, once (a socket several processes hold shows its first owner). */
static int on_socket(sockopt_sock *s, void *ctx)
{
	struct matched *m = ctx;
	uint64_t inode = sockopt_sock_inode(s);

	for (int i = 0; i < m->nterms; i++)
		if (!term_matches(&m->terms[i], s))
			return 0;
	if (!inode || (m->n && m->inodes[m->n - 1] == inode))
		return 0; /* TIME_WAIT and request sockets have no options to set */
	if (!matched_grow(m) || !(m->lines[m->n] = describe(s)))
		return -ENOMEM;
	m->inodes[m->n] = inode;
	/* The set pass enters the socket's namespace through the process that holds it. */
	m->doors[m->n] = (struct bpf_netns_door){ (uint32_t)sockopt_sock_netns(s), sockopt_sock_pid(s) };
	m->reached[m->n++] = false;
	return 0;
}

/* Parse NAME=VALUE… into OPTS and their entries; -1 after a sentence when one is bad or not allowed. */
static int parse_options(char **args, int n, struct bpf_set_option *opts,
			 const sockopt_entry **entries)
{
	struct sockopt_diag diag;

	if (n > 8)
		return fail(EXIT_USAGE, "--match sets at most 8 options at a time."), -1;
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(args[i], '=');
		char name[64];
		sockopt_value v;

		if (!eq)
			return fail(EXIT_USAGE, "\"%s\" is not NAME=VALUE.", args[i]), -1;
		snprintf(name, sizeof(name), "%.*s", (int)(eq - args[i]), args[i]);
		entries[i] = sockopt_catalog_find(name);
		if (!entries[i])
			return fail(EXIT_USAGE, "%s is not a socket option sockopt knows.", name), -1;
		if (!bpf_set_allowed(sockopt_entry_level(entries[i]), sockopt_entry_optname(entries[i])))
			return fail(EXIT_USAGE, "%s cannot be set through BPF (bpf_setsockopt's allow-list); "
					       "sockopt set PID:FD sets it on one socket.",
				    sockopt_entry_name(entries[i])), -1;
		if (sockopt_value_parse(entries[i], eq + 1, &v, &diag) < 0)
			return fail(EXIT_USAGE, "%s", diag.text), -1;
		opts[i] = (struct bpf_set_option){ sockopt_entry_level(entries[i]),
						    sockopt_entry_optname(entries[i]), v.v.i };
	}
	return n;
}

/* What the results of a pass print against. */
struct report {
	const struct matched *m;
	const sockopt_entry *const *entries;
	size_t n;
	size_t failed;
};

static void format_int(const sockopt_entry *e, int value, char *buf, size_t size)
{
	sockopt_value v;

	sockopt_value_set_int(&v, value);
	sockopt_type_format(sockopt_entry_type(e), &v, buf, size);
}

static int on_result(const struct bpf_set_result *r, void *ctx)
{
	struct report *rep = ctx;
	const char *who = "?";
	char before[64], after[64];

	for (size_t i = 0; i < rep->m->n; i++)
		if (rep->m->inodes[i] == r->inode) {
			who = rep->m->lines[i];
			rep->m->reached[i] = true;
		}
	if (r->err < 0) {
		rep->failed++;
		printf("%s: not changed: %s refused: %s\n", who,
		       sockopt_entry_name(rep->entries[r->failed]), strerror(-r->err));
		return 0;
	}
	printf("%s:", who);
	for (size_t i = 0; i < rep->n; i++) {
		format_int(rep->entries[i], r->before[i], before, sizeof(before));
		format_int(rep->entries[i], r->after[i], after, sizeof(after));
		printf(" %s %s -> %s", sockopt_entry_name(rep->entries[i]),
		       r->read_err[i] ? "?" : before, after);
	}
	printf("\n");
	return 0;
}

static void matched_free(struct matched *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->lines[i]);
	free(m->lines);
	free(m->inodes);
	free(m->doors);
	free(m->reached);
}

/* Find the sockets, then list them (DRY_RUN) or change them. */
static int match_and_apply(struct matched *m, const struct bpf_set_option *opts,
			   const sockopt_entry **entries, int n, bool dry_run)
{
	struct bpf_show_query q = { .kinds = SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6 };
	struct bpf_show_diag diag = { 0 };
	struct report rep = { m, entries, (size_t)n, 0 };
	sockopt_scan *scan;
	struct sockopt_diag sd;
	int r;

	if (sockopt_scan_new(SOCKOPT_SCAN_SETTABLE_ONLY, &scan, &sd) < 0)
		return fail(EXIT_FAILED, "%s", sd.text);
	r = bpf_show_scan(scan, &q, on_socket, m, &diag);
	sockopt_scan_free(scan);
	if (r < 0)
		return fail(EXIT_FAILED, "%s", diag.text);
	if (m->n == 0)
		return fail(EXIT_FAILED, "No TCP socket with a process matches the filter; nothing changed.");
	for (size_t i = 0; dry_run && i < m->n; i++)
		printf("%s: would be changed\n", m->lines[i]);
	if (dry_run)
		return EXIT_OK;
	r = bpf_set_apply(m->inodes, m->doors, m->n, opts, (size_t)n, on_result, &rep, &diag);
	if (r < 0)
		return fail(EXIT_FAILED, "%s", diag.text);
	/* Closed since it was matched, or in a namespace that could not be entered. */
	for (size_t i = 0; i < m->n; i++)
		if (!m->reached[i]) {
			rep.failed++;
			printf("%s: not changed: the set pass did not meet it (closed, or its "
			       "namespace could not be entered)\n", m->lines[i]);
		}
	if (rep.failed)
		return fail(EXIT_FAILED, "%zu of %zu sockets were not changed.", rep.failed, m->n);
	return EXIT_OK;
}

int set_match(const char *filter, char **args, int nargs, bool dry_run)
{
	struct term terms[TERMS_MAX];
	struct bpf_set_option opts[8];
	const sockopt_entry *entries[8];
	struct matched m = { .terms = terms };
	const char *why;
	int n, code;

	if ((m.nterms = parse_filter(filter, terms)) < 0)
		return EXIT_USAGE;
	if (nargs < 1)
		return fail(EXIT_USAGE, "set: NAME=VALUE is missing; usage: sockopt set --match FILTER "
					"NAME=VALUE…");
	if ((n = parse_options(args, nargs, opts, entries)) < 0)
		return EXIT_USAGE;
	if ((why = bpf_show_unavailable()))
		return fail(EXIT_FAILED, "set --match works through BPF, and %s.", why);
	code = match_and_apply(&m, opts, entries, n, dry_run);
	matched_free(&m);
	return code;
}
