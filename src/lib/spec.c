/* spec.c: option specs ("NAME=VALUE,…") parsed once, checked against kinds, applied by phase. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One assignment: the option, its phase, its value and the value's canonical text. */
struct spec_item {
	const sockopt_entry *entry;
	enum sockopt_phase phase;
	sockopt_value value;
	char *text;
};

struct sockopt_spec {
	struct spec_item *items;
	size_t count;
	/* The union of the kinds of the entries of each phase, for sockopt_spec_has_phase. */
	unsigned phase_kinds[SOCKOPT_PHASE_COUNT];
};

SOCKOPT_EXPORT sockopt_spec *sockopt_spec_new(void)
{
	return calloc(1, sizeof(sockopt_spec));
}

static void items_free(struct spec_item *items, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(items[i].text);
	free(items);
}

SOCKOPT_EXPORT void sockopt_spec_free(sockopt_spec *spec)
{
	if (!spec)
		return;
	items_free(spec->items, spec->count);
	free(spec);
}

/* Strip blanks from both ends of S in place; return the new start. */
static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The sentence for an unknown option name, with a "did you mean" when one is close. */
static int unknown_name(const char *name, const char *value, struct sockopt_diag *diag)
{
	const char *near[3];
	char hint[192] = "";
	struct out o = { hint, sizeof(hint), 0 };
	size_t n;

	if (!diag)
		return -EINVAL; /* the "did you mean" search over the catalog is for the sentence */
	n = sockopt_catalog_suggest(name, near, ARRAY_SIZE(near));
	for (size_t i = 0; i < n; i++)
		out_printf(&o, "%s%s", i == 0 ? "; did you mean " : i + 1 == n ? " or " : ", ",
			   near[i]);
	if (n)
		out_printf(&o, "?");
	else
		out_printf(&o, " (sockopt list shows them all).");
	return diag_set(diag, -EINVAL, "\"%s=%s\": there is no socket option %s%s", name, value,
			name, hint);
}

/* Parse one "NAME=VALUE" ITEM into IT for PHASE (-1: the catalog's). */
static int parse_item(char *item, int phase, struct spec_item *it, struct sockopt_diag *diag)
{
	char *eq = strchr(item, '='), *name, *value, text[4 * SOCKOPT_VALUE_MAX];
	const sockopt_entry *e;
	struct sockopt_diag vd;

	if (!eq)
		return diag_set(diag, -EINVAL, "\"%s\": expected NAME=VALUE.", item);
	*eq = '\0';
	name = trim(item);
	value = trim(eq + 1);
	if (!*name)
		return diag_set(diag, -EINVAL, "\"=%s\": the option name is missing.", value);
	e = sockopt_catalog_find(name);
	if (!e)
		return unknown_name(name, value, diag);
	if (!(sockopt_entry_access(e) & SOCKOPT_ACCESS_SET))
		return diag_set(diag, -EINVAL, "\"%s=%s\": %s is read-only.", name, value,
				sockopt_entry_name(e));
	if (sockopt_value_parse(e, value, &it->value, &vd) < 0)
		return diag_set(diag, vd.error, "\"%s=%s\": %s", name, value, vd.text);
	sockopt_type_format(sockopt_entry_type(e), &it->value, text, sizeof(text));
	it->text = strdup(text);
	if (!it->text)
		return diag_set(diag, -ENOMEM, "Out of memory while parsing a spec.");
	it->entry = e;
	it->phase = phase < 0 ? sockopt_entry_phase(e) : (enum sockopt_phase)phase;
	return 0;
}

/* The index of the entry of SPEC (of COUNT items) for E at PHASE, or COUNT. */
static size_t find_item(const struct spec_item *items, size_t count, const sockopt_entry *e,
			enum sockopt_phase phase)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (items[i].entry == e && items[i].phase == phase)
			break;
	return i;
}

/* Parse every item of the writable copy TEXT into ITEMS; *N counts them. */
static int parse_items(char *text, int phase, struct spec_item *items, size_t *n,
		       struct sockopt_diag *diag)
{
	char *item = text;
	size_t pos = 1;

	for (char *comma; item; item = comma ? comma + 1 : NULL, pos++) {
		size_t dup;
		int r;

		comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		item = trim(item);
		if (!*item)
			return diag_set(diag, -EINVAL,
					"Entry %zu of the spec is empty; expected "
					"NAME=VALUE[,NAME=VALUE…].",
					pos);
		r = parse_item(item, phase, &items[*n], diag);
		if (r < 0)
			return r;
		dup = find_item(items, *n, items[*n].entry, items[*n].phase);
		(*n)++;
		if (dup < *n - 1)
			return diag_set(diag, -EINVAL,
					"\"%s=%s\": %s is set twice in this spec (first to %s).",
					sockopt_entry_name(items[dup].entry), items[*n - 1].text,
					sockopt_entry_name(items[dup].entry), items[dup].text);
	}
	return 0;
}

/* Put the NEW items into SPEC, replacing its entries for the same option and phase. */
static void merge_items(sockopt_spec *spec, struct spec_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t at = find_item(spec->items, spec->count, items[i].entry, items[i].phase);

		if (at < spec->count)
			free(spec->items[at].text);
		else
			spec->count++;
		spec->items[at] = items[i];
		spec->phase_kinds[items[i].phase] |= sockopt_entry_kinds(items[i].entry);
	}
}

SOCKOPT_EXPORT int sockopt_spec_add(sockopt_spec *spec, const char *text, int phase,
				    struct sockopt_diag *diag)
{
	struct spec_item *items, *grown;
	size_t n = 0, most;
	char *copy;
	int r;

	if (!spec || !text)
		return diag_set(diag, -EINVAL, "No spec given.");
	if (phase < SOCKOPT_PHASE_CATALOG || phase >= SOCKOPT_PHASE_COUNT)
		return diag_set(diag, -EINVAL, "There is no phase %d.", phase);
	if (!text[strspn(text, " \t\n")])
		return diag_set(diag, -EINVAL,
				"The spec is empty; expected NAME=VALUE[,NAME=VALUE…].");
	most = 1;
	for (const char *p = text; *p; p++)
		most += *p == ',';
	copy = strdup(text);
	items = calloc(most, sizeof(*items));
	grown = realloc(spec->items, (spec->count + most) * sizeof(*grown));
	if (grown)
		spec->items = grown;
	if (!copy || !items || !grown) {
		free(copy);
		free(items);
		return diag_set(diag, -ENOMEM, "Out of memory while parsing a spec.");
	}
	r = parse_items(copy, phase, items, &n, diag);
	if (r < 0) {
		items_free(items, n);
		free(copy);
		return r;
	}
	merge_items(spec, items, n);
	free(items);
	free(copy);
	return 0;
}

SOCKOPT_EXPORT int sockopt_spec_parse(const char *text, sockopt_spec **out,
				      struct sockopt_diag *diag)
{
	sockopt_spec *spec = sockopt_spec_new();
	int r;

	if (!spec)
		return diag_set(diag, -ENOMEM, "Out of memory while parsing a spec.");
	r = sockopt_spec_add(spec, text, SOCKOPT_PHASE_CATALOG, diag);
	if (r < 0) {
		sockopt_spec_free(spec);
		return r;
	}
	*out = spec;
	return 0;
}

SOCKOPT_EXPORT size_t sockopt_spec_count(const sockopt_spec *spec)
{
	return spec ? spec->count : 0;
}

SOCKOPT_EXPORT const sockopt_entry *sockopt_spec_entry(const sockopt_spec *spec, size_t i)
{
	return spec && i < spec->count ? spec->items[i].entry : NULL;
}

SOCKOPT_EXPORT enum sockopt_phase sockopt_spec_phase(const sockopt_spec *spec, size_t i)
{
	return spec && i < spec->count ? spec->items[i].phase : SOCKOPT_PHASE_COUNT;
}

SOCKOPT_EXPORT const sockopt_value *sockopt_spec_value(const sockopt_spec *spec, size_t i)
{
	return spec && i < spec->count ? &spec->items[i].value : NULL;
}

SOCKOPT_EXPORT const char *sockopt_spec_text(const sockopt_spec *spec, size_t i)
{
	return spec && i < spec->count ? spec->items[i].text : NULL;
}

SOCKOPT_EXPORT bool sockopt_spec_has_phase(const sockopt_spec *spec, enum sockopt_phase phase,
					   unsigned kinds)
{
	return spec && (unsigned)phase < SOCKOPT_PHASE_COUNT && (spec->phase_kinds[phase] & kinds);
}

/* The kind names of MASK joined with JOIN ("tcp or tcp6"), into O. */
static void format_kinds(unsigned mask, const char *join, struct out *o)
{
	bool first = true;

	for (unsigned bit = 1; bit & SOCKOPT_KIND_ALL; bit <<= 1) {
		if (!(mask & bit))
			continue;
		out_printf(o, "%s%s", first ? "" : join, sockopt_kind_name(bit));
		first = false;
	}
	if (first)
		out_printf(o, "no");
}

SOCKOPT_EXPORT int sockopt_spec_validate(const sockopt_spec *spec, unsigned kinds,
					 struct sockopt_diag *diag)
{
	for (size_t i = 0; spec && i < spec->count; i++) {
		const struct spec_item *it = &spec->items[i];
		char fits[160], asked[160];
		struct out f = { fits, sizeof(fits), 0 }, a = { asked, sizeof(asked), 0 };

		if (sockopt_entry_kinds(it->entry) & kinds)
			continue;
		format_kinds(sockopt_entry_kinds(it->entry), ", ", &f);
		format_kinds(kinds, " or ", &a);
		return diag_set(diag, -ENOPROTOOPT,
				"\"%s=%s\": %s applies to %s sockets, not to %s sockets.",
				sockopt_entry_name(it->entry), it->text,
				sockopt_entry_name(it->entry), fits, asked);
	}
	return 0;
}

/*
 * Apply item IT to FD of kind KIND (0: a socket sockopt does not cover) and tell REPORT.
 * The readback and the sentences are made only when someone listens.
 */
static bool apply_item(int fd, unsigned kind, const struct spec_item *it,
		       struct sockopt_apply_result *res, sockopt_apply_fn report, void *ctx)
{
	const sockopt_entry *e = it->entry;
	struct sockopt_readback rb;
	struct sockopt_diag d;
	char text[SOCKOPT_TEXT_MAX];
	bool readable = !(sockopt_entry_flags(e) & SOCKOPT_FLAG_SIDE_EFFECT);
	int r;

	res->entry = e;
	res->error = 0;
	res->rb = NULL;
	res->text = text;
	if (!(sockopt_entry_kinds(e) & kind)) {
		res->outcome = SOCKOPT_SKIPPED;
		if (report && kind)
			snprintf(text, sizeof(text), "%s does not apply to a %s socket; skipped.",
				 sockopt_entry_name(e), sockopt_kind_name(kind));
		else if (report)
			snprintf(text, sizeof(text),
				 "fd %d is a socket of a kind sockopt does not cover; %s skipped.",
				 fd, sockopt_entry_name(e));
	} else if ((r = sockopt_set(fd, e, &it->value, report && readable ? &rb : NULL,
				    report ? &d : NULL)) < 0) {
		res->outcome = SOCKOPT_FAILED;
		res->error = r;
		res->text = d.text;
	} else {
		res->outcome = SOCKOPT_APPLIED;
		if (report && readable) {
			res->rb = &rb;
			res->text = rb.text;
		} else if (report) {
			snprintf(text, sizeof(text),
				 "%s set to %s; not read back, because reading it changes state.",
				 sockopt_entry_name(e), it->text);
		}
	}
	if (report)
		report(fd, res, ctx);
	return res->outcome != SOCKOPT_FAILED;
}

SOCKOPT_EXPORT int sockopt_spec_apply_kind(int fd, const sockopt_spec *spec,
					   enum sockopt_phase phase, unsigned kind,
					   sockopt_apply_fn report, void *ctx)
{
	struct sockopt_apply_result res = { .phase = phase };
	int saved = errno, failed = 0;

	if (!spec || (unsigned)phase >= SOCKOPT_PHASE_COUNT)
		return -EINVAL;
	for (size_t i = 0; i < spec->count; i++) {
		if (spec->items[i].phase != phase)
			continue;
		res.index = i;
		failed += !apply_item(fd, kind, &spec->items[i], &res, report, ctx);
	}
	errno = saved;
	return failed;
}

SOCKOPT_EXPORT int sockopt_spec_apply(int fd, const sockopt_spec *spec, enum sockopt_phase phase,
				      sockopt_apply_fn report, void *ctx)
{
	int saved = errno, r;
	unsigned kind = 0;

	if (!spec || (unsigned)phase >= SOCKOPT_PHASE_COUNT)
		return -EINVAL;
	if (!spec->phase_kinds[phase])
		return 0;
	r = sockopt_kind_of_fd(fd, &kind, NULL);
	errno = saved;
	if (r < 0 && r != -EAFNOSUPPORT)
		return r;
	return sockopt_spec_apply_kind(fd, spec, phase, kind, report, ctx);
}
