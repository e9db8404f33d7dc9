/* cmd_defaults.c: `sockopt defaults`: every readable option's value on a fresh socket of each kind. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "print.h"

static const unsigned all_kinds[] = {
	SOCKOPT_KIND_TCP,  SOCKOPT_KIND_TCP6,	    SOCKOPT_KIND_UDP,
	SOCKOPT_KIND_UDP6, SOCKOPT_KIND_UNIX,	    SOCKOPT_KIND_UNIX_DGRAM,
	SOCKOPT_KIND_RAW,  SOCKOPT_KIND_RAW6,	    SOCKOPT_KIND_UNIX_SEQPACKET,
};

/*
 * Every readable option of FD, a fresh socket of KIND; FD < 0: the kind is
 * shown as skipped because of DIAG (raw kinds without CAP_NET_RAW).
 */
static void print_kind(unsigned kind, int fd, const struct sockopt_diag *diag)
{
	print_open_object(NULL);
	print_string(PRINT_ANY, "kind", "%s\n", sockopt_kind_name(kind));
	if (fd < 0) {
		print_string(PRINT_JSON, "skipped", NULL, diag->text);
		print_text("  skipped: %s\n\n", diag->text);
		print_close_object();
		return;
	}
	print_open_array("options");
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		sockopt_value v;

		if (!(sockopt_entry_kinds(e) & kind) ||
		    !(sockopt_entry_access(e) & SOCKOPT_ACCESS_GET))
			continue;
		print_open_object(NULL);
		print_string(PRINT_ANY, "name", "  %-28s ", sockopt_entry_name(e));
		print_string(PRINT_JSON, "level", NULL, sockopt_level_name(sockopt_entry_level(e)));
		print_int(PRINT_JSON, "level_number", NULL, sockopt_entry_level(e));
		print_int(PRINT_JSON, "optname", NULL, sockopt_entry_optname(e));
		print_option_value(e, &v, sockopt_get(fd, e, &v, NULL));
		print_text("\n");
		print_close_object();
	}
	print_close_array();
	print_text("\n");
	print_close_object();
}

static int cmd_defaults(int argc, char **argv)
{
	enum { MAX_KINDS = sizeof(all_kinds) / sizeof(all_kinds[0]) * 2 };
	unsigned chosen[MAX_KINDS];
	int fds[MAX_KINDS];
	struct sockopt_diag diags[MAX_KINDS];
	size_t n = 0, failed = 0, first = 0;
	bool json = false;
	int c;
	struct args a;

	args_start(&a, &defaults_command, argc, argv);
	while ((c = args_next(&a)) > 0)
		json = true; /* --json is the only flag */
	if (c < 0)
		return a.code;
	for (int i = 0; i < a.noperands; i++) {
		if (n == MAX_KINDS)
			return fail(EXIT_USAGE, "defaults: too many socket kinds (at most %zu).", n);
		if (sockopt_kind_parse(a.operands[i], &chosen[n++]) < 0)
			return fail(EXIT_USAGE,
				    "\"%s\" is not a socket kind; use tcp, tcp6, udp, udp6, raw, "
				    "raw6, unix, unix-dgram or unix-seqpacket.",
				    arg_short(a.operands[i]));
	}
	if (n == 0)
		for (; n < sizeof(all_kinds) / sizeof(all_kinds[0]); n++)
			chosen[n] = all_kinds[n];
	/*
	 * Every socket is made before anything is printed: a kind named on the
	 * command line that cannot be made is an error (one line, nothing on
	 * stdout).  Without names, a kind that cannot be made is shown as
	 * skipped; a raw kind the caller may not make is no failure.
	 */
	for (size_t i = 0; i < n; i++) {
		fds[i] = sockopt_kind_socket(chosen[i], &diags[i]);
		if (fds[i] < 0 && (a.noperands > 0 || (fds[i] != -EPERM && fds[i] != -EACCES)) &&
		    failed++ == 0)
			first = i;
	}
	if (failed && a.noperands > 0) {
		for (size_t i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return fail(EXIT_FAILED, "defaults %s: %s", sockopt_kind_name(chosen[first]),
			    diags[first].text);
	}
	print_start(json);
	print_open_array(NULL);
	for (size_t i = 0; i < n; i++) {
		print_kind(chosen[i], fds[i], &diags[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	print_close_array();
	print_end();
	if (failed)
		return fail(EXIT_FAILED, "defaults %s: %s", sockopt_kind_name(chosen[first]),
			    diags[first].text);
	return EXIT_OK;
}

static const struct flag defaults_flags[] = { ARGS_FLAG_JSON, { 0 } };

const struct command defaults_command = {
	"defaults", cmd_defaults,
	"[tcp|tcp6|udp|udp6|raw|raw6|unix|unix-dgram|unix-seqpacket …]", "every option's value on a fresh socket of each kind",
	defaults_flags, 0, -1, ARGS_FLAGS_ANYWHERE,
	"Without a kind, every kind. Options a kind cannot read show the error name. A kind named\n"
	"on the command line whose socket cannot be made is an error: one line, nothing printed,\n"
	"exit 1. Without names such a kind is shown as skipped, with the reason (raw and raw6 need\n"
	"CAP_NET_RAW: without it, plain 'sockopt defaults' skips them and exits 0).",
	{ "sockopt defaults tcp", "sockopt defaults udp6 unix --json" },
};
