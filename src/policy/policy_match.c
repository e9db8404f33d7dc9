/* policy_match.c: which sockets a policy rule names, and whether a value meets an expectation. */
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

void policy_proc_read(pid_t pid, struct policy_proc *proc)
{
	char path[64], line[600];
	unsigned long real, effective;
	FILE *f;

	memset(proc, 0, sizeof(*proc));
	proc->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Uid: %lu %lu", &real, &effective) == 2) {
				proc->uid = (uid_t)effective;
				proc->has_uid = true;
			}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(path, "re"))) {
		/* The unified hierarchy's line is "0::/system.slice/redis.service". */
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "0::", 3) == 0) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(proc->cgroup, sizeof(proc->cgroup), "%.511s", line + 3);
				proc->has_cgroup = true;
			}
		fclose(f);
	}
}

int policy_port_of(const sockopt_value *v)
{
	const struct sockaddr *sa = (const struct sockaddr *)v->v.bytes;

	if (v->len < sizeof(struct sockaddr_in) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return -1;
	/* sin_port and sin6_port sit at the same offset, in network order. */
	return v->v.bytes[2] << 8 | v->v.bytes[3];
}

static bool ports_match(const struct policy_ports *ports, size_t n, const sockopt_value *addr)
{
	int port = policy_port_of(addr);

	for (size_t i = 0; i < n; i++)
		if (port >= (int)ports[i].low && port <= (int)ports[i].high)
			return true;
	return false;
}

static bool prefix_match(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

/* Whether the address in ADDR lies in C; an IPv4 range also covers IPv4-mapped IPv6 addresses. */
static bool cidr_match(const struct policy_cidr *c, const sockopt_value *addr)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct sockaddr_in *in = (const struct sockaddr_in *)addr->v.bytes;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr->v.bytes;

	if (addr->len >= sizeof(*in) && in->sin_family == AF_INET)
		return c->family == AF_INET &&
		       prefix_match((const unsigned char *)&in->sin_addr, c->addr, c->bits);
	if (addr->len < sizeof(*in6) || in6->sin6_family != AF_INET6)
		return false;
	if (c->family == AF_INET6)
		return prefix_match(in6->sin6_addr.s6_addr, c->addr, c->bits);
	return memcmp(in6->sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0 &&
	       prefix_match(in6->sin6_addr.s6_addr + 12, c->addr, c->bits);
}

static bool cidrs_match(const struct policy_cidr *c, size_t n, const sockopt_value *addr)
{
	for (size_t i = 0; i < n; i++)
		if (cidr_match(&c[i], addr))
			return true;
	return false;
}

static bool comm_match(const struct policy_rule *r, const char *comm)
{
	for (size_t i = 0; i < r->ncomm; i++)
		if (fnmatch(r->comm[i], comm, 0) == 0)
			return true;
	return false;
}

static bool user_match(const struct policy_rule *r, const struct policy_proc *proc)
{
	for (size_t i = 0; proc->has_uid && i < r->nuser; i++)
		if (r->user[i] == proc->uid)
			return true;
	return false;
}

/*
 * A cgroup key names the process's cgroup v2 path or a folder above it
 * ("/system.slice" covers "/system.slice/redis.service"); a key without
 * '/' names one component of the path ("redis.service", a container's
 * scope).
 */
static bool cgroup_match(const struct policy_rule *r, const struct policy_proc *proc)
{
	for (size_t i = 0; proc->has_cgroup && i < r->ncgroup; i++) {
		const char *key = r->cgroup[i], *path = proc->cgroup;
		size_t n = strlen(key);

		if (key[0] == '/' && strncmp(path, key, n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' || (n == 1)))
			return true;
		for (const char *p = path; key[0] != '/' && (p = strstr(p, key)); p++)
			if (p > path && p[-1] == '/' && (p[n] == '\0' || p[n] == '/'))
				return true;
	}
	return false;
}

bool policy_rule_matches(const struct policy_rule *r, const struct policy_proc *proc,
			 const sockopt_sock *sock)
{
	if (r->kinds && !(r->kinds & sockopt_sock_kind(sock)))
		return false;
	if (r->states && !(r->states & (1u << sockopt_sock_state(sock))))
		return false;
	if (r->nsport && !ports_match(r->sport, r->nsport, sockopt_sock_local(sock)))
		return false;
	if (r->ndport && !ports_match(r->dport, r->ndport, sockopt_sock_peer(sock)))
		return false;
	if (r->nsrc && !cidrs_match(r->src, r->nsrc, sockopt_sock_local(sock)))
		return false;
	if (r->ndst && !cidrs_match(r->dst, r->ndst, sockopt_sock_peer(sock)))
		return false;
	if (r->ncomm && !comm_match(r, sockopt_sock_comm(sock)))
		return false;
	if (r->nuser && !user_match(r, proc))
		return false;
	return !r->ncgroup || cgroup_match(r, proc);
}

bool policy_matches_any(const struct policy *p, const struct policy_proc *proc,
			const sockopt_sock *sock)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (policy_rule_matches(&p->rules[i], proc, sock))
			return true;
	return false;
}

int policy_expect_holds(const struct policy_expect *x, const sockopt_value *found)
{
	enum sockopt_type t = sockopt_entry_type(x->entry);
	int low, high, r;

	if (x->op == POLICY_EQ || x->op == POLICY_NE)
		return sockopt_value_equal(t, found, &x->value) == (x->op == POLICY_EQ);
	if ((r = sockopt_value_compare(t, found, &x->value, &low)) < 0)
		return r;
	if (x->op == POLICY_LE)
		return low <= 0;
	if (x->op == POLICY_GE)
		return low >= 0;
	if ((r = sockopt_value_compare(t, found, &x->high, &high)) < 0)
		return r;
	return low >= 0 && high <= 0;
}

int policy_sock_value(const sockopt_sock *sock, const sockopt_entry *entry,
		      const sockopt_value **v)
{
	size_t n = sockopt_sock_option_count(sock);

	for (size_t i = 0; i < n; i++) {
		const sockopt_entry *e;
		const sockopt_value *value;
		int r = sockopt_sock_option(sock, i, &e, &value);

		if (e != entry)
			continue;
		if (r < 0)
			return r;
		*v = value;
		return (int)i;
	}
	return -ENOENT;
}

/* Check one expectation on SOCK: 1 when it is not met (FN told), 0 when met or not applicable. */
static int check_expect(const struct policy_rule *r, const struct policy_expect *x,
			const sockopt_sock *sock, policy_violation_fn fn, void *ctx)
{
	const sockopt_value *found = NULL;
	int i = policy_sock_value(sock, x->entry, &found), err;

	if (!(sockopt_entry_kinds(x->entry) & sockopt_sock_kind(sock)) || i == -ENOENT ||
	    i == -ENOPROTOOPT || i == -EOPNOTSUPP)
		return 0;
	if (i >= 0 && policy_expect_holds(x, found) == 1)
		return 0;
	if ((err = fn(r, x, sock, i, i >= 0 ? found : NULL, ctx)) < 0)
		return err;
	return 1;
}

int policy_check_socket(const struct policy *p, const struct policy_proc *proc,
			const sockopt_sock *sock, policy_violation_fn fn, void *ctx)
{
	int total = 0, r;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *rule = &p->rules[i];

		if (!policy_rule_matches(rule, proc, sock))
			continue;
		for (size_t j = 0; j < rule->nexpect; j++) {
			if ((r = check_expect(rule, &rule->expect[j], sock, fn, ctx)) < 0)
				return r;
			total += r;
		}
	}
	return total;
}
