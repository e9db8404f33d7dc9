/* values_order.c: the magnitude of a value (a count, a size, a duration) and the order of two values. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "internal.h"
#include "values.h"

/*
 * The magnitude of V in the unit its type states (bytes, seconds,
 * milliseconds, microseconds; a bool is 0 or 1; linger off is -1 and
 * on:N is N seconds; a timeval is microseconds), or -EDOM for types whose
 * values are names, text or addresses.  U64 values (cookies) are kept
 * apart: their full range does not fit a signed number.
 */
static int magnitude(enum sockopt_type t, const sockopt_value *v, long long *out)
{
	struct linger l;
	struct timeval tv;

	switch (t) {
	case SOCKOPT_TYPE_BOOL:
		*out = v->v.i != 0;
		return 0;
	case SOCKOPT_TYPE_INT:
	case SOCKOPT_TYPE_BYTES:
	case SOCKOPT_TYPE_SECONDS:
	case SOCKOPT_TYPE_MICROS:
	case SOCKOPT_TYPE_TOS:
		*out = v->v.i;
		return 0;
	case SOCKOPT_TYPE_UINT:
	case SOCKOPT_TYPE_MILLIS:
		*out = v->v.u;
		return 0;
	case SOCKOPT_TYPE_LINGER:
		value_to_struct(v, &l, sizeof(l));
		*out = l.l_onoff ? l.l_linger : -1;
		return 0;
	case SOCKOPT_TYPE_TIMEVAL:
		value_to_struct(v, &tv, sizeof(tv));
		*out = (long long)tv.tv_sec * 1000000 + tv.tv_usec;
		return 0;
	default:
		return -EDOM;
	}
}

SOCKOPT_EXPORT int sockopt_value_compare(enum sockopt_type t, const sockopt_value *a,
					 const sockopt_value *b, int *order)
{
	long long x, y;

	if (!a || !b || (unsigned)t >= SOCKOPT_TYPE_COUNT)
		return -EINVAL;
	if (t == SOCKOPT_TYPE_U64) {
		*order = (a->v.u64 > b->v.u64) - (a->v.u64 < b->v.u64);
		return 0;
	}
	if (magnitude(t, a, &x) < 0 || magnitude(t, b, &y) < 0)
		return -EDOM;
	*order = (x > y) - (x < y);
	return 0;
}

SOCKOPT_EXPORT int sockopt_value_number(enum sockopt_type t, const sockopt_value *v, double *out)
{
	long long n;

	if (!v || (unsigned)t >= SOCKOPT_TYPE_COUNT)
		return -EINVAL;
	if (t == SOCKOPT_TYPE_U64) {
		*out = (double)v->v.u64;
		return 0;
	}
	if (magnitude(t, v, &n) < 0)
		return -EDOM;
	*out = (double)n;
	return 0;
}
