/* policy_parse.c: read a policy file (sockopt-policy(5)) into rules, with errors that name file, line and column. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

#define POLICY_FILE_MAX (1 << 20) /* a policy is a page of text; a bigger file is a mistake */

/* Where parsing stands: the file being read, its line, and the files that include it. */
struct parser {
	const char *file;
	int line;
	struct policy *out;
	struct sockopt_diag *diag;
	char *open[POLICY_INCLUDE_DEPTH]; /* real paths of the files being read, for include loops */
	int depth;
	struct policy_rule *rule; /* the rule indented lines continue, or NULL */
	int rule_line;
};

/* A word of a line and the column it starts at (1-based). */
struct word {
	const char *start;
	size_t len;
	int col;
};

static int parse_buffer(struct parser *ps, const char *name, const char *text);

static int __attribute__((format(printf, 3, 4))) bad(struct parser *ps, int col, const char *fmt, ...)
{
	char msg[SOCKOPT_TEXT_MAX - 160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->diag) {
		ps->diag->error = -EINVAL;
		snprintf(ps->diag->text, sizeof(ps->diag->text), "%.120s:%d:%d: %s", ps->file, ps->line,
			 col, msg);
	}
	return -EINVAL;
}

/* The next word of *CURSOR separated by spaces (and by commas when COMMAS); false at the end. */
static bool next_word(const char **cursor, const char *line, bool commas, struct word *w)
{
	const char *p = *cursor;

	while (*p == ' ' || *p == '\t' || (commas && *p == ','))
		p++;
	if (!*p)
		return false;
	w->start = p;
	while (*p && *p != ' ' && *p != '\t' && !(commas && *p == ','))
		p++;
	w->len = (size_t)(p - w->start);
	w->col = (int)(w->start - line) + 1;
	*cursor = p;
	return true;
}

/* W as a terminated string in BUF (cut to fit). */
static const char *word_text(const struct word *w, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)w->len, w->start);
	return buf;
}

static bool word_is(const struct word *w, const char *s)
{
	return strlen(s) == w->len && strncasecmp(w->start, s, w->len) == 0;
}

/* ---- match values -------------------------------------------------------- */

/* Whether A and B name the same state, ignoring case and '-' against '_'. */
static bool same_state(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;

		if (tolower((unsigned char)x) != tolower((unsigned char)y))
			return false;
	}
	return *a == *b;
}

/* The TCP state numbered as the kernel does for NAME ("listening", "established", "time-wait", "unconn"), or -1. */
static int state_parse(const char *name)
{
	static const struct {
		const char *alias;
		int state;
	} aliases[] = { { "listening", 10 }, { "estab", 1 }, { "unconn", 7 } };

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (same_state(name, aliases[i].alias))
			return aliases[i].state;
	for (int s = 1; sockopt_tcp_state_name(s); s++)
		if (same_state(name, sockopt_tcp_state_name(s)))
			return s;
	return -1;
}

static bool ports_parse(const char *text, struct policy_ports *out)
{
	char *end;
	long low = strtol(text, &end, 10), high = low;

	if (end == text || low < 0 || low > 65535)
		return false;
	if (*end == '-') {
		const char *rest = end + 1;

		high = strtol(rest, &end, 10);
		if (end == rest || high < low || high > 65535)
			return false;
	}
	if (*end)
		return false;
	out->low = (unsigned)low;
	out->high = (unsigned)high;
	return true;
}

static bool cidr_parse(const char *text, struct policy_cidr *out)
{
	char addr[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	long bits;
	char *end;

	if (n >= sizeof(addr))
		return false;
	memcpy(addr, text, n);
	addr[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = AF_INET6;
	else
		return false;
	bits = out->family == AF_INET ? 32 : 128;
	if (slash) {
		long max = bits;

		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || bits < 0 || bits > max)
			return false;
	}
	out->bits = (unsigned)bits;
	return true;
}

static bool user_parse(const char *text, uid_t *out)
{
	char *end;
	unsigned long n = strtoul(text, &end, 10);
	struct passwd *pw;

	if (end != text && !*end && n < UINT_MAX) {
		*out = (uid_t)n;
		return true;
	}
	pw = getpwnam(text);
	if (!pw)
		return false;
	*out = pw->pw_uid;
	return true;
}

/* ---- match keys ---------------------------------------------------------- */

/* Add one value TEXT of key KEY to rule R; false with a sentence on a bad one. */
static int add_key_value(struct parser *ps, struct policy_rule *r, const char *key,
			 const char *text, int col)
{
	size_t *count;

	if (!strcmp(key, "sport") || !strcmp(key, "dport")) {
		count = key[0] == 's' ? &r->nsport : &r->ndport;
		if (*count == POLICY_VALUES_MAX)
			return bad(ps, col, "a rule takes at most %d %s values.", POLICY_VALUES_MAX, key);
		if (!ports_parse(text, key[0] == 's' ? &r->sport[*count] : &r->dport[*count]))
			return bad(ps, col, "\"%s\" is not a port or a range LOW-HIGH of ports 0 to 65535.",
				   text);
	} else if (!strcmp(key, "src") || !strcmp(key, "dst")) {
		count = key[0] == 's' ? &r->nsrc : &r->ndst;
		if (*count == POLICY_VALUES_MAX)
			return bad(ps, col, "a rule takes at most %d %s values.", POLICY_VALUES_MAX, key);
		if (!cidr_parse(text, key[0] == 's' ? &r->src[*count] : &r->dst[*count]))
			return bad(ps, col, "\"%s\" is not an address or ADDRESS/BITS range.", text);
	} else if (!strcmp(key, "comm")) {
		count = &r->ncomm;
		if (*count == POLICY_VALUES_MAX || strlen(text) >= sizeof(r->comm[0]))
			return bad(ps, col, "\"%s\": a rule takes at most %d process names of up to 15 bytes.",
				   text, POLICY_VALUES_MAX);
		snprintf(r->comm[*count], sizeof(r->comm[0]), "%s", text);
	} else if (!strcmp(key, "user")) {
		count = &r->nuser;
		if (*count == POLICY_VALUES_MAX)
			return bad(ps, col, "a rule takes at most %d users.", POLICY_VALUES_MAX);
		if (!user_parse(text, &r->user[*count]))
			return bad(ps, col, "\"%s\" is not a user name or number on this machine.", text);
	} else {
		count = &r->ncgroup;
		if (*count == POLICY_VALUES_MAX || strlen(text) >= sizeof(r->cgroup[0]))
			return bad(ps, col, "\"%s\": a rule takes at most %d cgroups of up to 127 bytes.",
				   text, POLICY_VALUES_MAX);
		snprintf(r->cgroup[*count], sizeof(r->cgroup[0]), "%s", text);
	}
	(*count)++;
	return 0;
}

/* KEY's values, "80,443,8000-8100", each added to R. */
static int add_key(struct parser *ps, struct policy_rule *r, const char *key, const struct word *w)
{
	char buf[256];
	const char *cursor = word_text(w, buf, sizeof(buf));
	struct word v;
	int err;

	while (next_word(&cursor, buf, true, &v)) {
		char text[256];

		if ((err = add_key_value(ps, r, key, word_text(&v, text, sizeof(text)),
					 w->col + v.col - 1)) < 0)
			return err;
	}
	return 0;
}

static const char *const keys[] = { "sport", "dport", "src", "dst", "comm", "user", "cgroup" };

/* One word of the match: a kind, a state, "KEY VALUE" or "rule NAME". */
static int match_word(struct parser *ps, struct policy_rule *r, const struct word *w,
		      const char **cursor, const char *line)
{
	char text[128], key[16];
	struct word value;
	unsigned kind;
	int state;

	word_text(w, text, sizeof(text));
	if (sockopt_kind_parse(text, &kind) == 0) {
		r->kinds |= kind;
		return 0;
	}
	if ((state = state_parse(text)) >= 0) {
		r->states |= 1u << state;
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) + 1; i++) {
		bool is_rule = i == sizeof(keys) / sizeof(keys[0]);

		if (!word_is(w, is_rule ? "rule" : keys[i]))
			continue;
		snprintf(key, sizeof(key), "%s", is_rule ? "rule" : keys[i]);
		if (!next_word(cursor, line, false, &value))
			return bad(ps, w->col + (int)w->len, "\"%s\" needs a value.", key);
		if (!is_rule)
			return add_key(ps, r, key, &value);
		if (value.len >= sizeof(r->name))
			return bad(ps, value.col, "a rule name has at most %zu bytes.", sizeof(r->name) - 1);
		word_text(&value, r->name, sizeof(r->name));
		return 0;
	}
	return bad(ps, w->col,
		   "\"%s\" is not a socket kind (tcp, tcp6, udp, udp6, raw, raw6, unix, unix-dgram, "
		   "unix-seqpacket), a state (listening, established, …) or a key (sport, dport, src, "
		   "dst, comm, user, cgroup, rule).",
		   text);
}

/* ---- expectations -------------------------------------------------------- */

static const struct {
	const char *text;
	enum policy_op op;
} ops[] = { { "!=", POLICY_NE }, { "<=", POLICY_LE }, { ">=", POLICY_GE }, { "=", POLICY_EQ } };

/* Why ENTRY cannot be checked, or NULL when it can. */
static const char *unreadable(const sockopt_entry *e)
{
	if (!(sockopt_entry_access(e) & SOCKOPT_ACCESS_GET))
		return "it cannot be read back";
	if (sockopt_entry_flags(e) & SOCKOPT_FLAG_SIDE_EFFECT)
		return "reading it changes the socket";
	if (sockopt_entry_flags(e) & SOCKOPT_FLAG_TRANSIENT)
		return "the kernel resets it on its own";
	return NULL;
}

/* Parse the value TEXT (at COL) for X's option into OUT. */
static int expect_value(struct parser *ps, const struct policy_expect *x, const char *text, int col,
			sockopt_value *out)
{
	struct sockopt_diag d;

	if (sockopt_value_parse(x->entry, text, out, &d) < 0)
		return bad(ps, col, "%s", d.text);
	return 0;
}

/* The operator and value(s) after the option name, "<=300" or " in 30..300". */
static int expect_rest(struct parser *ps, struct policy_expect *x, const char *p, int col)
{
	const char *dots;
	char low[128];
	int order;

	while (*p == ' ' || *p == '\t')
		p++, col++;
	if (!strncasecmp(p, "in", 2) && (p[2] == ' ' || p[2] == '\t')) {
		x->op = POLICY_IN;
		for (p += 2, col += 2; *p == ' ' || *p == '\t'; p++)
			col++;
		dots = strstr(p, "..");
		if (!dots || (size_t)(dots - p) >= sizeof(low))
			return bad(ps, col, "\"in\" takes a range LOW..HIGH.");
		snprintf(low, sizeof(low), "%.*s", (int)(dots - p), p);
		if (expect_value(ps, x, low, col, &x->value) < 0 ||
		    expect_value(ps, x, dots + 2, col + (int)(dots + 2 - p), &x->high) < 0)
			return -EINVAL;
		if (sockopt_value_compare(sockopt_entry_type(x->entry), &x->value, &x->high, &order) == 0 &&
		    order > 0)
			return bad(ps, col, "the range %s runs backwards.", p);
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (strncmp(p, ops[i].text, n) != 0)
			continue;
		x->op = ops[i].op;
		for (p += n, col += (int)n; *p == ' ' || *p == '\t'; p++)
			col++;
		return expect_value(ps, x, p, col, &x->value);
	}
	return bad(ps, col, "%s takes =, !=, <=, >= or \"in LOW..HIGH\" after its name.",
		   sockopt_entry_name(x->entry));
}

/* The canonical text of X: "SO_RCVBUF>=1048576", "TCP_KEEPIDLE in 30..300". */
static void expect_text(struct policy_expect *x)
{
	static const char *const names[] = { "=", "!=", "<=", ">=", " in " };
	enum sockopt_type t = sockopt_entry_type(x->entry);
	char a[64], b[64];

	sockopt_type_format(t, &x->value, a, sizeof(a));
	sockopt_type_format(t, &x->high, b, sizeof(b));
	snprintf(x->text, sizeof(x->text), "%s%s%s%s%s", sockopt_entry_name(x->entry), names[x->op], a,
		 x->op == POLICY_IN ? ".." : "", x->op == POLICY_IN ? b : "");
}

/* One expectation ITEM (at COL): "SO_KEEPALIVE=on", added to R. */
static int add_expect(struct parser *ps, struct policy_rule *r, const char *item, int col)
{
	struct policy_expect *x = &r->expect[r->nexpect];
	char name[64];
	size_t n = 0;
	const char *why;
	int order;

	if (r->nexpect == POLICY_EXPECT_MAX)
		return bad(ps, col, "a rule takes at most %d expectations.", POLICY_EXPECT_MAX);
	while (isalnum((unsigned char)item[n]) || item[n] == '_' || item[n] == '-' || item[n] == '.')
		n++;
	if (n == 0 || n >= sizeof(name))
		return bad(ps, col, "expected an option name such as SO_KEEPALIVE here.");
	snprintf(name, sizeof(name), "%.*s", (int)n, item);
	memset(x, 0, sizeof(*x));
	if (!(x->entry = sockopt_catalog_find(name))) {
		const char *close[1];

		if (sockopt_catalog_suggest(name, close, 1) == 1)
			return bad(ps, col, "there is no socket option named \"%s\"; did you mean %s?",
				   name, close[0]);
		return bad(ps, col, "there is no socket option named \"%s\".", name);
	}
	if ((why = unreadable(x->entry)))
		return bad(ps, col, "%s cannot be checked: %s.", sockopt_entry_name(x->entry), why);
	if (r->kinds && !(sockopt_entry_kinds(x->entry) & r->kinds))
		return bad(ps, col, "%s does not apply to the socket kinds this rule matches.",
			   sockopt_entry_name(x->entry));
	if (expect_rest(ps, x, item + n, col + (int)n) < 0)
		return -EINVAL;
	if (x->op >= POLICY_LE &&
	    sockopt_value_compare(sockopt_entry_type(x->entry), &x->value, &x->value, &order) == -EDOM)
		return bad(ps, col, "%s values (%s) have no order; use = or !=.",
			   sockopt_entry_name(x->entry), sockopt_type_name(sockopt_entry_type(x->entry)));
	expect_text(x);
	r->nexpect++;
	return 0;
}

/* The comma-separated expectations in TEXT (which starts at column COL). */
static int add_expects(struct parser *ps, struct policy_rule *r, const char *text, int col)
{
	char item[256];

	while (*text) {
		const char *comma = strchr(text, ',');
		size_t n = comma ? (size_t)(comma - text) : strlen(text), skip = 0;

		while (skip < n && (text[skip] == ' ' || text[skip] == '\t'))
			skip++;
		while (n > skip && (text[n - 1] == ' ' || text[n - 1] == '\t'))
			n--;
		if (n - skip >= sizeof(item))
			return bad(ps, col + (int)skip, "this expectation is too long.");
		if (n > skip) {
			snprintf(item, sizeof(item), "%.*s", (int)(n - skip), text + skip);
			if (add_expect(ps, r, item, col + (int)skip) < 0)
				return -EINVAL;
		}
		if (!comma)
			break;
		col += (int)(comma + 1 - text);
		text = comma + 1;
	}
	return 0;
}

/* ---- rules, includes and files ------------------------------------------ */

/* Where the match ends: the first ':' followed by a space or the line's end and not part of an IPv6 "::". */
static const char *match_end(const char *line)
{
	for (const char *p = line; *p; p++)
		if (*p == ':' && (p[1] == '\0' || p[1] == ' ' || p[1] == '\t') &&
		    (p == line || p[-1] != ':'))
			return p;
	return NULL;
}

/* A rule whose previous rule had no expectations is a mistake worth naming. */
static int finish_rule(struct parser *ps)
{
	struct policy_rule *r = ps->rule;

	ps->rule = NULL;
	if (!r || r->nexpect)
		return 0;
	ps->line = ps->rule_line;
	return bad(ps, 1, "this rule has no expectations (OPTION=VALUE after its ':').");
}

static int add_rule(struct parser *ps, const char *line)
{
	const char *colon = match_end(line), *cursor;
	char match[512];
	struct policy_rule *grown, *r;
	struct word w;

	if (!colon)
		return bad(ps, (int)strlen(line) + 1,
			   "a rule is MATCH: EXPECTATIONS; this line has no ':' after its match.");
	if ((size_t)(colon - line) >= sizeof(match))
		return bad(ps, 1, "the match is too long.");
	grown = realloc(ps->out->rules, (ps->out->nrules + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	ps->out->rules = grown;
	r = &grown[ps->out->nrules];
	memset(r, 0, sizeof(*r));
	snprintf(r->where, sizeof(r->where), "%.100s:%d", ps->file, ps->line);
	snprintf(r->name, sizeof(r->name), "%.63s", r->where);
	snprintf(match, sizeof(match), "%.*s", (int)(colon - line), line);
	cursor = match;
	while (next_word(&cursor, match, false, &w))
		if (match_word(ps, r, &w, &cursor, match) < 0)
			return -EINVAL;
	if (add_expects(ps, r, colon + 1, (int)(colon + 1 - line) + 1) < 0)
		return -EINVAL;
	ps->out->nrules++;
	ps->rule = r;
	ps->rule_line = ps->line;
	return 0;
}

/* Read PATH whole (a regular file of at most POLICY_FILE_MAX bytes) into a new string. */
static int read_file(const char *path, char **out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > POLICY_FILE_MAX) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EFBIG;
	}
	buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, POLICY_FILE_MAX + 1);
	close(fd);
	if (n < 0 || n > POLICY_FILE_MAX || memchr(buf, '\0', (size_t)n)) {
		free(buf);
		return n < 0 ? -EIO : -EINVAL;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* PATH could not be read: at the include line that names it, or alone for the policy itself. */
static int cannot_read(struct parser *ps, const char *path, int col, int err)
{
	const char *why = err == -EINVAL ? "it holds a NUL byte" : strerror(-err);

	if (ps->file)
		return bad(ps, col, "cannot read %s: %s.", path, why);
	if (ps->diag) {
		ps->diag->error = err;
		snprintf(ps->diag->text, sizeof(ps->diag->text), "cannot read %.200s: %s.", path, why);
	}
	return err;
}

/* Parse file PATH (SHOWN in messages) unless it is already open above (an include loop). */
static int parse_file(struct parser *ps, const char *path, const char *shown, int col)
{
	char *real = realpath(path, NULL), *text = NULL;
	int err;

	if (!real || (err = read_file(real, &text)) < 0) {
		err = real ? err : -errno;
		free(real);
		return cannot_read(ps, shown, col, err);
	}
	for (int i = 0; i < ps->depth; i++)
		if (strcmp(ps->open[i], real) == 0) {
			free(real);
			free(text);
			return bad(ps, col, "including %s again makes a loop.", shown);
		}
	if (ps->depth == POLICY_INCLUDE_DEPTH) {
		free(real);
		free(text);
		return bad(ps, col, "includes nest deeper than %d files.", POLICY_INCLUDE_DEPTH);
	}
	ps->open[ps->depth++] = real;
	err = parse_buffer(ps, path, text);
	free(ps->open[--ps->depth]);
	free(text);
	return err;
}

/* "include FILE": FILE relative to the directory of the including file. */
static int include(struct parser *ps, const char *line, const struct word *kw)
{
	const char *cursor = kw->start + kw->len, *slash = strrchr(ps->file, '/');
	char name[PATH_MAX], path[PATH_MAX + 256];
	struct word w, extra;

	if (!next_word(&cursor, line, false, &w))
		return bad(ps, kw->col + (int)kw->len, "include needs a file name.");
	if (next_word(&cursor, line, false, &extra))
		return bad(ps, extra.col, "include takes one file name.");
	word_text(&w, name, sizeof(name));
	if (name[0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - ps->file), ps->file, name);
	return parse_file(ps, path, name, w.col);
}

/* One line without its comment: an include, a rule, or (indented) more expectations. */
static int parse_line(struct parser *ps, char *line)
{
	const char *cursor = line;
	char *hash = strchr(line, '#');
	size_t n;
	struct word w;

	if (hash)
		*hash = '\0';
	for (n = strlen(line); n && isspace((unsigned char)line[n - 1]); n--)
		line[n - 1] = '\0';
	if (!next_word(&cursor, line, false, &w))
		return 0;
	if (w.col > 1) {
		if (!ps->rule)
			return bad(ps, w.col, "an indented line continues a rule, and no rule is above it.");
		return add_expects(ps, ps->rule, line, 1);
	}
	if (finish_rule(ps) < 0)
		return -EINVAL;
	if (word_is(&w, "include"))
		return include(ps, line, &w);
	return add_rule(ps, line);
}

static int parse_buffer(struct parser *ps, const char *name, const char *text)
{
	const char *saved_file = ps->file;
	int saved_line = ps->line, err = 0;
	char *copy = strdup(text), *line, *next;

	if (!copy)
		return -ENOMEM;
	ps->file = name;
	ps->line = 0;
	ps->rule = NULL;
	for (line = copy; line && err == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		ps->line++;
		err = parse_line(ps, line);
	}
	if (err == 0)
		err = finish_rule(ps);
	free(copy);
	ps->file = saved_file;
	ps->line = saved_line;
	ps->rule = NULL;
	return err;
}

void policy_free(struct policy *p)
{
	free(p->rules);
	p->rules = NULL;
	p->nrules = 0;
}

/* Run one parse into a fresh policy; *OUT only on success. */
static int parse_into(struct policy *out, struct sockopt_diag *diag, const char *name,
		      const char *text)
{
	struct parser ps = { 0 };
	struct policy p = { NULL, 0 };
	int err;

	ps.out = &p;
	ps.diag = diag;
	err = text ? parse_buffer(&ps, name, text) : parse_file(&ps, name, name, 0);
	if (err < 0) {
		policy_free(&p);
		return err;
	}
	*out = p;
	return 0;
}

int policy_load(const char *path, struct policy *out, struct sockopt_diag *diag)
{
	return parse_into(out, diag, path, NULL);
}

int policy_parse_text(const char *name, const char *text, struct policy *out,
		      struct sockopt_diag *diag)
{
	return parse_into(out, diag, name, text);
}
