/* cmd_lab.c: `sockopt lab`: run the experiments of src/lab and report claim, observation and verdict. */
#include <stdio.h>
#include <string.h>

#include "../lab/lab.h"
#include "cli.h"
#include "print.h"

enum lab_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_MARKDOWN };

/* A space-separated list as a JSON array. */
static void print_word_array(const char *key, const char *list)
{
	char word[128];
	size_t len;

	print_open_array(key);
	for (const char *w; (w = sockopt_word_next(&list, &len));) {
		snprintf(word, sizeof(word), "%.*s", (int)len, w);
		print_string(PRINT_JSON, NULL, NULL, word);
	}
	print_close_array();
}

static void print_fields_json(const struct lab_result *r)
{
	print_open_object("fields");
	for (size_t i = 0; i < r->nfields; i++) {
		const struct lab_field *f = &r->fields[i];

		if (f->type == LAB_STR)
			print_string(PRINT_JSON, f->name, NULL, f->s);
		else if (f->type == LAB_BOOL)
			print_bool(PRINT_JSON, f->name, NULL, f->i);
		else
			print_int(PRINT_JSON, f->name, NULL, f->i);
	}
	print_close_object();
}

static void print_checks_json(const struct lab_experiment *x, const struct lab_result *r)
{
	static const char *const outcome[] = { "holds", "fails", "not measured" };

	print_open_array("checks");
	for (size_t i = 0; i < x->nchecks && r->verdict != LAB_SKIPPED; i++) {
		char measured[LAB_STR_MAX], expected[LAB_STR_MAX + 64];
		enum lab_outcome o = lab_check_eval(&x->checks[i], r, measured, sizeof(measured),
						    expected, sizeof(expected));

		print_open_object(NULL);
		print_string(PRINT_JSON, "says", NULL, x->checks[i].says);
		print_string(PRINT_JSON, "field", NULL, x->checks[i].field);
		print_string(PRINT_JSON, "measured", NULL, measured);
		print_string(PRINT_JSON, "expected", NULL, expected);
		print_string(PRINT_JSON, "outcome", NULL, outcome[o]);
		print_bool(PRINT_JSON, "setup", NULL, x->checks[i].setup);
		print_close_object();
	}
	print_close_array();
}

static void print_json(const struct lab_experiment *x, const struct lab_result *r)
{
	print_open_object(NULL);
	print_string(PRINT_JSON, "id", NULL, x->id);
	print_string(PRINT_JSON, "title", NULL, x->title);
	print_word_array("source", x->source);
	print_word_array("options", x->options);
	print_string(PRINT_JSON, "claim", NULL, x->claim);
	print_string(PRINT_JSON, "method", NULL, x->method);
	print_open_object("observed");
	print_string(PRINT_JSON, "text", NULL, r->observed);
	print_fields_json(r);
	print_close_object();
	print_checks_json(x, r);
	print_string(PRINT_JSON, "verdict", NULL, lab_verdict_name(r->verdict));
	print_string(PRINT_JSON, "reason", NULL, r->reason);
	print_int(PRINT_JSON, "elapsed_ms", NULL, r->elapsed_ms);
	print_close_object();
}

static void print_text_report(const struct lab_experiment *x, const struct lab_result *r)
{
	printf("%-8s %-28s %s\n", lab_verdict_name(r->verdict), x->id, x->title);
	printf("  %-10s", "claim");
	print_wrapped(x->claim, 12, 12);
	printf("  %-10s", "source");
	print_wrapped(x->source, 12, 12);
	printf("  %-10s", "method");
	print_wrapped(x->method, 12, 12);
	if (r->observed[0]) {
		printf("  %-10s", "observed");
		print_wrapped(r->observed, 12, 12);
	}
	if (r->nfields) {
		char line[LAB_TEXT_MAX * 2] = "";
		size_t n = 0;

		for (size_t i = 0; i < r->nfields && n < sizeof(line); i++) {
			const struct lab_field *f = &r->fields[i];

			if (f->type == LAB_STR)
				n += snprintf(line + n, sizeof(line) - n, "%s=%s ", f->name, f->s);
			else if (f->type == LAB_BOOL)
				n += snprintf(line + n, sizeof(line) - n, "%s=%s ", f->name, f->i ? "yes" : "no");
			else
				n += snprintf(line + n, sizeof(line) - n, "%s=%lld ", f->name, f->i);
		}
		printf("  %-10s", "fields");
		print_wrapped(line, 12, 12);
	}
	printf("  %-10s", "verdict");
	print_wrapped(r->reason, 12, 12);
	putchar('\n');
}

/* A markdown table cell: pipes escaped, no newlines. */
static void md_cell(const char *s)
{
	fputs("| ", stdout);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s == '\n' ? ' ' : *s);
	}
	putchar(' ');
}

static void print_markdown(const struct lab_experiment *x, const struct lab_result *r)
{
	char verdict[LAB_TEXT_MAX + 16];

	snprintf(verdict, sizeof(verdict), "**%s**: %s", lab_verdict_name(r->verdict), r->reason);
	md_cell(x->id);
	md_cell(x->claim);
	md_cell(r->observed[0] ? r->observed : "-");
	md_cell(verdict);
	puts("|");
}

static void print_list(const struct lab_experiment *const *chosen, size_t n)
{
	print_open_array(NULL);
	for (size_t i = 0; i < n; i++) {
		const struct lab_experiment *x = chosen[i];
		const char *needs = (x->needs & LAB_NEEDS_NETNS) ? "CAP_NET_ADMIN"
				    : (x->needs & LAB_NEEDS_RAW) ? "CAP_NET_RAW" : "";

		print_open_object(NULL);
		print_string(PRINT_ANY, "id", "%-28s ", x->id);
		print_string(PRINT_ANY, "needs", "%-14s ", needs);
		print_string(PRINT_ANY, "title", "%s\n", x->title);
		print_word_array("source", x->source);
		print_word_array("options", x->options);
		print_close_object();
	}
	print_close_array();
}

/* Run the chosen experiments and print them in FORMAT. */
static void run_all(const struct lab_experiment *const *chosen, size_t n, enum lab_format format)
{
	size_t counts[4] = { 0 };
	long long total_ms = 0;

	if (format == FORMAT_MARKDOWN)
		puts("| id | claim | observed on this kernel | verdict |\n|---|---|---|---|");
	print_open_array(NULL);
	for (size_t i = 0; i < n; i++) {
		struct lab_result r;

		if (show_progress())
			fprintf(stderr, "\r\033[K[%zu/%zu] %s …", i + 1, n, chosen[i]->id);
		lab_run(chosen[i], &r);
		if (show_progress())
			fputs("\r\033[K", stderr);
		counts[r.verdict]++;
		total_ms += r.elapsed_ms;
		if (format == FORMAT_JSON)
			print_json(chosen[i], &r);
		else if (format == FORMAT_MARKDOWN)
			print_markdown(chosen[i], &r);
		else
			print_text_report(chosen[i], &r);
		fflush(stdout);
	}
	print_close_array();
	if (format == FORMAT_TEXT)
		printf("%zu experiments in %.1f s: %zu agree, %zu differ, %zu partly, %zu skipped.\n", n,
		       total_ms / 1000.0, counts[LAB_AGREES], counts[LAB_DIFFERS], counts[LAB_PARTLY],
		       counts[LAB_SKIPPED]);
}

static int cmd_lab(int argc, char **argv)
{
	const struct lab_experiment *chosen[256];
	enum lab_format format = FORMAT_TEXT;
	bool list = false;
	size_t n = 0;
	int c;
	struct args a;

	args_start(&a, &lab_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		if (c == 'j')
			format = FORMAT_JSON;
		else if (c == 'm')
			format = FORMAT_MARKDOWN;
		else
			list = true;
	}
	if (c < 0)
		return a.code;
	for (int i = 0; i < a.noperands; i++) {
		const struct lab_experiment *x = lab_find(a.operands[i]);

		if (!x)
			return fail(EXIT_USAGE, "There is no lab experiment \"%s\"; run 'sockopt lab --list'.",
				    arg_short(a.operands[i]));
		if (n < sizeof(chosen) / sizeof(chosen[0]))
			chosen[n++] = x;
	}
	if (a.noperands == 0)
		for (; n < lab_count() && n < sizeof(chosen) / sizeof(chosen[0]); n++)
			chosen[n] = lab_at(n);
	print_start(format == FORMAT_JSON);
	if (list)
		print_list(chosen, n);
	else
		run_all(chosen, n, format);
	print_end();
	return EXIT_OK;
}

/* --json and --markdown are two output formats: one at a time. */
enum { LAB_GROUP_FORMAT = 1 };

static const struct flag lab_flags[] = {
	{ 'l', "list", NULL, "name the experiments (id, privilege needed, title); run none", NULL, 0 },
	{ 'j', "json", NULL, "print JSON; its schema is in sockopt(1), JSON OUTPUT", NULL,
	  LAB_GROUP_FORMAT },
	{ 'm', "markdown", NULL, "print a markdown table: id, claim, observation, verdict", NULL,
	  LAB_GROUP_FORMAT },
	{ 0 },
};

const struct command lab_command = {
	"lab", cmd_lab, "[ID…]",
	"check what the seed documents claim against this kernel: claim, observation, verdict",
	lab_flags, 0, -1, ARGS_FLAGS_ANYWHERE,
	"ID is an experiment of 'sockopt lab --list'; without ID, every experiment runs (well under\n"
	"a minute). Experiments that need a silent peer run in a private network namespace and are\n"
	"skipped without CAP_NET_ADMIN. docs/lab.md explains the verdicts.",
	{ "sockopt lab linger-abort", "sockopt lab --list" },
};

void print_lab_experiments(const char *option)
{
	bool any = false;

	print_open_array("lab");
	for (size_t i = 0; i < lab_count(); i++) {
		const struct lab_experiment *x = lab_at(i);

		if (!lab_is_about(x, option))
			continue;
		if (!any)
			print_text("\nLab experiments about it (run with 'sockopt lab ID'):\n");
		any = true;
		print_string(PRINT_ANY, NULL, "  %-28s ", x->id);
		print_text("%s\n", x->title);
	}
	print_close_array();
}
