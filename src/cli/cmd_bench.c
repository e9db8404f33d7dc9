/* cmd_bench.c: `sockopt bench`: read the arguments and run one measurement mode from src/bench. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/bench.h"
#include "cli.h"

static const struct bench_mode modes[] = {
	{ "rr", bench_rr },
	{ "crr", bench_crr },
	{ "stream", bench_stream },
	{ "udp", bench_udp },
};

static const struct bench_mode *find_mode(const char *name)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	return NULL;
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
			return fail(EXIT_USAGE, "--duration takes a number of seconds above 0 and at most "
						"3600 (\"0.5\", \"10\"), not \"%s\".",
				    arg_short(arg));
		return -1;
	case 's':
		if (parse_size(arg, &a->size) < 0 || a->size <= 0 || a->size > 64 << 20)
			return fail(EXIT_USAGE, "--size takes a size in bytes up to 64M (\"64\", \"128K\"), "
						"not \"%s\".",
				    arg_short(arg));
		return -1;
	case 'b':
		if (!buffers_valid(arg))
			return fail(EXIT_USAGE, "--buffers takes sizes and \"auto\" separated by commas "
						"(\"auto,64K,4M\"), not \"%s\".",
				    arg_short(arg));
		a->buffers = arg;
		return -1;
	case 'n':
		if (!parse_count(arg, 100000000, &a->count))
			return fail(EXIT_USAGE, "--count takes a whole number, not \"%s\".",
				    arg_short(arg));
		return -1;
	case 'B':
		if (!parse_count(arg, 1000000, &a->burst))
			return fail(EXIT_USAGE, "--burst takes a whole number of datagrams, not \"%s\".",
				    arg_short(arg));
		return -1;
	case 'p':
		a->plot = arg;
		return -1;
	case 'v':
		a->variants = arg;
		return -1;
	default:
		a->json = true;
		return -1;
	}
}

static int cmd_bench(int argc, char **argv)
{
	struct bench_args ba = { .duration = 2, .burst = -1 };
	const struct bench_mode *m;
	int c, code;
	struct args a;

	args_start(&a, &bench_command, argc, argv);
	while ((c = args_next(&a)) > 0)
		if ((code = take_flag(c, a.value, &ba)) >= 0)
			return code;
	if (c < 0)
		return a.code;
	m = find_mode(a.operands[0]);
	if (!m)
		return fail(EXIT_USAGE, "\"%s\" is not a bench mode; use rr, crr, stream or udp.",
			    arg_short(a.operands[0]));
	return m->run(&ba);
}

static const struct flag bench_flags[] = {
	{ 'd', "duration", "S", "seconds each variant runs, above 0 and at most 3600", "2", 0 },
	ARGS_FLAG_JSON,
	{ 'p', "plot", "FILE.svg", "also draw the result as an SVG picture in FILE.svg", NULL, 0 },
	{ 'v', "variants", "LIST", "the variants to run, by name, separated by commas",
	  "every variant of the mode", 0 },
	{ 's', "size", "N", "message (rr, crr), write (stream) or datagram (udp) size, up to 64M",
	  "64 for rr and crr, 128K for stream, 1024 for udp", 0 },
	{ 'b', "buffers", "LIST", "stream, udp: SO_SNDBUF/SO_RCVBUF sizes and auto, by commas",
	  "auto,64K,256K,1M,4M for stream, auto,16K,64K,256K,1M,4M for udp", 0 },
	{ 'n', "count", "N", "crr: at most N transactions per variant", "no limit", 0 },
	{ 'B', "burst", "N", "udp: datagrams per burst, 0 sends without pause", "2000", 0 },
	{ 0 },
};

const struct command bench_command = {
	"bench", cmd_bench, "rr|crr|stream|udp", "measure what an option does to traffic on loopback",
	bench_flags, 1, 1, ARGS_FLAGS_ANYWHERE,
	"Modes:\n"
	"  rr      request/response latency: Nagle, TCP_NODELAY, TCP_CORK, TCP_QUICKACK\n"
	"  crr     connect/request/response/close rate: who closes first, SO_LINGER 0, SO_REUSEADDR\n"
	"  stream  bulk throughput against SO_SNDBUF/SO_RCVBUF sizes\n"
	"  udp     UDP loss against SO_RCVBUF under a fast sender\n"
	"Each variant runs against a plain one in the same command; sizes as in 'sockopt help values'.",
	{ "sockopt bench rr --duration 1", "sockopt bench stream --buffers auto,256K --json" },
};
