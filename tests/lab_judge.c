/* lab_judge.c: every part of every lab claim can fail: fed the fields another kernel would give, the judge says so. */
#include <stdio.h>
#include <string.h>

#include "lab.h"

/*
 * No kernel is involved here: the judge is fed synthetic measured fields.
 * For each claim we build the fields of a kernel on which every measured
 * part holds, then, part by part, the fields of a kernel on which that one
 * part does not; the part must then be judged "fails", the reason must
 * name it, and a claim that agreed must no longer agree.  A check that no
 * field value can make fail (a constant compared with itself, a field the
 * experiment always sets the same way) shows up here.
 */

static int failures;

static void failed(const struct lab_claim *c, const char *what, const char *part)
{
	printf("lab_judge: %s: %s: %s\n", c->id, what, part);
	failures++;
}

/* Is FIELD the subject of some measured part of C? */
static bool is_subject(const struct lab_claim *c, const char *field)
{
	for (size_t i = 0; i < c->nparts; i++)
		if (c->parts[i].field && !c->parts[i].unmeasured && strcmp(c->parts[i].field, field) == 0)
			return true;
	return false;
}

/* The right-hand side of an integer check on R. */
static long long rhs_of(const struct lab_check *p, const struct lab_result *r)
{
	long long num = p->num ? p->num : 1, den = p->den ? p->den : 1;

	return p->other ? lab_num(r, p->other) * num / den : p->value;
}

/* Give P's field on R a value that makes P hold (HOLD) or fail. */
static void set_value(const struct lab_check *p, struct lab_result *r, bool hold)
{
	static const long long hold_delta[] = { 0, 1, -1, 0, 1, 0 }, fail_delta[] = { 1, 0, 0, 1, 0, -1 };
	long long v = rhs_of(p, r);

	if (p->str) {
		bool want_same = (p->op == LAB_NE) != hold;

		lab_str(r, p->field, want_same ? p->str : "EOTHER");
		return;
	}
	lab_int(r, p->field, v + (hold ? hold_delta[p->op] : fail_delta[p->op]));
}

/* Does every measured part of C on its field FIELD hold on R? */
static bool field_holds(const struct lab_claim *c, const char *field, const struct lab_result *r)
{
	char m[LAB_STR_MAX], e[LAB_STR_MAX + 64];

	for (size_t i = 0; i < c->nparts; i++) {
		const struct lab_check *p = &c->parts[i];

		if (p->field && !p->unmeasured && strcmp(p->field, field) == 0 &&
		    lab_check_eval(p, r, m, sizeof(m), e, sizeof(e)) != LAB_HOLDS)
			return false;
	}
	return true;
}

/* Fields on which every measured part of C holds; false when none can be found. */
static bool build_holding(const struct lab_claim *c, struct lab_result *r)
{
	long long next = 1000;

	memset(r, 0, sizeof(*r));
	/* Distinct values, in order, so "after it was sent, before it was read" can hold. */
	for (size_t i = 0; i < c->nparts; i++)
		if (c->parts[i].other && !is_subject(c, c->parts[i].other) &&
		    !lab_field(r, c->parts[i].other))
			lab_int(r, c->parts[i].other, next), next += 1000;
	for (size_t i = 0; i < c->nparts; i++) {
		const struct lab_check *p = &c->parts[i];
		bool found = false;

		if (!p->field || p->unmeasured)
			continue;
		/* Try each part's holding value for this field until all its parts hold. */
		for (size_t k = 0; k < c->nparts && !found; k++) {
			const struct lab_check *q = &c->parts[k];

			if (!q->field || q->unmeasured || strcmp(q->field, p->field))
				continue;
			set_value(q, r, true);
			found = field_holds(c, p->field, r);
		}
		if (!found)
			return false;
	}
	return true;
}

static bool has_unmeasured(const struct lab_claim *c)
{
	for (size_t i = 0; i < c->nparts; i++)
		if (c->parts[i].unmeasured)
			return true;
	return false;
}

/* Part P of C fails on fields that differ from HOLDING in P's field only. */
static void check_part_can_fail(const struct lab_claim *c, const struct lab_check *p,
				const struct lab_result *holding)
{
	static struct lab_result r;
	char m[LAB_STR_MAX], e[LAB_STR_MAX + 64];
	struct lab_judgement j;

	r = *holding;
	set_value(p, &r, false);
	if (lab_check_eval(p, &r, m, sizeof(m), e, sizeof(e)) != LAB_FAILS)
		return failed(c, "a part that cannot fail", p->says);
	lab_judge(c, &r, &j);
	if (!strstr(j.reason, "does not hold") || !strstr(j.reason, p->says))
		failed(c, "the reason does not name the failing part", p->says);
	if (j.verdict == LAB_AGREES)
		failed(c, "still agrees with a failing part", p->says);
}

static void check_claim(const struct lab_claim *c)
{
	static struct lab_result holding;
	struct lab_judgement j;
	size_t measured = 0;

	if (!lab_find(c->experiment))
		return failed(c, "no such experiment", c->experiment);
	if (!lab_seed_find(c->seed) || c->line < 1 || (c->last && c->last < c->line))
		return failed(c, "bad citation", c->seed);
	for (size_t i = 0; i < c->nparts; i++)
		if ((c->parts[i].field && strlen(c->parts[i].field) >= LAB_NAME_MAX) ||
		    (c->parts[i].other && strlen(c->parts[i].other) >= LAB_NAME_MAX))
			return failed(c, "a field name longer than a field can hold", c->parts[i].says);
	if (!build_holding(c, &holding))
		return failed(c, "no fields make all its parts hold (parts contradict)", c->statement);
	lab_judge(c, &holding, &j);
	for (size_t i = 0; i < c->nparts; i++)
		measured += c->parts[i].field && !c->parts[i].unmeasured;
	if (measured && j.verdict != (has_unmeasured(c) ? LAB_PARTLY : LAB_AGREES))
		failed(c, "all parts hold but the verdict is", lab_verdict_name(j.verdict));
	if (!measured && j.verdict != LAB_NOT_MEASURED)
		failed(c, "nothing measured but the verdict is", lab_verdict_name(j.verdict));
	for (size_t i = 0; i < c->nparts; i++)
		if (c->parts[i].field && !c->parts[i].unmeasured)
			check_part_can_fail(c, &c->parts[i], &holding);
}

/* A skipped experiment makes every claim on it "not measured", with the reason. */
static void check_skipped(void)
{
	struct lab_result r = { 0 };
	struct lab_judgement j;

	lab_skip(&r, "needs CAP_NET_ADMIN");
	lab_judge(lab_claim_at(0), &r, &j);
	if (j.verdict != LAB_NOT_MEASURED || !strstr(j.reason, "CAP_NET_ADMIN"))
		failed(lab_claim_at(0), "a skipped experiment is not 'not measured'", j.reason);
}

int main(void)
{
	size_t parts = 0;

	for (size_t i = 0; i < lab_claim_count(); i++) {
		const struct lab_claim *c = lab_claim_at(i);

		for (size_t k = 0; k < i; k++)
			if (strcmp(lab_claim_at(k)->id, c->id) == 0)
				failed(c, "duplicate id", c->id);
		check_claim(c);
		for (size_t k = 0; k < c->nparts; k++)
			parts += c->parts[k].field && !c->parts[k].unmeasured;
	}
	check_skipped();
	if (failures)
		return 1;
	printf("lab_judge: %zu claims, each of their %zu measured parts fails when fed another kernel's field\n",
	       lab_claim_count(), parts);
	return 0;
}
