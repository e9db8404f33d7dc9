/* fuzz_policy.c: libFuzzer target for the policy parser: policy_parse_text on any text. */
/*
 * The input is a policy file's text.  Parsing must not crash or leak; a
 * rejected policy has one line of diagnosis that starts with the file's
 * name, a line and a column inside the text, and yields no rules; an
 * accepted one has rules that each expect something, whose values meet
 * their own "=" and whose canonical texts start with the option's name.
 */
#include "fuzz.h"
#include "policy.h"

/* Whether the diagnosis is "fuzz.policy:LINE:COLUMN: …" on one line, LINE within the text's LINES. */
static bool located(const char *text, size_t lines)
{
	unsigned long line, col;
	int used = 0;

	if (sscanf(text, "fuzz.policy:%lu:%lu: %n", &line, &col, &used) != 2 || used == 0)
		return strncmp(text, "cannot read", 11) == 0;
	return line >= 1 && line <= lines && col >= 1 && !strchr(text, '\n');
}

static void check_rules(const struct policy *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		FUZZ_ASSERT(r->nexpect > 0, "rule %zu expects nothing", i);
		for (size_t j = 0; j < r->nexpect; j++) {
			const struct policy_expect *x = &r->expect[j];
			const char *name = sockopt_entry_name(x->entry);

			FUZZ_ASSERT(strncmp(x->text, name, strlen(name)) == 0, "\"%s\" is not %s's",
				    x->text, name);
			if (x->op == POLICY_EQ)
				FUZZ_ASSERT(policy_expect_holds(x, &x->value) == 1,
					    "%s does not meet itself", x->text);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[FUZZ_TEXT_MAX];
	struct policy p = { NULL, 0 };
	struct sockopt_diag diag;
	size_t lines = 1;

	fuzz_text(data, size, text, sizeof(text));
	for (const char *c = text; *c; c++)
		lines += *c == '\n';
	diag.text[0] = '\0';
	if (policy_parse_text("fuzz.policy", text, &p, &diag) < 0) {
		FUZZ_ASSERT(p.rules == NULL, "a rejected policy has rules");
		/* An include names its own file; only errors of this text are checked for place. */
		if (strncmp(diag.text, "fuzz.policy:", 12) == 0 || strncmp(diag.text, "cannot", 6) == 0)
			FUZZ_ASSERT(located(diag.text, lines), "unplaced diagnosis \"%s\"", diag.text);
		return 0;
	}
	check_rules(&p);
	policy_free(&p);
	return 0;
}
