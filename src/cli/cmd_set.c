/* cmd_set.c: `sockopt set PID:FD NAME=VALUE…`: change options on a live socket of another process, before → after. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "print.h"

/* The socket being changed: fd FD of process PID, of kind KIND. */
struct target {
	pid_t pid;
	int fd;
	unsigned kind;
};

/* Parse "PID:FD"; false when it is not that. */
static bool parse_target(const char *arg, pid_t *pid, int *fd)
{
	char *end, *fd_end;
	long p = strtol(arg, &end, 10), f;

	if (end == arg || *end != ':' || p <= 0 || p > 0x3fffffff)
		return false;
	f = strtol(end + 1, &fd_end, 10);
	if (fd_end == end + 1 || *fd_end || f < 0 || f > 0x3fffffff)
		return false;
	*pid = (pid_t)p;
	*fd = (int)f;
	return true;
}

/* The network namespace cookie of socket FD, or 0. */
static uint64_t netns_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	return getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0 ? cookie : 0;
}

/*
 * Enter the network namespace the target socket lives in, before its
 * values are parsed: interface names (IP_ADD_MEMBERSHIP=GROUP@IFACE),
 * sysctl bounds (TCP_CONGESTION) and the sysctls the readback names are
 * those of its namespace, not sockopt's.  sockopt set runs on one thread,
 * so the whole command moves.  When the target cannot be opened,
 * open_target says why later; when its namespace cannot be entered, a
 * warning says so.
 */
static void enter_target_netns(const struct target *t)
{
	struct sockopt_diag diag;
	int fd = sockopt_proc_getfd(t->pid, t->fd, NULL), own;

	if (fd < 0)
		return;
	/* Not a socket (no cookie): open_target says so. */
	if (netns_cookie(fd) && sockopt_netns_enter(fd, &diag) < 0) {
		own = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (own >= 0 && netns_cookie(own) != netns_cookie(fd))
			fprintf(stderr, "sockopt: warning: %d:%d lives in another network namespace: "
					"%s Interface names and sysctls are read in sockopt's own.\n",
				(int)t->pid, t->fd, diag.text);
		if (own >= 0)
			close(own);
	}
	close(fd);
}

/* Parse every NAME=VALUE before anything is touched; EXIT_OK or the usage exit code. */
static int parse_assignments(char **args, int n, struct sockopt_change *out)
{
	for (int i = 0; i < n; i++) {
		char name[128];
		const char *eq = strchr(args[i], '=');
		struct sockopt_diag diag;
		int code = EXIT_USAGE;

		if (eq && (size_t)(eq - args[i]) >= sizeof(name))
			return fail(EXIT_USAGE, "There is no socket option named \"%s\" (names are "
						"shorter than %zu bytes); nothing was changed.",
				    arg_short(args[i]), sizeof(name));
		if (!eq || eq == args[i])
			return fail(EXIT_USAGE, "\"%s\" is not NAME=VALUE; nothing was changed.",
				    arg_short(args[i]));
		memcpy(name, args[i], (size_t)(eq - args[i]));
		name[eq - args[i]] = '\0';
		out[i].entry = find_option_or_fail(name, &code);
		if (!out[i].entry)
			return code;
		if (!(sockopt_entry_access(out[i].entry) & SOCKOPT_ACCESS_SET))
			return fail(EXIT_USAGE, "%s can only be read, not set; nothing was changed.",
				    sockopt_entry_name(out[i].entry));
		if (sockopt_value_parse(out[i].entry, eq + 1, &out[i].value, &diag) < 0)
			return fail(EXIT_USAGE, "%s Nothing was changed.", diag.text);
	}
	return EXIT_OK;
}

/*
 * Whether setting C on FD loses part of what C is for, because the socket
 * is past C's phase; said on stderr as a warning (the readback on stdout
 * says what takes effect now and what does not).
 */
static bool warn_phase(int fd, const struct sockopt_change *c, const struct target *t)
{
	char note[SOCKOPT_TEXT_MAX];

	if (sockopt_phase_note(fd, c->entry, note, sizeof(note)) != 1)
		return false;
	fprintf(stderr, "sockopt: warning: %d:%d: %s.\n", (int)t->pid, t->fd, note);
	return true;
}

/* A value as the JSON object {"value", "text"} under KEY, and as its text unless JSON_ONLY. */
static void print_value(const char *key, const sockopt_entry *e, const sockopt_value *v, int err,
			bool json_only)
{
	char text[2 * SOCKOPT_VALUE_MAX], json[2 * SOCKOPT_VALUE_MAX];

	if (!json_only || err < 0) {
		print_open_object(key);
		print_option_value(e, v, err);
		print_close_object();
		return;
	}
	print_open_object(key);
	sockopt_type_format(sockopt_entry_type(e), v, text, sizeof(text));
	sockopt_type_format_json(sockopt_entry_type(e), v, json, sizeof(json));
	print_json_value("value", json);
	print_string(PRINT_JSON, "text", NULL, text);
	print_close_object();
}

/* Print change C: before → requested, and on a real run what was stored and the readback. */
static void print_change(int fd, const struct sockopt_change *c, bool dry_run,
			 const struct target *t)
{
	const sockopt_entry *e = c->entry;

	print_open_object(NULL);
	print_string(PRINT_ANY, "name", "%-20s ", sockopt_entry_name(e));
	print_value("before", e, &c->before, c->before.len ? 0 : -ENODATA, false);
	print_text(" → ");
	if (dry_run) {
		print_value("requested", e, &c->value, 0, false);
		print_text("   (dry run: not set)");
	} else {
		print_value("requested", e, &c->value, 0, true);
		print_value("after", e, &c->rb.stored, c->rb.stored.len ? 0 : -ENODATA, false);
		print_string(PRINT_ANY, "readback", "   %s", c->rb.text);
	}
	print_bool(PRINT_JSON, "phase_passed", NULL, warn_phase(fd, c, t));
	print_text("\n");
	print_close_object();
}

/* Why fd T->FD of process T->PID cannot be used (ERR from the library, whose sentence names our duplicate). */
static int target_failed(int err, const struct target *t)
{
	if (err == -ENOTSOCK)
		return fail(EXIT_FAILED, "fd %d of process %d is not a socket; nothing was changed.",
			    t->fd, (int)t->pid);
	if (err == -EAFNOSUPPORT)
		return fail(EXIT_FAILED, "fd %d of process %d is a socket of a family sockopt "
			    "has no options for; nothing was changed.", t->fd, (int)t->pid);
	return fail(EXIT_FAILED, "fd %d of process %d: %s; nothing was changed.", t->fd,
		    (int)t->pid, strerror(-err));
}

/*
 * Our duplicate of the target socket, with its kind in T->KIND, once every
 * one of the N assignments A applies to that kind; or -1 after saying why,
 * with the exit code in *CODE.
 */
static int open_target(struct target *t, const struct sockopt_change *a, int n, int *code)
{
	struct sockopt_diag diag;
	int fd = sockopt_proc_getfd(t->pid, t->fd, &diag), err;

	if (fd < 0) {
		*code = fail(EXIT_FAILED, "%s Nothing was changed.", diag.text);
		return -1;
	}
	if ((err = sockopt_kind_of_fd(fd, &t->kind, &diag)) < 0) {
		close(fd);
		*code = target_failed(err, t);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (sockopt_entry_kinds(a[i].entry) & t->kind)
			continue;
		close(fd);
		*code = fail(EXIT_FAILED, "%s does not apply to fd %d of process %d, a %s socket; "
			     "nothing was changed.",
			     sockopt_entry_name(a[i].entry), t->fd, (int)t->pid,
			     sockopt_kind_name(t->kind));
		return -1;
	}
	return fd;
}

/* On a dry run, read each option's value now and check that this process may set it. */
static int dry_run_check(int fd, struct sockopt_change *c, int n, const struct target *t)
{
	struct sockopt_diag diag;

	for (int i = 0; i < n; i++) {
		if (sockopt_get(fd, c[i].entry, &c[i].before, NULL) != 0)
			c[i].before.len = 0;
		if (sockopt_set_allowed(c[i].entry, &c[i].value, &diag) < 0)
			return fail(EXIT_FAILED, "%d:%d: %s", (int)t->pid, t->fd, diag.text);
	}
	return EXIT_OK;
}

/*
 * Make the N changes C on FD all or nothing (sockopt_set_all), then print
 * them; on failure print nothing on stdout and one sentence on stderr.
 */
static int apply_all(int fd, struct sockopt_change *c, int n, const struct target *t, bool json,
		     bool dry_run)
{
	struct sockopt_diag diag;
	int code = dry_run ? dry_run_check(fd, c, n, t) : EXIT_OK;

	if (code != EXIT_OK)
		return code;
	if (!dry_run && sockopt_set_all(fd, c, (size_t)n, &diag) < 0)
		return fail(EXIT_FAILED, "%d:%d: %s", (int)t->pid, t->fd, diag.text);
	print_start(json);
	print_open_object(NULL);
	print_int(PRINT_JSON, "pid", NULL, t->pid);
	print_int(PRINT_JSON, "fd", NULL, t->fd);
	print_string(PRINT_JSON, "kind", NULL, sockopt_kind_name(t->kind));
	print_bool(PRINT_JSON, "dry_run", NULL, dry_run);
	print_open_array("changes");
	for (int i = 0; i < n; i++)
		print_change(fd, &c[i], dry_run, t);
	print_close_array();
	print_close_object();
	print_end();
	return EXIT_OK;
}

static int cmd_set(int argc, char **argv)
{
	const char *match = NULL;
	struct sockopt_change *assignments;
	struct target t = { 0 };
	bool json = false, dry_run = false;
	int c, n, fd, code;
	struct args a;

	args_start(&a, &set_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		if (c == 'n')
			dry_run = true;
		else if (c == 'm')
			match = a.value;
		else
			json = true;
	}
	if (c < 0)
		return a.code;
	if (match)
		return set_match(match, a.operands, a.noperands, dry_run);
	if (a.noperands < 2)
		return fail(EXIT_USAGE, "set: NAME=VALUE is missing; usage: sockopt set [FLAGS] PID:FD "
					"NAME=VALUE…");
	if (!parse_target(a.operands[0], &t.pid, &t.fd))
		return fail(EXIT_USAGE, "set: \"%s\" is not PID:FD.", arg_short(a.operands[0]));
	enter_target_netns(&t);
	n = a.noperands - 1;
	assignments = calloc((size_t)n, sizeof(*assignments));
	if (!assignments)
		return fail(EXIT_FAILED, "Out of memory.");
	code = parse_assignments(a.operands + 1, n, assignments);
	if (code == EXIT_OK && (fd = open_target(&t, assignments, n, &code)) >= 0) {
		code = apply_all(fd, assignments, n, &t, json, dry_run);
		close(fd);
	}
	free(assignments);
	return code;
}

static const struct flag set_flags[] = {
	{ 'n', "dry-run", NULL, "show the value before and the one requested; change nothing", NULL,
	  0 },
	{ 'm', "match", "FILTER", "set on every TCP socket FILTER matches (BPF, root), not PID:FD",
	  NULL, 0 },
	ARGS_FLAG_JSON,
	{ 0 },
};

const struct command set_command = {
	"set", cmd_set, "PID:FD NAME=VALUE… | --match FILTER NAME=VALUE…", "change options on a live socket of another process; "
	"before → after", set_flags, 1, -1, ARGS_FLAGS_ANYWHERE,
	"PID:FD is a socket of a running process ('sockopt show PID' lists them); NAME=VALUE as in\n"
	"'sockopt help values'. Every assignment is checked against the socket's kind before any is\n"
	"made. Needs ptrace rights over PID (the same user, or CAP_SYS_PTRACE).",
	{ "sockopt set 1234:5 TCP_KEEPIDLE=60s TCP_KEEPCNT=4", "sockopt set 1234:5 SO_RCVBUF=1M --dry-run" },
};
