/* judge.c: the verdict of an experiment, computed from its measured fields and its table of checks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"

static const char *const op_text[] = { "==", "!=", "<", "<=", ">", ">=" };

static bool compare_int(enum lab_op op, long long a, long long b)
{
	switch (op) {
	case LAB_EQ: return a == b;
	case LAB_NE: return a != b;
	case LAB_LT: return a < b;
	case LAB_LE: return a <= b;
	case LAB_GT: return a > b;
	case LAB_GE: return a >= b;
	}
	return false;
}

static void field_text(const struct lab_field *f, char *buf, size_t size)
{
	if (f->type == LAB_STR)
		snprintf(buf, size, "%s", f->s);
	else if (f->type == LAB_BOOL)
		snprintf(buf, size, "%s", f->i ? "yes" : "no");
	else
		snprintf(buf, size, "%lld", f->i);
}

/* The right-hand side of C as text, and as a number in *RHS (when it is one). */
static bool check_rhs(const struct lab_check *c, const struct lab_result *r, long long *rhs,
		      char *expected, size_t esize)
{
	long long num = c->num ? c->num : 1, den = c->den ? c->den : 1;
	const struct lab_field *g;

	if (c->str) {
		snprintf(expected, esize, "%s %s", op_text[c->op], c->str);
		return true;
	}
	if (!c->other) {
		*rhs = c->value;
		snprintf(expected, esize, "%s %lld", op_text[c->op], c->value);
		return true;
	}
	g = lab_field(r, c->other);
	if (!g || g->type == LAB_STR) {
		snprintf(expected, esize, "%s %s", op_text[c->op], c->other);
		return false;
	}
	*rhs = g->i * num / den;
	if (num == 1 && den == 1)
		snprintf(expected, esize, "%s %s (%lld)", op_text[c->op], c->other, *rhs);
	else if (den == 1)
		snprintf(expected, esize, "%s %lld × %s (%lld)", op_text[c->op], num, c->other, *rhs);
	else
		snprintf(expected, esize, "%s %lld/%lld × %s (%lld)", op_text[c->op], num, den,
			 c->other, *rhs);
	return true;
}

enum lab_outcome lab_check_eval(const struct lab_check *c, const struct lab_result *r,
				char *measured, size_t msize, char *expected, size_t esize)
{
	const struct lab_field *f = lab_field(r, c->field);
	long long rhs = 0;
	bool have_rhs = check_rhs(c, r, &rhs, expected, esize);

	if (!f) {
		snprintf(measured, msize, "not measured");
		return LAB_UNMEASURED;
	}
	field_text(f, measured, msize);
	if (!have_rhs)
		return LAB_UNMEASURED;
	if (c->str) {
		bool same = f->type == LAB_STR && strcmp(f->s, c->str) == 0;

		return (c->op == LAB_NE ? !same : same) ? LAB_HOLDS : LAB_FAILS;
	}
	if (f->type == LAB_STR)
		return LAB_UNMEASURED;
	return compare_int(c->op, f->i, rhs) ? LAB_HOLDS : LAB_FAILS;
}

/* Append formatted text to BUF (always terminated). */
static void __attribute__((format(printf, 3, 4))) append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

bool lab_setup_holds(const struct lab_experiment *x, struct lab_result *r)
{
	for (size_t i = 0; i < x->nchecks && !r->skipped[0]; i++) {
		char measured[LAB_STR_MAX], expected[LAB_STR_MAX + 64];
		const struct lab_check *c = &x->checks[i];

		if (lab_check_eval(c, r, measured, sizeof(measured), expected, sizeof(expected)) !=
		    LAB_HOLDS)
			lab_skip(r, "the measurement did not work: %s did not hold (%s = %s, expected %s)",
				 c->says, c->field, measured, expected);
	}
	return !r->skipped[0];
}

/* What the parts of one claim came to. */
struct tally {
	size_t holds, judged;
	char failed[LAB_TEXT_MAX], held[LAB_TEXT_MAX], unmeasured[LAB_TEXT_MAX];
};

static void tally_part(struct tally *t, const struct lab_check *c, const struct lab_result *r)
{
	char measured[LAB_STR_MAX], expected[LAB_STR_MAX + 64];
	enum lab_outcome o = c->unmeasured ? LAB_UNMEASURED
				: lab_check_eval(c, r, measured, sizeof(measured), expected,
						 sizeof(expected));

	if (o == LAB_UNMEASURED) {
		append(t->unmeasured, sizeof(t->unmeasured), "%s%s (%s)", t->unmeasured[0] ? "; " : "",
		       c->says, c->unmeasured ? c->unmeasured : "its field was not measured");
		return;
	}
	t->judged++;
	if (o == LAB_HOLDS) {
		t->holds++;
		append(t->held, sizeof(t->held), "%s%s", t->held[0] ? "; " : "", c->says);
	} else {
		append(t->failed, sizeof(t->failed), "%s%s: %s = %s, expected %s",
		       t->failed[0] ? "; " : "", c->says, c->field, measured, expected);
	}
}

/*
 * The verdict follows from the parts: all measured and holding, agrees;
 * none holding, differs; anything between (some fail, or some could not
 * be measured), partly, with the parts named; nothing measured at all,
 * not measured.
 */
void lab_judge(const struct lab_claim *c, const struct lab_result *r, struct lab_judgement *j)
{
	struct tally t = { 0 };

	if (r->skipped[0]) {
		j->verdict = LAB_NOT_MEASURED;
		snprintf(j->reason, sizeof(j->reason), "%s", r->skipped);
		return;
	}
	for (size_t i = 0; i < c->nparts; i++)
		tally_part(&t, &c->parts[i], r);
	if (t.judged == 0) {
		j->verdict = LAB_NOT_MEASURED;
		j->reason[0] = '\0';
		append(j->reason, sizeof(j->reason), "not measured: %s", t.unmeasured);
		return;
	}
	j->verdict = t.holds == 0		      ? LAB_DIFFERS
		     : t.holds < t.judged || t.unmeasured[0] ? LAB_PARTLY
							     : LAB_AGREES;
	j->reason[0] = '\0';
	if (j->verdict == LAB_AGREES)
		append(j->reason, sizeof(j->reason), "%s", t.held);
	else if (t.holds)
		append(j->reason, sizeof(j->reason), "holds: %s", t.held);
	if (t.failed[0])
		append(j->reason, sizeof(j->reason), "%sdoes not hold: %s", j->reason[0] ? ". " : "",
		       t.failed);
	if (t.unmeasured[0])
		append(j->reason, sizeof(j->reason), "%snot measured: %s", j->reason[0] ? ". " : "",
		       t.unmeasured);
}

const char *lab_verdict_name(enum lab_verdict v)
{
	static const char *const names[] = { "agrees", "differs", "partly", "not measured" };

	return names[v];
}

const char *lab_field_unit(const char *name)
{
	static const struct {
		const char *suffix, *unit;
	} units[] = {
		{ "_us", "us" },     { "_us_min", "us" }, { "_us_max", "us" }, { "_ms", "ms" },
		{ "_s", "s" },	     { "_bytes", "bytes" }, { "buf", "bytes" }, { "_mem", "bytes" },
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < LAB_ARRAY_SIZE(units); i++) {
		size_t k = strlen(units[i].suffix);

		if (n > k && strcmp(name + n - k, units[i].suffix) == 0)
			return units[i].unit;
	}
	return NULL;
}
