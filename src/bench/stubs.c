/* stubs.c: the modes not built yet say so (replaced as each mode lands). */
#include "../cli/cli.h"
#include "bench.h"

int bench_crr(const struct bench_args *a)
{
	(void)a;
	return fail(EXIT_FAILED, "bench crr is not built yet.");
}

int bench_stream(const struct bench_args *a)
{
	(void)a;
	return fail(EXIT_FAILED, "bench stream is not built yet.");
}

int bench_udp(const struct bench_args *a)
{
	(void)a;
	return fail(EXIT_FAILED, "bench udp is not built yet.");
}
