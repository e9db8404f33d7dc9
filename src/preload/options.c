/* options.c: the spec's options one by one: items and the watch table built at load, the program's own setsockopt met, what --verbose and --report say of them. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/*
 * What happened to each followed option, for the --report line at exit:
 * how often the program set it after sockopt did (its value stayed) and
 * how often a pinned option refused the program's value, with the last
 * values when they are ints (most options); -1 when not known.
 */
static struct {
	_Atomic unsigned long after, refused;
	_Atomic long program, sockopt;
} counts[SHIM_WATCH_MAX];
/* The kinds each option was already said not to fit, so that --verbose says it once. */
static _Atomic unsigned told_unfit[SHIM_WATCH_MAX + 1];
static _Atomic unsigned told_filtered;
/* Sockets this process configured: a process that had none (a wrapper script) reports nothing. */
static _Atomic unsigned long configured;
static const struct shim *reported; /* the shim the exit report reads */

/* The watch of option E, added when new; SHIM_NO_WATCH when the table is full. */
static unsigned watch_of(struct shim *s, const sockopt_spec *spec, size_t i)
{
	const sockopt_entry *e = sockopt_spec_entry(spec, i);
	size_t w;

	for (w = 0; w < s->watch_count && s->watch[w].entry != e; w++)
		;
	if (w == SHIM_WATCH_MAX)
		return SHIM_NO_WATCH;
	if (w == s->watch_count) {
		s->watch[w] = (struct shim_watch){ e, sockopt_entry_kinds(e) & s->kinds, false };
		s->watch_count++;
		if (sockopt_entry_flags(e) & SOCKOPT_FLAG_INHERITED)
			s->inherited |= (uint64_t)1 << w;
	}
	return (unsigned)w;
}

/* Entry I of SPEC as an item: a spec of that one entry at its phase. */
static bool item_make(struct shim *s, const sockopt_spec *spec, size_t i, struct shim_item *it)
{
	const sockopt_entry *e = sockopt_spec_entry(spec, i);
	char text[256];

	snprintf(text, sizeof(text), "%s=%s", sockopt_entry_name(e), sockopt_spec_text(spec, i));
	it->one = sockopt_spec_new();
	it->phase = sockopt_spec_phase(spec, i);
	it->kinds = sockopt_entry_kinds(e);
	it->watch = watch_of(s, spec, i);
	if (it->one && sockopt_spec_add(it->one, text, (int)it->phase, NULL) == 0)
		return true;
	shim_log("cannot load %s; sockets are left as they are.", text);
	return false;
}

/* Mark the options PINS names (comma-separated); one that no spec sets is said and ignored. */
static void pin(struct shim *s, const char *pins)
{
	for (const char *p = pins; p && *p; p += *p == ',') {
		size_t len = strcspn(p, ","), w;
		char name[64];
		const sockopt_entry *e;

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len;
		e = sockopt_catalog_find(name);
		for (w = 0; w < s->watch_count && s->watch[w].entry != e; w++)
			;
		if (w < s->watch_count)
			s->watch[w].pinned = true;
		else
			shim_log("ignoring the pin of %s: no spec sets it.", name);
	}
}

bool shim_items_build(struct shim *s, const char *pins)
{
	for (size_t k = 0; k < SPEC_COUNT; k++) {
		size_t n = s->spec[k] ? sockopt_spec_count(s->spec[k]) : 0;

		if (!n)
			continue;
		s->items[k] = calloc(n, sizeof(*s->items[k]));
		if (!s->items[k])
			return false;
		for (; s->item_count[k] < n; s->item_count[k]++)
			if (!item_make(s, s->spec[k], s->item_count[k],
				       &s->items[k][s->item_count[k]]))
				return false;
	}
	pin(s, pins);
	reported = s;
	return true;
}

void shim_items_free(struct shim *s)
{
	for (size_t k = 0; k < SPEC_COUNT; k++) {
		for (size_t j = 0; j < s->item_count[k]; j++)
			sockopt_spec_free(s->items[k][j].one);
		free(s->items[k]);
		s->items[k] = NULL;
		s->item_count[k] = 0;
	}
	reported = NULL;
}

void shim_tell_unfit(const struct shim *s, const struct shim_item *it, unsigned kind)
{
	if ((s->switches & RUN_VERBOSE) &&
	    !(atomic_fetch_or(&told_unfit[it->watch], kind) & kind))
		shim_log("%s does not apply to %s sockets: not applied to them (said once).",
			 sockopt_entry_name(sockopt_spec_entry(it->one, 0)), sockopt_kind_name(kind));
}

void shim_tell_filtered(const struct shim *s, int fd, unsigned kind)
{
	if (!(s->switches & RUN_VERBOSE) || (kind && (atomic_fetch_or(&told_filtered, kind) & kind)))
		return;
	if (!kind)
		shim_log("fd %d: a socket of a kind sockopt does not cover; left alone.", fd);
	else if (kind & RUN_KINDS_UNIX)
		shim_log("%s sockets are left alone: unix sockets only with --unix (said once).",
			 sockopt_kind_name(kind));
	else
		shim_log("%s sockets are left alone: the filter keeps other kinds (said once).",
			 sockopt_kind_name(kind));
}

/* The option W, if the specs set it: level and name of a program's setsockopt. */
static const struct shim_watch *watch_find(const struct shim *s, int level, int name)
{
	for (size_t w = 0; w < s->watch_count; w++)
		if (sockopt_entry_optname(s->watch[w].entry) == name &&
		    sockopt_entry_level(s->watch[w].entry) == level)
			return &s->watch[w];
	return NULL;
}

/* A value as its text, and as an int when it is one (else -1). */
static long value_text(const sockopt_entry *e, const sockopt_value *v, char *buf, size_t size)
{
	if (sockopt_type_format(sockopt_entry_type(e), v, buf, size) < 0)
		snprintf(buf, size, "(%u bytes)", (unsigned)v->len);
	return v->len == sizeof(int) ? v->v.i : -1;
}

/*
 * What the program's setsockopt of option W on FD met: sockopt's value
 * BEFORE (len 0 when sockopt had not set it yet) and the program's VAL.
 */
static void tell(const struct shim *s, const struct shim_watch *w, int fd,
		 const sockopt_value *before, const void *val, socklen_t len)
{
	unsigned i = (unsigned)(w - s->watch);
	sockopt_value asked = { .len = len };
	char theirs[128], ours[128];
	long p, o;

	memcpy(asked.v.bytes, val, len);
	p = value_text(w->entry, &asked, theirs, sizeof(theirs));
	o = before->len ? value_text(w->entry, before, ours, sizeof(ours)) : -1;
	atomic_store(&counts[i].program, p);
	atomic_store(&counts[i].sockopt, o);
	atomic_fetch_add(w->pinned ? &counts[i].refused : &counts[i].after, 1);
	if (!(s->switches & RUN_VERBOSE))
		return;
	if (w->pinned && before->len)
		shim_log("fd %d: the program set %s=%s; pinned, so sockopt's %s stays (the call "
			 "returned success).",
			 fd, sockopt_entry_name(w->entry), theirs, ours);
	else if (w->pinned)
		shim_log("fd %d: the program set %s=%s; pinned, so the call returned success without "
			 "setting it, and sockopt sets it at its phase.",
			 fd, sockopt_entry_name(w->entry), theirs);
	else
		shim_log("fd %d: the program set %s=%s after sockopt set %s; the program's value "
			 "stays (--pin %s would keep sockopt's).",
			 fd, sockopt_entry_name(w->entry), theirs, ours, sockopt_entry_name(w->entry));
}

/*
 * The program sets option W, which a spec sets too.  Pinned: the call
 * succeeds and changes nothing.  Otherwise the program's value is set and
 * marked, so that no later phase of sockopt's overwrites it.
 */
static int program_sets(const struct shim *s, const struct shim_watch *w, int fd, int level,
			int name, const void *val, socklen_t len)
{
	unsigned i = (unsigned)(w - s->watch);
	bool ours = shim_fd_marks(fd, MARK_APPLIED) & ((uint64_t)1 << i);
	bool told = (s->switches & (RUN_VERBOSE | RUN_REPORT)) && val && len <= SOCKOPT_VALUE_MAX;
	sockopt_value before = { .len = 0 };

	if (told && ours) {
		shim_busy(true);
		if (sockopt_get(fd, w->entry, &before, NULL) < 0)
			before.len = 0;
		shim_busy(false);
	}
	if (!w->pinned) {
		if (real.setsockopt(fd, level, name, val, len) < 0)
			return -errno;
		shim_fd_mark(fd, MARK_PROGRAM, i);
	}
	if (told && (ours || w->pinned))
		tell(s, w, fd, &before, val, len);
	return 0;
}

static int setsockopt_logic(int fd, int level, int name, const void *val, socklen_t len)
{
	const struct shim *s = shim_get();
	const struct shim_watch *w = s ? watch_find(s, level, name) : NULL;

	if (w && (fd_kind(shim_fd_state(s, fd)) & w->kinds))
		return program_sets(s, w, fd, level, name, val, len);
	return real.setsockopt(fd, level, name, val, len) < 0 ? -errno : 0;
}

SHIM_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int saved = errno;

	return shim_return(setsockopt_logic(fd, level, name, val, len), saved);
}

/* An int value of option E as its text. */
static void int_text(const sockopt_entry *e, long i, char *buf, size_t size)
{
	sockopt_value v;

	sockopt_value_set_int(&v, (int)i);
	value_text(e, &v, buf, size);
}

void shim_count_configured(void)
{
	atomic_fetch_add_explicit(&configured, 1, memory_order_relaxed);
}

/* Append one report part for watch I to LINE. */
static void report_part(const struct shim_watch *w, size_t i, char *line, size_t size)
{
	size_t n = strlen(line);
	unsigned long after = atomic_load(&counts[i].after),
		      refused = atomic_load(&counts[i].refused);
	long p = atomic_load(&counts[i].program), o = atomic_load(&counts[i].sockopt);
	char values[160] = "", theirs[64], ours[64];

	if (p != -1)
		int_text(w->entry, p, theirs, sizeof(theirs));
	if (o != -1)
		int_text(w->entry, o, ours, sizeof(ours));
	if (p != -1 && o != -1)
		snprintf(values, sizeof(values), "=%s after sockopt set %s", theirs, ours);
	else if (p != -1)
		snprintf(values, sizeof(values), "=%s", theirs);
	if (after)
		snprintf(line + n, size - n, "%sthe program set %s%s (%lu time%s; its value stayed)",
			 n ? "; " : "", sockopt_entry_name(w->entry), values, after,
			 after == 1 ? "" : "s");
	else if (refused)
		snprintf(line + n, size - n,
			 "%sthe program set %s%s (%lu time%s; pinned, sockopt's value stayed)",
			 n ? "; " : "", sockopt_entry_name(w->entry), values, refused,
			 refused == 1 ? "" : "s");
}

/* --report: one line at exit, also when the program set none of the options. */
__attribute__((destructor)) static void report_at_exit(void)
{
	char line[900] = "";

	if (!reported || !(reported->switches & RUN_REPORT) || !atomic_load(&configured))
		return;
	for (size_t i = 0; i < reported->watch_count; i++)
		report_part(&reported->watch[i], i, line, sizeof(line));
	shim_log("report: %s.", *line ? line : "the program set none of sockopt's options itself");
}
