/* cmd_bench.c: `sockopt bench`: read the arguments and run one measurement mode from src/bench. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/bench.h"
#include "cli.h"

static const struct bench_mode modes[] = {
	{ "rr", bench_rr, "request/response latency: Nagle, TCP_NODELAY, TCP_CORK, TCP_QUICKACK" },
	{ "crr", bench_crr, "connect/request/response/close rate: who closes first, SO_LINGER 0, "
			    "SO_REUSEADDR, TIME_WAIT" },
	{ "stream", bench_stream, "bulk throughput against SO_SNDBUF/SO_RCVBUF sizes" },
	{ "udp", bench_udp, "UDP loss against SO_RCVBUF under a fast sender" },
};

static const struct bench_mode *find_mode(const char *name)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	return NULL;
}

static int bench_help(void)
{
	usage_help("bench");
	printf("\nModes:\n");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		printf("  %-7s %s\n", modes[i].name, modes[i].help);
	return EXIT_OK;
}

/* Parse a whole positive number of at most MAX; false when TEXT is not one. */
static bool parse_count(const char *text, long max, long *out)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (end == text || *end || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* Check that every entry of a comma-separated LIST is a buffer size or "auto". */
static bool buffers_valid(const char *list)
{
	char buf[256], *save = NULL;
	long v;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save))
		if (strcmp(s, "auto") != 0 && (parse_size(s, &v) < 0 || v <= 0))
			return false;
	return *list != '\0';
}

/* Apply one parsed flag C to A; a usage exit code when its argument is bad, else -1. */
static int take_flag(int c, const char *arg, struct bench_args *a)
{
	char *end;

	switch (c) {
	case 'd':
		a->duration = strtod(arg, &end);
		if (end == arg || *end || !isfinite(a->duration) || a->duration <= 0 ||
		    a->duration > 3600)
			return fail(EXIT_USAGE, "--duration takes seconds between 0 and 3600, not \"%s\".",
				    arg);
		return -1;
	case 's':
		if (parse_size(arg, &a->size) < 0 || a->size <= 0 || a->size > 64 << 20)
			return fail(EXIT_USAGE, "--size takes a size in bytes up to 64M (\"64\", \"128K\"), "
						"not \"%s\".",
				    arg);
		return -1;
	case 'b':
		if (!buffers_valid(arg))
			return fail(EXIT_USAGE, "--buffers takes sizes and \"auto\" separated by commas "
						"(\"auto,64K,4M\"), not \"%s\".",
				    arg);
		a->buffers = arg;
		return -1;
	case 'n':
		if (!parse_count(arg, 100000000, &a->count))
			return fail(EXIT_USAGE, "--count takes a whole number, not \"%s\".", arg);
		return -1;
	case 'B':
		if (!parse_count(arg, 1000000, &a->burst))
			return fail(EXIT_USAGE, "--burst takes a whole number of datagrams, not \"%s\".",
				    arg);
		return -1;
	case 'p':
		a->plot = arg;
		return -1;
	case 'v':
		a->variants = arg;
		return -1;
	case 'j':
		a->json = true;
		return -1;
	case 'h':
		return bench_help();
	default:
		return usage_error("bench");
	}
}

int cmd_bench(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, 'p' },
		{ "variants", required_argument, NULL, 'v' },
		{ "size", required_argument, NULL, 's' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'n' },
		{ "burst", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct bench_args a = { .duration = 2, .burst = -1 };
	const struct bench_mode *m;
	int c, code;

	while ((c = getopt_long(argc, argv, "d:jp:v:s:b:n:B:h", longopts, NULL)) != -1)
		if ((code = take_flag(c, optarg, &a)) >= 0)
			return code;
	if (argc - optind != 1)
		return usage_error("bench");
	m = find_mode(argv[optind]);
	if (!m)
		return fail(EXIT_USAGE, "\"%s\" is not a bench mode; use rr, crr, stream or udp.",
			    argv[optind]);
	return m->run(&a);
}
