/* values_time.c: durations (seconds, milliseconds, microseconds, timeval) and linger as text. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "values.h"

/* ---- durations ----------------------------------------------------------- */

/* Time units in microseconds, largest first (format_duration picks the first exact one). */
static const struct unit duration_units[] = {
	{ "h", 3600000000LL }, { "m", 60000000LL }, { "s", 1000000LL },
	{ "ms", 1000LL }, { "us", 1LL },
};

/*
 * Parse a duration into a count of UNIT_US microsecond units.  A bare number
 * is already in that unit; a suffixed one must be a whole number of units.
 */
static int parse_duration(const char *text, long long unit_us, long long max,
			  long long *out, const char **problem)
{
	long long us;
	int r = parse_scaled(text, duration_units, ARRAY_SIZE(duration_units), unit_us,
			     LLONG_MAX, &us, problem);

	if (r)
		return r;
	if (us % unit_us) {
		*problem = "is finer than this option's unit";
		return -EINVAL;
	}
	if (us / unit_us > max)
		return -ERANGE;
	*out = us / unit_us;
	return 0;
}

/* Print COUNT units of UNIT_US microseconds in the largest exact unit. */
static void format_duration(long long count, long long unit_us, struct out *o)
{
	long long us = count * unit_us;

	if (count == 0) {
		out_printf(o, "0");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
		if (duration_units[i].scale >= unit_us && us % duration_units[i].scale == 0) {
			out_printf(o, "%lld%s", us / duration_units[i].scale,
				   duration_units[i].suffix);
			return;
		}
	}
}

int parse_seconds(const char *text, sockopt_value *v, const char **problem)
{
	long long n;
	int r = parse_duration(text, 1000000LL, INT_MAX, &n, problem);

	if (r == 0)
		sockopt_value_set_int(v, (int)n);
	return r;
}

int parse_millis(const char *text, sockopt_value *v, const char **problem)
{
	long long n;
	int r = parse_duration(text, 1000LL, UINT_MAX, &n, problem);

	if (r == 0) {
		v->v.u = (unsigned)n;
		v->len = sizeof(unsigned);
	}
	return r;
}

int parse_micros(const char *text, sockopt_value *v, const char **problem)
{
	long long n;
	int r = parse_duration(text, 1LL, INT_MAX, &n, problem);

	if (r == 0)
		sockopt_value_set_int(v, (int)n);
	return r;
}

void format_seconds(const sockopt_value *v, struct out *o)
{
	format_duration(v->v.i, 1000000LL, o);
}

void format_millis(const sockopt_value *v, struct out *o)
{
	format_duration(v->v.u, 1000LL, o);
}

void format_micros(const sockopt_value *v, struct out *o)
{
	format_duration(v->v.i, 1LL, o);
}

int parse_timeval(const char *text, sockopt_value *v, const char **problem)
{
	struct timeval tv;
	long long us;
	int r = parse_duration(text, 1LL, LLONG_MAX / 2, &us, problem);

	if (r)
		return r;
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	return value_from_struct(v, &tv, sizeof(tv));
}

static struct timeval value_timeval(const sockopt_value *v)
{
	struct timeval tv;

	value_to_struct(v, &tv, sizeof(tv));
	return tv;
}

void format_timeval(const sockopt_value *v, struct out *o)
{
	struct timeval tv = value_timeval(v);
	long long us;

	/*
	 * A socket may hold a timeout the kernel keeps but no count of microseconds
	 * can: Linux 6.18 stores and returns SO_RCVTIMEO {9e15 s, 0} (measured), and
	 * 9e15 * 10^6 overflows a long long.  Both fields are printed then.
	 */
	if (__builtin_mul_overflow((long long)tv.tv_sec, 1000000LL, &us) ||
	    __builtin_add_overflow(us, (long long)tv.tv_usec, &us)) {
		out_printf(o, "%llds %lldus", (long long)tv.tv_sec, (long long)tv.tv_usec);
		return;
	}
	format_duration(us, 1LL, o);
}

void json_timeval(const sockopt_value *v, struct out *o)
{
	struct timeval tv = value_timeval(v);

	out_printf(o, "{\"sec\": %lld, \"usec\": %lld}", (long long)tv.tv_sec,
		   (long long)tv.tv_usec);
}

/* ---- linger ------------------------------------------------------------ */

int parse_linger(const char *text, sockopt_value *v, const char **problem)
{
	struct linger l = { 1, 0 };
	long long n;
	int r = 0;

	if (strcasecmp(text, "off") == 0)
		l.l_onoff = 0;
	else if (strcasecmp(text, "abort") == 0)
		l.l_linger = 0;
	else if (strncasecmp(text, "on:", 3) == 0)
		r = parse_duration(text + 3, 1000000LL, INT_MAX, &n, problem);
	else
		r = parse_duration(text, 1000000LL, INT_MAX, &n, problem);
	if (r)
		return r;
	if (l.l_onoff && strcasecmp(text, "abort") != 0)
		l.l_linger = (int)n;
	return value_from_struct(v, &l, sizeof(l));
}

static struct linger value_linger(const sockopt_value *v)
{
	struct linger l;

	value_to_struct(v, &l, sizeof(l));
	return l;
}

void format_linger(const sockopt_value *v, struct out *o)
{
	struct linger l = value_linger(v);

	if (l.l_onoff)
		out_printf(o, "on:%d", l.l_linger);
	else
		out_printf(o, "off");
}

void json_linger(const sockopt_value *v, struct out *o)
{
	struct linger l = value_linger(v);

	out_printf(o, "{\"onoff\": %d, \"linger\": %d}", l.l_onoff, l.l_linger);
}
