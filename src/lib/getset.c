/* getset.c: reading and setting one option, with a readback that explains what the kernel kept. */
#include <errno.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "values.h"

/* Options that are stored but idle while another option is off. */
static const struct {
	const char *option;
	const char *needs;
} dependencies[] = {
	{ "TCP_KEEPIDLE", "SO_KEEPALIVE" },
	{ "TCP_KEEPINTVL", "SO_KEEPALIVE" },
	{ "TCP_KEEPCNT", "SO_KEEPALIVE" },
};

/* Set-only options whose effect is read back through another option. */
static const struct {
	const char *option;
	const char *read_as;
} readback_via[] = {
	{ "SO_SNDBUFFORCE", "SO_SNDBUF" },
	{ "SO_RCVBUFFORCE", "SO_RCVBUF" },
};

const sockopt_entry *readback_entry(const sockopt_entry *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(readback_via); i++)
		if (strcmp(e->name, readback_via[i].option) == 0)
			return sockopt_catalog_find(readback_via[i].read_as);
	return e;
}

/*
 * IPv4 options with an IPv6 twin that means the same.  Measured on Linux
 * 6.18: IP_TOS 0xb8 on an AF_INET6 TCP socket left IPV6_TCLASS 0, so
 * packets to an IPv6 peer went out unmarked; IP_TTL 5 left
 * IPV6_UNICAST_HOPS 64.  sockopt_set makes them family-neutral.
 */
static const struct {
	const char *v4, *v6;
} family_twins[] = {
	{ "IP_TOS", "IPV6_TCLASS" },
	{ "IP_TTL", "IPV6_UNICAST_HOPS" },
};

const sockopt_entry *ipv6_twin(int fd, const sockopt_entry *e, bool *both)
{
	int family = 0, v6only = 0;
	socklen_t len = sizeof(family);

	if (e->level != IPPROTO_IP)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(family_twins); i++) {
		if (strcmp(e->name, family_twins[i].v4) != 0)
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0 || family != AF_INET6)
			return NULL;
		len = sizeof(v6only);
		if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) < 0)
			v6only = 0;
		if (both)
			*both = !v6only;
		return sockopt_catalog_find(family_twins[i].v6);
	}
	return NULL;
}

const sockopt_entry *readback_entry_on(int fd, const sockopt_entry *e)
{
	const sockopt_entry *twin = ipv6_twin(fd, e, NULL);

	return twin ? twin : readback_entry(e);
}

/* A phrase naming FD's kind for messages: "tcp socket", or "socket". */
static void describe_fd(int fd, char *buf, size_t size)
{
	unsigned kind;

	if (sockopt_kind_of_fd(fd, &kind, NULL) == 0)
		snprintf(buf, size, "%s socket", sockopt_kind_name(kind));
	else
		snprintf(buf, size, "socket");
}

/* The sentence for a failed getsockopt/setsockopt of E on FD. */
static int call_failed(struct sockopt_diag *diag, int err, int fd, const sockopt_entry *e,
		       const char *call, const char *value)
{
	char what[64];

	describe_fd(fd, what, sizeof(what));
	switch (-err) {
	case ENOTSOCK:
		return diag_set(diag, err, "fd %d is not a socket.", fd);
	case EBADF:
		return diag_set(diag, err, "fd %d is not open.", fd);
	case ENOPROTOOPT:
	case EOPNOTSUPP:
		return diag_set(diag, err, "%s does not apply to this %s (%s).", e->name, what,
				errno_name(-err));
	case EPERM:
	case EACCES:
		if (e->flags & SOCKOPT_FLAG_PRIVILEGED)
			return diag_set(diag, err,
					"%s%s%s needs a capability (CAP_NET_ADMIN or CAP_NET_RAW) "
					"that this process lacks (%s).",
					e->name, value ? "=" : "", value ? value : "",
					errno_name(-err));
		break;
	}
	return diag_set(diag, err, "%s %s%s%s on a %s: %s (%s).", call, e->name,
			value ? "=" : "", value ? value : "", what, strerror(-err), errno_name(-err));
}

/*
 * The buffer length to read each fixed-size type with.  Some options refuse
 * a longer buffer: SO_NETNS_COOKIE wants exactly 8 bytes (EINVAL otherwise,
 * measured); 0 means "as much as the value holds".
 */
static const socklen_t fixed_size[SOCKOPT_TYPE_COUNT] = {
	[SOCKOPT_TYPE_BOOL] = sizeof(int),	   [SOCKOPT_TYPE_INT] = sizeof(int),
	[SOCKOPT_TYPE_UINT] = sizeof(unsigned),	   [SOCKOPT_TYPE_U64] = sizeof(uint64_t),
	[SOCKOPT_TYPE_BYTES] = sizeof(int),	   [SOCKOPT_TYPE_SECONDS] = sizeof(int),
	[SOCKOPT_TYPE_MILLIS] = sizeof(unsigned),  [SOCKOPT_TYPE_MICROS] = sizeof(int),
	[SOCKOPT_TYPE_LINGER] = sizeof(struct linger),
	[SOCKOPT_TYPE_TIMEVAL] = sizeof(struct timeval),
	[SOCKOPT_TYPE_SOCKTYPE] = sizeof(int),	   [SOCKOPT_TYPE_FAMILY] = sizeof(int),
	[SOCKOPT_TYPE_PROTOCOL] = sizeof(int),	   [SOCKOPT_TYPE_PMTUDISC] = sizeof(int),
	[SOCKOPT_TYPE_TOS] = sizeof(int),	   [SOCKOPT_TYPE_ERRNO] = sizeof(int),
	[SOCKOPT_TYPE_UCRED] = sizeof(struct ucred),
	[SOCKOPT_TYPE_INADDR] = sizeof(struct in_addr),
	[SOCKOPT_TYPE_MREQ] = sizeof(struct ip_mreqn),
	[SOCKOPT_TYPE_MREQ6] = sizeof(struct ipv6_mreq),
	[SOCKOPT_TYPE_MTUINFO] = sizeof(struct ip6_mtuinfo),
	[SOCKOPT_TYPE_TXTIME] = sizeof(struct sock_txtime),
};

/*
 * The length to read an address-typed option with.  SO_PEERNAME answers
 * EINVAL when the buffer is longer than the peer's address, and the
 * netfilter original-destination options want their family's exact size,
 * so ask for the length getpeername reports, or the family's size.
 */
static socklen_t address_length(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int family;
	socklen_t flen = sizeof(family);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		return len;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &flen) == 0 && family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return SOCKOPT_VALUE_MAX;
}

int option_read(int fd, const sockopt_entry *e, sockopt_value *v)
{
	v->len = fixed_size[e->type] ? fixed_size[e->type] : SOCKOPT_VALUE_MAX;
	if (e->type == SOCKOPT_TYPE_SOCKADDR)
		v->len = address_length(fd);
	return getsockopt(fd, e->level, e->optname, v->v.bytes, &v->len) < 0 ? -errno : 0;
}

SOCKOPT_EXPORT int sockopt_get(int fd, const sockopt_entry *e, sockopt_value *out,
			       struct sockopt_diag *diag)
{
	sockopt_value v;
	int r;

	if (!(e->access & SOCKOPT_ACCESS_GET))
		return diag_set(diag, -EOPNOTSUPP, "%s can only be set, not read.", e->name);
	memset(&v, 0, sizeof(v));
	r = option_read(fd, e, &v);
	if (r < 0)
		return call_failed(diag, r, fd, e, "getsockopt", NULL);
	*out = v;
	return 0;
}

SOCKOPT_EXPORT bool sockopt_fd_is_bound(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return false;
	if (ss.ss_family == AF_INET)
		return ((struct sockaddr_in *)&ss)->sin_port != 0;
	if (ss.ss_family == AF_INET6)
		return ((struct sockaddr_in6 *)&ss)->sin6_port != 0;
	return len > sizeof(sa_family_t);
}

/* Whether FD has passed the point where an option of phase P acts. */
static bool phase_passed(int fd, enum sockopt_phase p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int listening = 0;
	socklen_t ilen = sizeof(listening);

	if (p == SOCKOPT_PHASE_BEFORE_CONNECT) {
		if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
			return true;
		return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) == 0 &&
		       listening;
	}
	if (p == SOCKOPT_PHASE_BEFORE_BIND)
		return sockopt_fd_is_bound(fd);
	return false;
}

/* The word of sysctl list LIST ending in SUFFIX, copied into BUF; false when none. */
static bool sysctl_with_suffix(const char *list, const char *suffix, char *buf, size_t size)
{
	size_t len, slen = strlen(suffix);

	for (const char *w; (w = word_next(&list, &len));)
		if (len >= slen && len < size && strncmp(w + len - slen, suffix, slen) == 0) {
			memcpy(buf, w, len);
			buf[len] = '\0';
			return true;
		}
	return false;
}

/* Explain a doubled buffer size: doubled, capped at the sysctl, or raised to the minimum. */
static void explain_doubled(const sockopt_entry *e, int requested, int stored, struct out *o,
			    unsigned *why)
{
	char name[64];
	long long max;

	if ((long long)stored == 2LL * requested) {
		*why |= SOCKOPT_WHY_DOUBLED;
		out_printf(o, ": Linux doubles %s (2 × %d)", e->name, requested);
	} else if (sysctl_with_suffix(e->sysctls, "mem_max", name, sizeof(name)) &&
		   sockopt_sysctl_read_long(name, &max, NULL) == 0 && requested > max &&
		   stored == 2 * max) {
		*why |= SOCKOPT_WHY_DOUBLED | SOCKOPT_WHY_CLAMPED_MAX;
		out_printf(o, ": %d is capped at %s = %lld, then doubled", requested, name, max);
	} else if ((long long)stored > 2LL * requested) {
		*why |= SOCKOPT_WHY_CLAMPED_MIN;
		out_printf(o, ": raised to the kernel minimum of %d", stored);
	} else {
		*why |= SOCKOPT_WHY_OTHER;
		out_printf(o, ": the kernel changed it");
	}
}

/* Explain why STORED differs from REQUESTED for E, into O and WHY. */
static void explain_difference(const sockopt_entry *e, const sockopt_value *requested,
			       const sockopt_value *stored, struct out *o, unsigned *why)
{
	char name[64];
	long long def;

	if (e->flags & SOCKOPT_FLAG_DOUBLED) {
		explain_doubled(e, requested->v.i, stored->v.i, o, why);
	} else if (e->flags & SOCKOPT_FLAG_IGNORED) {
		*why |= SOCKOPT_WHY_IGNORED;
		out_printf(o, ": Linux accepts %s and ignores it", e->name);
	} else if (e->type == SOCKOPT_TYPE_TIMEVAL || e->type == SOCKOPT_TYPE_SECONDS ||
		   e->type == SOCKOPT_TYPE_MILLIS || e->type == SOCKOPT_TYPE_MICROS) {
		*why |= SOCKOPT_WHY_ROUNDED;
		out_printf(o, ": the kernel keeps this duration in its own unit (clock ticks or "
			      "retransmission periods) and rounded it");
	} else if (e->type == SOCKOPT_TYPE_TOS && stored->v.i == (requested->v.i & ~3)) {
		*why |= SOCKOPT_WHY_OTHER;
		out_printf(o, ": TCP keeps the ECN bits to itself");
	} else if (sysctl_with_suffix(e->sysctls, "", name, sizeof(name)) &&
		   stored->len == sizeof(int) && sockopt_sysctl_read_long(name, &def, NULL) == 0 &&
		   def == stored->v.i) {
		*why |= SOCKOPT_WHY_KERNEL_DEFAULT;
		out_printf(o, ": the kernel default from %s = %lld is in force", name, def);
	} else {
		*why |= SOCKOPT_WHY_OTHER;
		out_printf(o, ": the kernel stored a different value");
	}
}

/*
 * What setting a before-connect option does to a socket that is already
 * listening or connected, where it is known precisely.  Measured with ss on
 * Linux 6.18: SO_RCVBUF=1M set on a listener after listen() gave the next
 * accepted connection rb2097152 and its own window scale 5 (10 with an
 * autotuned buffer); SO_SNDBUF=8M on an established socket showed
 * tb8388608 at once; SO_RCVBUF=1M on one showed rb2097152 at once while
 * its wscale stayed 10,10.
 */
static const struct {
	const char *option;
	bool listening;
	bool passed; /* part of what the option is for no longer happens */
	const char *note;
} late_effects[] = {
	{ "SO_RCVBUF", true, false,
	  "connections accepted from now on inherit it and choose their window scale from it "
	  "(a smaller scale than autotuning gives); those accepted before keep theirs" },
	{ "SO_SNDBUF", true, false,
	  "connections accepted from now on inherit it; those accepted before keep theirs" },
	{ "SO_RCVBUF", false, true,
	  "the receive queue limit changes now, but this connection's window scale was fixed in "
	  "its handshake" },
	{ "SO_SNDBUF", false, false, "the send queue limit changes now" },
};

/* Whether FD is listening. */
static bool fd_listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/* Say in O what setting E on FD, past its phase, does now and what it no longer does. */
static void explain_late(int fd, const sockopt_entry *e, struct out *o, unsigned *why)
{
	bool listening = fd_listening(fd);

	if (e->phase == SOCKOPT_PHASE_BEFORE_BIND) {
		*why |= SOCKOPT_WHY_PHASE_PASSED;
		out_printf(o, "%s acts at bind(), and this socket is already bound, so it does not "
			      "change the address it holds", e->name);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(late_effects); i++) {
		if (strcmp(e->name, late_effects[i].option) != 0 ||
		    late_effects[i].listening != listening)
			continue;
		if (late_effects[i].passed)
			*why |= SOCKOPT_WHY_PHASE_PASSED;
		out_printf(o, "this socket is %s: %s", listening ? "listening" : "connected",
			   late_effects[i].note);
		return;
	}
	if (listening && (e->flags & SOCKOPT_FLAG_INHERITED)) {
		out_printf(o, "this socket is listening: connections accepted from now on inherit "
			      "%s, those accepted before keep theirs", e->name);
		return;
	}
	*why |= SOCKOPT_WHY_PHASE_PASSED;
	out_printf(o, "%s acts in the handshake, and this socket is already %s", e->name,
		   listening ? "listening" : "connected");
}

SOCKOPT_EXPORT int sockopt_phase_note(int fd, const sockopt_entry *e, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	unsigned why = 0;

	if (size)
		buf[0] = '\0';
	if (e->phase == SOCKOPT_PHASE_ANY || !phase_passed(fd, e->phase))
		return 0;
	explain_late(fd, e, &o, &why);
	return (why & SOCKOPT_WHY_PHASE_PASSED) ? 1 : 0;
}

/* Notes that hold even when the value was stored as asked: phase passed, idle. */
static void explain_effect(int fd, const sockopt_entry *e, struct out *o, unsigned *why)
{
	if (e->phase != SOCKOPT_PHASE_ANY && phase_passed(fd, e->phase)) {
		out_printf(o, "; ");
		explain_late(fd, e, o, why);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dependencies); i++) {
		const sockopt_entry *needs = sockopt_catalog_find(dependencies[i].needs);
		sockopt_value on;

		if (strcmp(e->name, dependencies[i].option) != 0 || !needs ||
		    sockopt_get(fd, needs, &on, NULL) != 0 || on.v.i)
			continue;
		*why |= SOCKOPT_WHY_INACTIVE;
		out_printf(o, "; but %s is off, so it has no effect yet", needs->name);
	}
}

/* Fill RB after a successful set of V on FD. */
static void readback(int fd, const sockopt_entry *e, const sockopt_value *v,
		     struct sockopt_readback *rb)
{
	struct out o = { rb->text, sizeof(rb->text), 0 };
	/* Whole canonical texts: two values are equal when these are (sockopt_value_equal). */
	char req[4 * SOCKOPT_VALUE_MAX], got[4 * SOCKOPT_VALUE_MAX];

	const sockopt_entry *twin;
	bool both = false;

	memset(rb, 0, sizeof(*rb));
	rb->requested = *v;
	sockopt_type_format(e->type, v, req, sizeof(req));
	twin = ipv6_twin(fd, e, &both);
	if (twin)
		out_printf(&o, "IPv6 socket: set %s=%s%s%s%s; ", twin->name, req,
			   both ? " and " : "", both ? e->name : "",
			   both ? " (dual-stack: also its IPv4-mapped traffic)" : "");
	if (sockopt_get(fd, twin ? twin : readback_entry(e), &rb->stored, NULL) != 0) {
		rb->stored.len = 0;
		rb->why |= SOCKOPT_WHY_WRITE_ONLY;
		out_printf(&o, "set %s to %s; it cannot be read back", e->name, req);
	} else {
		sockopt_type_format(e->type, &rb->stored, got, sizeof(got));
		out_printf(&o, "%s: requested %s, stored %s", twin ? twin->name : e->name, req, got);
		/* A doubled size is explained even when the numbers agree: 8M capped at 4M and then doubled reads 8M. */
		if (strcmp(req, got) != 0 || (e->flags & SOCKOPT_FLAG_DOUBLED))
			explain_difference(e, v, &rb->stored, &o, &rb->why);
	}
	explain_effect(fd, e, &o, &rb->why);
	out_printf(&o, ".");
}

SOCKOPT_EXPORT int sockopt_set_unchecked(int fd, const sockopt_entry *e, const sockopt_value *v,
					 struct sockopt_diag *diag)
{
	if (setsockopt(fd, e->level, e->optname, v->v.bytes, v->len) < 0) {
		char text[128];

		sockopt_type_format(e->type, v, text, sizeof(text));
		return call_failed(diag, -errno, fd, e, "setsockopt", text);
	}
	return 0;
}

/*
 * Set E (IP_TOS, IP_TTL) on the AF_INET6 socket FD through its IPv6 twin
 * TWIN, and E itself too when BOTH (a dual-stack socket); when E is then
 * refused, TWIN goes back to what it was.
 */
static int set_with_twin(int fd, const sockopt_entry *e, const sockopt_entry *twin, bool both,
			 const sockopt_value *v, struct sockopt_diag *diag)
{
	sockopt_value before;
	bool restorable = sockopt_get(fd, twin, &before, NULL) == 0;
	int r = sockopt_set_unchecked(fd, twin, v, diag);

	if (r < 0 || !both)
		return r;
	r = sockopt_set_unchecked(fd, e, v, diag);
	if (r < 0 && restorable)
		sockopt_set_unchecked(fd, twin, &before, NULL);
	return r;
}

SOCKOPT_EXPORT int sockopt_set(int fd, const sockopt_entry *e, const sockopt_value *v,
			       struct sockopt_readback *rb, struct sockopt_diag *diag)
{
	const sockopt_entry *twin;
	bool both = false;
	int r;

	if (!(e->access & SOCKOPT_ACCESS_SET))
		return diag_set(diag, -EOPNOTSUPP, "%s is read-only.", e->name);
	twin = ipv6_twin(fd, e, &both);
	r = twin ? set_with_twin(fd, e, twin, both, v, diag) : sockopt_set_unchecked(fd, e, v, diag);
	if (r < 0)
		return r;
	if (rb)
		readback(fd, e, v, rb);
	return 0;
}

SOCKOPT_EXPORT int sockopt_set_text(int fd, const sockopt_entry *e, const char *text,
				    struct sockopt_readback *rb, struct sockopt_diag *diag)
{
	sockopt_value v;
	int r = sockopt_value_parse(e, text, &v, diag);

	return r ? r : sockopt_set(fd, e, &v, rb, diag);
}

SOCKOPT_EXPORT bool sockopt_phase_passed(int fd, enum sockopt_phase p)
{
	return phase_passed(fd, p);
}
