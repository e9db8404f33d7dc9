/* cli.h: what the subcommands of the sockopt command share. */
#ifndef SOCKOPT_CLI_H
#define SOCKOPT_CLI_H

#include <stdbool.h>

#include "../policy/policy.h"
#include "msg.h"
#include "sockopt.h"

/* A subcommand: its name, handler and one line of help. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

int cmd_list(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_defaults(int argc, char **argv);
int cmd_limits(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_lab(int argc, char **argv);
/* List the lab experiments about OPTION (for explain), as text and as the JSON array "lab". */
void print_lab_experiments(const char *option);
int cmd_bench(int argc, char **argv);
int cmd_run(int argc, char **argv);
/* Whether a `sockopt run` command line asks for the cgroup method (--cgroup before the command). */
bool run_wants_cgroup(int argc, char **argv);
/* `sockopt run --cgroup`: the command in a child cgroup with the BPF programs attached. */
int run_cgroup(int argc, char **argv);
int cmd_check(int argc, char **argv);
/*
 * The reader check and export use (--backend ARG: bpf, pidfd, auto or
 * NULL) for sockets of KINDS, chosen as show chooses: *OUT is the BPF
 * reader or NULL for pidfd; -1 after a usage sentence.
 */
int check_backend(const char *arg, unsigned kinds, bool verbose, policy_backend_fn *out);
int cmd_export(int argc, char **argv);

/* Report an unknown option or missing argument of subcommand NAME; returns EXIT_USAGE. */
int usage_error(const char *name);
/* Print the usage line of subcommand NAME on stdout; returns EXIT_OK. */
int usage_help(const char *name);
/* Find an option by name, or say so with up to three suggestions (exit 2). */
const sockopt_entry *find_option_or_fail(const char *name, int *code);
/*
 * The sockopt command never runs under its own preload shim: inside
 * `sockopt run -- sh`, a `sockopt show` or `defaults` would have the spec
 * applied to the fresh sockets it compares against.  When the shim is in
 * LD_PRELOAD, drop it and the spec variables, and execute ARGV again.
 */
void run_leave_shim(char **argv);
/* sockopt set --match FILTER NAME=VALUE… (set_match.c): the NARGS assignments of ARGS; an exit code. */
int set_match(const char *filter, char **args, int nargs, bool dry_run);

#endif /* SOCKOPT_CLI_H */
