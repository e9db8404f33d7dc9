/* main.c: the sockopt command: dispatch to one subcommand from a table. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The subcommands in the order `sockopt --help` lists them; each file defines its own row. */
static const struct command *const commands[] = {
	&list_command, &explain_command, &defaults_command, &limits_command, &show_command,
	&set_command,  &lab_command,	 &bench_command,    &run_command,	  &attach_command, &detach_command, &attached_command, &check_command,
	&export_command,
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

const struct command *command_at(size_t i)
{
	return i < COMMAND_COUNT ? commands[i] : NULL;
}

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
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
		*code = fail(EXIT_USAGE, "There is no socket option named \"%s\".", arg_short(name));
	else
		*code = fail(EXIT_USAGE, "There is no socket option named \"%s\"; did you mean %s%s%s%s%s?",
			     arg_short(name), close[0], n > 1 ? (n > 2 ? ", " : " or ") : "",
			     n > 1 ? close[1] : "", n > 2 ? " or " : "", n > 2 ? close[2] : "");
	return NULL;
}

/* The value syntax every spec and assignment uses: `sockopt help values`. */
static const char values_help[] =
	"Option names and values\n\n"
	"An option is named by its kernel constant in any case (TCP_NODELAY, so_reuseaddr) or by\n"
	"an alias (nodelay, tcp.nodelay); '_' and '-' are the same. Output uses kernel names.\n"
	"A spec is NAME=VALUE[,NAME=VALUE...]; -o repeats. The text form of a value follows its\n"
	"type ('sockopt list' shows each option's type, 'sockopt explain NAME' the whole entry):\n\n"
	"  bool        on off yes no true false 1 0\n"
	"  int         decimal or 0x hexadecimal\n"
	"  bytes       212992, 64K, 4M, 1G (powers of 1024; KiB MiB GiB too)\n"
	"  durations   a bare number in the option's own unit, or 250ms, 2s, 1m, 1h, 100us\n"
	"  linger      off, on:30 or 30 (close waits up to 30 s), abort or 0 (close sends RST)\n"
	"  timeval     a duration; a bare number is microseconds\n"
	"  tos         a DSCP name (CS0-CS7, AF11-AF43, EF) with :ECT0 :ECT1 :CE, or a number\n"
	"  names       stream, SOCK_STREAM, inet6, tcp, do, ECONNREFUSED, or the number\n"
	"  address     127.0.0.1:80, [::1]:80, /path, @abstract\n"
	"  ip_mreqn    GROUP[@IFACE], such as 239.1.2.3@lo\n"
	"  hex         any other value, as hexadecimal bytes\n\n"
	"sockopt(1), OPTION NAMES AND VALUES, has the whole list.\n";

static int help(FILE *out)
{
	fprintf(out, "usage: sockopt COMMAND [ARGS]\n\n"
		     "Every socket option, typed, explained and observed.\n\n");
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nExit codes: 0 ok, 1 operation failed, 2 usage error.\n"
		     "Run 'sockopt help COMMAND' (or 'sockopt COMMAND --help') for one command's flags,\n"
		     "'sockopt help values' for the syntax of option values.\n");
	return EXIT_OK;
}

/* `sockopt help [TOPIC]`: the overview, a command's help, or the value syntax. */
static int help_topic(int argc, char **argv)
{
	const struct command *c;

	if (argc < 3)
		return help(stdout);
	if (argc > 3)
		return fail(EXIT_USAGE, "help: unexpected argument \"%s\"; usage: sockopt help [TOPIC]",
			    arg_short(argv[3]));
	if (strcmp(argv[2], "values") == 0)
		return fputs(values_help, stdout), EXIT_OK;
	c = command_find(argv[2]);
	if (!c)
		return fail(EXIT_USAGE, "help: no topic \"%s\"; topics are the commands and values.",
			    arg_short(argv[2]));
	args_help(c);
	return EXIT_OK;
}

/* Whether stdout is a pipe whose reader went away (poll says POLLERR on a pipe without readers). */
static bool reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, 0, 0 };
	struct stat st;

	return fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode) && poll(&p, 1, 0) == 1 &&
	       (p.revents & POLLERR);
}

/*
 * Output that did not reach stdout fails the command: a full disk is one
 * sentence and exit 1; a reader that went away (`sockopt list | head`)
 * ends it quietly, by the signal, as it ends ls.
 */
static int finish_output(int code)
{
	int err = fflush(stdout) != 0 ? errno : 0;

	if (!err && !ferror(stdout))
		return code;
	if (err == EPIPE || reader_gone()) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	if (err)
		return fail(EXIT_FAILED, "Cannot write the output: %s.", strerror(err));
	/* An earlier write failed and its errno is gone. */
	return fail(EXIT_FAILED, "Cannot write the output; what was written is incomplete.");
}

/* The command: dispatch ARGV[1] to its subcommand; no command is a usage error (as ip(8)). */
static int dispatch(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return help(stdout);
	if (strcmp(argv[1], "help") == 0)
		return help_topic(argc, argv);
	if (strcmp(argv[1], "--version") == 0) {
		printf("sockopt %d.%d\n", SOCKOPT_VERSION_MAJOR, SOCKOPT_VERSION_MINOR);
		return EXIT_OK;
	}
	c = command_find(argv[1]);
	if (!c)
		return fail(EXIT_USAGE, "\"%s\" is not a sockopt command; run 'sockopt --help'.",
			    arg_short(argv[1]));
	return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	run_leave_shim(argv);
	return finish_output(dispatch(argc, argv));
}
