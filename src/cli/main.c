/* main.c: the sockopt command: dispatch to one subcommand from a table. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct command commands[] = {
	{ "list", cmd_list, "list [PATTERN] [--level socket|ip|ipv6|tcp|udp] [--json]",
	  "the option catalog" },
	{ "explain", cmd_explain, "explain OPTION [--json]",
	  "one option: semantics, Linux facts, defaults per socket kind, sysctls" },
	{ "defaults", cmd_defaults,
	  "defaults [tcp|tcp6|udp|udp6|raw|raw6|unix|unix-dgram|unix-seqpacket …] [--json]",
	  "every option's value on a fresh socket of each kind" },
	{ "limits", cmd_limits, "limits [--json]", "the kernel tunables that bound options" },
	{ "show", cmd_show,
	  "show [PID[:FD]…] [--all] [--json] [-t|--tcp] [-u|--udp] [-x|--unix] [-w|--raw] "
	  "[-4] [-6] [-l|--listening] [--port N] [--state S] [--side-effects] [--threads N] [--backend bpf|pidfd|auto] [--verbose]",
	  "the sockets of running processes: addresses, state, non-default options" },
	{ "set", cmd_set, "set PID:FD NAME=VALUE… [--dry-run] [--json] | set --match FILTER NAME=VALUE… [--dry-run]",
	  "change options on a live socket of another process; before → after" },
	{ "lab", cmd_lab, "lab [ID…] [--list] [--json] [--markdown]",
	  "check what the seed documents claim against this kernel: claim, observation, verdict" },
	{ "bench", cmd_bench,
	  "bench rr|crr|stream|udp [--duration S] [--json] [--plot FILE.svg] [--variants LIST] "
	  "[--size N] [--buffers LIST] [--count N] [--burst N]",
	  "measure what an option does to traffic on loopback" },
	{ "run", cmd_run,
	  "run [-o SPEC]… [--on-socket SPEC] [--before-bind SPEC] [--before-connect SPEC] "
	  "[--before-listen SPEC] [--after-accept SPEC] [--tcp] [--udp] [-4|-6] [--verbose] "
	  "[--strict] [--cgroup [--pin NAME]… [--report]] -- CMD [ARG…]",
	  "run an unmodified program with options applied to its sockets (LD_PRELOAD)" },
	{ "check", cmd_check, "check POLICY [PID…] [--json] [--backend bpf|pidfd|auto] [--verbose]",
	  "the live sockets against a policy file (sockopt-policy(5)): one line per violation" },
	{ "export", cmd_export,
	  "export [PID…] [--policy FILE] [--textfile FILE | --listen HOST:PORT] "
	  "[--backend bpf|pidfd|auto] [--verbose]",
	  "the sockets as Prometheus metrics: on stdout, in a textfile, or served on /metrics" },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int usage_error(const char *name)
{
	const struct command *c = find_command(name);

	return fail(EXIT_USAGE, "unknown flag or missing argument; usage: sockopt %s",
		    c ? c->usage : name);
}

int usage_help(const char *name)
{
	const struct command *c = find_command(name);

	printf("usage: sockopt %s\n%s.\n", c->usage, c->help);
	return EXIT_OK;
}

const sockopt_entry *find_option_or_fail(const char *name, int *code)
{
	const sockopt_entry *e = sockopt_catalog_find(name);
	const char *close[3];
	size_t n;

	if (e)
		return e;
	n = sockopt_catalog_suggest(name, close, 3);
	if (n == 0)
		*code = fail(EXIT_USAGE, "There is no socket option named \"%s\".", name);
	else
		*code = fail(EXIT_USAGE, "There is no socket option named \"%s\"; did you mean %s%s%s%s%s?",
			     name, close[0], n > 1 ? (n > 2 ? ", " : " or ") : "",
			     n > 1 ? close[1] : "", n > 2 ? " or " : "", n > 2 ? close[2] : "");
	return NULL;
}

static int help(void)
{
	printf("usage: sockopt COMMAND [ARGS]\n\n"
	       "Every socket option, typed, explained and observed.\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\nExit codes: 0 ok, 1 operation failed, 2 usage error.\n"
	       "Run 'sockopt COMMAND --help' for the arguments of one command.\n");
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct command *c;

	run_leave_shim(argv);
	if (argc < 2) {
		help();
		return EXIT_USAGE; /* a command is required: the help, then a usage exit */
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return help();
	if (strcmp(argv[1], "--version") == 0) {
		printf("sockopt %d.%d\n", SOCKOPT_VERSION_MAJOR, SOCKOPT_VERSION_MINOR);
		return EXIT_OK;
	}
	opterr = 0; /* subcommands report bad flags in one sentence of their own */
	c = find_command(argv[1]);
	if (!c)
		return fail(EXIT_USAGE, "\"%s\" is not a sockopt command; run 'sockopt --help'.",
			    argv[1]);
	return c->run(argc - 1, argv + 1);
}
