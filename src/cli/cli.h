/* cli.h: what the subcommands of the sockopt command share. */
#ifndef SOCKOPT_CLI_H
#define SOCKOPT_CLI_H

#include <stdbool.h>

#include "../policy/policy.h"
#include "msg.h"
#include "sockopt.h"

#include "args.h"

/* The subcommands: each cmd_*.c defines its handler and its row (flags, help, examples). */
extern const struct command list_command, explain_command, defaults_command, limits_command,
	show_command, set_command, lab_command, bench_command, run_command, check_command,
	export_command, attach_command, detach_command, attached_command;

/* List the lab experiments about OPTION (for explain), as text and as the JSON array "lab". */
void print_lab_experiments(const char *option);
/* Whether a `sockopt run` command line asks for the cgroup method (--cgroup before the command). */
bool run_wants_cgroup(int argc, char **argv);
/* `sockopt run --cgroup`: the command in a child cgroup with the BPF programs attached. */
int run_cgroup(int argc, char **argv);
/*
 * The reader check and export use (--backend ARG: bpf, pidfd, auto or
 * NULL), chosen as show chooses: *OUT is the BPF reader or NULL for pidfd;
 * -1 after a usage sentence.  The BPF reader reads a socket again through
 * pidfd_getfd when it lacks an option an expectation of POLICY (may be
 * NULL) names, or, with LISTENERS, any option of a TCP listener.
 */
int check_backend(const char *arg, const struct policy *policy, bool listeners, bool verbose,
		  policy_backend_fn *out);
/* Free what check_backend's reader made, after the walk. */
void check_backend_free(void);

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
