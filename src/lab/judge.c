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

void lab_judge(const struct lab_experiment *x, struct lab_result *r)
{
	char failed[LAB_TEXT_MAX] = "", unmeasured[LAB_TEXT_MAX] = "";
	size_t holds = 0, judged = 0;

	if (r->skipped[0]) {
		r->verdict = LAB_SKIPPED;
		snprintf(r->reason, sizeof(r->reason), "%s", r->skipped);
		return;
	}
	for (size_t i = 0; i < x->nchecks; i++) {
		const struct lab_check *c = &x->checks[i];
		char measured[LAB_STR_MAX], expected[LAB_STR_MAX + 64];
		enum lab_outcome o = lab_check_eval(c, r, measured, sizeof(measured), expected,
						    sizeof(expected));

		if (c->setup && o != LAB_HOLDS) {
			r->verdict = LAB_SKIPPED;
			snprintf(r->reason, sizeof(r->reason),
				 "the measurement did not work: %s did not hold (%s = %s, expected %s)",
				 c->says, c->field, measured, expected);
			return;
		}
		if (c->setup)
			continue;
		if (o == LAB_UNMEASURED) {
			append(unmeasured, sizeof(unmeasured), "%s%s (%s)", unmeasured[0] ? "; " : "",
			       c->says, c->field);
			continue;
		}
		judged++;
		if (o == LAB_HOLDS)
			holds++;
		else
			append(failed, sizeof(failed), "%s%s: %s = %s, expected %s",
			       failed[0] ? "; " : "", c->says, c->field, measured, expected);
	}
	if (judged == 0) {
		r->verdict = LAB_SKIPPED;
		snprintf(r->reason, sizeof(r->reason), "nothing could be measured: %s", unmeasured);
		return;
	}
	/* A claim with parts left unmeasured can at best partly agree. */
	r->verdict = holds == 0		? LAB_DIFFERS
		     : holds < judged	? LAB_PARTLY
		     : unmeasured[0]	? LAB_PARTLY
					: LAB_AGREES;
	if (r->verdict == LAB_AGREES && judged == 1)
		snprintf(r->reason, sizeof(r->reason), "the claim holds");
	else if (r->verdict == LAB_AGREES)
		snprintf(r->reason, sizeof(r->reason), "all %zu parts of the claim hold", judged);
	else if (holds == judged)
		snprintf(r->reason, sizeof(r->reason), "the %zu measured parts hold", judged);
	else
		snprintf(r->reason, sizeof(r->reason), "%zu of %zu parts hold; not so: %s", holds,
			 judged, failed);
	if (unmeasured[0])
		append(r->reason, sizeof(r->reason), "; not measured: %s", unmeasured);
}
