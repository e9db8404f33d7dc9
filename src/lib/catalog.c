/* catalog.c: the option table built from catalog.def, and lookups into it. */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "internal.h"
#include "optnames.h"

#define K_TCP4 SOCKOPT_KIND_TCP
#define K_TCP6 SOCKOPT_KIND_TCP6
#define K_UDP4 SOCKOPT_KIND_UDP
#define K_UDP6 SOCKOPT_KIND_UDP6
#define K_RAW4 SOCKOPT_KIND_RAW
#define K_RAW6 SOCKOPT_KIND_RAW6
#define K_UNIX_STREAM SOCKOPT_KIND_UNIX
#define K_UNIX_DGRAM SOCKOPT_KIND_UNIX_DGRAM
#define K_UNIX_SEQPACKET SOCKOPT_KIND_UNIX_SEQPACKET
#define K_TCP (K_TCP4 | K_TCP6)
#define K_UDP (K_UDP4 | K_UDP6)
#define K_RAW (K_RAW4 | K_RAW6)
#define K_INET4 (K_TCP4 | K_UDP4 | K_RAW4)
#define K_INET6 (K_TCP6 | K_UDP6 | K_RAW6)
#define K_INET (K_INET4 | K_INET6)
#define K_UNIX (K_UNIX_STREAM | K_UNIX_DGRAM | K_UNIX_SEQPACKET)
#define K_STREAM (K_TCP | K_UNIX_STREAM | K_UNIX_SEQPACKET)
#define K_DGRAM (K_UDP | K_RAW | K_UNIX_DGRAM)
#define K_ALL SOCKOPT_KIND_ALL

#define LEVEL_SOCKET SOL_SOCKET
#define LEVEL_IP IPPROTO_IP
#define LEVEL_IPV6 IPPROTO_IPV6
#define LEVEL_TCP IPPROTO_TCP
#define LEVEL_UDP IPPROTO_UDP
#define ACCESS_R SOCKOPT_ACCESS_GET
#define ACCESS_W SOCKOPT_ACCESS_SET
#define ACCESS_RW SOCKOPT_ACCESS_BOTH
#define PHASE_ANY SOCKOPT_PHASE_ANY
#define PHASE_BIND SOCKOPT_PHASE_BEFORE_BIND
#define PHASE_CONNECT SOCKOPT_PHASE_BEFORE_CONNECT
#define F_INHERIT SOCKOPT_FLAG_INHERITED
#define F_SIDE SOCKOPT_FLAG_SIDE_EFFECT
#define F_PRIV SOCKOPT_FLAG_PRIVILEGED
#define F_TRANSIENT SOCKOPT_FLAG_TRANSIENT
#define F_DOUBLED SOCKOPT_FLAG_DOUBLED
#define F_IGNORED SOCKOPT_FLAG_IGNORED

static const struct sockopt_entry catalog[] = {
#define OPT(name, fallback, lvl, ty, acc, kinds, ph, fl, al, sys, sum, expl)                   \
	{ #name, LEVEL_##lvl, name, SOCKOPT_TYPE_##ty, ACCESS_##acc, kinds, PHASE_##ph, fl,    \
	  al, sys, sum, expl },
#define BOUND(name, min, max, also, source, where)
#define NEEDS(name, when, arg, caps, sysctl)
#include "catalog.def"
#undef OPT
#undef BOUND
#undef NEEDS
};

static const struct {
	int level;
	const char *name;
	const char *kernel_name;
} levels[] = {
	{ SOL_SOCKET, "socket", "SOL_SOCKET" },
	{ IPPROTO_IP, "ip", "IPPROTO_IP" },
	{ IPPROTO_IPV6, "ipv6", "IPPROTO_IPV6" },
	{ IPPROTO_TCP, "tcp", "IPPROTO_TCP" },
	{ IPPROTO_UDP, "udp", "IPPROTO_UDP" },
};

SOCKOPT_EXPORT size_t sockopt_catalog_count(void)
{
	return ARRAY_SIZE(catalog);
}

SOCKOPT_EXPORT const sockopt_entry *sockopt_catalog_at(size_t i)
{
	return i < ARRAY_SIZE(catalog) ? &catalog[i] : NULL;
}

/*
 * A character of a name as lookups compare it: case folded, and '-' read
 * as '_', so that TCP_DEFER_ACCEPT, tcp_defer_accept, defer-accept and
 * defer_accept are one name.
 */
static int name_char(char c)
{
	return c == '-' ? '_' : tolower((unsigned char)c);
}

/* Whether the LEN characters at A spell NAME, as name_char compares them. */
static bool name_equal(const char *a, size_t len, const char *name)
{
	for (size_t i = 0; i < len; i++)
		if (!name[i] || name_char(a[i]) != name_char(name[i]))
			return false;
	return name[len] == '\0';
}

/* Whether NAME is one of the space-separated words of the alias LIST. */
static bool name_in_aliases(const char *list, const char *name)
{
	size_t len;

	for (const char *w; (w = word_next(&list, &len));)
		if (name_equal(w, len, name))
			return true;
	return false;
}

/* The first word of the kernel names of LEVEL's options: SO, IP, IPV6, TCP, UDP. */
static const char *level_word(int level)
{
	return level == SOL_SOCKET ? "so" : sockopt_level_name(level);
}

/* Whether E's kernel name is its level's word, '_', and SHORTNAME (SO_ + BUF_LOCK). */
static bool short_name_is(const struct sockopt_entry *e, const char *shortname)
{
	const char *word = level_word(e->level);
	size_t len = word ? strlen(word) : 0;

	return len && strncasecmp(e->name, word, len) == 0 && e->name[len] == '_' &&
	       name_equal(e->name + len + 1, strlen(e->name + len + 1), shortname);
}

/*
 * NAME in the form LEVEL.SHORT ("tcp.defer-accept", "so.buf_lock"): the
 * option of that level whose kernel name is the level's word and SHORT
 * (TCP_DEFER_ACCEPT), or one of whose aliases is SHORT (tcp.mss).  Every
 * option answers to this form, so a short name that two levels share
 * (mtu, checksum) stays reachable at each.  LEVEL is "so" or a level
 * sockopt_level_parse knows.
 */
static const struct sockopt_entry *find_qualified(const char *name)
{
	const char *dot = strchr(name, '.');
	char prefix[16];
	int level;

	if (!dot || dot == name || (size_t)(dot - name) >= sizeof(prefix))
		return NULL;
	memcpy(prefix, name, (size_t)(dot - name));
	prefix[dot - name] = '\0';
	if (strcasecmp(prefix, "so") == 0)
		level = SOL_SOCKET;
	else if (sockopt_level_parse(prefix, &level) < 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		if (catalog[i].level == level && (short_name_is(&catalog[i], dot + 1) ||
						  name_in_aliases(catalog[i].aliases, dot + 1)))
			return &catalog[i];
	return NULL;
}

SOCKOPT_EXPORT const sockopt_entry *sockopt_catalog_find(const char *name)
{
	if (!name || !*name)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		if (name_equal(catalog[i].name, strlen(catalog[i].name), name))
			return &catalog[i];
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		if (name_in_aliases(catalog[i].aliases, name))
			return &catalog[i];
	return find_qualified(name);
}

SOCKOPT_EXPORT const sockopt_entry *sockopt_catalog_find_number(int level, int optname)
{
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		if (catalog[i].level == level && catalog[i].optname == optname)
			return &catalog[i];
	return NULL;
}

/*
 * A lower bound of the edit distance of A and B, compared as name_char does:
 * the characters of the longer one that the other lacks, counted with
 * repeats (bag distance).
 */
static size_t bag_distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned char count[128] = { 0 };
	size_t matched = 0;

	for (size_t i = 0; i < la; i++)
		count[name_char(a[i]) & 127]++;
	for (size_t j = 0; j < lb; j++)
		if (count[name_char(b[j]) & 127] > 0) {
			count[name_char(b[j]) & 127]--;
			matched++;
		}
	return (la > lb ? la : lb) - matched;
}

/*
 * Levenshtein distance between A and B (LA and LB characters, at most 64),
 * compared as name_char does.  Only distances up to LIMIT matter, so a
 * larger one is returned as LIMIT + 1 as soon as it is certain: when the lengths or the
 * bags of characters differ by more, or when a whole row exceeds it (rows
 * never decrease).  Unknown names are compared with every name and alias of
 * the catalog, and this keeps that cheap.
 */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb, size_t limit)
{
	size_t row[65];

	if ((la > lb ? la - lb : lb - la) > limit || bag_distance(a, la, b, lb) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], smallest = i;

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = name_char(a[i - 1]) == name_char(b[j - 1]) ? 0 : 1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			if (best < smallest)
				smallest = best;
			diag = up;
		}
		if (smallest > limit)
			return limit + 1;
	}
	return row[lb];
}

/*
 * How far NAME (LEN characters, at most 64) is from entry E, its kernel name
 * or its closest alias, up to LIMIT + 1.
 */
static size_t entry_distance(const char *name, size_t len, const struct sockopt_entry *e,
			     size_t limit)
{
	size_t best, alias_len;

	if (len >= 3 && strcasestr(e->name, name))
		return 1;
	best = edit_distance(name, len, e->name, strnlen(e->name, 64), limit);
	for (const char *p = e->aliases, *w; (w = word_next(&p, &alias_len));) {
		size_t d = edit_distance(name, len, w, alias_len < 64 ? alias_len : 64, limit);

		if (d < best)
			best = d;
	}
	return best;
}

SOCKOPT_EXPORT size_t sockopt_catalog_suggest(const char *name, const char **out, size_t n)
{
	size_t best[8], found = 0, limit = strlen(name) / 3 + 2;

	if (n > ARRAY_SIZE(best))
		n = ARRAY_SIZE(best);
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++) {
		size_t d = entry_distance(name, strnlen(name, 64), &catalog[i], limit);
		size_t pos;

		if (d > limit)
			continue;
		for (pos = found; pos > 0 && best[pos - 1] > d; pos--) {
			if (pos < n) {
				best[pos] = best[pos - 1];
				out[pos] = out[pos - 1];
			}
		}
		if (pos < n) {
			best[pos] = d;
			out[pos] = catalog[i].name;
			if (found < n)
				found++;
		}
	}
	return found;
}

SOCKOPT_EXPORT const char *sockopt_entry_name(const sockopt_entry *e) { return e->name; }
SOCKOPT_EXPORT const char *sockopt_entry_aliases(const sockopt_entry *e) { return e->aliases; }
SOCKOPT_EXPORT int sockopt_entry_level(const sockopt_entry *e) { return e->level; }
SOCKOPT_EXPORT int sockopt_entry_optname(const sockopt_entry *e) { return e->optname; }
SOCKOPT_EXPORT enum sockopt_type sockopt_entry_type(const sockopt_entry *e) { return e->type; }
SOCKOPT_EXPORT unsigned sockopt_entry_access(const sockopt_entry *e) { return e->access; }
SOCKOPT_EXPORT unsigned sockopt_entry_kinds(const sockopt_entry *e) { return e->kinds; }
SOCKOPT_EXPORT enum sockopt_phase sockopt_entry_phase(const sockopt_entry *e) { return e->phase; }
SOCKOPT_EXPORT unsigned sockopt_entry_flags(const sockopt_entry *e) { return e->flags; }
SOCKOPT_EXPORT const char *sockopt_entry_sysctls(const sockopt_entry *e) { return e->sysctls; }
SOCKOPT_EXPORT const char *sockopt_entry_summary(const sockopt_entry *e) { return e->summary; }

SOCKOPT_EXPORT const char *sockopt_entry_explanation(const sockopt_entry *e)
{
	return e->explanation;
}

SOCKOPT_EXPORT const char *sockopt_level_name(int level)
{
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++)
		if (levels[i].level == level)
			return levels[i].name;
	return NULL;
}

SOCKOPT_EXPORT int sockopt_level_parse(const char *name, int *level)
{
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		if (strcasecmp(levels[i].name, name) == 0 ||
		    strcasecmp(levels[i].kernel_name, name) == 0) {
			*level = levels[i].level;
			return 0;
		}
	}
	if (strcasecmp(name, "SOL_IP") == 0 || strcasecmp(name, "SOL_TCP") == 0 ||
	    strcasecmp(name, "SOL_IPV6") == 0 || strcasecmp(name, "SOL_UDP") == 0)
		return sockopt_level_parse(name + 4, level);
	return -EINVAL;
}

SOCKOPT_EXPORT const char *sockopt_access_name(unsigned access)
{
	switch (access) {
	case SOCKOPT_ACCESS_GET:
		return "get";
	case SOCKOPT_ACCESS_SET:
		return "set";
	case SOCKOPT_ACCESS_BOTH:
		return "get/set";
	}
	return "none";
}

SOCKOPT_EXPORT const char *sockopt_phase_name(enum sockopt_phase p)
{
	static const char *const names[SOCKOPT_PHASE_COUNT] = {
		[SOCKOPT_PHASE_ANY] = "any",
		[SOCKOPT_PHASE_BEFORE_BIND] = "before-bind",
		[SOCKOPT_PHASE_BEFORE_CONNECT] = "before-connect",
		[SOCKOPT_PHASE_AFTER_ACCEPT] = "after-accept",
	};

	return (unsigned)p < SOCKOPT_PHASE_COUNT ? names[p] : NULL;
}
