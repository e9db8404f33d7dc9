/* args.h: the one argument parser, usage line and --help of every sockopt subcommand. */
#ifndef SOCKOPT_ARGS_H
#define SOCKOPT_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * How a subcommand uses it (see cmd_list.c for a short one):
 *
 *   static const struct flag list_flags[] = {
 *       { 'l', "level", "LEVEL", "only options of LEVEL: socket, ip, ipv6, tcp or udp",
 *         "every level", 0 },
 *       ARGS_FLAG_JSON,
 *       { 0 },
 *   };
 *   const struct command list_command = { "list", cmd_list, "[PATTERN]", "the option catalog",
 *       list_flags, 0, 1, ARGS_FLAGS_ANYWHERE, "PATTERN: ...", { "sockopt list keep", ... } };
 *
 *   int cmd_list(int argc, char **argv)
 *   {
 *       struct args a;
 *       int c;
 *
 *       args_start(&a, &list_command, argc, argv);
 *       while ((c = args_next(&a)) > 0)
 *           if (c == 'l' && sockopt_level_parse(a.value, &level) < 0)
 *               return fail(EXIT_USAGE, "--level: \"%s\" is not a level; ...", arg_short(a.value));
 *       if (c < 0)
 *           return a.code;          // the error was said, or --help printed (0)
 *       ... a.operands[0 .. a.noperands) ...
 *   }
 *
 * Flags go anywhere among the operands (GNU style) unless the command says
 * ARGS_FLAGS_FIRST (run: the first operand is a program with flags of its
 * own); "--" ends the flags; "-abc" clusters switches, "-pVALUE",
 * "--port=VALUE" and "--port VALUE" all give a value.  Flags of one nonzero
 * group exclude each other (lab --json --markdown).  Every error is one
 * line on stderr naming the flag or the argument, and exits 2.  Add the
 * command to commands[] in main.c; its --help, `sockopt help NAME` and the
 * man page check (tests/test_help.sh) then cover it.
 */

/* Keys of flags without a one-letter form start here (a short flag's key is its letter). */
#define ARGS_LONG_ONLY 256

/* One flag: its key, long name, value placeholder (NULL: a switch), meaning, default, group. */
struct flag {
	int key;
	const char *name;
	const char *value;
	const char *help;
	const char *fallback; /* the default as said in --help; NULL for switches (off) */
	int group;	      /* nonzero: at most one flag of this group per command line */
};

/* The --json flag, the same in every command that has one. */
#define ARGS_FLAG_JSON                                                                        \
	{ 'j', "json", NULL, "print JSON; its schema is in sockopt(1), JSON OUTPUT", NULL, 0 }

enum args_order {
	ARGS_FLAGS_ANYWHERE, /* flags and operands mix; "--" ends the flags */
	ARGS_FLAGS_FIRST,    /* the first operand ends the flags (a command line follows) */
};

/* A subcommand: its handler, synopsis, flags, the operands it takes, and its --help text. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *operands; /* as the usage line shows them: "PID:FD NAME=VALUE…" */
	const char *summary;  /* one line, no full stop */
	const struct flag *flags;
	int min_operands, max_operands; /* max -1: no limit */
	enum args_order order;
	const char *details; /* value syntax, or where to read it; may be NULL */
	const char *examples[2];
};

/* The state of one parse: after args_next returns -1, CODE is the exit code. */
struct args {
	const struct command *cmd;
	int argc, next;
	char **argv;
	char *cluster;	     /* the rest of "-abc" still to read */
	const struct flag *flag; /* the flag just returned (several may share a key) */
	char *value;	     /* its value (inside argv) */
	char **operands;     /* argv + 1, compacted to the operands, NULL after the last */
	int noperands;
	int code;
	const struct flag *group_flag[16]; /* the flag that took each group first */
};

/* Begin parsing ARGV (ARGV[0] is the subcommand's name) for CMD. */
void args_start(struct args *a, const struct command *cmd, int argc, char **argv);
/*
 * The next flag's key (its value in a->value), 0 when every argument was
 * read and the operand count is right, or -1 with a->code set: a usage
 * error (said on stderr, 2) or --help (printed, 0).
 */
int args_next(struct args *a);
/* Print CMD's usage line, flags with meanings and defaults, details and examples on stdout. */
void args_help(const struct command *cmd);
/* "usage: sockopt NAME FLAGS… OPERANDS" into BUF: the one-line form. */
void args_usage(const struct command *cmd, char *buf, size_t size);

/* The subcommands, as main.c lists them: for `sockopt help` and the --help of each. */
const struct command *command_find(const char *name);
const struct command *command_at(size_t i);

#endif /* SOCKOPT_ARGS_H */
