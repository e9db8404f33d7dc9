/* set_all.c: a change of many options on one socket made all or nothing: check everything, set in order, restore on refusal. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* 1 when sentence S ends with a full stop. */
static int ends_with_stop(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.';
}

/* Whether the value before C can be read now and set again to undo C. */
static bool restorable(const struct sockopt_change *c)
{
	unsigned flags = c->entry->flags;

	return c->before.len > 0 && !(flags & (SOCKOPT_FLAG_SIDE_EFFECT | SOCKOPT_FLAG_TRANSIENT));
}

/* Read the value C->entry has now on FD into C->before (len 0 when it cannot be read). */
static void read_before(int fd, struct sockopt_change *c)
{
	const sockopt_entry *e = readback_entry_on(fd, c->entry);

	memset(&c->before, 0, sizeof(c->before));
	if (!(e->flags & SOCKOPT_FLAG_SIDE_EFFECT) && sockopt_get(fd, e, &c->before, NULL) != 0)
		c->before.len = 0;
}

/* Check change C for FD of kind KIND, before anything is set. */
static int check_one(int fd, unsigned kind, struct sockopt_change *c, struct sockopt_diag *diag)
{
	const sockopt_entry *e = c->entry;
	char text[2 * SOCKOPT_VALUE_MAX];
	int r;

	if (!(e->access & SOCKOPT_ACCESS_SET))
		return diag_set(diag, -EINVAL, "%s is read-only.", e->name);
	if (!(e->kinds & kind)) {
		sockopt_type_format(e->type, &c->value, text, sizeof(text));
		return diag_set(diag, -ENOPROTOOPT, "%s=%.64s does not apply to a %s socket.",
				e->name, text, sockopt_kind_name(kind));
	}
	r = sockopt_value_check(e, &c->value, diag);
	if (r == 0)
		r = sockopt_set_allowed(e, &c->value, diag);
	if (r == 0)
		read_before(fd, c);
	return r;
}

/*
 * Check all N changes; at most one may be impossible to undo, and it is
 * moved last so that nothing needs undoing after it.
 */
static int check_all(int fd, struct sockopt_change *changes, size_t n, struct sockopt_diag *diag)
{
	unsigned kind;
	size_t last = n;
	int r = sockopt_kind_of_fd(fd, &kind, diag);

	for (size_t i = 0; r == 0 && i < n; i++) {
		r = check_one(fd, kind, &changes[i], diag);
		if (r == 0 && !restorable(&changes[i]) && last < n)
			return diag_set(diag, -EINVAL,
					"%s and %s cannot be read back, so a failure could not be "
					"undone; set them one per change.",
					changes[last].entry->name, changes[i].entry->name);
		if (r == 0 && !restorable(&changes[i]))
			last = i;
	}
	if (r == 0 && last < n && last != n - 1) {
		struct sockopt_change moved = changes[last];

		memmove(&changes[last], &changes[last + 1], (n - last - 1) * sizeof(*changes));
		changes[n - 1] = moved;
	}
	return r;
}

/* The value that sets C->entry back to C->before: a doubled size is set as half of what was read. */
static sockopt_value undo_value(const struct sockopt_change *c)
{
	sockopt_value v = c->before;

	if (c->entry->flags & SOCKOPT_FLAG_DOUBLED)
		sockopt_value_set_int(&v, c->before.v.i / 2);
	return v;
}

/* Undo the first N changes on FD, newest first; say in O what was restored and what was not. */
static void undo(int fd, const struct sockopt_change *changes, size_t n,
		 const sockopt_value *lock_before, struct out *o)
{
	const sockopt_entry *lock = sockopt_catalog_find("SO_BUF_LOCK");
	char text[2 * SOCKOPT_VALUE_MAX];

	for (size_t i = n; i-- > 0;) {
		const struct sockopt_change *c = &changes[i];
		sockopt_value v = undo_value(c);
		/* sockopt_set: an IPv6 socket's IP_TOS goes back through IPV6_TCLASS, as it was set. */
		int r = sockopt_set(fd, c->entry, &v, NULL, NULL);

		sockopt_type_format(readback_entry(c->entry)->type, &c->before, text,
				    sizeof(text));
		if (r == 0)
			out_printf(o, "%s %s was restored to %.64s", i + 1 == n ? ";" : ",",
				   c->entry->name, text);
		else
			out_printf(o, "%s %s could not be restored to %.64s (%s)", i + 1 == n ? ";" : ",",
				   c->entry->name, text, errno_name(-r));
	}
	/* Setting a buffer size locks it against autotuning; the lock goes back as it was. */
	if (lock_before->len && lock)
		sockopt_set_unchecked(fd, lock, lock_before, NULL);
}

/* SO_BUF_LOCK of FD when one of the N changes sets a buffer size (which also sets the lock). */
static void read_lock(int fd, const struct sockopt_change *changes, size_t n, sockopt_value *v)
{
	const sockopt_entry *lock = sockopt_catalog_find("SO_BUF_LOCK");

	v->len = 0;
	for (size_t i = 0; i < n; i++)
		if ((changes[i].entry->flags & SOCKOPT_FLAG_DOUBLED) && lock &&
		    sockopt_get(fd, lock, v, NULL) != 0)
			v->len = 0;
}

SOCKOPT_EXPORT int sockopt_set_all(int fd, struct sockopt_change *changes, size_t n,
				   struct sockopt_diag *diag)
{
	struct sockopt_diag d;
	sockopt_value lock_before;
	int r = check_all(fd, changes, n, diag);

	if (r < 0)
		return r;
	read_lock(fd, changes, n, &lock_before);
	for (size_t i = 0; i < n; i++) {
		char text[SOCKOPT_TEXT_MAX];
		struct out o = { text, sizeof(text), 0 };

		r = sockopt_set(fd, changes[i].entry, &changes[i].value, &changes[i].rb, &d);
		if (r == 0)
			continue;
		/* One sentence: the refusal, without its full stop, then what became of the others. */
		out_printf(&o, "%.*s", (int)strcspn(d.text, "\n") - ends_with_stop(d.text), d.text);
		if (i == 0)
			out_printf(&o, "; nothing was changed");
		else
			undo(fd, changes, i, &lock_before, &o);
		return diag_set(diag, r, "%s.", text);
	}
	return 0;
}
