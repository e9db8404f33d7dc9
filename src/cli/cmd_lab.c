/* cmd_lab.c: `sockopt lab`: run the experiments of src/lab and judge every document's claim on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "../lab/lab.h"
#include "cli.h"
#include "labnet.h"
#include "msg.h"
#include "print.h"

enum lab_format { FORMAT_SUMMARY, FORMAT_VERBOSE, FORMAT_JSON, FORMAT_MARKDOWN };

/* The results of the experiments that ran, by index in the registry. */
struct run_set {
	struct lab_result *result; /* lab_count() entries */
	bool *ran;
	long long total_ms;
};

/* The result of claim C's experiment. */
static const struct lab_result *result_of(const struct run_set *rs, const struct lab_claim *c)
{
	for (size_t i = 0; i < lab_count(); i++)
		if (strcmp(lab_at(i)->id, c->experiment) == 0)
			return rs->ran[i] ? &rs->result[i] : NULL;
	return NULL;
}

/* A field's value as text, timings in ms ("1003.2 ms"), with its unit. */
static void field_value_text(const struct lab_field *f, char *buf, size_t size)
{
	const char *unit = lab_field_unit(f->name);

	if (f->type == LAB_STR)
		snprintf(buf, size, "%s", f->s);
	else if (f->type == LAB_BOOL)
		snprintf(buf, size, "%s", f->i ? "yes" : "no");
	else if (unit && strcmp(unit, "us") == 0)
		snprintf(buf, size, "%.1f ms", f->i / 1000.0);
	else
		snprintf(buf, size, "%lld%s%s", f->i, unit ? " " : "", unit ? unit : "");
}

/* "close_us=1003.2 ms (1001.0–1005.7, 5 runs)": the deciding number of experiment X. */
static void deciding_number(const struct lab_experiment *x, const struct lab_result *r, char *buf,
			    size_t size)
{
	const struct lab_field *f = x->shows ? lab_field(r, x->shows) : NULL;
	char v[LAB_STR_MAX + 16], name[LAB_NAME_MAX + 8];
	const struct lab_field *lo, *hi;

	if (!f) {
		snprintf(buf, size, "-");
		return;
	}
	field_value_text(f, v, sizeof(v));
	snprintf(name, sizeof(name), "%s_min", f->name);
	lo = lab_field(r, name);
	snprintf(name, sizeof(name), "%s_max", f->name);
	hi = lab_field(r, name);
	if (lo && hi)
		snprintf(buf, size, "%s=%s (%.1f–%.1f, median of %d)", f->name, v, lo->i / 1000.0,
			 hi->i / 1000.0, r->runs);
	else
		snprintf(buf, size, "%s=%s", f->name, v);
}

/* "unp:140" or "unp:55-57". */
static void citation(const struct lab_claim *c, char *buf, size_t size)
{
	if (c->last)
		snprintf(buf, size, "%s:%d-%d", c->seed, c->line, c->last);
	else
		snprintf(buf, size, "%s:%d", c->seed, c->line);
}

/* ---- the kernel ---------------------------------------------------------- */

/* Kernel release, architecture and HZ for the report's header. */
static void kernel_line(char *buf, size_t size)
{
	struct utsname u;
	char how[96] = "";
	int hz = lab_hz(how, sizeof(how));

	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	if (hz > 0)
		snprintf(buf, size, "Linux %s %s, HZ %d (%s)", u.release, u.machine, hz, how);
	else
		snprintf(buf, size, "Linux %s %s, HZ unknown (%s)", u.release, u.machine, how);
}

/* ---- JSON ------------------------------------------------------------------ */

static void print_fields_json(const struct lab_result *r)
{
	print_open_object("measured");
	for (size_t i = 0; i < r->nfields; i++) {
		const struct lab_field *f = &r->fields[i];
		const char *unit = lab_field_unit(f->name);

		print_open_object(f->name);
		if (f->type == LAB_STR)
			print_string(PRINT_JSON, "value", NULL, f->s);
		else if (f->type == LAB_BOOL)
			print_bool(PRINT_JSON, "value", NULL, f->i);
		else
			print_int(PRINT_JSON, "value", NULL, f->i);
		if (unit)
			print_string(PRINT_JSON, "unit", NULL, unit);
		print_close_object();
	}
	print_close_object();
}

static void print_parts_json(const struct lab_claim *c, const struct lab_result *r)
{
	static const char *const outcome[] = { "holds", "fails", "not measured" };

	print_open_array("parts");
	for (size_t i = 0; i < c->nparts; i++) {
		const struct lab_check *p = &c->parts[i];
		char measured[LAB_STR_MAX] = "not measured", expected[LAB_STR_MAX + 64] = "";
		enum lab_outcome o = LAB_UNMEASURED;

		if (!p->unmeasured && r && !r->skipped[0])
			o = lab_check_eval(p, r, measured, sizeof(measured), expected, sizeof(expected));
		print_open_object(NULL);
		print_string(PRINT_JSON, "says", NULL, p->says);
		if (p->field) {
			print_string(PRINT_JSON, "field", NULL, p->field);
			print_string(PRINT_JSON, "measured", NULL, measured);
			print_string(PRINT_JSON, "expected", NULL, expected);
		}
		print_string(PRINT_JSON, "verdict", NULL, outcome[o]);
		if (o == LAB_UNMEASURED)
			print_string(PRINT_JSON, "why", NULL,
				     p->unmeasured ? p->unmeasured
				     : r && r->skipped[0] ? r->skipped : "its field was not measured");
		print_close_object();
	}
	print_close_array();
}

static void print_claim_json(const struct lab_claim *c, const struct lab_result *r,
			     const struct lab_judgement *j)
{
	const struct lab_seed *s = lab_seed_find(c->seed);

	print_open_object(NULL);
	print_string(PRINT_JSON, "id", NULL, c->id);
	print_string(PRINT_JSON, "source", NULL, s->name);
	print_string(PRINT_JSON, "source_tag", NULL, s->tag);
	print_string(PRINT_JSON, "seed", NULL, s->file);
	if (c->last) {
		print_open_array("lines");
		print_int(PRINT_JSON, NULL, NULL, c->line);
		print_int(PRINT_JSON, NULL, NULL, c->last);
		print_close_array();
	} else {
		print_int(PRINT_JSON, "line", NULL, c->line);
	}
	print_string(PRINT_JSON, "statement", NULL, c->statement);
	print_string(PRINT_JSON, "experiment", NULL, c->experiment);
	print_parts_json(c, r);
	if (r)
		print_fields_json(r);
	print_string(PRINT_JSON, "verdict", NULL, lab_verdict_name(j->verdict));
	print_string(PRINT_JSON, "reason", NULL, j->reason);
	print_close_object();
}

/* ---- text ------------------------------------------------------------------- */

/* The cited line(s) of C from the seeds directory DIR, when it is there. */
static void print_seed_lines(const struct lab_claim *c, const char *dir)
{
	const struct lab_seed *s = lab_seed_find(c->seed);
	int last = c->last ? c->last : c->line, n = 0;
	char path[512], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, s->file);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f) && ++n <= last)
		if (n >= c->line)
			printf("    | %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

static void print_claim_text(const struct lab_claim *c, const struct lab_judgement *j,
			     const char *seeds)
{
	const struct lab_seed *s = lab_seed_find(c->seed);
	char where[64];

	citation(c, where, sizeof(where));
	printf("  %-12s %s  (%s)\n", lab_verdict_name(j->verdict), c->id, where);
	printf("    %-10s", "source");
	print_wrapped(s->name, 15, 15);
	printf("    %-10s", "file");
	printf("../shared/seeds/%s, line%s %d%s%.0d\n", s->file, c->last ? "s" : "", c->line,
	       c->last ? "-" : "", c->last);
	if (seeds)
		print_seed_lines(c, seeds);
	printf("    %-10s", "says");
	print_wrapped(c->statement, 15, 15);
	printf("    %-10s", "verdict");
	print_wrapped(j->reason, 15, 15);
}

static void print_experiment_text(const struct lab_experiment *x, const struct lab_result *r)
{
	char line[LAB_TEXT_MAX * 4] = "";
	size_t n = 0;

	printf("%s: %s\n", x->id, x->title);
	printf("  %-10s", "method");
	print_wrapped(x->method, 12, 12);
	if (r->observed[0]) {
		printf("  %-10s", "observed");
		print_wrapped(r->observed, 12, 12);
	}
	if (r->skipped[0]) {
		printf("  %-10s", "not run");
		print_wrapped(r->skipped, 12, 12);
	}
	for (size_t i = 0; i < r->nfields && n < sizeof(line) - 1; i++) {
		char v[LAB_STR_MAX + 16];

		field_value_text(&r->fields[i], v, sizeof(v));
		n += snprintf(line + n, sizeof(line) - n, "%s=%s; ", r->fields[i].name, v);
	}
	if (line[0]) {
		printf("  %-10s", "fields");
		print_wrapped(line, 12, 12);
	}
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

static void print_claim_markdown(const struct lab_claim *c, const struct lab_result *r,
				 const struct lab_judgement *j)
{
	const struct lab_experiment *x = lab_find(c->experiment);
	char where[64], number[LAB_STR_MAX * 2];

	citation(c, where, sizeof(where));
	if (r)
		deciding_number(x, r, number, sizeof(number));
	md_cell(c->id);
	md_cell(where);
	md_cell(c->statement);
	md_cell(lab_verdict_name(j->verdict));
	md_cell(r ? number : "-");
	md_cell(j->reason);
	puts("|");
}

/* ---- the one-screen summary ------------------------------------------------ */

static const char verdict_mark[] = { '=', 'x', '~', '?' };

/* One row per experiment: its claims' verdicts grouped by document ("unp=~ adv=x"), and the deciding number. */
static void print_summary_row(const struct lab_experiment *x, const struct lab_result *r,
			      const enum lab_verdict *verdicts)
{
	char marks[256] = "", number[LAB_STR_MAX * 2];
	size_t n = 0;

	for (size_t d = 0; d < lab_seed_count(); d++) {
		const char *tag = lab_seed_at(d)->tag;
		bool named = false;

		for (size_t i = 0; i < lab_claim_count() && n < sizeof(marks) - 32; i++) {
			const struct lab_claim *c = lab_claim_at(i);

			if (strcmp(c->experiment, x->id) || strcmp(c->seed, tag))
				continue;
			if (!named)
				n += snprintf(marks + n, sizeof(marks) - n, "%s%s", n ? " " : "", tag);
			named = true;
			marks[n++] = verdict_mark[verdicts[i]];
			marks[n] = '\0';
		}
	}
	if (!marks[0])
		return;
	if (r->skipped[0])
		snprintf(number, sizeof(number), "not run: %.40s", r->skipped);
	else
		deciding_number(x, r, number, sizeof(number));
	printf("%-26s %-24s %s\n", x->id, marks, number);
}

static void print_summary(const struct run_set *rs, const enum lab_verdict *verdicts,
			  const size_t *counts, size_t nclaims)
{
	char kernel[256];

	kernel_line(kernel, sizeof(kernel));
	printf("sockopt lab: %zu claims of 5 documents judged on %s in %.1f s\n", nclaims, kernel,
	       rs->total_ms / 1000.0);
	printf("%zu agree (=), %zu differ (x), %zu partly (~), %zu not measured (?)\n",
	       counts[LAB_AGREES], counts[LAB_DIFFERS], counts[LAB_PARTLY], counts[LAB_NOT_MEASURED]);
	printf("documents: unp = notes on UNIX Network Programming vol. 1 ch. 7; adv = socket article "
	       "quoting getsockopt(2)/socket(7);\n  go-blog = Go socket-buffer blog post; cnblogs, "
	       "csdn-wiki = SO_LINGER blog posts\n\n");
	printf("%-26s %-24s %s\n", "experiment", "verdicts by document", "deciding number");
	for (size_t i = 0; i < lab_count(); i++)
		if (rs->ran[i])
			print_summary_row(lab_at(i), &rs->result[i], verdicts);
	printf("\nMore: sockopt lab --verbose (everything), sockopt lab ID (one claim, its document's "
	       "line), docs/lab.md.\n");
}

/* ---- running --------------------------------------------------------------- */

/* Run every experiment a chosen claim needs, once. */
static void run_needed(struct run_set *rs, const bool *chosen)
{
	long long t0 = labnet_now_us();

	for (size_t i = 0; i < lab_count(); i++) {
		const struct lab_experiment *x = lab_at(i);
		bool need = false;

		for (size_t k = 0; k < lab_claim_count() && !need; k++)
			need = chosen[k] && strcmp(lab_claim_at(k)->experiment, x->id) == 0;
		if (!need)
			continue;
		if (show_progress())
			fprintf(stderr, "\r\033[K[%zu/%zu] %s …", i + 1, lab_count(), x->id);
		lab_run(x, &rs->result[i]);
		rs->ran[i] = true;
		if (show_progress())
			fputs("\r\033[K", stderr);
	}
	rs->total_ms = (labnet_now_us() - t0) / 1000;
}

/* Mark the claims ARGV names (claim ids, or experiment ids for all their claims); -1 on an unknown one. */
static int choose(char **argv, int argc, bool *chosen)
{
	for (int a = 0; a < argc; a++) {
		bool found = false;

		for (size_t k = 0; k < lab_claim_count(); k++) {
			const struct lab_claim *c = lab_claim_at(k);

			if (strcmp(c->id, argv[a]) == 0 || strcmp(c->experiment, argv[a]) == 0)
				chosen[k] = found = true;
		}
		if (!found)
			return fail(EXIT_USAGE, "There is no lab claim or experiment \"%s\"; run 'sockopt lab --list'.",
				    arg_short(argv[a])), -1;
	}
	if (argc == 0)
		for (size_t k = 0; k < lab_claim_count(); k++)
			chosen[k] = true;
	return 0;
}

static void print_list(const bool *chosen)
{
	print_open_array(NULL);
	for (size_t k = 0; k < lab_claim_count(); k++) {
		const struct lab_claim *c = lab_claim_at(k);
		char where[64];

		if (!chosen[k])
			continue;
		citation(c, where, sizeof(where));
		print_open_object(NULL);
		print_string(PRINT_ANY, "id", "%-34s ", c->id);
		print_string(PRINT_ANY, "experiment", "%-26s ", c->experiment);
		print_string(PRINT_ANY, "citation", "%s\n", where);
		print_string(PRINT_JSON, "seed", NULL, lab_seed_find(c->seed)->file);
		print_close_object();
	}
	print_close_array();
}

struct lab_options {
	enum lab_format format;
	bool list, markdown, json;	/* the flags given */
	const char *seeds;
};

static void report(const struct run_set *rs, const bool *chosen, const struct lab_options *o)
{
	enum lab_verdict *verdicts = calloc(lab_claim_count(), sizeof(*verdicts));
	size_t counts[LAB_VERDICTS] = { 0 }, n = 0;
	const char *last_x = "";

	if (o->format == FORMAT_MARKDOWN)
		puts("| claim | cited | statement | verdict | deciding number | why |\n|---|---|---|---|---|---|");
	print_open_array(NULL);
	for (size_t k = 0; k < lab_claim_count() && verdicts; k++) {
		const struct lab_claim *c = lab_claim_at(k);
		const struct lab_result *r = result_of(rs, c);
		struct lab_judgement j;

		if (!chosen[k] || !r)
			continue;
		lab_judge(c, r, &j);
		verdicts[k] = j.verdict;
		counts[j.verdict]++;
		n++;
		if (o->format == FORMAT_JSON) {
			print_claim_json(c, r, &j);
		} else if (o->format == FORMAT_MARKDOWN) {
			print_claim_markdown(c, r, &j);
		} else if (o->format == FORMAT_VERBOSE) {
			if (strcmp(last_x, c->experiment) != 0)
				print_experiment_text(lab_find(c->experiment), r), last_x = c->experiment;
			print_claim_text(c, &j, o->seeds);
			putchar('\n');
		}
	}
	print_close_array();
	if (o->format == FORMAT_SUMMARY)
		print_summary(rs, verdicts, counts, n);
	else if (o->format == FORMAT_VERBOSE)
		printf("%zu claims in %.1f s: %zu agree, %zu differ, %zu partly, %zu not measured.\n", n,
		       rs->total_ms / 1000.0, counts[LAB_AGREES], counts[LAB_DIFFERS],
		       counts[LAB_PARTLY], counts[LAB_NOT_MEASURED]);
	free(verdicts);
}

static int cmd_lab(int argc, char **argv)
{
	struct lab_options o = { .format = FORMAT_SUMMARY, .seeds = "../shared/seeds" };
	struct run_set rs = { 0 };
	bool *chosen, verbose = false, summary = false;
	int c, code = EXIT_OK;
	struct args a;

	args_start(&a, &lab_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		if (c == 'j')
			o.json = true;
		else if (c == 'm')
			o.markdown = true;
		else if (c == 'l')
			o.list = true;
		else if (c == 'v')
			verbose = true;
		else if (c == 'S')
			summary = true;
		else if (c == 's')
			o.seeds = a.value;
	}
	if (c < 0)
		return a.code;
	o.format = o.json ? FORMAT_JSON : o.markdown ? FORMAT_MARKDOWN
		   : summary ? FORMAT_SUMMARY
		   : verbose || a.noperands ? FORMAT_VERBOSE : FORMAT_SUMMARY;
	chosen = calloc(lab_claim_count(), sizeof(*chosen));
	rs.result = calloc(lab_count(), sizeof(*rs.result));
	rs.ran = calloc(lab_count(), sizeof(*rs.ran));
	if (!chosen || !rs.result || !rs.ran) {
		code = fail(EXIT_FAILED, "lab: out of memory.");
	} else if (choose(a.operands, a.noperands, chosen) < 0) {
		code = EXIT_USAGE;
	} else {
		print_start(o.json);
		if (o.list) {
			print_list(chosen);
		} else {
			run_needed(&rs, chosen);
			report(&rs, chosen, &o);
		}
		print_end();
	}
	free(chosen);
	free(rs.result);
	free(rs.ran);
	return code;
}

/* The four output formats: one at a time. */
enum { LAB_GROUP_FORMAT = 1 };

static const struct flag lab_flags[] = {
	{ 'l', "list", NULL, "name the claims (id, experiment, citation); judge none", NULL, 0 },
	{ 'S', "summary", NULL, "the one-screen table, one row per experiment (the default without ID)",
	  NULL, LAB_GROUP_FORMAT },
	{ 'v', "verbose", NULL, "every experiment's method, observation and fields, every claim in full "
	  "(the default with ID)", NULL, LAB_GROUP_FORMAT },
	{ 'j', "json", NULL, "print JSON, one record per claim; its schema is in docs/lab.md", NULL,
	  LAB_GROUP_FORMAT },
	{ 'm', "markdown", NULL, "print a markdown table: claim, citation, statement, verdict, number",
	  NULL, LAB_GROUP_FORMAT },
	{ 's', "seeds", "DIR", "where the five documents are, to show a claim's cited lines",
	  "../shared/seeds", 0 },
	{ 0 },
};

const struct command lab_command = {
	"lab", cmd_lab, "[ID…]",
	"judge every statement of the five source documents on this kernel, cited by file and line",
	lab_flags, 0, -1, ARGS_FLAGS_ANYWHERE,
	"ID is a claim (unp-linger-abort) or an experiment (linger-abort: all its claims) of\n"
	"'sockopt lab --list'; without ID every claim is judged (about 40 s) and summarised on one\n"
	"screen. Verdicts: agrees, differs, partly, not measured (with why). Experiments that need a\n"
	"silent peer run in a private network namespace and need CAP_NET_ADMIN. docs/lab.md explains.",
	{ "sockopt lab unp-linger-abort", "sockopt lab linger-abort --json" },
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
