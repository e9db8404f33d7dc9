/* run_cgroup.c: `sockopt run --cgroup`: the command in a fresh child cgroup whose sockets the BPF programs set. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_cli.h"
#include "cli.h"
#include "run_env.h"

/* Getopt values beyond the characters: a spec variable is 256 + its index. */
enum { OPT_VAR = 256, OPT_PIN = 512, OPT_REPORT, OPT_CGROUP, OPT_WORD = 768 };

/* The moments the entries of a `sockopt run` slot are applied at (0: their phase's). */
static const unsigned slot_when[RUN_SLOT_COUNT] = {
	[RUN_SLOT_COMMON] = 0,
	[RUN_SLOT_CONNECT] = CG_CONNECT,
	[RUN_SLOT_LISTEN] = CG_LISTEN,
	[RUN_SLOT_ACCEPT] = CG_ACCEPT,
};

/* The sockets the cgroup hooks see. */
#define CG_KINDS (RUN_KINDS_TCP | RUN_KINDS_UDP)

bool run_wants_cgroup(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (strcmp(argv[i], "--cgroup") == 0)
			return true;
		if (argv[i][0] != '-')
			return false; /* the command: its own flags are its own */
		/* Skip the argument of a flag that takes one. */
		i += strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--pin") == 0;
		for (size_t v = 0; v < RUN_VAR_COUNT; v++)
			i += strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, run_vars[v].flag) == 0;
	}
	return false;
}

/* One spec flag as given: which variable, and its text. */
struct spec_flag {
	size_t var;
	const char *text;
};

/* What the command line asked for. */
struct cg_run {
	struct cg_request req;
	struct spec_flag spec[CG_MAX_ENTRIES];
	size_t nspec;
	const char *pins[CG_MAX_ENTRIES];
	size_t npins;
	char words[128];
};

static void add_word(struct cg_run *run, const char *word)
{
	size_t len = strlen(run->words);

	if (!strstr(run->words, word))
		snprintf(run->words + len, sizeof(run->words) - len, "%s%s", len ? "," : "", word);
}

/* Take flag C of getopt; false on a flag that is not ours. */
static bool take_flag(struct cg_run *run, int c)
{
	if (c >= OPT_WORD && c < OPT_WORD + (int)RUN_WORD_COUNT)
		add_word(run, run_words[c - OPT_WORD].word);
	else if (c == '4' || c == '6' || c == 'v')
		add_word(run, c == '4' ? "ipv4" : c == '6' ? "ipv6" : "verbose");
	else if ((c == 'o' || (c >= OPT_VAR && c < OPT_VAR + (int)RUN_VAR_COUNT)) &&
		 run->nspec < CG_MAX_ENTRIES)
		run->spec[run->nspec++] = (struct spec_flag){ c == 'o' ? 0 : (size_t)(c - OPT_VAR),
							      optarg };
	else if (c == OPT_PIN && run->npins < CG_MAX_ENTRIES)
		run->pins[run->npins++] = optarg;
	else if (c == OPT_REPORT)
		run->req.report = true;
	else
		return c == OPT_CGROUP;
	return true;
}

/* Turn the spec flags and pins into entries, under the kind filter of the words; an exit code. */
static int build_request(struct cg_run *run)
{
	unsigned kinds = SOCKOPT_KIND_ALL, switches = 0;
	int code = EXIT_OK;

	run_flags_parse(run->words, &kinds, &switches);
	run->req.verbose = switches & RUN_VERBOSE;
	for (size_t i = 0; i < run->nspec && code == EXIT_OK; i++) {
		const struct run_var *v = &run_vars[run->spec[i].var];
		char flag[32];

		snprintf(flag, sizeof(flag), "%s%s", run->spec[i].var ? "--" : "-o",
			 run->spec[i].var ? v->flag : "");
		run->req.kinds = kinds & CG_KINDS & v->kinds;
		code = cg_request_add(&run->req, flag, run->spec[i].text, v->phase,
				      slot_when[v->slot]);
	}
	if (code == EXIT_OK && run->req.count == 0)
		return fail(EXIT_USAGE, "No options to apply; give at least one, e.g. -o TCP_NODELAY=on.");
	for (size_t i = 0; i < run->npins && code == EXIT_OK; i++)
		code = cg_request_pin(&run->req, run->pins[i]);
	return code;
}

/* Parse the flags up to the command: its index, or 0 with the exit code in *CODE. */
static int parse_flags(int argc, char **argv, struct cg_run *run, int *code)
{
	struct option longopts[RUN_VAR_COUNT + RUN_WORD_COUNT + 5];
	size_t n = 0;
	int c;

	for (size_t i = 0; i < RUN_VAR_COUNT; i++)
		longopts[n++] = (struct option){ run_vars[i].flag, required_argument, NULL,
						 OPT_VAR + (int)i };
	/* --report is the cgroup method's own (the preload's report word means another report). */
	for (size_t i = 0; i < RUN_WORD_COUNT; i++)
		if (!(run_words[i].switches & RUN_REPORT))
			longopts[n++] = (struct option){ run_words[i].word, no_argument, NULL,
							 OPT_WORD + (int)i };
	longopts[n++] = (struct option){ "pin", required_argument, NULL, OPT_PIN };
	longopts[n++] = (struct option){ "report", no_argument, NULL, OPT_REPORT };
	longopts[n++] = (struct option){ "cgroup", no_argument, NULL, OPT_CGROUP };
	longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n] = (struct option){ 0, 0, 0, 0 };
	while ((c = getopt_long(argc, argv, "+o:46vh", longopts, NULL)) != -1) {
		if (c == 'h')
			return args_help(&run_command), *code = EXIT_OK, 0;
		if (!take_flag(run, c))
			return *code = fail(EXIT_USAGE, "run --cgroup: unknown flag or missing argument "
							"(see sockopt run --help and docs/attach.md)."),
			       0;
	}
	if (optind >= argc)
		return *code = fail(EXIT_USAGE, "No command to run; usage: sockopt run --cgroup "
					       "[-o SPEC]… [--pin NAME]… -- CMD [ARG…]"),
		       0;
	*code = build_request(run);
	return *code == EXIT_OK ? optind : 0;
}

/* The child sockopt waits for, so a terminating signal sent to sockopt reaches it. */
static volatile pid_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* Fork the command into the cgroup DIR: it joins before exec, so its first socket is ours. */
static pid_t spawn(const char *dir, char **cmd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (cg_write(dir, "cgroup.procs", "0") < 0) {
		fail(EXIT_FAILED, "Cannot move the command into the cgroup %s: %s.", dir,
		     strerror(errno));
		_exit(EXIT_FAILED);
	}
	execvp(cmd[0], cmd);
	/* As env(1) and nice(1) do: 127 when the command is not found, 126 when it cannot run. */
	_exit(fail(errno == ENOENT ? 127 : 126, "Cannot run %s: %s.", cmd[0], strerror(errno)));
}

/* Wait for PID, reading --verbose events meanwhile; its exit status as a shell gives it. */
static int wait_child(pid_t pid, struct cg_run *run, struct cg_load *l)
{
	int status;

	child_pid = pid;
	signal(SIGINT, SIG_IGN); /* the terminal's ^C reaches the command; sockopt cleans up */
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	for (;;) {
		pid_t r = waitpid(pid, &status, run->req.verbose ? WNOHANG : 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return fail(EXIT_FAILED, "Cannot wait for the command: %s.", strerror(errno));
		if (run->req.verbose)
			cg_load_poll(l, 100, cg_request_event, &run->req);
	}
	if (run->req.verbose)
		cg_load_poll(l, 0, cg_request_event, &run->req);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Remove the cgroup once the command is gone; a process it left behind
 * (a daemon) keeps the cgroup busy, which is said, not hidden.
 */
static void remove_cgroup(const char *dir)
{
	for (int i = 0; i < 50; i++) {
		if (rmdir(dir) == 0 || errno != EBUSY)
			return;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	fail(EXIT_FAILED, "The cgroup %s still holds processes the command left; it stays.", dir);
}

/* The child cgroup of sockopt's own, named with its PID, made fresh. */
static int make_cgroup(char *parent, size_t psize, char *dir, size_t size)
{
	char root[PATH_MAX];
	int r = cg_v2_root(root, sizeof(root));

	if (r == 0)
		r = cg_v2_self(root, parent, psize);
	if (r < 0)
		return fail(EXIT_FAILED, "No cgroup v2 hierarchy is mounted (none in /proc/self/mountinfo); "
					 "the cgroup method needs one.");
	snprintf(dir, size, "%s/sockopt-run-%d", parent, (int)getpid());
	if (mkdir(dir, 0755) < 0 && (errno == EACCES || errno == EPERM))
		return fail(EXIT_FAILED, "sockopt run --cgroup needs root: it makes a cgroup and loads "
					 "BPF programs (CAP_SYS_ADMIN, CAP_BPF, CAP_NET_ADMIN).");
	if (access(dir, F_OK) < 0)
		return fail(EXIT_FAILED, "Cannot make the cgroup %s: %s.", dir, strerror(errno));
	return EXIT_OK;
}

int run_cgroup(int argc, char **argv)
{
	static struct cg_run run;
	char parent[PATH_MAX], dir[PATH_MAX + 32];
	struct sockopt_diag d = { 0 };
	struct cg_load *l = NULL;
	int code, cmd = parse_flags(argc, argv, &run, &code);
	pid_t pid;

	if (cmd == 0)
		return code;
	code = make_cgroup(parent, sizeof(parent), dir, sizeof(dir));
	if (code != EXIT_OK)
		return code;
	code = cg_request_load(&run.req, parent, &l);
	if (code == EXIT_OK && cg_load_attach(l, dir, &d) < 0)
		code = fail(EXIT_FAILED, "%s", d.text);
	if (code == EXIT_OK) {
		pid = spawn(dir, argv + cmd);
		code = pid < 0 ? fail(EXIT_FAILED, "Cannot fork: %s.", strerror(errno))
			       : wait_child(pid, &run, l);
		if (run.req.report)
			cg_request_report(run.req.entry, run.req.count, l);
	}
	cg_load_free(l); /* the links close first, then the cgroup goes */
	remove_cgroup(dir);
	return code;
}
