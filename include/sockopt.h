/* sockopt.h: the one public header of libsockopt, typed socket options for Linux. */
#ifndef SOCKOPT_H
#define SOCKOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions.  Functions return 0 (or a non-negative count or fd) on
 * success and a negative errno on failure.  Output parameters are written
 * only on success.  The last parameter of a fallible call is an optional
 * struct sockopt_diag: when it is not NULL it receives the error and one
 * sentence for people, naming the option, the value and the reason.  The
 * library never prints and keeps no global mutable state.
 */

#define SOCKOPT_VERSION_MAJOR 0
#define SOCKOPT_VERSION_MINOR 1

#define SOCKOPT_TEXT_MAX 512 /* room for one diagnostic or readback sentence */
#define SOCKOPT_VALUE_MAX 512 /* largest option value the library carries */

/* A diagnostic: the negative errno and a sentence that explains it. */
struct sockopt_diag {
	int error;
	char text[SOCKOPT_TEXT_MAX];
};

/* ---- socket kinds ---------------------------------------------------- */

/* The socket kinds an option can apply to, as a bit mask. */
enum sockopt_kind {
	SOCKOPT_KIND_TCP = 1u << 0,	       /* AF_INET, SOCK_STREAM */
	SOCKOPT_KIND_TCP6 = 1u << 1,	       /* AF_INET6, SOCK_STREAM */
	SOCKOPT_KIND_UDP = 1u << 2,	       /* AF_INET, SOCK_DGRAM */
	SOCKOPT_KIND_UDP6 = 1u << 3,	       /* AF_INET6, SOCK_DGRAM */
	SOCKOPT_KIND_RAW = 1u << 4,	       /* AF_INET, SOCK_RAW */
	SOCKOPT_KIND_RAW6 = 1u << 5,	       /* AF_INET6, SOCK_RAW */
	SOCKOPT_KIND_UNIX = 1u << 6,	       /* AF_UNIX, SOCK_STREAM */
	SOCKOPT_KIND_UNIX_DGRAM = 1u << 7,     /* AF_UNIX, SOCK_DGRAM */
	SOCKOPT_KIND_UNIX_SEQPACKET = 1u << 8, /* AF_UNIX, SOCK_SEQPACKET */
	SOCKOPT_KIND_ALL = (1u << 9) - 1,
};

/* The kind bit of an open socket, or -ENOTSOCK, -EAFNOSUPPORT, -errno. */
int sockopt_kind_of_fd(int fd, unsigned *kind, struct sockopt_diag *diag);
/* Whether FD has a local address: a port for TCP/UDP, a name for unix sockets. */
bool sockopt_fd_is_bound(int fd);
/* The short name of one kind bit ("tcp", "udp6", "unix-dgram"), or NULL. */
const char *sockopt_kind_name(unsigned kind);
/* The kind bit named by NAME, or -EINVAL. */
int sockopt_kind_parse(const char *name, unsigned *kind);
/* A fresh socket of one kind (raw kinds use IPPROTO_ICMP/ICMPV6), or -errno. */
int sockopt_kind_socket(unsigned kind, struct sockopt_diag *diag);
/*
 * Move the calling thread into the network namespace socket FD lives in,
 * so that sysctls (/proc/sys/net), interface names and fresh sockets are
 * those of that namespace.  0 when the thread is there already, 1 when it
 * entered; -EPERM when it may not (SIOCGSKNS needs CAP_NET_ADMIN over the
 * namespace, setns CAP_SYS_ADMIN).  Other threads stay where they are.
 */
int sockopt_netns_enter(int fd, struct sockopt_diag *diag);
/* The family, type and protocol that socket(2) takes for one kind. */
int sockopt_kind_triple(unsigned kind, int *family, int *type, int *protocol);
/*
 * The kind socket(FAMILY, TYPE, PROTOCOL) makes, SOCK_NONBLOCK and
 * SOCK_CLOEXEC masked out of TYPE; -EAFNOSUPPORT for sockets sockopt does
 * not cover (netlink, packet, MPTCP, SCTP).  No system call.
 */
int sockopt_kind_of_triple(int family, int type, int protocol, unsigned *kind);

/* ---- the catalog ----------------------------------------------------- */

/* How an option's value is typed. */
enum sockopt_type {
	SOCKOPT_TYPE_BOOL,     /* int, 0 = off, non-zero = on */
	SOCKOPT_TYPE_INT,      /* int */
	SOCKOPT_TYPE_UINT,     /* unsigned int */
	SOCKOPT_TYPE_U64,      /* uint64_t (cookies) */
	SOCKOPT_TYPE_BYTES,    /* int, a buffer size in bytes */
	SOCKOPT_TYPE_SECONDS,  /* int, seconds */
	SOCKOPT_TYPE_MILLIS,   /* unsigned int, milliseconds */
	SOCKOPT_TYPE_MICROS,   /* int, microseconds */
	SOCKOPT_TYPE_LINGER,   /* struct linger */
	SOCKOPT_TYPE_TIMEVAL,  /* struct timeval */
	SOCKOPT_TYPE_STRING,   /* NUL-terminated or counted text */
	SOCKOPT_TYPE_SOCKTYPE, /* int, SOCK_* */
	SOCKOPT_TYPE_FAMILY,   /* int, AF_* */
	SOCKOPT_TYPE_PROTOCOL, /* int, IPPROTO_* */
	SOCKOPT_TYPE_PMTUDISC, /* int, IP_PMTUDISC_* / IPV6_PMTUDISC_* */
	SOCKOPT_TYPE_TOS,      /* int, DSCP and ECN bits */
	SOCKOPT_TYPE_ERRNO,    /* int, an errno value */
	SOCKOPT_TYPE_UCRED,    /* struct ucred */
	SOCKOPT_TYPE_TCPINFO,  /* struct tcp_info, selected fields */
	SOCKOPT_TYPE_SOCKADDR, /* a socket address */
	SOCKOPT_TYPE_INADDR,   /* struct in_addr */
	SOCKOPT_TYPE_MREQ,     /* struct ip_mreqn, "GROUP[@IFACE]" */
	SOCKOPT_TYPE_MREQ6,    /* struct ipv6_mreq, "GROUP[@IFACE]" */
	SOCKOPT_TYPE_HEX,      /* anything else, as hex bytes */
	SOCKOPT_TYPE_MTUINFO,  /* struct ip6_mtuinfo, "MTU[@[ADDRESS]:PORT]" */
	SOCKOPT_TYPE_TXTIME,   /* struct sock_txtime, "CLOCK[:deadline_mode][:report_errors]" */
	SOCKOPT_TYPE_COUNT
};

/* What can be done with an option. */
enum sockopt_access {
	SOCKOPT_ACCESS_GET = 1u << 0,
	SOCKOPT_ACCESS_SET = 1u << 1,
	SOCKOPT_ACCESS_BOTH = SOCKOPT_ACCESS_GET | SOCKOPT_ACCESS_SET,
};

/* When setting an option has its documented effect. */
enum sockopt_phase {
	SOCKOPT_PHASE_ANY,	      /* any time; applied right after socket() */
	SOCKOPT_PHASE_BEFORE_BIND,    /* between socket() and bind() */
	SOCKOPT_PHASE_BEFORE_CONNECT, /* before connect() or listen() */
	SOCKOPT_PHASE_AFTER_ACCEPT,   /* on accepted sockets (specs only) */
	SOCKOPT_PHASE_COUNT
};

/* Facts about an option, as bits. */
enum sockopt_flag {
	SOCKOPT_FLAG_INHERITED = 1u << 0,   /* accepted sockets copy it from the listener */
	SOCKOPT_FLAG_SIDE_EFFECT = 1u << 1, /* reading it changes state (SO_ERROR) */
	SOCKOPT_FLAG_PRIVILEGED = 1u << 2,  /* setting it needs a capability */
	SOCKOPT_FLAG_TRANSIENT = 1u << 3,   /* the kernel resets it on its own */
	SOCKOPT_FLAG_DOUBLED = 1u << 4,	    /* the kernel stores twice the value set */
	SOCKOPT_FLAG_IGNORED = 1u << 5,	    /* accepted, but Linux ignores it */
};

/* One catalog entry: an option and everything known about it.  Opaque. */
typedef struct sockopt_entry sockopt_entry;

/* The number of entries, and entry I (0 <= I < count) in catalog order. */
size_t sockopt_catalog_count(void);
const sockopt_entry *sockopt_catalog_at(size_t i);
/*
 * The entry named NAME, or NULL: its kernel name (TCP_DEFER_ACCEPT), one of
 * its aliases (defer-accept), or LEVEL.SHORT for any option (tcp.defer-accept,
 * so.buf-lock: SHORT is the kernel name without its level's word SO_, IP_,
 * IPV6_, TCP_ or UDP_, or an alias).  Case does not matter, and '-' and '_'
 * are the same character.
 */
const sockopt_entry *sockopt_catalog_find(const char *name);
/* The entry for a level and optname, or NULL. */
const sockopt_entry *sockopt_catalog_find_number(int level, int optname);
/* Up to N catalog names close to NAME (for "did you mean"); the count. */
size_t sockopt_catalog_suggest(const char *name, const char **out, size_t n);

const char *sockopt_entry_name(const sockopt_entry *e);	   /* "SO_LINGER" */
const char *sockopt_entry_aliases(const sockopt_entry *e);   /* space-separated */
int sockopt_entry_level(const sockopt_entry *e);	   /* SOL_SOCKET … */
int sockopt_entry_optname(const sockopt_entry *e);
enum sockopt_type sockopt_entry_type(const sockopt_entry *e);
unsigned sockopt_entry_access(const sockopt_entry *e);	   /* SOCKOPT_ACCESS_* */
unsigned sockopt_entry_kinds(const sockopt_entry *e);	   /* SOCKOPT_KIND_* */
enum sockopt_phase sockopt_entry_phase(const sockopt_entry *e);
unsigned sockopt_entry_flags(const sockopt_entry *e);	   /* SOCKOPT_FLAG_* */
const char *sockopt_entry_sysctls(const sockopt_entry *e);   /* space-separated */
const char *sockopt_entry_summary(const sockopt_entry *e);   /* one line */
const char *sockopt_entry_explanation(const sockopt_entry *e);
/*
 * Walk a space-separated list (aliases, sysctls): the next word from *CURSOR
 * and its length in *LEN, advancing *CURSOR; NULL after the last one.
 */
const char *sockopt_word_next(const char **cursor, size_t *len);

/* Where the bound on an option's values comes from. */
enum sockopt_bound_source {
	SOCKOPT_BOUND_NONE,	/* the catalog knows no bound */
	SOCKOPT_BOUND_KERNEL,	/* a constant of the kernel source */
	SOCKOPT_BOUND_MEASURED, /* probed on this kernel; depends on its configuration (HZ) */
	SOCKOPT_BOUND_SYSCTL,	/* one of the words a sysctl lists */
};

/* The values setsockopt accepts for an option, as the catalog knows them. */
struct sockopt_bound {
	enum sockopt_bound_source source;
	long long min, max; /* the range (KERNEL, MEASURED) */
	bool has_also;	    /* ALSO is accepted too, outside the range (-1: the default) */
	long long also;
	const char *where; /* the constant or measurement; for SYSCTL the sysctl's name */
};

/* E's bound into *OUT: 0, or -ENODATA when the catalog knows none. */
int sockopt_entry_bound(const sockopt_entry *e, struct sockopt_bound *out);
/*
 * A phrase for E's bound and its source into BUF ("1 to 255, or -1 (kernel:
 * MAXTTL 255; …)", "one of reno bbr cubic (sysctl …)"): its length like
 * snprintf, or -ENODATA when the catalog knows none.
 */
int sockopt_entry_bound_text(const sockopt_entry *e, char *buf, size_t size);

/* "socket", "ip", "ipv6", "tcp", "udp" for a level, or NULL. */
const char *sockopt_level_name(int level);
/* The level named by "socket"/"SOL_SOCKET"/"ip"/…, or -EINVAL. */
int sockopt_level_parse(const char *name, int *level);
const char *sockopt_type_name(enum sockopt_type t);   /* "bool", "bytes" … */
const char *sockopt_access_name(unsigned access);     /* "get", "set", "get/set" */
const char *sockopt_phase_name(enum sockopt_phase p); /* "any", "before-bind" … */
/* The TCP state as ss names it ("ESTABLISHED", "TIME-WAIT"), or NULL. */
const char *sockopt_tcp_state_name(int state);

/* ---- typed values ---------------------------------------------------- */

/* An option value: the bytes getsockopt returns and setsockopt takes. */
typedef struct sockopt_value {
	socklen_t len;
	union {
		int i;
		unsigned int u;
		uint64_t u64;
		unsigned char bytes[SOCKOPT_VALUE_MAX];
	} v;
} sockopt_value;

/*
 * Parse TEXT as a value of entry E's type.  -EINVAL with a sentence naming
 * the option, the text and what was expected; -ERANGE when out of range of
 * the type or of E's bound (sockopt_value_check).
 */
int sockopt_value_parse(const sockopt_entry *e, const char *text, sockopt_value *out,
			struct sockopt_diag *diag);
/*
 * Whether V is within E's bound (sockopt_entry_bound): 0, or -ERANGE with a
 * sentence naming the bound and its source.  sockopt_value_parse checks it.
 */
int sockopt_value_check(const sockopt_entry *e, const sockopt_value *v, struct sockopt_diag *diag);
/*
 * Whether this process may set E to V, by the capabilities the catalog knows
 * (SO_DEBUG on, SO_PRIORITY above 6, SO_MARK, SO_*BUFFORCE, TCP_REPAIR, a
 * congestion control missing from tcp_allowed_congestion_control): 0, or
 * -EPERM with a sentence naming the capability this process lacks.
 */
int sockopt_set_allowed(const sockopt_entry *e, const sockopt_value *v, struct sockopt_diag *diag);
/* Parse TEXT as a value of type T (the same rules, no option name). */
int sockopt_type_parse(enum sockopt_type t, const char *text, sockopt_value *out,
		       struct sockopt_diag *diag);
/*
 * Format a value in its canonical text form into BUF (always terminated).
 * Returns the length it needed (like snprintf) or a negative errno.
 */
int sockopt_type_format(enum sockopt_type t, const sockopt_value *v, char *buf, size_t size);
/* The same as JSON: a number, true/false, a string or an object. */
int sockopt_type_format_json(enum sockopt_type t, const sockopt_value *v, char *buf,
			     size_t size);
/*
 * Names, paths and string values are bytes, not always text: a unix path,
 * an abstract name (with NULs in it), a process name or an interface name
 * may hold any byte.  These two writers are the only way sockopt puts such
 * bytes into output, so that JSON is always valid UTF-8 and a text row is
 * always one line.
 *
 * The LEN bytes at S as a JSON string literal, quotes included, into BUF
 * (always terminated when SIZE > 0).  Well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF) passes through;
 * quote, backslash and the control characters U+0000-U+001F and U+007F are
 * escaped (\", \\, \n, \t, \r, \b, \f, else \u00XX), so NUL bytes survive
 * exactly.  Each byte that is not part of well-formed UTF-8 becomes U+FFFD,
 * and *REPLACED (may be NULL) counts them: when it is not 0 the string is
 * not the exact bytes, and the caller writes them beside it as hex (the
 * command's "KEY_hex" fields).  Returns the length needed, like snprintf.
 */
int sockopt_json_string(const char *s, size_t len, char *buf, size_t size, size_t *replaced);
/*
 * The LEN bytes at S escaped for one line of text into BUF (always
 * terminated when SIZE > 0): well-formed UTF-8 other than controls passes
 * through; backslash, NUL, newline, tab and return become \\, \0, \n, \t,
 * \r, and every other control byte (also DEL and the C1 controls
 * U+0080-U+009F) and every byte that is not well-formed UTF-8 becomes
 * \xNN.  Lossless: each escape stands for exactly one byte.  Returns the
 * length needed, like snprintf.
 */
int sockopt_text_escape(const char *s, size_t len, char *buf, size_t size);
/* Whether two values are the same (compares what the type means). */
bool sockopt_value_equal(enum sockopt_type t, const sockopt_value *a, const sockopt_value *b);
/*
 * Order two values of type T by what they measure: *ORDER becomes -1, 0
 * or 1 as A is below, equal to or above B.  Sizes, counts and durations
 * compare as numbers in the type's unit; a bool off is below on; linger
 * off is below every on:N, and on:N orders by N.  -EDOM for types whose
 * values have no order (names, text, addresses, tcp_info): ask
 * sockopt_value_equal instead.  -EINVAL for an unknown type.
 */
int sockopt_value_compare(enum sockopt_type t, const sockopt_value *a, const sockopt_value *b,
			  int *order);
/*
 * A value as one number in its type's unit (bytes, seconds, milliseconds,
 * microseconds; bool 0 or 1; linger off -1, on:N N; timeval microseconds),
 * for metrics.  -EDOM for the types without an order, as above.
 */
int sockopt_value_number(enum sockopt_type t, const sockopt_value *v, double *out);
/* A value holding one int, the form most options take. */
void sockopt_value_set_int(sockopt_value *v, int i);

/* ---- get and set ----------------------------------------------------- */

/* Why a stored value differs from the requested one, as bits. */
enum sockopt_why {
	SOCKOPT_WHY_DOUBLED = 1u << 0,	    /* Linux doubles buffer sizes */
	SOCKOPT_WHY_CLAMPED_MAX = 1u << 1,  /* capped by a sysctl maximum */
	SOCKOPT_WHY_CLAMPED_MIN = 1u << 2,  /* raised to the kernel minimum */
	SOCKOPT_WHY_ROUNDED = 1u << 3,	    /* rounded to the kernel's unit */
	SOCKOPT_WHY_PHASE_PASSED = 1u << 4, /* stored, but too late to act */
	SOCKOPT_WHY_INACTIVE = 1u << 5,	    /* stored, but another option keeps it idle */
	SOCKOPT_WHY_KERNEL_DEFAULT = 1u << 6, /* the kernel default is in force */
	SOCKOPT_WHY_WRITE_ONLY = 1u << 7,   /* cannot be read back */
	SOCKOPT_WHY_OTHER = 1u << 8,	    /* differs for a reason not known here */
	SOCKOPT_WHY_IGNORED = 1u << 9,	    /* Linux accepts the option and ignores it */
};

/* What a set did: requested, the value read back, and why they differ. */
struct sockopt_readback {
	sockopt_value requested;
	sockopt_value stored; /* len 0 when it could not be read back */
	unsigned why;	      /* SOCKOPT_WHY_* */
	char text[SOCKOPT_TEXT_MAX];
};

/* Read option E on FD. */
int sockopt_get(int fd, const sockopt_entry *e, sockopt_value *out, struct sockopt_diag *diag);
/*
 * Set option E on FD to V, read it back and explain the difference in RB
 * (may be NULL).  Errors: -ENOPROTOOPT (not for this socket kind), -EPERM
 * (needs a capability, named in the sentence), -EINVAL, -errno.
 */
int sockopt_set(int fd, const sockopt_entry *e, const sockopt_value *v,
		struct sockopt_readback *rb, struct sockopt_diag *diag);
/*
 * Set E on FD without the catalog's access check and without a readback:
 * what the kernel answers when asked to change an option the catalog says
 * cannot be changed (the lab's probe of SO_SNDLOWAT's ENOPROTOOPT).
 */
int sockopt_set_unchecked(int fd, const sockopt_entry *e, const sockopt_value *v,
			  struct sockopt_diag *diag);
/* Parse TEXT for E and set it: sockopt_value_parse then sockopt_set. */
int sockopt_set_text(int fd, const sockopt_entry *e, const char *text,
		     struct sockopt_readback *rb, struct sockopt_diag *diag);

/* One option of a change made all or nothing (sockopt_set_all). */
struct sockopt_change {
	const sockopt_entry *entry;
	sockopt_value value;	    /* in: the value to set */
	sockopt_value before;	    /* out: the value before (len 0 when it could not be read) */
	struct sockopt_readback rb; /* out: what the set did, once every change is made */
};

/*
 * Set the N options of CHANGES on FD, all or nothing.  First every change
 * is checked, and nothing is set when one fails: the option is settable,
 * applies to FD's kind, lies within its bound (sockopt_value_check), this
 * process may set it (sockopt_set_allowed), and its value before is read
 * so it can be restored; at most one change that cannot be read back
 * (SO_DETACH_FILTER, TCP_MD5SIG …) is allowed, and it is made last.  Then
 * each is set in order.  When the kernel refuses one, those already made
 * get their earlier values back (a buffer size as half the value read, and
 * SO_BUF_LOCK as it was), and the one sentence says so: "setsockopt
 * TCP_ULP=x on a tcp socket: No such file or directory (ENOENT); SO_PRIORITY
 * was restored to 0."  Returns 0 or the negative errno of the failed check
 * or set.  The order of CHANGES may change (the unreadable one moves last).
 */
int sockopt_set_all(int fd, struct sockopt_change *changes, size_t n, struct sockopt_diag *diag);

/* ---- kernel limits --------------------------------------------------- */

/* Read sysctl NAME ("net.core.wmem_max") as text, trailing newline removed. */
int sockopt_sysctl_read(const char *name, char *buf, size_t size, struct sockopt_diag *diag);
/* Read the first number of sysctl NAME. */
int sockopt_sysctl_read_long(const char *name, long long *out, struct sockopt_diag *diag);
/* The tunables that bound or default options: count, name and meaning. */
size_t sockopt_limit_count(void);
const char *sockopt_limit_name(size_t i);
const char *sockopt_limit_meaning(size_t i);

/* ---- specs and phases ------------------------------------------------ */

/*
 * A spec is a list of option assignments, "NAME=VALUE[,NAME=VALUE…]", for
 * example "SO_KEEPALIVE=on,TCP_KEEPIDLE=30s,SO_LINGER=on:5,SO_RCVBUF=4M".
 * Values use the typed-value syntax (sockopt_value_parse) and never
 * contain commas (linger is "on:30").  A spec is parsed and checked once;
 * afterwards it is read-only, so one spec may be applied from many threads
 * at once.
 *
 * Phases.  Every entry has one phase: the catalog's (sockopt_entry_phase)
 * or the one given to sockopt_spec_add.  sockopt_spec_apply(fd, spec, P)
 * applies exactly the entries whose phase is P, never those of other
 * phases: each entry is applied once, at its own phase.  A caller that
 * drives a socket through its life calls
 *	SOCKOPT_PHASE_ANY		right after socket(),
 *	SOCKOPT_PHASE_BEFORE_BIND	before bind(), and also before connect()
 *					or listen() on a socket that was never
 *					bound (the kernel binds it implicitly),
 *	SOCKOPT_PHASE_BEFORE_CONNECT	before connect() or listen(),
 *	SOCKOPT_PHASE_AFTER_ACCEPT	on each socket accept() returns.
 * An accepted socket is a copy of its listener: the options the listener
 * got at the first three phases are already on it where the kernel copies
 * them (SOCKOPT_FLAG_INHERITED); only AFTER_ACCEPT entries are applied to
 * it.  The catalog never gives AFTER_ACCEPT; only an explicit phase does.
 */

/* A parsed, validated list of NAME=VALUE assignments.  Opaque. */
typedef struct sockopt_spec sockopt_spec;

/* What applying one spec entry did. */
enum sockopt_outcome { SOCKOPT_APPLIED, SOCKOPT_SKIPPED, SOCKOPT_FAILED };

struct sockopt_apply_result {
	const sockopt_entry *entry;
	enum sockopt_outcome outcome;
	int error;			  /* negative errno when FAILED */
	const struct sockopt_readback *rb; /* when APPLIED: requested → stored and why */
	const char *text;		  /* a sentence: the readback, or why skipped or failed */
	enum sockopt_phase phase;	  /* the phase being applied */
	size_t index;			  /* the entry's index in the spec */
};

/* Called once per spec entry that is due at the phase being applied. */
typedef void (*sockopt_apply_fn)(int fd, const struct sockopt_apply_result *r, void *ctx);

/* The phase argument of sockopt_spec_add that means "the catalog's phase". */
#define SOCKOPT_PHASE_CATALOG (-1)

/* A new empty spec, or NULL when out of memory. */
sockopt_spec *sockopt_spec_new(void);
/* Free SPEC and everything it holds; NULL is fine. */
void sockopt_spec_free(sockopt_spec *spec);
/*
 * Add "NAME=VALUE[,NAME=VALUE…]" to SPEC.  PHASE is the phase the entries
 * are applied at, or SOCKOPT_PHASE_CATALOG (-1) to take each option's
 * phase from the catalog.  Names are kernel names or aliases, any case.
 * Rejected, with -EINVAL and a sentence naming the entry ("SO_LINGER=maybe":
 * …): an empty entry, a missing '=', an unknown name (with a "did you
 * mean"), a read-only option, a bad value (the value parser's sentence),
 * and the same option twice in TEXT.  An option already in SPEC at the
 * same phase is replaced, so a later -o overrides an earlier one.  On
 * error nothing is added.  -ENOMEM when out of memory.
 */
int sockopt_spec_add(sockopt_spec *spec, const char *text, int phase,
		     struct sockopt_diag *diag);
/* sockopt_spec_new + sockopt_spec_add(text, SOCKOPT_PHASE_CATALOG); *OUT only on success. */
int sockopt_spec_parse(const char *text, sockopt_spec **out, struct sockopt_diag *diag);
size_t sockopt_spec_count(const sockopt_spec *spec);
/* Entry I of SPEC: option, phase, and the value with its text. */
const sockopt_entry *sockopt_spec_entry(const sockopt_spec *spec, size_t i);
enum sockopt_phase sockopt_spec_phase(const sockopt_spec *spec, size_t i);
const sockopt_value *sockopt_spec_value(const sockopt_spec *spec, size_t i);
/* The value of entry I in canonical text form ("on:5", "4194304"). */
const char *sockopt_spec_text(const sockopt_spec *spec, size_t i);
/*
 * Whether SPEC has an entry of PHASE that applies to at least one of
 * KINDS (SOCKOPT_KIND_* bits; SOCKOPT_KIND_ALL for any kind).  Constant
 * time, no system call: a preload's fast path asks it before applying.
 */
bool sockopt_spec_has_phase(const sockopt_spec *spec, enum sockopt_phase phase, unsigned kinds);
/*
 * Check SPEC against socket kinds before any socket exists: -ENOPROTOOPT
 * when an entry applies to none of KINDS, with a sentence naming it.
 */
int sockopt_spec_validate(const sockopt_spec *spec, unsigned kinds, struct sockopt_diag *diag);
/*
 * A new spec with the entries of SPEC whose phase is PHASE
 * (SOCKOPT_PHASE_CATALOG: any phase) and whose option has every bit of
 * FLAGS (WITH true) or none of them (WITH false), each at its own phase.
 * A preload splits listener options with it once: those accepted sockets
 * inherit (SOCKOPT_FLAG_INHERITED) go on the listener, the rest on each
 * accepted socket.  *OUT only on success; -EINVAL, -ENOMEM.
 */
int sockopt_spec_select(const sockopt_spec *spec, int phase, unsigned flags, bool with,
			sockopt_spec **out, struct sockopt_diag *diag);
/*
 * Apply the entries of SPEC whose phase is PHASE to FD, in spec order,
 * each with sockopt_set.  An entry whose kinds do not include FD's kind is
 * SKIPPED with a sentence (on a socket sockopt does not cover, every entry
 * is).  REPORT (may be NULL) hears about each entry of PHASE: APPLIED with
 * the readback, SKIPPED with the reason, FAILED with the negative errno
 * and sentence.  The readback is done only when REPORT is not NULL (it
 * reads the option back, and may read sysctls under /proc/sys).
 * Returns the number of FAILED entries (0 when all were applied or
 * skipped), or -EBADF/-ENOTSOCK when FD is not an open socket.  When SPEC
 * has no entry of PHASE it returns 0 at once, without a system call.
 * Made for a preload's wrappers: it allocates no memory, prints nothing,
 * keeps no state, is safe to call from many threads at once, and leaves
 * errno as it found it.  The only socket state it changes is the options
 * it sets (it never reads SO_ERROR or other options whose reading changes
 * state).
 */
int sockopt_spec_apply(int fd, const sockopt_spec *spec, enum sockopt_phase phase,
		       sockopt_apply_fn report, void *ctx);
/*
 * sockopt_spec_apply for a socket whose kind the caller already knows
 * (KIND, one SOCKOPT_KIND_* bit; 0 for a socket sockopt does not cover):
 * it skips the two getsockopt calls that learn the kind, so applying an
 * entry costs one setsockopt.  A preload knows the kind from socket()'s
 * arguments (sockopt_kind_of_triple).  Returns as sockopt_spec_apply.
 */
int sockopt_spec_apply_kind(int fd, const sockopt_spec *spec, enum sockopt_phase phase,
			    unsigned kind, sockopt_apply_fn report, void *ctx);

/* ---- dial and listen ------------------------------------------------- */

/*
 * In the spirit of Go's net.Dialer with a Control hook: the spec's entries
 * are applied at their phases between the steps, so options that must be
 * set before bind or before connect/listen (SO_REUSEADDR, SO_RCVBUF for
 * the window scale, IP_TTL/IP_TOS for the SYN) are in place in time.
 * A spec entry that FAILS fails the step (the fd is closed); SKIPPED
 * entries (another socket kind) do not.  Every failure sentence names the
 * step and the address: "connect to 127.0.0.1:9: Connection refused
 * (ECONNREFUSED).", "bind to 127.0.0.1:80: …", "apply the before-bind
 * options for [::1]:80: …", "resolve address nohost:80: …".
 */

/* How to dial or listen.  Zero-initialise, then set what you need; NULL means all zero. */
struct sockopt_dial_config {
	const sockopt_spec *spec; /* options applied at their phases, or NULL */
	int family;		  /* AF_UNSPEC (default), AF_INET or AF_INET6 */
	int type;		  /* SOCK_STREAM (default when 0) or SOCK_DGRAM */
	const char *local_host;	  /* dial: bind to this address first, or NULL */
	const char *local_port;	  /* dial: with local_host; NULL means any port */
	int timeout_ms;		  /* dial: deadline for the whole dial; 0 = none */
	bool nonblocking;	  /* leave the returned fd non-blocking */
	int backlog;		  /* listen backlog; 0 = SOMAXCONN */
	sockopt_apply_fn report;  /* hears about every spec entry, or NULL */
	void *report_ctx;
};

/*
 * Resolve HOST:PORT (getaddrinfo; numeric or a name), and for each address
 * in order until one connects: socket (non-blocking, close-on-exec), the
 * ANY and BEFORE_BIND entries, bind when cfg->local_host/local_port is
 * set, the BEFORE_CONNECT entries, connect, poll for writable until the
 * deadline, read the result from SO_ERROR (through the catalog entry), and
 * restore blocking mode unless cfg->nonblocking.  The deadline covers all
 * addresses.  Returns the connected fd, or the first address's error:
 * -ECONNREFUSED, -ETIMEDOUT ("no answer within N ms"), -EADDRNOTAVAIL
 * (the name does not resolve), -errno of the failing step or spec entry.
 */
int sockopt_dial(const char *host, const char *port, const struct sockopt_dial_config *cfg,
		 struct sockopt_diag *diag);
/*
 * The same up to bind, with HOST:PORT as the local address (HOST NULL: the
 * wildcard address), then the BEFORE_CONNECT entries and listen(2) with
 * the backlog (stream sockets; a datagram socket is returned bound).
 * PORT "0" or NULL picks a free port (getsockname tells which).
 */
int sockopt_listen(const char *host, const char *port, const struct sockopt_dial_config *cfg,
		   struct sockopt_diag *diag);
/*
 * accept4(2) on FD (close-on-exec; non-blocking when cfg->nonblocking),
 * then the spec's AFTER_ACCEPT entries on the new socket only.  ADDR and
 * ADDRLEN as for accept(2), may be NULL.  -EAGAIN on a non-blocking
 * listener with nothing pending; -EINTR when a signal came first.
 */
int sockopt_accept(int fd, const struct sockopt_dial_config *cfg, struct sockaddr *addr,
		   socklen_t *addrlen, struct sockopt_diag *diag);

/* ---- close modes ----------------------------------------------------- */

/*
 * The three SO_LINGER cases made explicit.  Every helper closes FD, also
 * when it returns an error (like close(2), the fd is gone afterwards), and
 * fills RES (may be NULL) with what happened.  What Linux 6.18 does,
 * measured on loopback with a peer that does not read and 2.8 MB queued
 * (tests/test_close.c pins these down):
 *  - abortive (l_onoff 1, l_linger 0): close returns 0 at once; the peer
 *    first reads what already sat in its receive buffer, then gets
 *    ECONNRESET; the queued data is discarded; no TIME_WAIT on either side.
 *  - linger (l_onoff 1, l_linger N > 0): close blocks until the peer has
 *    acknowledged all data and the FIN, or N seconds pass (2.007 s for
 *    N = 2, 1.027 s for N = 1), and returns 0 in both cases: never
 *    EWOULDBLOCK, unlike the seeds' (BSD/Windows) account.  The data is not
 *    discarded on timeout: the orphaned socket keeps sending, and the peer
 *    that starts reading later still gets every byte, then EOF.  The wait
 *    happens for non-blocking fds too (2.011 s with O_NONBLOCK): Linux
 *    ignores O_NONBLOCK here.  When everything fits in the peer's buffer,
 *    close returns as soon as the FIN is acknowledged (41 ms measured,
 *    the peer's delayed ACK).  A successful return says the peer's TCP
 *    has the data, not that the peer application read it.
 *  - graceful: shutdown(SHUT_WR) sends FIN, then reading until the peer's
 *    EOF is the only way to know the peer has read everything and closed.
 *    This side closed first, so it keeps the TIME_WAIT.
 * "Unsent" is SIOCOUTQ just before close(2): bytes in the send queue not
 * yet acknowledged by the peer (-1 when the socket does not tell).
 */

/* What a close did. */
struct sockopt_close_result {
	int close_errno;       /* what close(2) returned: 0 or a positive errno */
	long long elapsed_us;  /* time spent in the close helper */
	long long unread;      /* graceful: bytes drained from the peer */
	int unsent;	       /* bytes still in the send queue when closing */
	bool peer_closed;      /* graceful: the peer's FIN arrived in time */
	char text[SOCKOPT_TEXT_MAX]; /* "peer closed after 12 ms; drained 0 bytes; …" */
	bool linger_expired;   /* linger: close waited the whole linger time */
};

/*
 * Abortive close: SO_LINGER on:0, close.  RST, unsent data dropped, no
 * TIME_WAIT.  Returns 0, or -errno when SO_LINGER could not be set or
 * close failed.
 */
int sockopt_close_abortive(int fd, struct sockopt_close_result *res, struct sockopt_diag *diag);
/*
 * Graceful close: shutdown(SHUT_WR), read and discard until the peer's EOF
 * or TIMEOUT_MS (negative: no deadline), then close.  Returns 0 when the
 * peer closed in time, -ETIMEDOUT when the deadline passed, -ECONNRESET
 * (or another -errno) when reading failed, -ENOTCONN when FD was not
 * connected.
 */
int sockopt_close_graceful(int fd, int timeout_ms, struct sockopt_close_result *res,
			   struct sockopt_diag *diag);
/*
 * Linger close: SO_LINGER on:SECONDS (at least 1), close, and report what
 * close said and how long it took.  Returns 0 when close returned before
 * the linger time (everything acknowledged), -ETIMEDOUT when the whole
 * linger time passed (close itself still returned 0 on Linux; see above),
 * -errno when close failed.  -EINVAL for SECONDS < 1 (FD left open).
 */
int sockopt_close_linger(int fd, int seconds, struct sockopt_close_result *res,
			 struct sockopt_diag *diag);

/* ---- fd flags -------------------------------------------------------- */

/*
 * Each call reads the flag word (F_GETFL or F_GETFD), changes one bit and
 * writes the word back only when it changed, so every other flag stays:
 * clearing is "flags & ~O_NONBLOCK".  (Seed 003's "flags &= O_NONBLOCK"
 * keeps only O_NONBLOCK and clears O_APPEND, O_ASYNC and the rest; the
 * tests show it.)  Works on any fd, not only sockets.
 */

/* Turn O_NONBLOCK on or off, keeping every other status flag. */
int sockopt_fd_set_nonblocking(int fd, bool on, struct sockopt_diag *diag);
/* Turn FD_CLOEXEC on or off, keeping every other descriptor flag. */
int sockopt_fd_set_cloexec(int fd, bool on, struct sockopt_diag *diag);
/*
 * Signal-driven I/O: when ON, F_SETOWN to OWNER (0: this process; negative:
 * a process group) and then O_ASYNC on; when off, O_ASYNC off (the owner
 * stays).  SIGIO is sent only once an owner is set.
 */
int sockopt_fd_set_async(int fd, bool on, pid_t owner, struct sockopt_diag *diag);

/* ---- keepalive ------------------------------------------------------- */

/*
 * Keepalive in one call.  A zero field leaves what the socket has (the
 * kernel default from net.ipv4.tcp_keepalive_time / _intvl / _probes, 7200 s,
 * 75 s and 9 on this machine, unless set before).  With derive_user_timeout
 * and user_timeout_ms 0, TCP_USER_TIMEOUT becomes (idle + interval × count)
 * × 1000 ms, libkeepalive's rule, counted with the values in force on the
 * socket for the zero fields, so a dead peer is given up on when keepalive
 * would give up, also while data is unacknowledged.
 */
struct sockopt_keepalive {
	int idle_s;		/* TCP_KEEPIDLE */
	int interval_s;		/* TCP_KEEPINTVL */
	int count;		/* TCP_KEEPCNT */
	unsigned user_timeout_ms; /* TCP_USER_TIMEOUT */
	bool derive_user_timeout; /* user timeout = idle + interval × count */
	bool enabled;		/* get: SO_KEEPALIVE is on */
};

/*
 * SO_KEEPALIVE on, then the fields that are not zero, each through the
 * catalog (sockopt_set).  Stops at the first option that fails (those set
 * before it stay set) with its sentence; -ENOPROTOOPT, before changing
 * anything, on a socket that is not TCP.
 */
int sockopt_keepalive_set(int fd, const struct sockopt_keepalive *ka, struct sockopt_diag *diag);
/* Read SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT and TCP_USER_TIMEOUT of FD into *KA. */
int sockopt_keepalive_get(int fd, struct sockopt_keepalive *ka, struct sockopt_diag *diag);

/* ---- process sockets ------------------------------------------------- */

/*
 * The sockets of running processes, read through /proc/PID/fd and a
 * duplicate of each fd made with pidfd_getfd (Linux 5.6; the same
 * permission as ptrace: the same user or CAP_SYS_PTRACE).  Nothing is
 * changed in the process: options with read side effects (SO_ERROR clears
 * the pending error) or transient values (TCP_QUICKACK) are not read unless
 * asked for, and every duplicate is closed before the next fd is read.
 */

/* A scan: its settings and, per socket kind, the options it reads and their defaults.  Opaque. */
typedef struct sockopt_scan sockopt_scan;
/* One socket met by a scan, valid until the callback returns.  Opaque. */
typedef struct sockopt_sock sockopt_sock;

enum sockopt_scan_flag {
	/* Also read options flagged SIDE_EFFECT or TRANSIENT (SO_ERROR, TCP_QUICKACK …). */
	SOCKOPT_SCAN_SIDE_EFFECTS = 1u << 0,
	/* Read only options a program can set, not read-only ones (SO_MEMINFO, TCP_CC_INFO …). */
	SOCKOPT_SCAN_SETTABLE_ONLY = 1u << 1,
};

/* Called for each socket of a scan; a negative errno returned stops the scan and is returned. */
typedef int (*sockopt_sock_fn)(sockopt_sock *sock, void *ctx);

/* A new scan with SOCKOPT_SCAN_* FLAGS; reuse it for many processes. */
int sockopt_scan_new(unsigned flags, sockopt_scan **out, struct sockopt_diag *diag);
void sockopt_scan_free(sockopt_scan *scan);
/*
 * Call FN for every socket of process PID in fd order, or, when NFDS > 0,
 * for each of the NFDS fds in FDS (then an fd that is closed or not a
 * socket is reported through FN with sockopt_sock_error set).  Returns
 * the number of sockets met, or a negative errno with a sentence when the
 * process cannot be read: -ESRCH (no such process, or it exited during
 * the scan, after the sockets already reported), -EPERM / -EACCES (the
 * sentence says which rule refused it), -ENOSYS (kernel too old).
 */
int sockopt_scan_pid(sockopt_scan *scan, pid_t pid, const int *fds, size_t nfds,
		     sockopt_sock_fn fn, void *ctx, struct sockopt_diag *diag);
/* Fds of the last scan_pid that were closed between listing and reading them. */
size_t sockopt_scan_vanished(const sockopt_scan *scan);

/*
 * Spread sockopt_scan_pid over N worker threads (at most 16; 0 or 1, the
 * default: none).  FN still runs on the calling thread, once per socket
 * and in fd order, but the workers have read each socket's options before
 * FN sees it (sockopt_sock_read_options then returns what they read), so
 * a caller that passes sockets over gives sockopt_scan_set_filter to spare
 * their reads.  Only scans of at least 32 fds use the workers.  -EINVAL
 * for N over 16.
 */
int sockopt_scan_set_threads(sockopt_scan *scan, unsigned n);
/* Whether a scan goes on with SOCK (described, options not yet read). */
typedef bool (*sockopt_sock_pred)(const sockopt_sock *sock, void *ctx);
/*
 * Pass over the sockets for which PRED returns false: FN never sees them
 * and their options are not read (they still count as met).  PRED may run
 * on several worker threads at once.  NULL: every socket.
 */
void sockopt_scan_set_filter(sockopt_scan *scan, sockopt_sock_pred pred, void *ctx);

/*
 * Read the options of SOCK (called from the callback, after any filtering,
 * so filtered-out sockets cost no option reads).  Returns how many options
 * were attempted.  Within one scan, option index I of two sockets of the
 * same kind names the same option, so callers may cache per (kind, I).
 */
int sockopt_sock_read_options(sockopt_sock *sock, struct sockopt_diag *diag);

pid_t sockopt_sock_pid(const sockopt_sock *sock);
const char *sockopt_sock_comm(const sockopt_sock *sock);	/* the process's comm */
int sockopt_sock_fd(const sockopt_sock *sock);			/* the fd in that process */
/* 0, or the negative errno for an fd that could not be described, with a sentence. */
int sockopt_sock_error(const sockopt_sock *sock);
const char *sockopt_sock_error_text(const sockopt_sock *sock);
uint64_t sockopt_sock_inode(const sockopt_sock *sock);
int sockopt_sock_family(const sockopt_sock *sock);		/* AF_* */
int sockopt_sock_type(const sockopt_sock *sock);		/* SOCK_* */
int sockopt_sock_protocol(const sockopt_sock *sock);		/* IPPROTO_* or 0 */
/* The SOCKOPT_KIND_* bit, or 0 for a family sockopt has no options for (netlink …). */
unsigned sockopt_sock_kind(const sockopt_sock *sock);
/* "tcp", "udp6", "unix", "mptcp" (options as tcp), or the family ("netlink", "packet", "AF40"). */
const char *sockopt_sock_proto_name(const sockopt_sock *sock);
/* Local and peer address as SOCKOPT_TYPE_SOCKADDR values; len 0 when there is none. */
const sockopt_value *sockopt_sock_local(const sockopt_sock *sock);
const sockopt_value *sockopt_sock_peer(const sockopt_sock *sock);
/*
 * The socket's state as the kernel numbers TCP states (1 ESTABLISHED …
 * 10 LISTEN): from TCP_INFO for TCP; for other sockets LISTEN, ESTABLISHED
 * (connected) or CLOSE (unconnected).
 */
int sockopt_sock_state(const sockopt_sock *sock);
/* The state as ss names it: "ESTABLISHED", "LISTEN", "UNCONN" for an unconnected datagram socket. */
const char *sockopt_sock_state_name(const sockopt_sock *sock);
/*
 * Bytes queued to read and to send (SIOCINQ / SIOCOUTQ); for a listener,
 * connections waiting in accept and the backlog, as ss shows them.  -1 when unknown.
 */
long long sockopt_sock_recv_q(const sockopt_sock *sock);
long long sockopt_sock_send_q(const sockopt_sock *sock);
/* The number of options read by sockopt_sock_read_options. */
size_t sockopt_sock_option_count(const sockopt_sock *sock);
/* Option I: its entry and value; 0, or the negative errno its read failed with. */
int sockopt_sock_option(const sockopt_sock *sock, size_t i, const sockopt_entry **e,
			const sockopt_value **v);
/*
 * 1 when option I holds the value a fresh socket of the same kind has
 * (read once per kind per scan), 0 when it differs, -ENODATA when the
 * default is unknown: a raw socket could not be created to read it, the
 * fresh socket could not read it (IP_MTU before connect), or the kernel
 * sets it itself once a TCP socket is connected (SO_SNDBUF autotuning,
 * TCP_MAXSEG from the path MTU).
 */
int sockopt_sock_option_is_default(const sockopt_sock *sock, size_t i);
/*
 * Whether the kernel records that the program set option I, whatever its
 * value: 1 or 0 for SO_SNDBUF and SO_RCVBUF (their SO_BUF_LOCK bit, which
 * setting the size sets), 1 for SO_LINGER when l_onoff is on; -ENODATA
 * when the kernel keeps no such record (any other option, SO_LINGER off,
 * SO_BUF_LOCK not read).  A value set equal to the default is otherwise
 * indistinguishable from one never set.
 */
int sockopt_sock_option_set_by_program(const sockopt_sock *sock, size_t i);
/*
 * The settable options of SOCK that a program changed, in option order:
 * those read whose value differs from a fresh socket's
 * (sockopt_sock_option_is_default 0), and those equal to it that the
 * kernel records the program set (is_default 1 and
 * sockopt_sock_option_set_by_program 1).  The first ROOM of their option
 * indexes go into INDEX; returns how many there are.  One pass over lists
 * made once per kind: what `sockopt show` prints by default.
 */
size_t sockopt_sock_changed(const sockopt_sock *sock, size_t *index, size_t room);
/*
 * The options of SOCK (only the settable ones with SETTABLE_ONLY) that
 * have no value because its reader gave none (sockopt_sock_option says
 * -ENODATA), in option order: the first ROOM of their indexes into INDEX;
 * returns how many there are.
 */
size_t sockopt_sock_not_read(const sockopt_sock *sock, bool settable_only, size_t *index,
			     size_t room);

/* What read SOCK: "pidfd", or the BACKEND named by sockopt_scan_sock_new ("bpf"). */
const char *sockopt_sock_backend(const sockopt_sock *sock);
/*
 * The timer the kernel runs on SOCK as ss names it ("on", "keepalive",
 * "timewait", "persist", "off"), with the milliseconds until it fires in
 * *MS; NULL when the reader did not learn it (the pidfd path).
 */
const char *sockopt_sock_timer(const sockopt_sock *sock, long long *ms);

/*
 * Sockets read by another reader (a BPF iterator), built so that they
 * are printed, compared with defaults and decoded exactly as the pidfd
 * path's: start one with sockopt_scan_sock_new (it replaces the scan's
 * current socket, as the next socket of sockopt_scan_pid would), describe
 * it, then give the value of each option the reader has.  Options given
 * no value answer -ENODATA from sockopt_sock_option; SO_DOMAIN, SO_TYPE,
 * SO_PROTOCOL and SO_ACCEPTCONN come from the description.  -ENOMEM.
 */
int sockopt_scan_sock_new(sockopt_scan *scan, int family, int type, int protocol,
			  const char *backend, sockopt_sock **out);
/* The owner (PID 0 and FD -1: none, as for a TIME_WAIT socket). */
void sockopt_sock_set_owner(sockopt_sock *sock, pid_t pid, const char *comm, int fd);
/* Inode, state (TCP numbering, as sockopt_sock_state), queues (-1: unknown) and addresses. */
void sockopt_sock_set_endpoints(sockopt_sock *sock, uint64_t inode, int state, long long recv_q,
				long long send_q, const void *local, socklen_t local_len,
				const void *peer, socklen_t peer_len);
/* The inode number of SOCK's network namespace (as /proc/PID/ns/net), or 0 when the reader did not learn it. */
uint64_t sockopt_sock_netns(const sockopt_sock *sock);
void sockopt_sock_set_netns(sockopt_sock *sock, uint64_t netns);
/* The timer as sockopt_sock_timer reports it; NAME must outlive the socket. */
void sockopt_sock_set_timer(sockopt_sock *sock, const char *name, long long ms);
/* The queues as sockopt_sock_recv_q and sockopt_sock_send_q report them (-1: unknown). */
void sockopt_sock_set_queues(sockopt_sock *sock, long long recv_q, long long send_q);
/* The index of option LEVEL/OPTNAME among the options of SOCK's kind, or -ENOENT (the same for every socket of a kind). */
long sockopt_sock_option_index(const sockopt_sock *sock, int level, int optname);
/* Option I is LEN bytes of BYTES, or failed with the negative errno ERR. -EINVAL. */
int sockopt_sock_set_option(sockopt_sock *sock, size_t i, const void *bytes, socklen_t len, int err);
/*
 * Options INDEX[0] … INDEX[N-1] are the ints VALUES[0] … VALUES[N-1], as
 * many calls of sockopt_sock_set_option would make them, in one call (a
 * reader that has most options as ints gives them so).  -EINVAL, and
 * nothing set, when an index is out of range.
 */
int sockopt_sock_set_ints(sockopt_sock *sock, const size_t *index, const int *values, size_t n);

/*
 * A duplicate of fd FD of process PID in this process (pidfd_getfd), to
 * read or set options on it; close it when done.  Errors as
 * sockopt_scan_pid, and -EBADF when the process has no such fd.
 */
int sockopt_proc_getfd(pid_t pid, int fd, struct sockopt_diag *diag);
/*
 * What setting E on FD does now when FD is past E's phase, as a clause in
 * BUF ("this socket is connected: the receive queue limit changes now, but
 * this connection's window scale was fixed in its handshake"): 1 when part
 * of what E is for is lost (SOCKOPT_WHY_PHASE_PASSED), 0 when it still acts
 * (a listener's later connections inherit SO_RCVBUF; BUF says so) or the
 * phase has not passed (BUF empty).  The readback of sockopt_set says the same.
 */
int sockopt_phase_note(int fd, const sockopt_entry *e, char *buf, size_t size);
/* Whether FD is past the point where setting an option of phase P acts (bound, connected). */
bool sockopt_phase_passed(int fd, enum sockopt_phase p);

#ifdef __cplusplus
}
#endif

#endif /* SOCKOPT_H */
