/* policy_why.c: why a socket may hold another value than a policy expects: doubling, sysctl caps, defaults, accept. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

/* Append a formatted phrase to BUF, separated from what is there by "; ". */
static void __attribute__((format(printf, 3, 4))) add(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < size) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

/* The sysctls listed for E whose name has (MAXIMUM) or lacks (!MAXIMUM) "max", each passed to FN with its value. */
static void each_sysctl(const sockopt_entry *e, bool maximum,
			void (*fn)(const char *name, long long value, void *ctx), void *ctx)
{
	const char *cursor = sockopt_entry_sysctls(e), *word;
	size_t len;

	while ((word = sockopt_word_next(&cursor, &len))) {
		char name[128];
		long long value;

		snprintf(name, sizeof(name), "%.*s", (int)len, word);
		if ((strstr(name, "max") != NULL) != maximum)
			continue;
		if (sockopt_sysctl_read_long(name, &value, NULL) == 0)
			fn(name, value, ctx);
	}
}

/* What the cap check needs: the value found, whether the kernel doubles it, and where to write. */
struct cap_ctx {
	double found;
	bool doubled;
	char *buf;
	size_t size;
};

static void cap_phrase(const char *name, long long value, void *ctx)
{
	struct cap_ctx *c = ctx;

	if (c->found == (double)value || (c->doubled && c->found == 2.0 * (double)value))
		add(c->buf, c->size, "capped at %s = %lld%s", name, value,
		    c->doubled ? " (then doubled)" : "");
}

static void default_phrase(const char *name, long long value, void *ctx)
{
	struct cap_ctx *c = ctx;

	add(c->buf, c->size, "%s = %lld", name, value);
}

void policy_why(const struct policy_expect *x, const sockopt_sock *sock, size_t index,
		const sockopt_value *found, char *buf, size_t size)
{
	unsigned flags = sockopt_entry_flags(x->entry);
	struct cap_ctx c = { 0, (flags & SOCKOPT_FLAG_DOUBLED) != 0, buf, size };

	buf[0] = '\0';
	if (c.doubled)
		add(buf, size, "the kernel stores twice the size a program asks for");
	if (sockopt_value_number(sockopt_entry_type(x->entry), found, &c.found) == 0)
		each_sysctl(x->entry, true, cap_phrase, &c);
	if (sockopt_sock_option_is_default(sock, index) == 1) {
		add(buf, size, "never set: a fresh socket's default");
		/* A flag's sysctls tune what it turns on (keepalive's timers), not the flag itself. */
		if (sockopt_entry_type(x->entry) != SOCKOPT_TYPE_BOOL)
			each_sysctl(x->entry, false, default_phrase, &c);
	}
	if (flags & SOCKOPT_FLAG_IGNORED)
		add(buf, size, "Linux ignores this option");
}

void policy_why_accepted(const sockopt_entry *e, char *buf, size_t size)
{
	add(buf, size, (sockopt_entry_flags(e) & SOCKOPT_FLAG_INHERITED)
			       ? "an accepted socket copies it from its listener, so set it there"
			       : "an accepted socket does not inherit it from its listener");
}
