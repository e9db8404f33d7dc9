/* cmd_run.c: `sockopt run`: run an unmodified program with options applied to its sockets by the preload shim. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_cli.h"
#include "cli.h"
#include "run.h"
#include "run_reach.h"

#ifndef SOCKOPT_LIBDIR
#define SOCKOPT_LIBDIR "/usr/local/lib/sockopt"
#endif
#define SHIM_NAME "libsockopt-preload.so"

/* Keys of the flags without a letter: a spec for one moment, a word of SOCKOPT_RUN_FLAGS, --log, --pin. */
enum { RUN_SPEC = ARGS_LONG_ONLY, RUN_WORD, RUN_LOG, RUN_PIN, RUN_CGROUP };

bool run_append(char **text, const char *item)
{
	size_t old = *text ? strlen(*text) : 0;
	char *grown = realloc(*text, old + strlen(item) + 2);

	if (!grown)
		return false;
	if (old)
		grown[old++] = ',';
	strcpy(grown + old, item);
	*text = grown;
	return true;
}

void run_add_word(struct run_request *req, const char *word)
{
	if (!strstr(req->words, word))
		snprintf(req->words + strlen(req->words), sizeof(req->words) - strlen(req->words),
			 "%s%s", *req->words ? "," : "", word);
}

/* --log FILE: made absolute, and checked by opening it as the shim will (appending). */
static bool set_log(struct run_request *req, const char *file, int *code)
{
	char cwd[PATH_MAX];
	FILE *f;

	if (*file != '/' && !getcwd(cwd, sizeof(cwd)))
		return *code = fail(EXIT_FAILED, "Cannot read the current directory: %s.",
				    strerror(errno)),
		       false;
	if (snprintf(req->log, sizeof(req->log), "%s%s%s", *file == '/' ? "" : cwd,
		     *file == '/' ? "" : "/", file) >= (int)sizeof(req->log))
		return *code = fail(EXIT_USAGE, "--log %s: the path is too long.", arg_short(file)), false;
	f = fopen(req->log, "a");
	if (!f)
		return *code = fail(EXIT_USAGE, "--log %s: %s.", arg_short(file), strerror(errno)), false;
	fclose(f);
	return true;
}

/* The spec variable whose flag is NAME (run_flags below names only those of run_vars). */
static size_t var_of(const char *name)
{
	size_t i = 0;

	while (i < RUN_VAR_COUNT - 1 && strcmp(run_vars[i].flag, name) != 0)
		i++;
	return i;
}

/* Parse the flags up to the command: its index in ARGV (at least 1), or 0 with the exit code in *CODE. */
static int parse_flags(int argc, char **argv, struct run_request *req, int *code)
{
	struct args a;
	int c;

	args_start(&a, &run_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		/* Word flags are named as the words of SOCKOPT_RUN_FLAGS they stand for. */
		if (c == RUN_LOG) {
			if (!set_log(req, a.value, code))
				return 0;
		} else if (c == RUN_PIN) {
			if (!run_append(&req->pins, a.value))
				return *code = fail(EXIT_FAILED, "Out of memory."), 0;
		} else if (c == RUN_CGROUP) {
			/* Not reached: cmd_run hands command lines with --cgroup to run_cgroup. */
		} else if (c != 'o' && c != RUN_SPEC) {
			run_add_word(req, a.flag->name);
		} else if (!run_append(&req->text[var_of(a.flag->name)], a.value)) {
			return *code = fail(EXIT_FAILED, "Out of memory."), 0;
		}
	}
	if (c < 0)
		return *code = a.code, 0;
	if (a.noperands == 0)
		return *code = fail(EXIT_USAGE, "run: No command to run; usage: sockopt run [FLAGS] -- "
						"CMD [ARG…]"),
		       0;
	return (int)(a.operands - argv);
}

/*
 * Check every spec as the shim will read it, against the kinds its
 * sockets can be under the filter: a bad spec stops here, before anything
 * runs, with the library's sentence naming the entry.
 */
static int validate_spec(const struct run_request *req, size_t i, sockopt_spec **out)
{
	struct sockopt_diag d;
	sockopt_spec *spec = sockopt_spec_new();
	int r;

	if (!spec)
		return fail(EXIT_FAILED, "Out of memory.");
	r = sockopt_spec_add(spec, req->text[i], run_vars[i].phase, &d);
	if (r == 0)
		r = sockopt_spec_validate(spec, req->kinds & run_vars[i].kinds, &d);
	if (r < 0) {
		sockopt_spec_free(spec);
		return fail(r == -ENOMEM ? EXIT_FAILED : EXIT_USAGE, "%s%s: %s", i == 0 ? "-o" : "--",
			    i == 0 ? "" : run_vars[i].flag, d.text);
	}
	*out = spec;
	return EXIT_OK;
}

/* Whether one of SPECS sets option E. */
static bool specs_set(sockopt_spec *const *specs, const sockopt_entry *e)
{
	for (size_t i = 0; i < RUN_VAR_COUNT; i++)
		for (size_t j = 0; specs[i] && j < sockopt_spec_count(specs[i]); j++)
			if (sockopt_spec_entry(specs[i], j) == e)
				return true;
	return false;
}

/* Every --pin names an option a spec sets. */
static int validate_pins(const struct run_request *req, sockopt_spec *const *specs)
{
	for (const char *p = req->pins; p && *p; p += *p == ',') {
		size_t len = strcspn(p, ",");
		char name[64];
		const sockopt_entry *e;

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len;
		e = sockopt_catalog_find(name);
		if (!e)
			return fail(EXIT_USAGE, "--pin %s: no such option.", name);
		if (!specs_set(specs, e))
			return fail(EXIT_USAGE, "--pin %s: no spec sets it, so there is nothing to pin.",
				    name);
	}
	return EXIT_OK;
}

/*
 * Check every spec as the shim will read it, against the kinds its
 * sockets can be under the filter, and the pins against the specs: bad
 * input stops here, before anything runs, with the library's sentence
 * naming the entry.
 */
static int validate(const struct run_request *req)
{
	sockopt_spec *specs[RUN_VAR_COUNT] = { 0 };
	bool any = false;
	int code = EXIT_OK;

	for (size_t i = 0; i < RUN_VAR_COUNT && code == EXIT_OK; i++) {
		if (req->text[i])
			code = validate_spec(req, i, &specs[i]);
		any |= req->text[i] != NULL;
	}
	if (code == EXIT_OK && !any)
		code = fail(EXIT_USAGE, "No options to apply; give at least one, e.g. -o TCP_NODELAY=on.");
	if (code == EXIT_OK)
		code = validate_pins(req, specs);
	for (size_t i = 0; i < RUN_VAR_COUNT; i++)
		sockopt_spec_free(specs[i]);
	return code;
}

/*
 * The shim beside this binary (the build tree), else in lib/sockopt beside the
 * binary's bin/ (an installed tree, whatever PREFIX and DESTDIR it was installed
 * with), else in SOCKOPT_LIBDIR (the PREFIX the command was built for).
 */
static int find_shim(char *path, size_t size)
{
	static const char *const beside_exe[] = { "", "/../lib/sockopt" };
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		const char *dir;

		exe[n] = '\0';
		dir = dirname(exe);
		for (size_t i = 0; i < sizeof(beside_exe) / sizeof(beside_exe[0]); i++) {
			snprintf(path, size, "%s%s/" SHIM_NAME, dir, beside_exe[i]);
			if (access(path, R_OK) == 0)
				return 0;
		}
	}
	snprintf(path, size, "%s/" SHIM_NAME, SOCKOPT_LIBDIR);
	if (access(path, R_OK) == 0)
		return 0;
	return fail(EXIT_FAILED, "Cannot find " SHIM_NAME " beside the sockopt binary or in %s.",
		    SOCKOPT_LIBDIR);
}

/*
 * Put the request into the environment the command inherits: every spec
 * variable set or removed (a stale one must not leak in), the flags, and
 * the shim added after any LD_PRELOAD the user already has.
 */
static int export_request(const struct run_request *req, const char *shim)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload = NULL;
	int r = 0;

	for (size_t i = 0; i < RUN_VAR_COUNT && r == 0; i++)
		r = req->text[i] ? setenv(run_vars[i].name, req->text[i], 1)
				 : unsetenv(run_vars[i].name);
	if (r == 0)
		r = *req->words ? setenv(RUN_FLAGS_VAR, req->words, 1) : unsetenv(RUN_FLAGS_VAR);
	if (r == 0)
		r = *req->log ? setenv(RUN_LOG_VAR, req->log, 1) : unsetenv(RUN_LOG_VAR);
	if (r == 0)
		r = req->pins ? setenv(RUN_PIN_VAR, req->pins, 1) : unsetenv(RUN_PIN_VAR);
	if (r == 0 && old && *old && !strstr(old, shim))
		r = asprintf(&preload, "%s:%s", old, shim) < 0 ? -1 : 0;
	if (r == 0)
		r = setenv("LD_PRELOAD", preload ? preload : old && *old ? old : shim, 1);
	free(preload);
	return r < 0 ? fail(EXIT_FAILED, "Cannot set the environment: %s.", strerror(errno))
		     : EXIT_OK;
}

/* Whether the LD_PRELOAD word of LEN bytes at WORD names the shim. */
static bool is_shim(const char *word, size_t len)
{
	size_t n = strlen(SHIM_NAME);

	return len >= n && memcmp(word + len - n, SHIM_NAME, n) == 0 &&
	       (len == n || word[len - n - 1] == '/');
}

void run_leave_shim(char **argv)
{
	const char *preload = getenv("LD_PRELOAD");
	char kept[4096];
	size_t n = 0;

	if (!preload || !strstr(preload, SHIM_NAME))
		return;
	for (const char *p = preload; *p;) {
		size_t len = strcspn(p, ": ");

		if (len && !is_shim(p, len) && n + len + 2 < sizeof(kept))
			n += (size_t)snprintf(kept + n, sizeof(kept) - n, "%s%.*s", n ? ":" : "",
					      (int)len, p);
		p += len;
		p += strspn(p, ": ");
	}
	if (n ? setenv("LD_PRELOAD", kept, 1) : unsetenv("LD_PRELOAD"))
		return;
	run_nest_keep();
	execv("/proc/self/exe", argv);
	/* Exec failed: carry on under the shim rather than not at all. */
}

/* Everything before exec: flags, checks, the shim and the environment; an exit code. */
static int prepare(int argc, char **argv, struct run_request *req, int *cmd)
{
	char shim[PATH_MAX + sizeof(SHIM_NAME)];
	int code = EXIT_OK;

	*cmd = parse_flags(argc, argv, req, &code);
	if (*cmd == 0)
		return code;
	code = run_nest_merge(req);
	if (code != EXIT_OK)
		return code;
	/* The words come from the flags, so they always parse; this fills kinds and switches. */
	run_flags_parse(req->words, &req->kinds, &req->switches);
	code = validate(req);
	if (code == EXIT_OK)
		code = find_shim(shim, sizeof(shim));
	return code == EXIT_OK ? export_request(req, shim) : code;
}

/*
 * Whether the cgroup method can take over from the preload: root, a plain
 * request (no --log, no unix or raw sockets, not inside another run), and
 * every option of every spec one the hooks set on this kernel (probed
 * once, cached).  When not, WHY says which option it cannot set, or is "".
 */
static bool cgroup_takes_over(const struct run_request *req, char *why, size_t size)
{
	struct cg_load *l = NULL;
	bool ok = geteuid() == 0 && !*req->log && !strstr(req->words, "unix") &&
		  !strstr(req->words, "raw") && !getenv("SOCKOPT_OUTER_SPEC");

	why[0] = '\0';
	for (size_t i = 0; ok && i < RUN_VAR_COUNT; i++) {
		sockopt_spec *spec = req->text[i] ? sockopt_spec_new() : NULL;
		struct sockopt_diag d;

		if (spec && sockopt_spec_add(spec, req->text[i], run_vars[i].phase, &d) == 0)
			for (size_t j = 0; ok && j < sockopt_spec_count(spec); j++) {
				const sockopt_entry *e = sockopt_spec_entry(spec, j);
				char reason[SOCKOPT_TEXT_MAX];

				ok = cg_can_set(e, &l, reason, sizeof(reason)) == 1;
				if (!ok)
					snprintf(why, size, "; sockopt run --cgroup cannot set %s either",
						 sockopt_entry_name(e));
			}
		else
			ok = req->text[i] == NULL;
		sockopt_spec_free(spec);
	}
	cg_load_free(l);
	return ok;
}

/*
 * A program the shim cannot reach: when the cgroup method can take over,
 * say so in one line and set *TO_CGROUP; else say that its sockets get
 * nothing, and under --strict do not run it (exit 2).  A file that cannot
 * be read is left to execvp, which names the problem.
 */
static int check_reach(const struct run_request *req, const char *cmd, bool *to_cgroup)
{
	char why[512], instead[128];

	if (run_reach_check(cmd, why, sizeof(why)) != 0)
		return EXIT_OK;
	if (req->switches & RUN_STRICT)
		return fail(EXIT_USAGE,
			    "%s is %s: the preload cannot reach its sockets; not run (--strict). "
			    "Use sockopt run --cgroup.",
			    cmd, why);
	*to_cgroup = cgroup_takes_over(req, instead, sizeof(instead));
	if (*to_cgroup)
		fail(EXIT_OK, "%s is %s: the preload cannot reach its sockets, so cgroup BPF programs "
			      "apply the options (sockopt run --cgroup).",
		     cmd, why);
	else
		fail(EXIT_OK, "%s is %s: the preload cannot reach its sockets, which keep the kernel's "
			      "options%s.%s",
		     cmd, why, instead, *instead ? "" : " Use sockopt run --cgroup.");
	return EXIT_OK;
}

/* Put back the environment prepare() changed for the shim, for the cgroup method's command. */
static void restore_environment(const char *preload)
{
	for (size_t i = 0; i < RUN_VAR_COUNT; i++)
		unsetenv(run_vars[i].name);
	unsetenv(RUN_FLAGS_VAR);
	unsetenv(RUN_LOG_VAR);
	unsetenv(RUN_PIN_VAR);
	if (preload)
		setenv("LD_PRELOAD", preload, 1);
	else
		unsetenv("LD_PRELOAD");
}

static int cmd_run(int argc, char **argv)
{
	struct run_request req = { 0 };
	char *preload = getenv("LD_PRELOAD") ? strdup(getenv("LD_PRELOAD")) : NULL;
	bool to_cgroup = false;
	int cmd, code;

	/* The parser compacts ARGV to the operands; the cgroup method reads it as given. */
	char **given = malloc(((size_t)argc + 1) * sizeof(*given));

	if (!given)
		return free(preload), fail(EXIT_FAILED, "Out of memory.");
	memcpy(given, argv, ((size_t)argc + 1) * sizeof(*given));
	if (run_wants_cgroup(argc, argv)) {
		code = run_cgroup(argc, argv);
		free(preload);
		free(given);
		return code;
	}
	code = prepare(argc, argv, &req, &cmd);
	if (cmd != 0 && code == EXIT_OK)
		code = check_reach(&req, argv[cmd], &to_cgroup);
	for (size_t i = 0; i < RUN_VAR_COUNT; i++)
		free(req.text[i]);
	free(req.pins);
	if (cmd != 0 && code == EXIT_OK && to_cgroup) {
		restore_environment(preload);
		code = run_cgroup(argc, given);
	}
	free(preload);
	free(given);
	if (to_cgroup)
		return code;
	if (cmd == 0 || code != EXIT_OK)
		return code;
	if (req.switches & RUN_VERBOSE)
		fprintf(stderr, "sockopt: running %s with LD_PRELOAD=%s\n", argv[cmd],
			getenv("LD_PRELOAD"));
	execvp(argv[cmd], argv + cmd);
	/* As env(1) and nice(1) do: 127 when the command is not found, 126 when it cannot run. */
	return fail(errno == ENOENT ? 127 : 126, "Cannot run %s: %s.", argv[cmd], strerror(errno));
}

static const struct flag run_flags[] = {
	{ 'o', "option", "SPEC", "apply SPEC to every socket, each option at its catalog phase", NULL,
	  0 },
	{ RUN_SPEC, "on-socket", "SPEC", "apply SPEC right after socket(2)", NULL, 0 },
	{ RUN_SPEC, "before-bind", "SPEC", "apply SPEC before bind(2)", NULL, 0 },
	{ RUN_SPEC, "before-connect", "SPEC", "apply SPEC to sockets that connect, before connect(2)",
	  NULL, 0 },
	{ RUN_SPEC, "before-listen", "SPEC", "apply SPEC to listeners, before listen(2)", NULL, 0 },
	{ RUN_SPEC, "after-accept", "SPEC",
	  "apply SPEC to accepted sockets (options they inherit go on the listener)", NULL, 0 },
	{ RUN_WORD, "tcp", NULL, "touch TCP sockets (with --udp: both)", "TCP and UDP", 0 },
	{ RUN_WORD, "udp", NULL, "touch UDP sockets", "TCP and UDP", 0 },
	{ RUN_WORD, "raw", NULL, "touch raw IP sockets", "TCP and UDP", 0 },
	{ '4', "ipv4", NULL, "touch IPv4 sockets (with -6: both)", "every family", 0 },
	{ '6', "ipv6", NULL, "touch IPv6 sockets", "every family", 0 },
	{ RUN_WORD, "unix", NULL, "touch unix sockets too (stream, datagram, seqpacket)",
	  "unix sockets are left alone", 0 },
	{ RUN_PIN, "pin", "NAME[,NAME…]",
	  "the spec's value of NAME stays: the program's own setsockopt of it succeeds and changes "
	  "nothing",
	  "the program's later value wins", 0 },
	{ RUN_WORD, "report", NULL,
	  "one line at exit: which options the program set itself after sockopt did", NULL, 0 },
	{ 'v', "verbose", NULL, "log every applied, skipped and failed option on stderr, with pid and fd",
	  NULL, 0 },
	{ RUN_LOG, "log", "FILE", "with --verbose, write the shim's lines to FILE (appended)",
	  "a copy of the standard error the program started with", 0 },
	{ RUN_CGROUP, "cgroup", NULL,
	  "apply the options through cgroup BPF programs instead of the preload: static, Go and "
	  "set-user-ID programs too (root; docs/attach.md)",
	  "the preload", 0 },
	{ RUN_WORD, "strict", NULL, "an option that fails fails the program's call with its errno",
	  "fail open: the program's calls never change", 0 },
	{ 0 },
};

const struct command run_command = {
	"run", cmd_run, "[--] CMD [ARG…]",
	"run an unmodified program with options applied to its sockets (LD_PRELOAD)", run_flags, 0,
	-1, ARGS_FLAGS_FIRST,
	"SPEC is NAME=VALUE[,NAME=VALUE…] ('sockopt help values'); every flag repeats. The specs are\n"
	"checked before CMD starts; CMD replaces sockopt and its exit status is its own (127: not\n"
	"found, 126: cannot run). A program the preload cannot reach (static, Go, set-user-ID) is\n"
	"named before it runs; as root, when the cgroup hooks can set every option, the cgroup\n"
	"method (--cgroup) takes over; --strict exits 2 instead.",
	{ "sockopt run -o TCP_NODELAY=on -- curl -s http://127.0.0.1:8080/",
	  "sockopt run --before-listen SO_REUSEPORT=on --after-accept keepidle=30s -- redis-server" },
};
