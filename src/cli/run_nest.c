/* run_nest.c: a `sockopt run` inside another: the outer run's options kept aside, then merged under the inner run's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run.h"

/* The name the outer run's variable NAME ("SOCKOPT_SPEC") is kept under ("SOCKOPT_OUTER_SPEC"). */
static const char *outer_name(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "SOCKOPT_OUTER%s", name + strlen("SOCKOPT"));
	return buf;
}

/* Every variable the shim reads, spec variables first. */
static const char *shim_var(size_t i)
{
	static const char *const others[] = { RUN_FLAGS_VAR, RUN_PIN_VAR, RUN_LOG_VAR };

	return i < RUN_VAR_COUNT ? run_vars[i].name : others[i - RUN_VAR_COUNT];
}
#define SHIM_VAR_COUNT (RUN_VAR_COUNT + 3)

void run_nest_keep(void)
{
	char kept[64];

	for (size_t i = 0; i < SHIM_VAR_COUNT; i++) {
		const char *v = getenv(shim_var(i));

		if (v)
			setenv(outer_name(shim_var(i), kept, sizeof(kept)), v, 1);
		unsetenv(shim_var(i));
	}
}

/* The outer value of variable I, taken out of the environment; NULL when none. */
static char *take_outer(size_t i)
{
	char name[64];
	const char *v = getenv(outer_name(shim_var(i), name, sizeof(name)));
	char *copy = v ? strdup(v) : NULL;

	unsetenv(name);
	return copy;
}

/* The option an entry "NAME=VALUE" of LEN bytes names, or NULL. */
static const sockopt_entry *entry_option(const char *entry, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(entry, "="), entry);
	return len > strlen(name) ? sockopt_catalog_find(name) : NULL;
}

/* Whether the spec TEXT has an entry for option E. */
static bool sets(const char *text, const sockopt_entry *e)
{
	for (const char *p = text; p && *p; p += *p == ',') {
		size_t len = strcspn(p, ",");

		if (entry_option(p, len) == e)
			return true;
		p += len;
	}
	return false;
}

/* OUTER's entries that INNER does not override, then INNER: the merged text, or NULL (no memory). */
static char *merge_spec(const char *outer, const char *inner)
{
	char *merged = NULL, entry[512];
	bool ok = true;

	for (const char *p = outer; ok && *p; p += *p == ',') {
		size_t len = strcspn(p, ",");

		snprintf(entry, sizeof(entry), "%.*s", (int)len, p);
		p += len;
		if (!inner || !sets(inner, entry_option(entry, strlen(entry))))
			ok = run_append(&merged, entry);
	}
	if (ok && inner)
		ok = run_append(&merged, inner);
	if (!ok)
		free(merged);
	return ok ? merged : NULL;
}

/* The outer words under REQ's: switches add up; the outer filter holds unless REQ gives one. */
static void merge_words(struct run_request *req, const char *outer)
{
	bool filtered = false;

	for (size_t i = 0; i < RUN_WORD_COUNT; i++)
		filtered |= !run_words[i].switches && strstr(req->words, run_words[i].word);
	for (size_t i = 0; i < RUN_WORD_COUNT; i++)
		if (strstr(outer, run_words[i].word) && (run_words[i].switches || !filtered))
			run_add_word(req, run_words[i].word);
}

/* One line: what the merged request applies, flag by flag. */
static void say_merged(const struct run_request *req)
{
	char line[2048] = "";
	size_t n = 0;

	for (size_t i = 0; i < RUN_VAR_COUNT && n < sizeof(line); i++)
		if (req->text[i])
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s%s %s",
					      i == 0 ? "-o" : "--", i == 0 ? "" : run_vars[i].flag,
					      req->text[i]);
	fprintf(stderr,
		"sockopt: inside another sockopt run: its options are merged under this run's, "
		"this run's winning:%s\n",
		line);
}

int run_nest_merge(struct run_request *req)
{
	bool nested = false;

	for (size_t i = 0; i < SHIM_VAR_COUNT; i++) {
		char *outer = take_outer(i), *merged = NULL;

		if (!outer)
			continue;
		nested = true;
		if (i < RUN_VAR_COUNT && !(merged = merge_spec(outer, req->text[i]))) {
			free(outer);
			return fail(EXIT_FAILED, "Out of memory.");
		}
		if (i < RUN_VAR_COUNT) {
			free(req->text[i]);
			req->text[i] = merged;
		} else if (strcmp(shim_var(i), RUN_FLAGS_VAR) == 0) {
			merge_words(req, outer);
		} else if (strcmp(shim_var(i), RUN_PIN_VAR) == 0 && !run_append(&req->pins, outer)) {
			free(outer);
			return fail(EXIT_FAILED, "Out of memory.");
		} else if (strcmp(shim_var(i), RUN_LOG_VAR) == 0 && !*req->log) {
			snprintf(req->log, sizeof(req->log), "%s", outer);
		}
		free(outer);
	}
	if (nested)
		say_merged(req);
	return EXIT_OK;
}
