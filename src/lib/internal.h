/* internal.h: what the files of libsockopt share and the public header does not show. */
#ifndef SOCKOPT_INTERNAL_H
#define SOCKOPT_INTERNAL_H

#include "sockopt.h"

#define SOCKOPT_EXPORT __attribute__((visibility("default")))
#define SOCKOPT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct sockopt_entry {
	const char *name;
	int level;
	int optname;
	enum sockopt_type type;
	unsigned access;
	unsigned kinds;
	enum sockopt_phase phase;
	unsigned flags;
	const char *aliases;
	const char *sysctls;
	const char *summary;
	const char *explanation;
};

/* Fill DIAG (when not NULL) with ERR and a sentence; return ERR. */
int diag_set(struct sockopt_diag *diag, int err, const char *fmt, ...) SOCKOPT_PRINTF(3, 4);

/* A text being written into a fixed buffer; POS counts what was needed, like snprintf. */
struct out {
	char *buf;
	size_t size;
	size_t pos;
};

/* Append formatted text to O, truncating (but still counting) past its end. */
void out_printf(struct out *o, const char *fmt, ...) SOCKOPT_PRINTF(2, 3);
/* Append S as is, or the decimal N: the fast paths of out_printf for long outputs. */
void out_puts(struct out *o, const char *s);
void out_u64(struct out *o, unsigned long long n);
/* Append the N bytes of S, truncating (but still counting) past the end like out_printf. */
void out_write(struct out *o, const char *s, size_t n);
/* Append S as a JSON string literal, quotes and escapes included (json.c). */
void out_json_string(struct out *o, const char *s);
/* Append LEN bytes of S as sockopt_json_string does; the number of bytes replaced by U+FFFD. */
size_t out_json_bytes(struct out *o, const char *s, size_t len);
/* Append LEN bytes of S escaped for one line of text, as sockopt_text_escape does. */
void out_text_bytes(struct out *o, const char *s, size_t len);
/* The length of the well-formed UTF-8 sequence at P (N bytes left, N > 0), or 0. */
size_t utf8_sequence(const unsigned char *p, size_t n);
/*
 * Undo out_text_bytes: the bytes TEXT stands for into BUF (not terminated);
 * their count, -EINVAL for a backslash that starts no escape, -ERANGE
 * when they do not fit in SIZE.
 */
ssize_t text_unescape(const char *text, char *buf, size_t size);

/* A named integer constant, for enum-typed values. */
struct named {
	int value;
	const char *name;
};

/* A unit suffix ("K", "ms") and how many base units one of it is. */
struct unit {
	const char *suffix;
	long long scale;
};

/*
 * Parse "DIGITS[SUFFIX]", SUFFIX one of UNITS (any case; none means
 * DEFAULT_SCALE), into *OUT = DIGITS × scale, at most MAX: 0, -EINVAL with
 * *PROBLEM set for an unknown suffix, or -ERANGE.
 */
int parse_scaled(const char *text, const struct unit *units, size_t count,
		 long long default_scale, long long max, long long *out, const char **problem);

/*
 * getsockopt E on FD into V with the buffer length the kernel expects for
 * E's type (some options refuse any other), setting V->len; 0 or -errno.
 */
int option_read(int fd, const sockopt_entry *e, sockopt_value *v);


/* The entry to read back after setting E: E itself or the option that shows its effect (SO_SNDBUFFORCE: SO_SNDBUF). */
const sockopt_entry *readback_entry(const sockopt_entry *e);
/*
 * The IPv6 twin of IPv4 option E (IP_TOS: IPV6_TCLASS, IP_TTL:
 * IPV6_UNICAST_HOPS) when FD is an AF_INET6 socket, or NULL; *BOTH (may be
 * NULL) says whether E itself is set too: a dual-stack socket, not V6ONLY.
 */
const sockopt_entry *ipv6_twin(int fd, const sockopt_entry *e, bool *both);
/* What shows the effect of setting E on FD: its IPv6 twin, or readback_entry(E). */
const sockopt_entry *readback_entry_on(int fd, const sockopt_entry *e);

/* The inode of the calling thread's network namespace (namespaces are per thread), or 0. */
uint64_t netns_of_thread(void);
/* The inode of the network namespace socket FD lives in, or 0 when it cannot be learnt (SIOCGSKNS). */
uint64_t netns_of_socket(int fd);
/*
 * A fresh socket of KIND made in the network namespace of socket FD (by a
 * short thread that enters it: needs CAP_SYS_ADMIN when it is not ours),
 * or -errno.
 */
int kind_socket_in_netns_of(int fd, unsigned kind);

/* Parse TEXT as a whole integer in [MIN, MAX]: 0, -EINVAL or -ERANGE. */
int parse_integer(const char *text, long long min, long long max, long long *out);

/* The name of a positive errno value ("ECONNREFUSED"), or NULL. */
const char *errno_name(int err);

/* Microseconds on the monotonic clock, for deadlines and elapsed times. */
long long monotonic_us(void);

/*
 * The next word of a space-separated list at *CURSOR, or NULL after the
 * last: its start, its length in *LEN, and *CURSOR moved past it.  (The
 * catalog's aliases and sysctls, the lab's option lists.)
 */
const char *word_next(const char **cursor, size_t *len);

#endif /* SOCKOPT_INTERNAL_H */
