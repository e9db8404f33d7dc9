/* bound.c: the values and capabilities each option needs (catalog.def's BOUND and NEEDS rows), checked before a set. */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define NO_ALSO LLONG_MIN

/* One BOUND row. */
struct bound_row {
	const char *name;
	long long min, max, also;
	enum sockopt_bound_source source;
	const char *where;
};

/* When a NEEDS row asks for a capability. */
enum need_when { NEED_ALWAYS, NEED_ON, NEED_OUTSIDE, NEED_NOT_LISTED };

/* One NEEDS row. */
struct need_row {
	const char *name;
	enum need_when when;
	long long arg;
	const char *caps;
	const char *sysctl;
};

#define BOUND_KERNEL SOCKOPT_BOUND_KERNEL
#define BOUND_MEASURED SOCKOPT_BOUND_MEASURED
#define BOUND_SYSCTL SOCKOPT_BOUND_SYSCTL
#define OPT(name, fallback, lvl, ty, acc, kinds, ph, fl, al, sys, sum, expl)
#define NEEDS(name, when, arg, caps, sysctl)
#define BOUND(name, min, max, also, source, where) { #name, min, max, also, BOUND_##source, where },
static const struct bound_row bounds[] = {
#include "catalog.def"
};
#undef BOUND
#undef NEEDS
#define BOUND(name, min, max, also, source, where)
#define NEEDS(name, when, arg, caps, sysctl) { #name, NEED_##when, arg, caps, sysctl },
static const struct need_row needs[] = {
#include "catalog.def"
};
#undef BOUND
#undef NEEDS
#undef OPT

static const struct bound_row *bound_of(const sockopt_entry *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(bounds); i++)
		if (strcmp(bounds[i].name, e->name) == 0)
			return &bounds[i];
	return NULL;
}

SOCKOPT_EXPORT int sockopt_entry_bound(const sockopt_entry *e, struct sockopt_bound *out)
{
	const struct bound_row *b = e ? bound_of(e) : NULL;

	if (!b)
		return -ENODATA;
	*out = (struct sockopt_bound){ b->source, b->min, b->max, b->also != NO_ALSO,
				       b->also != NO_ALSO ? b->also : 0, b->where };
	return 0;
}

/* Whether WORD is one of the space-separated words of LIST, exactly (the kernel compares so). */
static bool word_listed(const char *list, const char *word)
{
	size_t len;

	for (const char *w; (w = word_next(&list, &len));)
		if (len == strlen(word) && strncmp(w, word, len) == 0)
			return true;
	return false;
}

SOCKOPT_EXPORT int sockopt_entry_bound_text(const sockopt_entry *e, char *buf, size_t size)
{
	const struct bound_row *b = e ? bound_of(e) : NULL;
	struct out o = { buf, size, 0 };
	char list[256];

	if (!b)
		return -ENODATA;
	if (size)
		buf[0] = '\0';
	if (b->source == SOCKOPT_BOUND_SYSCTL) {
		if (sockopt_sysctl_read(b->where, list, sizeof(list), NULL) < 0)
			snprintf(list, sizeof(list), "(unreadable)");
		out_printf(&o, "one of %s (sysctl %s)", list, b->where);
		return (int)o.pos;
	}
	out_printf(&o, "%lld to %lld", b->min, b->max);
	if (b->also != NO_ALSO)
		out_printf(&o, ", or %lld", b->also);
	out_printf(&o, " (%s: %s)", b->source == SOCKOPT_BOUND_KERNEL ? "kernel" : "measured",
		   b->where);
	return (int)o.pos;
}

/* V as the integer its type holds; false for a type that is no integer. */
static bool value_integer(const sockopt_entry *e, const sockopt_value *v, long long *n)
{
	switch (e->type) {
	case SOCKOPT_TYPE_UINT:
	case SOCKOPT_TYPE_MILLIS:
		*n = v->v.u;
		return true;
	case SOCKOPT_TYPE_U64:
		*n = v->v.u64 > LLONG_MAX ? LLONG_MAX : (long long)v->v.u64;
		return true;
	case SOCKOPT_TYPE_STRING:
	case SOCKOPT_TYPE_LINGER:
	case SOCKOPT_TYPE_TIMEVAL:
	case SOCKOPT_TYPE_UCRED:
	case SOCKOPT_TYPE_TCPINFO:
	case SOCKOPT_TYPE_SOCKADDR:
	case SOCKOPT_TYPE_INADDR:
	case SOCKOPT_TYPE_MREQ:
	case SOCKOPT_TYPE_MREQ6:
	case SOCKOPT_TYPE_HEX:
	case SOCKOPT_TYPE_MTUINFO:
	case SOCKOPT_TYPE_TXTIME:
	case SOCKOPT_TYPE_COUNT:
		return false;
	default:
		*n = v->v.i;
		return true;
	}
}

/* V as a C string, up to its first NUL (a STRING value need not be terminated). */
static void value_word(const sockopt_value *v, char *buf, size_t size)
{
	size_t n = v->len < size - 1 ? v->len : size - 1;

	memcpy(buf, v->v.bytes, n);
	buf[n] = '\0';
}

SOCKOPT_EXPORT int sockopt_value_check(const sockopt_entry *e, const sockopt_value *v,
				       struct sockopt_diag *diag)
{
	const struct bound_row *b = bound_of(e);
	char list[256], word[SOCKOPT_VALUE_MAX + 1], text[192];
	long long n;

	if (!b)
		return 0;
	if (b->source == SOCKOPT_BOUND_SYSCTL) {
		value_word(v, word, sizeof(word));
		if (sockopt_sysctl_read(b->where, list, sizeof(list), NULL) < 0 ||
		    word_listed(list, word))
			return 0;
		return diag_set(diag, -ERANGE, "%s: \"%.64s\" is not one of %s (sysctl %s).",
				e->name, word, list, b->where);
	}
	if (!value_integer(e, v, &n) || (n >= b->min && n <= b->max) ||
	    (b->also != NO_ALSO && n == b->also))
		return 0;
	sockopt_entry_bound_text(e, text, sizeof(text));
	return diag_set(diag, -ERANGE, "%s: %lld is out of range; it takes %s.", e->name, n, text);
}

/* Whether this process has one of the capabilities named in CAPS ("CAP_NET_ADMIN or CAP_NET_RAW"). */
static bool has_capability(const char *caps)
{
	static const struct named known[] = {
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
		{ CAP_NET_RAW, "CAP_NET_RAW" },
	};
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return true; /* unknown: let the kernel decide */
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (strstr(caps, known[i].name) &&
		    (data[known[i].value / 32].effective & (1u << (known[i].value % 32))))
			return true;
	return false;
}

/* Whether row R asks for its capability for value V of E. */
static bool needs_capability(const struct need_row *r, const sockopt_entry *e,
			     const sockopt_value *v)
{
	char list[256], word[SOCKOPT_VALUE_MAX + 1];
	long long n = 0;

	switch (r->when) {
	case NEED_ALWAYS:
		return true;
	case NEED_ON:
		return value_integer(e, v, &n) && n != 0;
	case NEED_OUTSIDE:
		return value_integer(e, v, &n) && (n < 0 || n > r->arg);
	case NEED_NOT_LISTED:
		value_word(v, word, sizeof(word));
		return sockopt_sysctl_read(r->sysctl, list, sizeof(list), NULL) == 0 &&
		       !word_listed(list, word);
	}
	return false;
}

SOCKOPT_EXPORT int sockopt_set_allowed(const sockopt_entry *e, const sockopt_value *v,
				       struct sockopt_diag *diag)
{
	char text[SOCKOPT_VALUE_MAX * 2];

	for (size_t i = 0; i < ARRAY_SIZE(needs); i++) {
		const struct need_row *r = &needs[i];

		if (strcmp(r->name, e->name) != 0 || !needs_capability(r, e, v) ||
		    has_capability(r->caps))
			continue;
		sockopt_type_format(e->type, v, text, sizeof(text));
		return diag_set(diag, -EPERM, "%s=%.64s needs %s, which this process lacks%s%s%s.",
				e->name, text, r->caps, *r->sysctl ? " (the value is not in " : "",
				r->sysctl, *r->sysctl ? ")" : "");
	}
	return 0;
}
